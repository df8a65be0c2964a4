// How precise a measured ground truth is: per-model standard errors, which neighbouring models the
// test set separates, and how many test items would make it precise enough to rank with.
// Browser-safe: imports only tensor-io's main entry.
import { EmmsError, seededRandom } from '@emms/tensor-io';
import { drawCounts, type ItemTruth, itemTruthEvaluator, quantileSorted } from './item-truth';
import { TRUTH_CODES } from './truth-codes';

/** Options of {@link truthPrecision}. */
export interface TruthPrecisionOptions {
  /** The models to compare (default: every model of the per-item results, in their order). */
  readonly models?: readonly string[];
  /** Bootstrap replicates (default 1000). */
  readonly reps?: number;
  /** Seed of `seededRandom` (default 0). */
  readonly seed?: number;
  /** Level of the paired intervals that decide separation (default 0.95). */
  readonly level?: number;
  /** False when a smaller ground truth is better (e.g. an error). Default true. */
  readonly higherIsBetter?: boolean;
}

/** Two models next to each other in the ground-truth order. */
export interface NeighbourPair {
  /** The model ranked higher by the ground truth. */
  readonly better: string;
  /** The model ranked just below it. */
  readonly worse: string;
  /** |value(better) − value(worse)| on all items. */
  readonly gap: number;
  /** Paired-bootstrap percentile interval of value(better) − value(worse) (signed so that better is positive). */
  readonly interval: readonly [number, number];
  /** Fraction of resamples in which `better` stays strictly ahead of `worse`. */
  readonly probability: number;
  /** The interval lies above 0: the test set tells the two apart. */
  readonly separated: boolean;
}

/** Result of {@link truthPrecision}. */
export interface TruthPrecision {
  /** Ground truth per model on all test items. */
  readonly values: Record<string, number>;
  /** Bootstrap standard error of each model's ground truth (sd of the replicates, ddof 1). */
  readonly standardErrors: Record<string, number>;
  /** Models from best to worst by the ground truth (ties in input order). */
  readonly order: readonly string[];
  /** Median of the gaps between neighbouring models in `order`. */
  readonly medianGap: number;
  /** The largest standard error. */
  readonly maxStandardError: number;
  /** Every standard error is below half the median neighbour gap. */
  readonly precise: boolean;
  /** Every neighbouring pair in `order`, best pair first. */
  readonly pairs: readonly NeighbourPair[];
  /** How many neighbouring pairs are separated. */
  readonly separatedPairs: number;
  /** 'separates' when more than half the neighbouring pairs are separated, else 'cannot-separate'. */
  readonly verdict: 'separates' | 'cannot-separate';
  /** The verdict in words, e.g. "cannot separate its models (pairs it can: a > b)". */
  readonly summary: string;
  /** Test items. */
  readonly items: number;
  /** Replicates drawn. */
  readonly reps: number;
  /** Level of the pair intervals. */
  readonly level: number;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * The precision of a measured ground truth on its test items, for a task's report:
 *
 * - each model's standard error: the standard deviation (ddof 1) of its ground truth over `reps`
 *   bootstrap resamples of the test items (one draw shared by all models, seeded);
 * - the median gap between neighbouring models when sorted by the ground truth;
 * - for each neighbouring pair, a paired bootstrap over the same resamples: the percentile interval
 *   of the difference (better − worse) at `level`; the pair is separated when that interval lies
 *   above 0 (a two-sided test at 1 − level). The paired bootstrap serves every kind of ground truth
 *   (accuracy, IoU, R²); for 0/1 correctness it agrees with McNemar's exact test away from the
 *   boundary (checked in precision.test.ts);
 * - the verdict: "separates most of its models" when more than half the neighbouring pairs are
 *   separated, otherwise "cannot separate its models (pairs it can: …)".
 *
 * @param items - per-item results of every model ({@link ItemTruth}).
 * @param options - {@link TruthPrecisionOptions}: `models`, `reps` (1000), `seed` (0), `level` (0.95), `higherIsBetter`.
 * @returns {@link TruthPrecision}.
 * @throws EmmsError `TOO_FEW_MODELS` (fewer than two), `BOOTSTRAP_INPUT`, `NON_FINITE`, `INVALID_OPTION`.
 * @example
 * ```ts
 * const p = truthPrecision({ kind: 'mean', values: { a: probeA.correct, b: probeB.correct, c: probeC.correct } });
 * p.standardErrors.a; // e.g. 0.012
 * p.summary; // "separates most of its models (2 of 2 neighbouring pairs)"
 * ```
 */
export function truthPrecision(items: ItemTruth, options: TruthPrecisionOptions = {}): TruthPrecision {
  const reps = options.reps ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(reps) || reps < 2) {
    throw new EmmsError('INVALID_OPTION', `truthPrecision: reps is ${reps}; give an integer ≥ 2`, {
      input: 'reps',
    });
  }
  if (!(level > 0 && level < 1)) {
    throw new EmmsError('INVALID_OPTION', `truthPrecision: level is ${level}; give a number in (0, 1)`, {
      input: 'level',
    });
  }
  const models = [
    ...(options.models ?? Object.keys(items.kind === 'mean' ? items.values : items.squaredError)),
  ];
  if (models.length < 2) {
    throw new EmmsError(
      TRUTH_CODES.TOO_FEW_MODELS,
      `items: ${models.length} model(s); the precision of a ranking needs at least two`,
      { input: 'items', details: { models } },
    );
  }
  const truth = itemTruthEvaluator(items, models);
  const sign = options.higherIsBetter === false ? -1 : 1;
  const n = models.length;
  const point = new Float64Array(n);
  truth.evaluate(null, point);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => sign * (point[b] - point[a]) || a - b);
  const replicates = Array.from({ length: n }, () => new Float64Array(reps));
  const diffs = Array.from({ length: n - 1 }, () => new Float64Array(reps));
  const ahead = new Float64Array(n - 1);
  const random = seededRandom(options.seed ?? 0);
  const counts = new Uint32Array(truth.items);
  const values = new Float64Array(n);
  for (let r = 0; r < reps; r++) {
    drawCounts(random, counts);
    truth.evaluate(counts, values);
    for (let k = 0; k < n; k++) replicates[k][r] = values[k];
    for (let p = 0; p < n - 1; p++) {
      const d = sign * (values[order[p]] - values[order[p + 1]]);
      diffs[p][r] = d;
      if (d > 0) ahead[p]++;
    }
  }
  const standardErrors: Record<string, number> = {};
  const pointValues: Record<string, number> = {};
  let maxStandardError = 0;
  models.forEach((m, k) => {
    const v = replicates[k];
    let mean = 0;
    for (let r = 0; r < reps; r++) mean += v[r];
    mean /= reps;
    let ss = 0;
    for (let r = 0; r < reps; r++) ss += (v[r] - mean) ** 2;
    standardErrors[m] = Math.sqrt(ss / (reps - 1));
    pointValues[m] = point[k];
    maxStandardError = Math.max(maxStandardError, standardErrors[m]);
  });
  const pairs: NeighbourPair[] = [];
  for (let p = 0; p < n - 1; p++) {
    const d = diffs[p].sort();
    const low = quantileSorted(d, (1 - level) / 2);
    const high = quantileSorted(d, (1 + level) / 2);
    const gap = Math.abs(point[order[p]] - point[order[p + 1]]);
    pairs.push({
      better: models[order[p]],
      worse: models[order[p + 1]],
      gap,
      interval: [low, high],
      probability: ahead[p] / reps,
      separated: gap > 0 && low > 0,
    });
  }
  const medianGap = median(pairs.map((p) => p.gap).sort((a, b) => a - b));
  const separated = pairs.filter((p) => p.separated);
  const verdict = separated.length > (n - 1) / 2 ? 'separates' : 'cannot-separate';
  const summary =
    verdict === 'separates'
      ? `separates most of its models (${separated.length} of ${n - 1} neighbouring pairs)`
      : `cannot separate its models (pairs it can: ${
          separated.length > 0 ? separated.map((p) => `${p.better} > ${p.worse}`).join(', ') : 'none'
        })`;
  return {
    values: pointValues,
    standardErrors,
    order: order.map((k) => models[k]),
    medianGap,
    maxStandardError,
    precise: medianGap > 0 && maxStandardError < medianGap / 2,
    pairs,
    separatedPairs: separated.length,
    verdict,
    summary,
    items: truth.items,
    reps,
    level,
  };
}

