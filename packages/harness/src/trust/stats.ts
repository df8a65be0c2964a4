// Statistics of model rankings without ground truth (browser-safe): ranks with ties, Kendall's W
// among scores, P(best) and rank intervals over bootstrap resamples, and the recommendation rule.
import { EmmsError } from '@emms/tensor-io';
import { averageRanks } from '../agreement';
import { friedmanTest } from '../rank-tests';
import { RANK_CODES } from './codes';

/**
 * Ranks of models by a score (1 = best), ties sharing the mean of the ranks they span. Values equal
 * up to 1e-9 of the largest magnitude tie (a saturated score gives one value up to rounding).
 *
 * @param values - model → finite score value.
 * @param higherIsBetter - whether a higher value ranks first.
 * @returns model → rank, in the order of `values`.
 * @throws EmmsError `NON_FINITE` for a NaN or infinite value (naming the model).
 * @example
 * ```ts
 * rankModels(new Map([['a', 0.9], ['b', 0.5], ['c', 0.9]]), true); // a 1.5, b 3, c 1.5
 * ```
 */
export function rankModels(
  values: ReadonlyMap<string, number>,
  higherIsBetter: boolean,
): Map<string, number> {
  let scale = 1e-300;
  for (const [model, v] of values) {
    if (!Number.isFinite(v)) {
      throw new EmmsError('NON_FINITE', `the value of model "${model}" is ${v}; give finite values`, {
        input: 'values',
        details: { model },
      });
    }
    scale = Math.max(scale, Math.abs(v));
  }
  const ids = [...values.keys()].sort((a, b) =>
    higherIsBetter ? values.get(b)! - values.get(a)! : values.get(a)! - values.get(b)!,
  );
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * scale;
  const ranks = new Map<string, number>();
  let i = 0;
  while (i < ids.length) {
    let j = i;
    while (j + 1 < ids.length && same(values.get(ids[j + 1])!, values.get(ids[i])!)) j++;
    for (let k = i; k <= j; k++) ranks.set(ids[k], (i + j) / 2 + 1);
    i = j + 1;
  }
  return new Map([...values.keys()].map((m) => [m, ranks.get(m)!]));
}

/** Kendall's W of m raters over n items. */
export interface KendallW {
  /** W in [0, 1]: 1 when every rater ranks the items alike, 0 when their rank sums are all equal. */
  readonly w: number;
  /** Raters m (here: scores). */
  readonly raters: number;
  /** Items n (here: models). */
  readonly items: number;
  /**
   * P-value of Friedman's test that the raters' rankings are unrelated (χ² = m(n − 1)·W on n − 1
   * degrees of freedom, `friedmanTest`); absent with fewer than three items.
   */
  readonly pValue?: number;
}

/**
 * Kendall's coefficient of concordance W with the correction for ties: each rater's row is ranked
 * (ascending, tied values share their mean rank), R_i is item i's rank sum, S = Σ (R_i − m(n+1)/2)²
 * and W = 12 S / (m²(n³ − n) − m Σ_j T_j) with T_j = Σ (t³ − t) over the tie groups of rater j.
 * Equal to Friedman's tie-corrected χ² / (m(n − 1)) (`scipy.stats.friedmanchisquare`).
 *
 * @param rows - m rows (raters, e.g. scores) of n values (items, e.g. models), ranks or any values
 *   where smaller means the same thing for every row (pass ranks with 1 = best).
 * @returns {@link KendallW}.
 * @throws EmmsError `TRUST_INPUT` for fewer than two rows or items, rows of different lengths, or when
 *   every row ties all its items (W is then undefined); `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * kendallW([[1, 2, 3], [1, 2, 3]]).w; // 1
 * kendallW([[1, 2, 3], [3, 2, 1]]).w; // 0
 * ```
 */
export function kendallW(rows: readonly ArrayLike<number>[]): KendallW {
  const m = rows.length;
  const n = rows[0]?.length ?? 0;
  if (m < 2 || n < 2) {
    throw new EmmsError(
      RANK_CODES.TRUST_INPUT,
      `Kendall's W needs at least two raters and two items, got ${m} × ${n}`,
      { input: 'rows', details: { raters: m, items: n } },
    );
  }
  const sums = new Float64Array(n);
  let ties = 0;
  rows.forEach((row, j) => {
    if (row.length !== n) {
      throw new EmmsError(
        RANK_CODES.TRUST_INPUT,
        `Kendall's W: row ${j} has ${row.length} items, row 0 has ${n}`,
        {
          input: 'rows',
          details: { row: j },
        },
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(row[i])) {
        throw new EmmsError(
          'NON_FINITE',
          `Kendall's W: row ${j} item ${i} is ${row[i]}; give finite values`,
          {
            input: 'rows',
            details: { row: j, item: i },
          },
        );
      }
    }
    const r = averageRanks(row);
    for (let i = 0; i < n; i++) sums[i] += r[i];
    const sorted = Array.from(row).sort((a, b) => a - b);
    let s = 0;
    while (s < n) {
      let e = s + 1;
      while (e < n && sorted[e] === sorted[s]) e++;
      const t = e - s;
      ties += t * t * t - t;
      s = e;
    }
  });
  const denominator = m * m * (n * n * n - n) - m * ties;
  if (!(denominator > 0)) {
    throw new EmmsError(RANK_CODES.TRUST_INPUT, "Kendall's W is undefined: every rater ties all the items", {
      input: 'rows',
    });
  }
  const mean = (m * (n + 1)) / 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += (sums[i] - mean) ** 2;
  const w = Math.min(1, Math.max(0, (12 * s) / denominator));
  const pValue = n >= 3 ? friedmanTest(rows.map((row) => Array.from(row))).pValue : undefined;
  return { w, raters: m, items: n, ...(pValue !== undefined ? { pValue } : {}) };
}

