// Per-item results of a measured ground truth, and a model's ground-truth value recomputed on any
// resample of the test items (the bootstrap intervals and standard errors of every task kind).
// Browser-safe: imports only tensor-io's main entry.
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { TRUTH_CODES } from './truth-codes';

/**
 * Per-item results of every model on the same test items (item j is the same test item for every
 * model), from which each model's ground-truth value is recomputed on a resample of the items:
 *
 * - `mean`: the value is the mean of per-item values: correctness 0/1 (accuracy), IoU of a predicted
 *   box, a retrieval hit (top-1 accuracy).
 * - `r2`: the value is R² averaged over target columns, as scikit-learn's `r2_score` (uniform
 *   average): per column 1 − Σ e²/Σ (y − ȳ)², with ȳ the resample's mean; `squaredError` holds each
 *   model's per-item, per-column squared errors (M×T, row-major), `targets` the true values (M×T).
 *   A column constant on a resample scores 1 when its errors are all 0, else 0 (scikit-learn's
 *   `force_finite`).
 */
export type ItemTruth =
  | {
      readonly kind: 'mean';
      /** model → M per-item values (e.g. 0/1 correctness, IoU). */
      readonly values: Readonly<Record<string, ArrayLike<number>>>;
    }
  | {
      readonly kind: 'r2';
      /** model → M×T per-item squared errors, row-major (item j's T columns together). */
      readonly squaredError: Readonly<Record<string, ArrayLike<number>>>;
      /** The M×T true targets of the test items (shared by every model). */
      readonly targets: Matrix;
    };

/** A ground truth recomputed on resamples: see {@link itemTruthEvaluator}. */
export interface ItemTruthEvaluator {
  /** Number of test items M. */
  readonly items: number;
  /**
   * Writes each model's ground-truth value (in the order of `models`) into `out`: on all items
   * when `counts` is null, else on the resample in which item j appears counts[j] times.
   */
  evaluate(counts: Uint32Array | null, out: Float64Array): void;
}

function bad(message: string, details?: Record<string, unknown>): EmmsError {
  return new EmmsError(TRUTH_CODES.BOOTSTRAP_INPUT, message, { input: 'items', details });
}

function checkVector(
  v: ArrayLike<number> | undefined,
  model: string,
  length: number | undefined,
  what: string,
) {
  if (v === undefined || typeof v.length !== 'number') {
    throw bad(`${what}: model "${model}" has no per-item results; give them for every model`, { model });
  }
  for (let j = 0; j < v.length; j++) {
    if (!Number.isFinite(v[j])) {
      throw new EmmsError(
        'NON_FINITE',
        `${what}: model "${model}" item ${j} is ${v[j]}; give finite values`,
        {
          input: 'items',
          details: { model, index: j },
        },
      );
    }
  }
  if (length !== undefined && v.length !== length) {
    throw bad(
      `${what}: model "${model}" has ${v.length} values where ${length} are expected; ` +
        'every model must be evaluated on the same items',
      { model, length: v.length, expected: length },
    );
  }
}

/**
 * Checks per-item results for the given models and returns an evaluator of their ground-truth
 * values on resamples (see {@link ItemTruth}).
 *
 * @param truth - the per-item results.
 * @param models - the models to evaluate, in output order.
 * @returns an {@link ItemTruthEvaluator}.
 * @throws EmmsError `BOOTSTRAP_INPUT` (a model without results, lengths that differ, no items, a
 *   target matrix that does not match), `NON_FINITE`.
 * @example
 * ```ts
 * const ev = itemTruthEvaluator({ kind: 'mean', values: { a: [1, 0, 1], b: [1, 1, 1] } }, ['a', 'b']);
 * const out = new Float64Array(2);
 * ev.evaluate(null, out); // [0.667, 1]
 * ev.evaluate(Uint32Array.from([0, 3, 0]), out); // [0, 1]
 * ```
 */
export function itemTruthEvaluator(truth: ItemTruth, models: readonly string[]): ItemTruthEvaluator {
  if (truth.kind === 'mean') {
    const first = models.length > 0 ? truth.values[models[0]] : undefined;
    const vectors = models.map((m) => {
      const v = truth.values[m];
      checkVector(v, m, first?.length, 'items');
      return v;
    });
    const items = first?.length ?? 0;
    if (items === 0) throw bad('items: the per-item results are empty');
    return {
      items,
      evaluate(counts, out) {
        for (let k = 0; k < vectors.length; k++) {
          const v = vectors[k];
          let s = 0;
          if (counts === null) for (let j = 0; j < items; j++) s += v[j];
          else for (let j = 0; j < items; j++) if (counts[j] !== 0) s += counts[j] * v[j];
          out[k] = s / items;
        }
      },
    };
  }
  const { targets } = truth;
  const items = targets.rows;
  const cols = targets.cols;
  if (items === 0 || cols === 0) throw bad('items.targets: the target matrix is empty');
  checkVector(targets.data, 'targets', items * cols, 'items.targets');
  const errors = models.map((m) => {
    const e = truth.squaredError[m];
    checkVector(e, m, items * cols, 'items.squaredError');
    return e;
  });
  const y = targets.data;
  const sum = new Float64Array(cols);
  const sumSq = new Float64Array(cols);
  const sse = new Float64Array(cols);
  return {
    items,
    evaluate(counts, out) {
      sum.fill(0);
      sumSq.fill(0);
      let weight = 0;
      for (let j = 0; j < items; j++) {
        const c = counts === null ? 1 : counts[j];
        if (c === 0) continue;
        weight += c;
        for (let t = 0; t < cols; t++) {
          const v = y[j * cols + t];
          sum[t] += c * v;
          sumSq[t] += c * v * v;
        }
      }
      for (let k = 0; k < errors.length; k++) {
        const e = errors[k];
        sse.fill(0);
        for (let j = 0; j < items; j++) {
          const c = counts === null ? 1 : counts[j];
          if (c === 0) continue;
          for (let t = 0; t < cols; t++) sse[t] += c * e[j * cols + t];
        }
        let r2 = 0;
        for (let t = 0; t < cols; t++) {
          // Σ c (y − ȳ)² = Σ c y² − (Σ c y)²/Σ c, clamped at 0 against cancellation
          const sst = Math.max(0, sumSq[t] - (sum[t] * sum[t]) / weight);
          const scale = sumSq[t] / weight;
          if (sst <= 1e-14 * scale || sst === 0) r2 += sse[t] === 0 ? 1 : 0;
          else r2 += 1 - sse[t] / sst;
        }
        out[k] = r2 / cols;
      }
    },
  };
}

/**
 * One bootstrap resample of M items: counts[j] = how many times item j is drawn in M draws with
 * replacement (`Math.floor(random() · M)` per draw, so the same seed gives the same resamples as
 * {@link bootstrapWeightedTau}).
 *
 * @param random - a uniform [0, 1) generator (e.g. `seededRandom(seed)`).
 * @param counts - M counters, overwritten.
 * @example
 * ```ts
 * const counts = new Uint32Array(100);
 * drawCounts(seededRandom(0), counts); // Σ counts = 100
 * ```
 */
export function drawCounts(random: () => number, counts: Uint32Array): void {
  const m = counts.length;
  counts.fill(0);
  for (let j = 0; j < m; j++) counts[Math.floor(random() * m)]++;
}

/** numpy's default ('linear') quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}
