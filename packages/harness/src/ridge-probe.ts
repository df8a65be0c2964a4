// Measured ground truth for continuous targets: a ridge probe from frozen features (boxes, caption
// embeddings, any regression target), on the probes' fixed-order kernels (bit-identical everywhere).
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { checkFinite } from './probe-input';
import {
  choleskySolve,
  type Dense,
  dense,
  rowsOf,
  standardise,
  timesTransposed,
  transposed,
} from './probe-kernels';

/** A split for a regression probe: features (N×D) and targets (N×T), row i the same item. */
export interface RegressionSplit {
  /** N×D features. */
  readonly x: Matrix;
  /** N×T targets (e.g. boxes x0, y0, x1, y1 normalised to [0, 1], or caption embeddings). */
  readonly y: Matrix;
}

/** The ridge strengths α {@link ridgeProbe} tries by default (scikit-learn's `Ridge(alpha)`). */
export const DEFAULT_RIDGE_GRID: readonly number[] = [0.01, 0.1, 1, 10, 100, 1000, 10000];

/** Options of {@link ridgeProbe}. */
export interface RidgeProbeOptions {
  /** Ridge strengths α (penalty α‖W‖² on the summed squared error, as scikit-learn's Ridge); default {@link DEFAULT_RIDGE_GRID}. */
  readonly alphaGrid?: readonly number[];
  /** Cross-validation folds (default 3): train row i goes to fold i mod k. */
  readonly folds?: number;
  /** α's whose CV error is within this fraction of the smallest count as tied; the largest tied α wins (default 1e-4). */
  readonly lossTolerance?: number;
  /** Targets are boxes (x0, y0, x1, y1): also report the IoU of predicted and true boxes. */
  readonly boxes?: boolean;
}

/** Result of {@link ridgeProbe}. */
export interface RidgeProbeResult {
  /** Held-out R², the mean over target columns (scikit-learn's `r2_score`, uniform average). */
  readonly r2: number;
  /** Held-out R² per target column. */
  readonly r2PerColumn: readonly number[];
  /** Per test item and column, the squared error (M×T, row-major): the per-item results for the bootstrap. */
  readonly squaredError: Float64Array;
  /** Test predictions (M×T, row-major). */
  readonly predictions: Float64Array;
  /** The chosen α. */
  readonly alpha: number;
  /** Mean CV squared error (over folds, items and columns) per α, keyed by `String(α)`. */
  readonly cvMse: Record<string, number>;
  /** With `boxes`: mean IoU of the predicted boxes (clamped to [0, 1], corners ordered) with the true ones. */
  readonly iou?: number;
  /** With `boxes`: per test item, that IoU (the per-item results for the bootstrap). */
  readonly iouPerItem?: Float64Array;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

/** A fitted ridge regression: predictions x·W + b. */
export interface RidgeFit {
  /** D×T weights, row-major. */
  readonly weights: Dense;
  /** T intercepts. */
  readonly bias: Float64Array;
}

function columnMeans(m: Dense): Float64Array {
  const out = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) out[j] /= m.rows;
  return out;
}

function centred(m: Dense, mean: Float64Array): Dense {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[i * m.cols + j] - mean[j];
  return dense(out, m.rows, m.cols);
}

/**
 * Ridge regressions of y on x with an unpenalised intercept, one per α: minimise
 * ‖Y − XW − 1bᵀ‖²_F + α‖W‖²_F (scikit-learn's `Ridge(alpha, fit_intercept=True)`). The Gram matrix of
 * the centred features (D×D, or N×N when D > N, solved in the dual W = Xᵀ(XXᵀ + αI)⁻¹Y) is formed once
 * and solved for every α by a Cholesky factorisation, all on fixed-order kernels.
 *
 * @param x - N×D float64 features.
 * @param y - N×T float64 targets.
 * @param alphas - ridge strengths α > 0.
 * @returns one {@link RidgeFit} per α, in the order given.
 * @example
 * ```ts
 * const [fit] = fitRidge(x, y, [1]);
 * fit.weights; // D×T
 * ```
 */
