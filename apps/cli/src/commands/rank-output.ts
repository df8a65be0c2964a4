// What `emms rank` prints: the ranked table (table/CSV), the P(best) by score, and the JSON object.
import type { RankResult } from '@emms/harness';
import { type Cell, humanNumber, renderRows } from '../format';

/** The scores with at least one value, in run order. */
function scoredIds(r: RankResult): string[] {
  return [...r.scores]
    .filter(([, cells]) => [...cells.values()].some((c) => c.value !== undefined))
    .map(([id]) => id);
}

const p2 = (p: number | undefined) => (p === undefined ? '' : p.toFixed(2));
const interval = (i: readonly [number, number] | undefined) =>
  i === undefined ? '' : i[0] === i[1] ? String(i[0]) : `${i[0]}–${i[1]}`;

/**
 * The ranked table: one row per model (compared models by mean rank, then those left out), its mean
 * rank, P(best) and rank interval of the recommended ranking, then each score's value and rank.
 */
export function rankTable(r: RankResult, format: 'table' | 'csv'): string {
  const ids = scoredIds(r);
  const boot = r.bootstrap !== undefined;
  const level = Math.round((r.bootstrap?.level ?? 0.95) * 100);
  const columns = [
    'rank',
    'model',
    'D',
    'mean rank',
    ...(boot ? (format === 'csv' ? ['pBest', 'rankLow', 'rankHigh'] : ['P(best)', `rank ${level}%`]) : []),
    ...ids,
    ...(boot && format === 'csv' ? [...(r.bootstrap?.perScore.keys() ?? [])].map((id) => `pBest:${id}`) : []),
  ];
  const rows: Cell[][] = r.models.map((m, i) => [
    m.meanRank === undefined ? '' : i + 1,
    m.id,
    m.featureDim,
    m.meanRank === undefined ? '' : Number(m.meanRank.toFixed(2)),
    ...(boot
      ? format === 'csv'
        ? [m.pBest, m.rankInterval?.[0], m.rankInterval?.[1]]
        : [p2(m.pBest), interval(m.rankInterval)]
      : []),
    ...ids.map((id) => {
      const c = r.scores.get(id)?.get(m.id);
      if (!c || c.value === undefined) return c?.error ? `(${c.error.code})` : '';
      const rank = m.ranks.get(id);
      return format === 'csv'
        ? c.value
        : `${humanNumber(Number(c.value.toPrecision(4)))}${rank === undefined ? '' : ` (#${rank})`}${c.warning ? '!' : ''}`;
    }),
    ...(boot && format === 'csv'
      ? [...(r.bootstrap?.perScore.values() ?? [])].map((s) => s.pBest.get(m.id))
      : []),
  ]);
  return renderRows(format, columns, rows);
}

/** The lines under the table: agreement, P(best) by score, what was not resampled. */
export function trustLines(r: RankResult): string {
  const out: string[] = [];
  if (r.agreement) {
    out.push(
      `Agreement among the ${r.agreement.raters} scores the recommendation rests on: Kendall's W ${r.agreement.w.toFixed(2)} (1 = same ranking, 0 = none in common)${r.agreement.pValue !== undefined ? `, Friedman p ${r.agreement.pValue.toPrecision(2)}` : ''}.`,
    );
  }
  const b = r.bootstrap;
  if (b) {
    out.push(
      `Bootstrap: ${b.reps} resamples of the ${r.samples} samples ${b.stratified === 'none' ? 'from all of them' : 'within each class'} (seed ${b.seed}), the reduction (${b.reduce}) fitted once; ${b.seconds.toFixed(1)} s.`,
    );
    if (b.perScore.size > 0) {
      const ids = [...b.perScore.keys()];
      const models = r.models.filter((m) => ids.some((id) => b.perScore.get(id)!.pBest.has(m.id)));
      out.push('P(best) by score:');
      out.push(
        renderRows(
          'table',
          ['model', ...ids],
          models.map((m) => [m.id, ...ids.map((id) => p2(b.perScore.get(id)!.pBest.get(m.id)))]),
        ).trimEnd(),
      );
    }
    for (const [id, why] of b.notBootstrapped) out.push(`Not resampled: ${id}: ${why}.`);
  }
  return out.length ? `\n${out.join('\n')}\n` : '';
}

/** The `--format json` object: every Map as an object, pBest and intervals per model and per score. */
export function rankJson(r: RankResult): Record<string, unknown> {
  const b = r.bootstrap;
  return {
    samples: r.samples,
    classes: r.classes,
    kind: r.kind,
    ...(r.targetColumns !== undefined ? { targetColumns: r.targetColumns } : {}),
    ...(r.classNames ? { classNames: r.classNames } : {}),
    recommendation: r.recommendation,
    ...(r.recommended ? { recommended: r.recommended } : {}),
    restsOn: r.restsOn,
    ...(r.agreement
      ? {
          agreement: {
            kendallW: r.agreement.w,
            ...(r.agreement.pValue !== undefined ? { pValue: r.agreement.pValue } : {}),
            scores: r.agreement.raters,
            models: r.agreement.items,
          },
        }
      : {}),
    ...(b
      ? {
          bootstrap: {
            reps: b.reps,
            seed: b.seed,
            level: b.level,
            stratified: b.stratified,
            reduce: b.reduce,
            seconds: b.seconds,
            scores: [...b.perScore.keys()],
            notBootstrapped: b.notBootstrapped,
          },
        }
      : {}),
    seconds: r.seconds,
    warnings: r.warnings,
    top: r.top,
    models: r.models.map((m) => ({
      id: m.id,
      path: m.path,
      featureDim: m.featureDim,
      ...(m.meanRank !== undefined ? { meanRank: m.meanRank } : {}),
      ...(m.pBest !== undefined ? { pBest: m.pBest, rankInterval: m.rankInterval } : {}),
      ...(m.leftOut ? { leftOut: m.leftOut } : {}),
      ranks: m.ranks,
      byScore: new Map(
        [...r.scores].map(([id, cells]) => {
          const c = cells.get(m.id);
          const s = b?.perScore.get(id);
          return [
            id,
            {
              ...(c?.value !== undefined ? { value: c.value } : {}),
              ...(m.ranks.has(id) ? { rank: m.ranks.get(id) } : {}),
              ...(s?.pBest.has(m.id) ? { pBest: s.pBest.get(m.id), rankInterval: s.interval.get(m.id) } : {}),
              ...(c?.error ? { error: c.error } : {}),
            },
          ];
        }),
      ),
    })),
    scores: r.scores,
  };
}