/** P(best) and rank intervals of models over bootstrap resamples. */
export interface ResampledRanks {
  /** Share of resamples in which the model ranks first (a tie for first splits the resample evenly). */
  readonly pBest: Map<string, number>;
  /** [low, high]: the lower (1 − level)/2 and upper (1 + level)/2 quantiles of the model's rank. */
  readonly interval: Map<string, readonly [number, number]>;
}

/**
 * Summarises the ranks of n models over R resamples: P(best) per model (the resamples in which it
 * has the lowest rank; t models tied for first each get 1/t of that resample, so the shares sum to 1)
 * and a rank interval: the (1 − level)/2 quantile of its ranks taken downwards and the (1 + level)/2
 * quantile taken upwards (numpy's `quantile` with method 'lower' and 'higher'), so both ends are
 * ranks that occurred.
 *
 * @param models - the n model names, in the order of each resample's ranks.
 * @param ranks - R arrays of n ranks (1 = best, ties averaged), one per resample.
 * @param level - coverage of the interval (default 0.95).
 * @returns {@link ResampledRanks}.
 * @throws EmmsError `TRUST_INPUT` for no resample or a resample of another length; `INVALID_OPTION` for
 *   a level outside (0, 1).
 * @example
 * ```ts
 * const s = summariseResampledRanks(['a', 'b'], [Float64Array.of(1, 2), Float64Array.of(1.5, 1.5)]);
 * s.pBest.get('a'); // 0.75
 * ```
 */
export function summariseResampledRanks(
  models: readonly string[],
  ranks: readonly ArrayLike<number>[],
  level = 0.95,
): ResampledRanks {
  const n = models.length;
  const reps = ranks.length;
  if (reps === 0 || ranks.some((r) => r.length !== n)) {
    throw new EmmsError(
      RANK_CODES.TRUST_INPUT,
      `resampled ranks: give at least one resample of ${n} ranks each`,
      { input: 'ranks', details: { reps, models: n } },
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new EmmsError('INVALID_OPTION', `level is ${level}; give a number in (0, 1)`, { input: 'level' });
  }
  const wins = new Float64Array(n);
  for (const r of ranks) {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) best = Math.min(best, r[i]);
    let tied = 0;
    for (let i = 0; i < n; i++) if (r[i] === best) tied++;
    for (let i = 0; i < n; i++) if (r[i] === best) wins[i] += 1 / tied;
  }
  const lowAt = Math.floor(((1 - level) / 2) * (reps - 1) + 1e-9);
  const highAt = Math.ceil(((1 + level) / 2) * (reps - 1) - 1e-9);
  const pBest = new Map<string, number>();
  const interval = new Map<string, readonly [number, number]>();
  models.forEach((m, i) => {
    pBest.set(m, wins[i] / reps);
    const sorted = Float64Array.from(ranks, (r) => r[i]).sort();
    interval.set(m, [sorted[lowAt], sorted[highAt]]);
  });
  return { pBest, interval };
}

/** P(best) at or above which one model is recommended on its own. */
export const CONFIDENT_P_BEST = 0.9;

/** What {@link recommendByPBest} decides. */
export interface PBestRecommendation {
  /** The smallest set of models whose P(best) sums to at least the threshold, most likely first. */
  readonly models: readonly string[];
  /** Their P(best), in the same order. */
  readonly pBest: readonly number[];
  /** True when one model reaches the threshold on its own. */
  readonly decided: boolean;
}

/**
 * The recommendation rule: order the models by P(best) (higher first; equal P(best) by `tieBreak`,
 * e.g. the mean rank), then take the smallest leading set whose P(best) sums to at least `threshold`
 * ({@link CONFIDENT_P_BEST}, 0.9). One model in the set: recommend it; several: too close to call
 * between them.
 *
 * @param pBest - model → P(best), summing to 1.
 * @param tieBreak - order of models with equal P(best) (default: by name).
 * @param threshold - default 0.9.
 * @returns {@link PBestRecommendation}.
 * @example
 * ```ts
 * recommendByPBest(new Map([['a', 0.93], ['b', 0.07]])).decided; // true
 * recommendByPBest(new Map([['a', 0.48], ['b', 0.41], ['c', 0.11]])).models; // ['a', 'b', 'c']
 * ```
 */
export function recommendByPBest(
  pBest: ReadonlyMap<string, number>,
  tieBreak: (a: string, b: string) => number = (a, b) => a.localeCompare(b),
  threshold = CONFIDENT_P_BEST,
): PBestRecommendation {
  const order = [...pBest.keys()].sort((a, b) => pBest.get(b)! - pBest.get(a)! || tieBreak(a, b));
  const models: string[] = [];
  let sum = 0;
  for (const m of order) {
    models.push(m);
    sum += pBest.get(m)!;
    if (sum >= threshold - 1e-12) break;
  }
  return { models, pBest: models.map((m) => pBest.get(m)!), decided: models.length === 1 };
}