export function fitRidge(x: Dense, y: Dense, alphas: readonly number[]): RidgeFit[] {
  const xm = columnMeans(x);
  const ym = columnMeans(y);
  const xct = transposed(centred(x, xm)); // D×N
  const yct = transposed(centred(y, ym)); // T×N
  const primal = x.cols <= x.rows;
  const gram = primal ? timesTransposed(xct, xct) : timesTransposed(transposed(xct), transposed(xct));
  const rhs = primal ? transposed(timesTransposed(yct, xct)) : transposed(yct); // D×T or N×T
  const size = gram.rows;
  return alphas.map((alpha) => {
    const a = dense(Float64Array.from(gram.data), size, size);
    for (let i = 0; i < size; i++) a.data[i * size + i] += alpha;
    const solved = choleskySolve(a, rhs);
    if (solved === null) {
      throw new EmmsError(
        'INVALID_OPTION',
        `alpha ${alpha} leaves the ridge system singular; give a larger alpha`,
        {
          input: 'alphaGrid',
        },
      );
    }
    // dual: W = Xcᵀ C, i.e. W[d, t] = Σ_i xct[d, i] C[i, t]
    const weights = primal ? solved : timesTransposed(xct, transposed(solved));
    const bias = Float64Array.from(ym);
    const t = y.cols;
    for (let d = 0; d < x.cols; d++) for (let k = 0; k < t; k++) bias[k] -= xm[d] * weights.data[d * t + k];
    return { weights, bias };
  });
}

/** Predictions x·W + b (M×T). */
export function predictRidge(x: Dense, fit: RidgeFit): Float64Array {
  const t = fit.bias.length;
  const z = timesTransposed(x, transposed(fit.weights)).data;
  for (let i = 0; i < x.rows; i++) for (let k = 0; k < t; k++) z[i * t + k] += fit.bias[k];
  return z;
}

/**
 * Intersection over union of two boxes (x0, y0, x1, y1). The predicted box is first clamped to [0, 1]
 * and its corners ordered (x0 ≤ x1, y0 ≤ y1); a union of zero area gives 0.
 *
 * @example
 * ```ts
 * boxIoU([0, 0, 0.5, 0.5], [0.25, 0.25, 0.75, 0.75]); // 0.0625 / 0.4375 = 0.142857…
 * ```
 */
export function boxIoU(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  const c = (v: number) => Math.min(1, Math.max(0, v));
  const px0 = c(Math.min(predicted[0], predicted[2]));
  const px1 = c(Math.max(predicted[0], predicted[2]));
  const py0 = c(Math.min(predicted[1], predicted[3]));
  const py1 = c(Math.max(predicted[1], predicted[3]));
  const iw = Math.max(0, Math.min(px1, truth[2]) - Math.max(px0, truth[0]));
  const ih = Math.max(0, Math.min(py1, truth[3]) - Math.max(py0, truth[1]));
  const inter = iw * ih;
  const union = (px1 - px0) * (py1 - py0) + (truth[2] - truth[0]) * (truth[3] - truth[1]) - inter;
  return union > 0 ? inter / union : 0;
}

function checkRegression(train: RegressionSplit, test: RegressionSplit): void {
  for (const [name, s] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (s.x.rows !== s.y.rows || s.x.rows === 0) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `${name}: the features have ${s.x.rows} rows and the targets ${s.y.rows}; give one target row per feature row (at least one)`,
        { input: `${name}.y` },
      );
    }
    checkFinite(s.x, `${name}.x`);
    checkFinite(s.y, `${name}.y`);
  }
  if (train.x.cols !== test.x.cols || train.y.cols !== test.y.cols) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `test has ${test.x.cols} feature and ${test.y.cols} target columns, train ${train.x.cols} and ${train.y.cols}; both must match`,
      { input: 'test' },
    );
  }
}

/**
 * R² per column of predictions against targets, as scikit-learn's `r2_score(multioutput='raw_values')`
 * (a constant target column scores 1 when predicted exactly, else 0).
 */
export function r2Columns(truth: Matrix, predicted: ArrayLike<number>): number[] {
  const { rows: m, cols: t } = truth;
  return Array.from({ length: t }, (_, k) => {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += truth.data[i * t + k];
    mean /= m;
    let sse = 0;
    let sst = 0;
    for (let i = 0; i < m; i++) {
      sse += (truth.data[i * t + k] - predicted[i * t + k]) ** 2;
      sst += (truth.data[i * t + k] - mean) ** 2;
    }
    return sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
  });
}

/**
 * A ridge probe, the measured ground truth of tasks with continuous targets (a referring box, a
 * caption embedding): ridge regression from a model's frozen, standardised train features to the
 * targets, scored on held-out items.
 *
 * 1. Standardise every feature column with the train statistics (as {@link linearProbe}).
 * 2. Choose α from `alphaGrid` by k-fold cross-validation on the train rows (row i in fold i mod k;
 *    give the rows in random order): the mean over folds of the validation mean squared error (over
 *    items and columns); α's within `lossTolerance` (1e-4, relative) of the smallest count as tied
 *    and the largest (strongest) wins. Each fit is {@link fitRidge}.
 * 3. Refit on all train rows with that α and predict the test rows: R² per column and its mean
 *    (scikit-learn's `r2_score`), the per-item squared errors, and for boxes the IoU per item.
 *
 * Head-only and linear: it measures how linearly the frozen features encode the targets, not what
 * fine-tuning would reach. Bit-identical on every backend (fixed-order kernels). Checked against
 * scikit-learn's `Ridge`/`RidgeCV` and `r2_score` in ridge-probe.test.ts.
 *
 * @param train - `{ x: N×D, y: N×T }`.
 * @param test - `{ x: M×D, y: M×T }`.
 * @param options - {@link RidgeProbeOptions}.
 * @returns {@link RidgeProbeResult}.
 * @throws EmmsError `ROW_MISMATCH`, `SHAPE_MISMATCH`, `NON_FINITE`, `INVALID_OPTION` (bad grid, folds,
 *   tolerance, boxes without 4 columns).
 * @example
 * ```ts
 * const probe = ridgeProbe({ x: trainFeatures, y: trainBoxes }, { x: testFeatures, y: testBoxes }, { boxes: true });
 * probe.iou; // mean IoU of the predicted boxes
 * ```
 */
