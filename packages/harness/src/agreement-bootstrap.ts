// Bootstrap intervals for the weighted τ against a measured ground truth (browser-safe).
import { EmmsError, seededRandom } from '@emms/tensor-io';
import { type ModelValues, modelMap, weightedTau } from './agreement';
import { TRUTH_CODES } from './truth-codes';

/** Input of {@link bootstrapWeightedTau}. */
export interface BootstrapInput {
  /** model name → score value (at least two models), a Map or a plain object. */
  readonly scores: ModelValues;
  /**
   * model name → per-item correctness on the evaluation (test) items: 1 where the model's probe
   * classified item j correctly, else 0. Every model needs one, all the same length, item j
   * being the same test item for every model.
   */
  readonly correct: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
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

/** numpy's default ('linear') quantile of sorted values. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * A percentile-bootstrap interval for the weighted τ between a score and a measured ground truth
 * (a probe's test accuracy). Each replicate draws the M evaluation items with replacement
 * (the same draw for every model), recomputes every model's accuracy from its per-item
 * correctness, and recomputes weighted τ between the scores and those accuracies; the
 * interval is the (1 − level)/2 and (1 + level)/2 quantiles of the replicates (linear
 * interpolation, numpy's default). It measures how much the ranking by the ground truth itself
 * would move with another test set of the same size, the uncertainty that decides whether two
 * scores' τ's can be told apart ({@link intervalsOverlap}); the scores are held fixed (they are
 * computed on the train split). A replicate in which every model has the same accuracy counts
 * as τ = 0 (see {@link weightedTau}). Deterministic for a given seed; the item draws depend only
 * on the seed and the number of items, so the intervals of several scores computed with the same
 * seed come from the same resamples (paired).
 *
 * @param input - {@link BootstrapInput}: `scores`, `correct` (Uint8Array of M items per model),
 *   `reps` (1000), `seed` (0), `level` (0.95), `higherIsBetter` (true).
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
  const correct = new Map(input.correct instanceof Map ? input.correct : Object.entries(input.correct));
  const vectors = models.map((m) => {
    const c = correct.get(m);
    if (!(c instanceof Uint8Array)) {
      throw new EmmsError(
        TRUTH_CODES.BOOTSTRAP_INPUT,
        `correct: model "${m}" has no per-item correctness; give a Uint8Array for every scored model`,
        { input: 'correct', details: { model: m } },
      );
    }
    return c;
  });
  const items = vectors[0].length;
  if (items === 0) {
    throw new EmmsError(TRUTH_CODES.BOOTSTRAP_INPUT, 'correct: the correctness vectors are empty', {
      input: 'correct',
    });
  }
  vectors.forEach((c, k) => {
    if (c.length !== items) {
      throw new EmmsError(
        TRUTH_CODES.BOOTSTRAP_INPUT,
        `correct: model "${models[k]}" has ${c.length} items but "${models[0]}" has ${items}; ` +
          'every model must be evaluated on the same items',
        { input: 'correct', details: { model: models[k], items: c.length, expected: items } },
      );
    }
  });
  const sign = input.higherIsBetter === false ? -1 : 1;
  const x = Float64Array.from(models, (m) => sign * scores.get(m)! + 0);
  const accuracy = new Float64Array(models.length);
  const fill = (counts: Uint32Array | null) => {
    for (let k = 0; k < models.length; k++) {
      const c = vectors[k];
      let s = 0;
      if (counts === null) for (let j = 0; j < items; j++) s += c[j];
      else for (let j = 0; j < items; j++) if (c[j]) s += counts[j];
      accuracy[k] = s / items;
    }
  };
  fill(null);
  const estimate = weightedTau(x, accuracy);
  const random = seededRandom(input.seed ?? 0);
  const counts = new Uint32Array(items);
  const taus = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    counts.fill(0);
    for (let j = 0; j < items; j++) counts[Math.floor(random() * items)]++;
    fill(counts);
    taus[r] = weightedTau(x, accuracy);
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
