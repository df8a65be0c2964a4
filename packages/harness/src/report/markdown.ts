/**
 * report.md: the human report as GitHub-flavoured Markdown. No Node imports.
 */

import { summaryIds } from './charts';
import {
  agreementRows,
  fmtFixed,
  fmtSeconds,
  fmtTau,
  fmtValue,
  modelFactColumns,
  modelLabel,
  orderedModels,
  rankModels,
  runSummary,
  scoreSeconds,
} from './format';
import type { BenchReport, SummaryInfo, TaskReport } from './schema';

/**
 * Escapes text for a Markdown table cell or line: pipes, backslashes, emphasis marks, HTML brackets,
 * line breaks.
 *
 * @param text - any text from a report.
 * @returns text that renders literally.
 * @example
 * ```ts
 * mdEscape('a|b <c>'); // 'a\\|b &lt;c&gt;'
 * ```
 */
export function mdEscape(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('*', '\\*')
    .replaceAll('_', '\\_')
    .replaceAll('`', '\\`')
    .replace(/\r?\n/g, ' ');
}

function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The markdown describing one ranking's "beats baselines" status. */
function beatsCell(beats: boolean | undefined, notBeaten: string[] | undefined): string {
  if (beats === undefined) return '';
  if (beats) return 'yes';
  const which = notBeaten?.length ? ` (${notBeaten.map(mdEscape).join(', ')})` : '';
  return `**no**${which}`;
}

