// What `emms bench` and `emms queue-bench` print: a summary table per task, the summaries over tasks, and
// progress lines when stderr is not a terminal.
import type { BenchReport, TaskReport } from '@emms/harness';
import type { ProgressListener } from '@emms/tensor-io';
import type { CliIo } from '../command';
import { type Cell, renderTable } from '../format';

const f3 = (x: number | undefined) => (x === undefined ? undefined : Number(x.toFixed(3)));

function rankOf(values: Record<string, number>, id: string, higherIsBetter: boolean): number | undefined {
  if (!(id in values)) return undefined;
  const v = values[id]!;
  return 1 + Object.values(values).filter((w) => (higherIsBetter ? w > v : w < v)).length;
}

/** The printed summary of one task: models by ground truth with each score's rank; agreement; speed. */
export function taskSummary(t: TaskReport): string {
  const out: string[] = [];
  const truthIds = Object.keys(t.groundTruth);
  const main = t.groundTruth[truthIds[0]!];
  const scoreIds = Object.keys(t.scores).filter((id) => Object.keys(t.scores[id]!.values).length > 0);
  out.push(
    `task ${t.id} (${t.dataset})${t.split ? `: ${t.split.nTrain} train / ${t.split.nTest} test items, seed ${t.split.seed}` : ''}${t.flabels ? `; F-labels K=${t.flabels.K} (${t.flabels.embedders.join(', ')})` : ''}`,
  );
  const models = [...t.models].sort(
    (a, b) => (main?.values[b.id] ?? -Infinity) - (main?.values[a.id] ?? -Infinity),
  );
  const columns = ['model', 'D', ...truthIds, ...scoreIds.map((s) => `#${s}`)];
  const rows: Cell[][] = models.map((m) => [
    m.id,
    m.featureDim,
    ...truthIds.map((g) => f3(t.groundTruth[g]!.values[m.id])),
    ...scoreIds.map((s) => {
      if (m.error) return m.error.code;
      const values = t.scores[s]!.values;
      const r = rankOf(values, m.id, t.scores[s]!.higherIsBetter);
      if (r === undefined) return '-';
      const tied = Object.entries(values).some(([o, v]) => o !== m.id && v === values[m.id]);
      return `${r}${tied ? '=' : ''}${t.scores[s]!.warnings[m.id] ? '!' : ''}`;
    }),
  ]);
  out.push(renderTable(columns, rows));
  for (const g of truthIds) {
    const rows2: Cell[][] = Object.entries(t.agreement[g] ?? {})
      .sort((a, b) => b[1].weightedTau - a[1].weightedTau)
      .map(([id, a]) => [
        a.kind === 'baseline' ? `[${id}]` : id,
        f3(a.weightedTau),
        a.weightedTauInterval
          ? `[${a.weightedTauInterval.low.toFixed(2)}, ${a.weightedTauInterval.high.toFixed(2)}]`
          : '',
        f3(a.kendallTau),
        f3(a.pearson),
        f3(a.rel1),
        f3(a.regret1),
        a.kind === 'score' ? (a.beatsBaselines ? 'yes' : 'no') : '',
        a.kind === 'score' ? f3(Object.values(t.scores[id]!.seconds).reduce((x, y) => x + y, 0)) : undefined,
      ]);
    out.push(
      `agreement with ${g} (${t.groundTruth[g]!.kind}); [baselines] in brackets; #score = its rank of the model ("=" tied, "!" warned)`,
    );
    out.push(
      renderTable(
        [
          'ranking',
          'w.tau',
          '95% interval',
          'kendall',
          'pearson',
          'rel@1',
          'regret@1',
          'beats baselines',
          'seconds',
        ],
        rows2,
      ),
    );
  }
  // per score, the failed models grouped by error code (e.g. "leep: NOT_APPLICABLE for 9 models (a, b, …)")
  const na: string[] = [];
  for (const [id, sc] of Object.entries(t.scores)) {
    const byCode = new Map<string, string[]>();
    for (const [m, e] of Object.entries(sc.errors)) byCode.set(e.code, [...(byCode.get(e.code) ?? []), m]);
    for (const [code, ms] of byCode) {
      const names = ms.length > 3 ? `${ms.slice(0, 3).join(', ')}, …` : ms.join(', ');
      na.push(`${id}: ${code} for ${ms.length} model${ms.length === 1 ? '' : 's'} (${names})`);
    }
  }
  if (na.length) out.push(`not scored: ${na.join('; ')}`);
  if (t.speed?.emmsOverLogme !== undefined)
    out.push(
      `EMMS speed-up over LogME on the same F-labels: ×${t.speed.emmsOverLogme.toFixed(2)} (${t.speed.emmsSeconds!.toFixed(3)} s vs ${t.speed.logmeSeconds!.toFixed(3)} s: ${t.speed.note ?? ''})`,
    );
  for (const n of t.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}

/**
 * The printed summaries over tasks (mean weighted τ beside published values) and, for two or more tasks,
 * the cross-task figures (the full section is in report.md/html).
 */
export function summaryText(r: BenchReport): string {
  const out: string[] = [];
  for (const s of r.summaries) {
    const rows: Cell[][] = Object.entries(s.meanWeightedTau)
      .sort((a, b) => b[1] - a[1])
      .map(([id, v]) => [
        s.kinds[id] === 'baseline' ? `[${id}]` : id,
        f3(v),
        s.counts[id],
        f3(s.published?.values[id]),
      ]);
    out.push(`${s.description}`);
    out.push(renderTable(['ranking', 'mean w.tau', 'tasks', 'published'], rows));
  }
  const c = r.crossTask;
  if (c) {
    const ref = c.beats?.reference;
    const rows: Cell[][] = Object.entries(c.scores)
      .sort((a, b) => b[1].meanWeightedTau - a[1].meanWeightedTau)
      .map(([id, x]) => [
        x.kind === 'baseline' ? `[${id}]` : id === c.recommended ? `${id} *` : id,
        f3(x.meanWeightedTau),
        `[${x.interval[0].toFixed(2)}, ${x.interval[1].toFixed(2)}]`,
        x.averageRank === undefined ? undefined : Number(x.averageRank.toFixed(2)),
        ref && id !== ref ? f3(c.beats?.probability[id]) : undefined,
      ]);
    out.push(
      `across ${c.tasks.length} tasks (${c.tasks.join(', ')}): mean weighted τ with its ${Math.round(c.bootstrap.level * 100)}% interval (tasks and items resampled); [baselines] in brackets; * recommended`,
    );
    out.push(
      renderTable(['ranking', 'mean w.tau', 'interval', 'avg rank', ref ? `P(${ref} beats)` : ''], rows),
    );
    out.push(`recommended: ${c.recommendation}`);
    if (c.friedman) {
      out.push(
        `Friedman over ${c.friedman.scores} rankings: chi2 ${c.friedman.chiSquare.toFixed(2)}, p ${c.friedman.pValue.toPrecision(2)}` +
          (c.nemenyi ? `; Nemenyi critical difference ${c.nemenyi.criticalDifference.toFixed(2)} ranks` : ''),
      );
    }
    for (const [choice, h] of Object.entries(c.heldOut ?? {})) {
      out.push(
        `preset ${choice}, chosen without each task: ${h.perTask.map((p) => `${p.task} ${p.chosen} (τ ${p.heldOutTau.toFixed(3)})`).join(', ')}`,
      );
    }
    for (const v of c.emmsVsLogme ?? []) {
      out.push(
        `EMMS vs LogME on the F-labels, ${v.kind}: τ ${v.emmsTau.toFixed(3)} vs ${v.logmeTau.toFixed(3)}` +
          (v.gainPercent !== undefined
            ? ` (${v.gainPercent >= 0 ? '+' : ''}${v.gainPercent.toFixed(1)}%)`
            : '') +
          (v.speedup !== undefined ? `, ×${v.speedup.toFixed(2)} faster` : '') +
          (v.paper ? `; paper: +${v.paper.gainPercent}%, ×${v.paper.speedup}` : ''),
      );
    }
  }
  return out.join('\n');
}

/** Progress as plain lines (at most one per 15 s per step), for logs and pipes. */
export function plainProgress(io: CliIo): ProgressListener {
  const last = new Map<string, number>();
  return (e) => {
    const now = Date.now();
    const done = e.total !== undefined && e.done >= e.total;
    if (!done && now - (last.get(e.task) ?? 0) < 15_000) return;
    last.set(e.task, now);
    io.stderr.write(
      `${e.task} ${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.message ? ` ${e.message}` : ''}\n`,
    );
  };
}
