// From resampled score values to P(best) and rank intervals, per score and for the recommended ranking.
import type { BootstrapOutcome } from './bootstrap';
import type { ScoreRankings } from './rankings';
import { type ResampledRanks, rankModels, summariseResampledRanks } from './stats';

/** P(best) and rank intervals of every resampled score and of the recommended ranking. */
export interface RankBootstrapSummary {
  /** Per resampled score id (over the models it ranked). */
  readonly perScore: ReadonlyMap<string, ResampledRanks>;
  /** Per score id that was not resampled, why (its full-sample ranks are held fixed). */
  readonly notBootstrapped: ReadonlyMap<string, string>;
  /**
   * The recommended ranking (mean rank over the scores it rests on) on each resample: resampled
   * scores with their resample's ranks, the others with their full-sample ranks. Absent when none of
   * the scores it rests on was resampled.
   */
  readonly recommended?: ResampledRanks;
}

/**
 * Ranks every resample: each resampled score ranks its models on each resample (ties as in the full
 * data), giving its P(best) and rank intervals; the recommended ranking's mean rank is recomputed on
 * each resample and ranked (lower is better, ties averaged) for its P(best) and intervals.
 *
 * @param rankings - the full-sample rankings ({@link ScoreRankings}).
 * @param outcomes - per score id, the resampled values or why there are none.
 * @param level - coverage of the rank intervals.
 * @returns {@link RankBootstrapSummary}.
 * @example
 * ```ts
 * const s = summariseBootstrap(rankings, await bootstrapScores(input), 0.95);
 * s.recommended?.pBest.get('ppocr-rec'); // e.g. 0.97
 * ```
 */
export function summariseBootstrap(
  rankings: ScoreRankings,
  outcomes: ReadonlyMap<string, BootstrapOutcome>,
  level: number,
): RankBootstrapSummary {
  const perScore = new Map<string, ResampledRanks>();
  const notBootstrapped = new Map<string, string>();
  /** Per resampled score, per resample, model → rank. */
  const resampled = new Map<string, Map<string, number>[]>();
  for (const [id, ranking] of rankings.rankings) {
    const outcome = outcomes.get(id);
    if (!outcome || !('values' in outcome)) {
      notBootstrapped.set(id, outcome && 'unavailable' in outcome ? outcome.unavailable : 'not resampled');
      continue;
    }
    const models = [...ranking.ranks.keys()];
    const reps = outcome.values.get(models[0])!.length;
    const perResample: Map<string, number>[] = [];
    for (let r = 0; r < reps; r++) {
      perResample.push(
        rankModels(new Map(models.map((m) => [m, outcome.values.get(m)![r]])), ranking.higherIsBetter),
      );
    }
    resampled.set(id, perResample);
    perScore.set(
      id,
      summariseResampledRanks(
        models,
        perResample.map((ranks) => Float64Array.from(models, (m) => ranks.get(m)!)),
        level,
      ),
    );
  }
  const moving = rankings.restsOn.filter((id) => resampled.has(id));
  if (moving.length === 0) return { perScore, notBootstrapped };
  const models = rankings.ranked;
  const reps = resampled.get(moving[0])!.length;
  const positions: Float64Array[] = [];
  for (let r = 0; r < reps; r++) {
    const mean = new Map<string, number>();
    for (const m of models) {
      let s = 0;
      for (const id of rankings.restsOn) {
        s += (resampled.get(id)?.[r] ?? rankings.rankings.get(id)!.ranks).get(m)!;
      }
      mean.set(m, s / rankings.restsOn.length);
    }
    const order = rankModels(mean, false);
    positions.push(Float64Array.from(models, (m) => order.get(m)!));
  }
  return { perScore, notBootstrapped, recommended: summariseResampledRanks(models, positions, level) };
}
