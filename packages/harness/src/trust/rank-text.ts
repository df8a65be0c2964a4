// The text of `emms rank`: saturation warnings of the regime and the recommendation line.
import { defaultRegistry, type Metric } from '@emms/metrics';
import type { ScoreRankings } from './rankings';
import type { PBestRecommendation } from './stats';

/**
 * Saturation warnings of the regime: a feature dimension at or above the number of samples (least
 * squares fits exactly) or at or above half of it, naming the scores whose declared saturation
 * regime (`metric.saturation`) holds at that dimension.
 *
 * @param dims - feature dimension per model id.
 * @param samples - N.
 * @param metrics - the scores to ask (default: the built-in ones), each with the options it runs with.
 * @param classes - C (0 when unknown).
 * @returns one warning per model in such a regime.
 * @example
 * ```ts
 * regimeWarnings(new Map([['big', 2048], ['small', 64]]), 500); // ['big: feature dimension 2048 ≥ 500 samples; emms, sfda, transrate, hscore saturate …']
 * ```
 */
export function regimeWarnings(
  dims: ReadonlyMap<string, number>,
  samples: number,
  metrics: readonly {
    metric: Pick<Metric, 'id' | 'saturation'>;
    options?: Record<string, unknown>;
  }[] = defaultRegistry.list().map((metric) => ({ metric })),
  classes = 0,
): string[] {
  const out: string[] = [];
  for (const [id, d] of dims) {
    if (d < samples / 2) continue;
    const shape = { samples, features: d, classes };
    const ids = metrics.filter(({ metric, options }) => {
      try {
        return metric.saturation(shape, options) !== undefined;
      } catch {
        return false; // options the metric refuses: its own cells say so
      }
    });
    if (ids.length === 0) continue;
    const which = ids.map(({ metric }) => metric.id).join(', ');
    out.push(
      d >= samples
        ? `${id}: feature dimension ${d} ≥ ${samples} samples; ${which} saturate in this regime (use more samples or reduce the features, e.g. pca)`
        : `${id}: feature dimension ${d} ≥ N/2 = ${samples / 2}; ${which} are near saturation`,
    );
  }
  return out;
}

const fmt = (p: number) => p.toFixed(2);

/** The recommendation line, from the rankings and (when run) the bootstrap's recommendation. */
export function recommendationLine(
  r: ScoreRankings,
  rec: PBestRecommendation | undefined,
  tops: ReadonlyMap<string, string>,
): string {
  const over = `over ${r.restsOn.length} score${r.restsOn.length === 1 ? '' : 's'} (${r.restsOn.join(', ')})`;
  const mean = (m: string) => r.meanRank.get(m)!.toFixed(1);
  const lowest = Math.min(...r.meanRank.values());
  const tied = [...r.meanRank].filter(([, v]) => v === lowest).map(([m]) => m);
  if ((rec && !rec.decided) || (!rec && tied.length > 1)) {
    const models = rec ? rec.models : tied;
    const p = rec ? ` (P(best) ${rec.pBest.map(fmt).join(', ')})` : '';
    return `Too close to call: ${models.join(', ')}${p}; mean rank${models.length > 1 ? 's' : ''} ${models.map(mean).join(', ')} ${over}.`;
  }
  const best = rec ? rec.models[0] : tied[0];
  const by = [...tops].filter(([, t]) => t === best).map(([s]) => s);
  const firsts =
    tops.size === 0
      ? 'no score puts one model first on its own'
      : `first by ${by.length} of ${tops.size}${by.length ? ` (${by.join(', ')})` : ''}`;
  const disagree =
    !rec && new Set(tops.values()).size > 1 ? '; the scores disagree, so check the runner-up too' : '';
  return `Fine-tune ${best}${rec ? ` (P(best) ${fmt(rec.pBest[0])})` : ''}: mean rank ${mean(best)} ${over}, ${firsts}${disagree}.`;
}