export function ridgeProbe(
  train: RegressionSplit,
  test: RegressionSplit,
  options: RidgeProbeOptions = {},
): RidgeProbeResult {
  const started = performance.now();
  checkRegression(train, test);
  const grid = [...(options.alphaGrid ?? DEFAULT_RIDGE_GRID)].sort((a, b) => b - a);
  if (grid.length === 0 || grid.some((v) => !(v > 0) || !Number.isFinite(v))) {
    throw new EmmsError(
      'INVALID_OPTION',
      `alphaGrid is [${grid.join(', ')}]; give one or more finite numbers > 0`,
      {
        input: 'alphaGrid',
      },
    );
  }
  const k = options.folds ?? 3;
  const n = train.x.rows;
  if (!Number.isInteger(k) || k < 2 || k > n) {
    throw new EmmsError(
      'INVALID_OPTION',
      `folds is ${k}; give an integer from 2 to the number of train rows (${n})`,
      {
        input: 'folds',
      },
    );
  }
  const tolerance = options.lossTolerance ?? 1e-4;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new EmmsError('INVALID_OPTION', `lossTolerance is ${tolerance}; give a finite number ≥ 0`, {
      input: 'lossTolerance',
    });
  }
  if (options.boxes && train.y.cols !== 4) {
    throw new EmmsError(
      'INVALID_OPTION',
      `boxes: the targets have ${train.y.cols} columns; boxes need 4 (x0, y0, x1, y1)`,
      {
        input: 'boxes',
      },
    );
  }
  const { train: xs, test: ts } = standardise(train.x, test.x);
  const y = dense(Float64Array.from(train.y.data), n, train.y.cols);
  const t = y.cols;
  const sums = new Float64Array(grid.length);
  for (let f = 0; f < k; f++) {
    const fitRows: number[] = [];
    const valRows: number[] = [];
    for (let i = 0; i < n; i++) (i % k === f ? valRows : fitRows).push(i);
    const vx = rowsOf(xs, valRows);
    const vy = rowsOf(y, valRows);
    fitRidge(rowsOf(xs, fitRows), rowsOf(y, fitRows), grid).forEach((fit, g) => {
      const p = predictRidge(vx, fit);
      let s = 0;
      for (let i = 0; i < p.length; i++) s += (vy.data[i] - p[i]) ** 2;
      sums[g] += s / p.length;
    });
  }
  const cvMse: Record<string, number> = {};
  let smallest = Number.POSITIVE_INFINITY;
  grid.forEach((alpha, g) => {
    cvMse[String(alpha)] = sums[g] / k;
    smallest = Math.min(smallest, sums[g] / k);
  });
  // grid is descending: the first α within the tolerance is the largest
  const alpha = grid.find((_, g) => sums[g] / k <= smallest + tolerance * Math.abs(smallest))!;
  const [fit] = fitRidge(xs, y, [alpha]);
  const predictions = predictRidge(ts, fit);
  const m = test.x.rows;
  const squaredError = new Float64Array(m * t);
  for (let i = 0; i < m * t; i++) squaredError[i] = (test.y.data[i] - predictions[i]) ** 2;
  const r2PerColumn = r2Columns(test.y, predictions);
  const result = {
    r2: r2PerColumn.reduce((a, b) => a + b, 0) / t,
    r2PerColumn,
    squaredError,
    predictions,
    alpha,
    cvMse,
    seconds: 0,
  };
  if (options.boxes) {
    const iouPerItem = new Float64Array(m);
    let total = 0;
    for (let i = 0; i < m; i++) {
      iouPerItem[i] = boxIoU(predictions.subarray(i * 4, i * 4 + 4), test.y.data.subarray(i * 4, i * 4 + 4));
      total += iouPerItem[i];
    }
    return { ...result, iou: total / m, iouPerItem, seconds: (performance.now() - started) / 1000 };
  }
  return { ...result, seconds: (performance.now() - started) / 1000 };
}