function taskSection(task: TaskReport): string {
  const out: string[] = [];
  out.push(`## Task ${mdEscape(task.id)} (dataset ${mdEscape(task.dataset)})`);
  if (task.description) out.push(mdEscape(task.description));

  const facts: string[] = [];
  if (task.split) {
    const s = task.split;
    facts.push(
      `- Split: seed ${s.seed}; ${s.trainPerClass} train per class (${s.nTrain} in all) for scoring, ` +
        `${s.testPerClass} test per class (${s.nTest} in all) held out for the ground truth; ` +
        `${s.classes.length} classes${s.source ? `; data: ${mdEscape(s.source)}` : ''}.`,
    );
  }
  if (task.flabels) {
    const f = task.flabels;
    facts.push(
      `- F-labels: K = ${f.K} label embedding${f.K === 1 ? '' : 's'} from ${
        f.embedders.map(mdEscape).join(', ') || 'no embedder'
      } × ${f.templates.length} template${f.templates.length === 1 ? '' : 's'}` +
        (f.templates.length ? ` (${f.templates.map((t) => `"${mdEscape(t)}"`).join(', ')})` : '') +
        '.',
    );
  }
  const p = task.preprocessing;
  const ks = Object.entries(p.resolvedK ?? {});
  facts.push(
    `- Preprocessing: reduce \`${p.reduce}\`` +
      (ks.length
        ? `; components kept: ${ks.map(([m, k]) => `${mdEscape(modelLabel(task, m))} ${k}`).join(', ')}`
        : '') +
      (p.rule ? `; rule: ${mdEscape(p.rule)}` : '') +
      '.',
  );
  out.push(facts.join('\n'));

  // Models ranked by the primary ground truth, each score's rank beside it.
  const truthIds = Object.keys(task.groundTruth);
  const scoreIds = Object.keys(task.scores);
  const baselineIds = Object.keys(task.baselines);
  const truthRanks = truthIds.map((id) =>
    rankModels(task.groundTruth[id]!.values, task.groundTruth[id]!.higherIsBetter),
  );
  const scoreRanks = scoreIds.map((id) =>
    rankModels(task.scores[id]!.values, task.scores[id]!.higherIsBetter),
  );
  const models = orderedModels(task);
  out.push(
    `### Models${truthIds[0] ? ` ranked by ${mdEscape(truthIds[0])}` : ''}\n\n` +
      'Ground-truth columns show the value and its rank; score columns show the rank each score gives ' +
      '(1 = predicted best; ⚠ = the score warned, ✗ = it failed).',
  );
  const modelFacts = modelFactColumns(task);
  const modelRows = models.map((id) => {
    const m = task.models.find((x) => x.id === id)!;
    const cells = [mdEscape(modelLabel(task, id)), mdEscape(m.source), ...modelFacts.cells(m)];
    truthIds.forEach((tid, i) => {
      const v = task.groundTruth[tid]!.values[id];
      cells.push(v === undefined ? '' : `${fmtValue(v)} (#${truthRanks[i]!.get(id)})`);
    });
    scoreIds.forEach((sid, i) => {
      const s = task.scores[sid]!;
      if (s.errors[id]) cells.push('✗');
      else {
        const r = scoreRanks[i]!.get(id);
        cells.push(r === undefined ? '' : `${r}${s.warnings[id] ? ' ⚠' : ''}`);
      }
    });
    return m.error ? cells.map((c, i) => (i === 0 ? `~~${c}~~ ✗` : c)) : cells;
  });
  out.push(
    table(
      ['model', 'source', ...modelFacts.header, ...truthIds.map(mdEscape), ...scoreIds.map(mdEscape)],
      modelRows,
      [
        'l',
        'l',
        ...modelFacts.header.map(() => 'r' as const),
        ...truthIds.map(() => 'r' as const),
        ...scoreIds.map(() => 'r' as const),
      ],
    ),
  );

  // Agreement with each ground truth.
  for (const tid of truthIds) {
    const truth = task.groundTruth[tid]!;
    const rows = agreementRows(task, tid);
    const about = [
      truth.description,
      truth.unit ? `unit: ${truth.unit}` : '',
      truth.source ? `source: ${truth.source}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    out.push(`### Agreement with ${mdEscape(tid)}\n\n${mdEscape(about)}`);
    if (rows.length === 0) {
      out.push('_No agreement figures (fewer than two models with both a score and a ground truth)._');
      continue;
    }
    const level = Object.values(task.agreement[tid]!).find((a) => a.weightedTauInterval)?.weightedTauInterval
      ?.level;
    out.push(
      table(
        [
          'ranking',
          'kind',
          `weighted τ${level ? ` [${Math.round(level * 100)}% interval]` : ''}`,
          'Kendall τ-b',
          'Pearson',
          'Spearman',
          'rel@1',
          'rel@3',
          'regret@1',
          'beats baselines',
          'seconds',
        ],
        rows.map(({ id, kind }) => {
          const a = task.agreement[tid]![id]!;
          return [
            kind === 'baseline' ? `_${mdEscape(id)}_` : mdEscape(id),
            kind,
            fmtTau(a.weightedTau, a.weightedTauInterval),
            fmtFixed(a.kendallTau),
            fmtFixed(a.pearson),
            fmtFixed(a.spearman),
            fmtFixed(a.rel1),
            fmtFixed(a.rel3),
            fmtFixed(a.regret1, 4),
            kind === 'score' ? beatsCell(a.beatsBaselines, a.baselinesNotBeaten) : '',
            kind === 'score' && task.scores[id] ? fmtSeconds(scoreSeconds(task, id)) : '',
          ];
        }),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
      ),
    );
    const degenerate = rows.filter(({ id }) => task.agreement[tid]![id]!.warnings?.length);
    if (degenerate.length) {
      out.push(
        degenerate
          .map(
            ({ id }) =>
              `- ⚠ ${mdEscape(id)}: ${task.agreement[tid]![id]!.warnings!.map(mdEscape).join('; ')}`,
          )
          .join('\n'),
      );
    }
    const losers = rows.filter(
      ({ id, kind }) => kind === 'score' && task.agreement[tid]![id]!.beatsBaselines === false,
    );
    if (losers.length) {
      out.push(
        `**Not better than a static baseline** against ${mdEscape(tid)}: ${losers
          .map(({ id }) => mdEscape(id))
          .join(', ')}.`,
      );
    }
  }

  // Baselines.
  if (baselineIds.length) {
    out.push(
      '### Static baselines\n\n' +
        table(
          ['baseline', 'description', ...models.map((id) => mdEscape(modelLabel(task, id)))],
          baselineIds.map((bid) => {
            const b = task.baselines[bid]!;
            return [
              mdEscape(bid),
              mdEscape(b.description),
              ...models.map((id) => (b.values[id] === undefined ? '' : fmtValue(b.values[id]!))),
            ];
          }),
          ['l', 'l', ...models.map(() => 'r' as const)],
        ),
    );
  }

  // Seconds per score.
  if (scoreIds.length) {
    out.push(
      '### Seconds per score\n\n' +
        table(
          ['score', 'models', 'total', 'mean per model'],
          scoreIds.map((sid) => {
            const n = Object.keys(task.scores[sid]!.seconds).length;
            const total = scoreSeconds(task, sid);
            return [mdEscape(sid), String(n), fmtSeconds(total), n ? fmtSeconds(total / n) : ''];
          }),
          ['l', 'r', 'r', 'r'],
        ),
    );
  }
  if (task.speed) {
    const s = task.speed;
    const parts: string[] = [];
    if (s.emmsOverLogme !== undefined)
      parts.push(`EMMS is ${fmtFixed(s.emmsOverLogme, 1)}× faster than LogME`);
    if (s.emmsSeconds !== undefined && s.logmeSeconds !== undefined) {
      parts.push(`(EMMS ${fmtSeconds(s.emmsSeconds)}, LogME ${fmtSeconds(s.logmeSeconds)})`);
    }
    if (s.note) parts.push(`— ${mdEscape(s.note)}`);
    if (parts.length) out.push(`**Speed:** ${parts.join(' ')}.`);
  }

  // Warnings and errors.
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const m of task.models) {
    if (m.error)
      errors.push(
        `- model ${mdEscape(modelLabel(task, m.id))}: \`${m.error.code}\` ${mdEscape(m.error.message)}`,
      );
  }
  for (const [tid, t] of Object.entries(task.groundTruth)) {
    for (const [mid, e] of Object.entries(t.errors ?? {})) {
      errors.push(
        `- ${mdEscape(tid)} on ${mdEscape(modelLabel(task, mid))}: \`${e.code}\` ${mdEscape(e.message)}`,
      );
    }
  }
  for (const [sid, s] of Object.entries(task.scores)) {
    for (const [mid, w] of Object.entries(s.warnings)) {
      warnings.push(`- ${mdEscape(sid)} on ${mdEscape(modelLabel(task, mid))}: ${mdEscape(w)}`);
    }
    for (const [mid, e] of Object.entries(s.errors)) {
      errors.push(
        `- ${mdEscape(sid)} on ${mdEscape(modelLabel(task, mid))}: \`${e.code}\` ${mdEscape(e.message)}`,
      );
    }
  }
  if (warnings.length) out.push(`### Warnings\n\n${warnings.join('\n')}`);
  if (errors.length) out.push(`### Errors\n\n${errors.join('\n')}`);

  // Sweep.
  if (task.sweep) {
    const sw = task.sweep;
    const ids = [...new Set(sw.points.flatMap((p) => Object.keys(p.scores)))];
    out.push(
      `### Train-size sweep (weighted τ against ${mdEscape(sw.truth)})` +
        (sw.maxFeatureDim ? `\n\nWidest feature dimension D = ${sw.maxFeatureDim}.` : '') +
        '\n\n' +
        table(
          ['train per class', 'N', ...ids.map(mdEscape)],
          sw.points.map((p) => [
            String(p.trainPerClass),
            String(p.nTrain),
            ...ids.map((id) => {
              const s = p.scores[id];
              return s ? fmtTau(s.weightedTau, s.weightedTauInterval) : '';
            }),
          ]),
          ['r', 'r', ...ids.map(() => 'r' as const)],
        ),
    );
  }
  if (task.notes.length) out.push(`### Notes\n\n${task.notes.map((n) => `- ${mdEscape(n)}`).join('\n')}`);
  return out.join('\n\n');
}

