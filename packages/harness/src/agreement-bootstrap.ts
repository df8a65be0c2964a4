// Bootstrap intervals for the weighted τ against a measured ground truth (browser-safe).
import { EmmsError, seededRandom } from '@emms/tensor-io';
import { type ModelValues, modelMap, weightedTau } from './agreement';
import { drawCounts, type ItemTruth, itemTruthEvaluator, quantileSorted } from './item-truth';
import { TRUTH_CODES } from './truth-codes';

/** Input of {@link bootstrapWeightedTau}. */
export interface BootstrapInput {
  /** model name → score value (at least two models), a Map or a plain object. */
  readonly scores: ModelValues;
  /**
   * model name → per-item correctness on the evaluation (test) items: 1 where the model's probe
   * classified item j correctly, else 0. Every model needs one, all the same length, item j
   * being the same test item for every model. Give this or `items`.
   */
  readonly correct?: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
  /**
   * Per-item results of any kind of ground truth ({@link ItemTruth}: per-item values whose mean is
   * the truth, such as IoU, or squared errors from which R² is recomputed); used instead of `correct`.
   */
  readonly items?: ItemTruth;
  /** Bootstrap replicates (default 1000). */
  readonly reps?: number;
  /** Seed of `seededRandom` (default 0). */
  readonly seed?: number;
  /** Coverage of the percentile interval (default 0.95). */
  readonly level?: number;
  /** False when a lower score predicts a better model. Default true. */
  readonly higherIsBetter?: boolean;
}

/** A bootstrap percentile interval for a weighted τ. */
export interface BootstrapInterval {
  /** Lower end of the interval. */
  readonly low: number;
  /** Upper end of the interval. */
  readonly high: number;
  /** Replicates drawn. */
  readonly reps: number;
  /** Coverage asked for. */
  readonly level: number;
  /** Weighted τ on all the items (the point estimate). */
  readonly estimate: number;
}

/**
 * A percentile-bootstrap interval for the weighted τ between a score and a measured ground truth
 * (a probe's test accuracy, IoU or R²). Each replicate draws the M evaluation items with replacement
 * (the same draw for every model), recomputes every model's ground truth from its per-item
 * results (accuracy from correctness, mean IoU, or R² from squared errors and the targets: see
 * {@link ItemTruth}), and recomputes weighted τ between the scores and those values; the
 * interval is the (1 − level)/2 and (1 + level)/2 quantiles of the replicates (linear
 * interpolation, numpy's default). It measures how much the ranking by the ground truth itself
 * would move with another test set of the same size, the uncertainty that decides whether two
 * scores' τ's can be told apart ({@link intervalsOverlap}); the scores are held fixed (they are
 * computed on the train split). A replicate in which every model has the same accuracy counts
 * as τ = 0 (see {@link weightedTau}). Deterministic for a given seed; the item draws depend only
 * on the seed and the number of items, so the intervals of several scores computed with the same
 * seed come from the same resamples (paired).
 *
 * @param input - {@link BootstrapInput}: `scores`, `correct` (Uint8Array of M items per model) or
 *   `items` ({@link ItemTruth}), `reps` (1000), `seed` (0), `level` (0.95), `higherIsBetter` (true).
 * @returns {@link BootstrapInterval} `{ low, high, reps, level, estimate }`.
 * @throws EmmsError `TOO_FEW_MODELS`, `BOOTSTRAP_INPUT` (a model without correctness, lengths that
 *   differ, no items), `INVALID_OPTION` (reps < 1, level outside (0, 1)), `NON_FINITE`.
 * @example
 * ```ts
 * const interval = bootstrapWeightedTau({
 *   scores: { a: 1, b: 2, c: 3 },
 *   correct: { a: probeA.correct, b: probeB.correct, c: probeC.correct },
 *   reps: 1000,
 *   seed: 7,
 * });
 * interval.low; interval.high; // e.g. 0.41 … 1
 * ```
 */
export function bootstrapWeightedTau(input: BootstrapInput): BootstrapInterval {
  const reps = input.reps ?? 1000;
  const level = input.level ?? 0.95;
  if (!Number.isInteger(reps) || reps < 1) {
    throw new EmmsError('INVALID_OPTION', `bootstrapWeightedTau: reps is ${reps}; give an integer ≥ 1`, {
      input: 'reps',
    });
  }
  if (!(level > 0 && level < 1)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `bootstrapWeightedTau: level is ${level}; give a number in (0, 1)`,
      {
        input: 'level',
      },
    );
  }
  const scores = modelMap(input.scores, 'scores');
  const models = [...scores.keys()];
  if (models.length < 2) {
    throw new EmmsError(
      TRUTH_CODES.TOO_FEW_MODELS,
      `scores: ${models.length} model(s); rank agreement needs at least two`,
      { input: 'scores', details: { models } },
    );
  }
  // own properties (any model name) for the per-item evaluator
  const correct =
    input.correct instanceof Map
      ? Object.fromEntries(input.correct)
      : (input.correct as Record<string, Uint8Array>);
  if (input.items === undefined) {
    const missing = models.find(
      (m) => !(correct && Object.hasOwn(correct, m) && correct[m] instanceof Uint8Array),
    );
    if (missing !== undefined) {
      throw new EmmsError(
        TRUTH_CODES.BOOTSTRAP_INPUT,
        `correct: model "${missing}" has no per-item correctness; give a Uint8Array for every scored model`,
        { input: 'correct', details: { model: missing } },
      );
    }
  }
  const truth = itemTruthEvaluator(input.items ?? { kind: 'mean', values: correct! }, models);
  const sign = input.higherIsBetter === false ? -1 : 1;
  const x = Float64Array.from(models, (m) => sign * scores.get(m)! + 0);
  const values = new Float64Array(models.length);
  truth.evaluate(null, values);
  const estimate = weightedTau(x, values);
  const random = seededRandom(input.seed ?? 0);
  const counts = new Uint32Array(truth.items);
  const taus = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    drawCounts(random, counts);
    truth.evaluate(counts, values);
    taus[r] = weightedTau(x, values);
  }
  taus.sort();
  return {
    low: quantileSorted(taus, (1 - level) / 2),
    high: quantileSorted(taus, (1 + level) / 2),
    reps,
    level,
    estimate,
  };
}

/**
 * True when two intervals share at least one point: the two scores' weighted τ's cannot be told
 * apart at the intervals' level (a conservative reading; non-overlap is the evidence that one
 * score ranks better than the other).
 *
 * @param a - `{ low, high }`, e.g. from {@link bootstrapWeightedTau}.
 * @param b - `{ low, high }`.
 * @returns true when a.low ≤ b.high and b.low ≤ a.high.
 * @example
 * ```ts
 * intervalsOverlap({ low: 0.2, high: 0.6 }, { low: 0.5, high: 0.9 }); // true: cannot be told apart
 * intervalsOverlap({ low: 0.1, high: 0.3 }, { low: 0.5, high: 0.9 }); // false
 * ```
 */
export function intervalsOverlap(
  a: { readonly low: number; readonly high: number },
  b: { readonly low: number; readonly high: number },
): boolean {
  return a.low <= b.high && b.low <= a.high;
}