/** Result of {@link testItemsNeeded}. */
export interface TestItemsNeeded {
  /** Half the pilot's median neighbour gap: the standard error to get below. */
  readonly target: number;
  /** Per model, the test items that bring its standard error below `target` (SE ∝ 1/√M). */
  readonly perModel: Record<string, number>;
  /** The largest of `perModel` (absent when the median gap is 0: no test size suffices). */
  readonly needed?: number;
  /** The pilot's test items. */
  readonly pilotItems: number;
  /** Why `needed` is absent, when it is. */
  readonly reason?: string;
}

/**
 * How many test items would bring each model's ground-truth standard error below half the median
 * gap between neighbouring models, from a pilot run's precision ({@link truthPrecision}), to choose
 * test sizes. Standard errors of a mean over independent items shrink as 1/√M, so M' =
 * ⌈M·(SE/target)²⌉; the gaps are assumed to stay what the pilot measured.
 *
 * @param pilot - the precision of a pilot run.
 * @returns {@link TestItemsNeeded}.
 * @example
 * ```ts
 * const plan = testItemsNeeded(truthPrecision(pilotItems));
 * plan.needed; // e.g. 1400 test items
 * ```
 */
export function testItemsNeeded(pilot: TruthPrecision): TestItemsNeeded {
  const target = pilot.medianGap / 2;
  if (!(target > 0)) {
    return {
      target: 0,
      perModel: {},
      pilotItems: pilot.items,
      reason: 'the pilot’s median neighbour gap is 0 (half the models tie): no test size separates them',
    };
  }
  const perModel: Record<string, number> = {};
  let needed = 0;
  for (const [m, se] of Object.entries(pilot.standardErrors)) {
    perModel[m] = Math.max(1, Math.ceil(pilot.items * (se / target) ** 2));
    needed = Math.max(needed, perModel[m]);
  }
  return { target, perModel, needed, pilotItems: pilot.items };
}