function summarySection(sum: SummaryInfo): string {
  const published = sum.published?.values ?? {};
  const header = ['ranking', 'kind', 'tasks', 'mean weighted τ', ...(sum.published ? ['published'] : [])];
  const rows = summaryIds(sum).map((id) => {
    const mean = sum.meanWeightedTau[id];
    const kind = sum.kinds[id] ?? 'score';
    return [
      kind === 'baseline' ? `_${mdEscape(id)}_` : mdEscape(id),
      kind,
      String(sum.counts[id] ?? 0),
      mean === undefined ? 'not run' : fmtFixed(mean),
      ...(sum.published ? [published[id] === undefined ? '' : fmtFixed(published[id]!)] : []),
    ];
  });
  return (
    `## Summary: ${mdEscape(sum.description)}\n\n` +
    `Tasks: ${sum.tasks.map(mdEscape).join(', ')}.` +
    (sum.published ? ` Published values: ${mdEscape(sum.published.source)}.` : '') +
    '\n\n' +
    table(header, rows, ['l', 'l', 'r', 'r', 'r'])
  );
}

/**
 * Renders a bench report as Markdown: the summaries over tasks (mean weighted τ beside published values),
 * then per task the models ranked by the ground truth with each score's
 * rank beside it, the agreement table per ground truth (weighted τ with interval, Kendall τ-b, Pearson,
 * Spearman, rel@1, rel@3, regret@1, whether it beats the static baselines, seconds), the baselines,
 * seconds per score, EMMS's speed-up over LogME, warnings, errors, the train-size sweep and the notes.
 *
 * @param report - a validated bench report.
 * @returns the Markdown text, ending with a line break.
 * @example
 * ```ts
 * process.stdout.write(reportToMarkdown(parseReport(readFileSync('report.json', 'utf8'))));
 * ```
 */
export function reportToMarkdown(report: BenchReport): string {
  const r = report.run;
  const head = [
    '# EMMS bench report',
    [
      `- Run: ${mdEscape(runSummary(report))}; ${fmtSeconds(r.seconds)} in all.`,
      `- Command: \`${r.command.replaceAll('`', "'")}\``,
      r.gitCommit ? `- Commit: ${r.gitCommit}` : '',
      r.emmsVersion ? `- emms ${mdEscape(r.emmsVersion)}` : '',
      r.machine.backendNotice ? `- Backend: ${mdEscape(r.machine.backendNotice)}` : '',
      r.cacheHits !== undefined || r.cacheMisses !== undefined
        ? `- Cache: ${r.cacheHits ?? 0} results reused, ${r.cacheMisses ?? 0} computed.`
        : '',
    ]
      .filter(Boolean)
      .join('\n'),
  ];
  const notes = report.notes.length
    ? [`## Notes\n\n${report.notes.map((n) => `- ${mdEscape(n)}`).join('\n')}`]
    : [];
  const summaries = report.summaries.map(summarySection);
  return `${[...head, ...summaries, ...report.tasks.map(taskSection), ...notes].join('\n\n')}\n`;
}
