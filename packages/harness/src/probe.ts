// Measured ground truth: a linear probe (multinomial logistic regression on frozen features) and kNN.
import { getBackend, type LinalgBackend, pivotedCholesky } from '@emms/linalg';
import { minimizeLbfgs } from '@emms/metric-spec';
import { EmmsError, type Matrix } from '@emms/tensor-io';

/** A labelled split: features (N×D, one row a sample) and integer class labels (length N, ≥ 0). */
export interface ProbeSplit {
  /** N×D features, float32 or float64, row-major. */
  readonly x: Matrix;
  /** N class labels, integers in [0, C). */
  readonly y: ArrayLike<number>;
}

/** The L2 strengths {@link linearProbe} tries by default (penalty λ/2‖W‖² on the mean cross-entropy). */
export const DEFAULT_L2_GRID: readonly number[] = [1, 0.1, 0.01, 0.001, 0.0001];

/**
 * Progress of {@link linearProbe}: `done` of `total` logistic-regression fits (`total` shrinks when
 * the walk down the λ grid stops early).
 */
export interface ProbeProgress {
  readonly done: number;
  readonly total: number;
  /** 'cv' for a cross-validation fit, 'final' for the refit on all train rows. */
  readonly stage: 'cv' | 'final';
}

/** Options of {@link linearProbe}. */
export interface LinearProbeOptions {
  /** L2 strengths λ to choose from (default {@link DEFAULT_L2_GRID}); scikit-learn's C = 1/(λ·N_train). */
  readonly l2Grid?: readonly number[];
  /** Cross-validation folds (default 3). */
  readonly folds?: number;
  /** L-BFGS iterations at most per fit (default 200). */
  readonly maxIterations?: number;
  /**
   * Stop a fit when the largest gradient entry of the mean objective is ≤ this (default 1e-4,
   * scikit-learn's default `tol` for the same objective).
   */
  readonly gradientTolerance?: number;
  /** Stop a fit when the relative decrease over an iteration is ≤ this (default 1e-9). */
  readonly functionTolerance?: number;
  /**
   * Stop walking down the grid (towards weaker λ, whose fits are the slowest) once this many
   * successive λ's have a mean CV accuracy below the best so far (default 2; `Infinity` tries
   * every λ). λ's not tried are absent from `cvAccuracy`.
   */
  readonly patience?: number;
  /**
   * Fit in the row space of the train features (exact; see {@link linearProbe}): 'auto' (default)
   * when D > 2·N_train (below that the factorisation costs about what it saves), or always / never.
   */
  readonly rowSpace?: 'auto' | boolean;
  /** Linear-algebra backend for the matrix products (default `getBackend()`). */
  readonly backend?: LinalgBackend;
  /** Checked between iterations; aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called after every fit. */
  readonly onProgress?: (progress: ProbeProgress) => void;
}

/** Result of {@link linearProbe}. */
export interface LinearProbeResult {
  /** Test accuracy of the probe refit on all train rows with the selected λ, in [0, 1]. */
  readonly accuracy: number;
  /** Per test item: 1 when the probe classified it correctly, else 0 (for the bootstrap). */
  readonly correct: Uint8Array;
  /** The selected L2 strength λ. */
  readonly l2: number;
  /** Mean cross-validation accuracy per λ tried, keyed by `String(λ)`. */
  readonly cvAccuracy: Record<string, number>;
  /** Wall-clock seconds of the whole probe. */
  readonly seconds: number;
  /** L-BFGS iterations summed over every fit. */
  readonly iterations: number;
  /** Number of classes C (max label + 1 over train and test). */
  readonly classes: number;
  /** Columns the fits ran on: D, or the rank of the train features when fitted in their row space. */
  readonly dims: number;
}

/** A fitted multinomial logistic regression (see {@link fitLogistic}). */
export interface LogisticFit {
  /** D×C weights, row-major. */
  readonly weights: Float64Array;
  /** C intercepts. */
  readonly bias: Float64Array;
  /** The objective at the fit: mean cross-entropy + λ/2‖W‖². */
  readonly value: number;
  /** L-BFGS iterations. */
  readonly iterations: number;
  /** True when a tolerance stopped the optimiser (not the iteration limit). */
  readonly converged: boolean;
}

/** Options of {@link fitLogistic}. */
export interface FitLogisticOptions {
  /** Start point: weights (D×C) and intercepts (C), e.g. a neighbouring λ's fit. */
  readonly init?: { readonly weights: Float64Array; readonly bias: Float64Array };
  /** L-BFGS iterations at most (default 200). */
  readonly maxIterations?: number;
  /** Stop when the largest gradient entry is ≤ this (default 1e-4). */
  readonly gradientTolerance?: number;
  /** Stop when the relative decrease over an iteration is ≤ this (default 1e-9). */
  readonly functionTolerance?: number;
  readonly backend?: LinalgBackend;
  readonly signal?: AbortSignal;
}

function dense(data: Float64Array, rows: number, cols: number): Matrix<Float64Array> {
  return { rows, cols, data };
}

function checkSplit(split: ProbeSplit, name: string): void {
  if (split.x.rows !== split.y.length) {
    throw new EmmsError(
      'ROW_MISMATCH',
      `${name}: the features have ${split.x.rows} rows but the labels have ${split.y.length}; give one label per row`,
      { input: `${name}.y`, details: { rows: split.x.rows, labels: split.y.length } },
    );
  }
  if (split.x.rows === 0) {
    throw new EmmsError('ROW_MISMATCH', `${name}: no rows; give at least one sample`, { input: `${name}.x` });
  }
  for (let i = 0; i < split.y.length; i++) {
    const v = split.y[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new EmmsError(
        v < 0 ? 'LABEL_OUT_OF_RANGE' : 'LABEL_NOT_INTEGER',
        `${name}.y[${i}] is ${v}; labels must be integers ≥ 0`,
        { input: `${name}.y`, details: { index: i, value: v } },
      );
    }
  }
  const d = split.x.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const row = Math.floor(i / split.x.cols);
      throw new EmmsError('NON_FINITE', `${name}.x: row ${row} holds ${d[i]}; give finite features`, {
        input: `${name}.x`,
        details: { row, column: i % split.x.cols },
      });
    }
  }
}

function checkPairOfSplits(train: ProbeSplit, test: ProbeSplit): number {
  checkSplit(train, 'train');
  checkSplit(test, 'test');
  if (train.x.cols !== test.x.cols) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `test.x has ${test.x.cols} columns but train.x has ${train.x.cols}; both must come from the same model`,
      { input: 'test.x', details: { train: train.x.cols, test: test.x.cols } },
    );
  }
  let classes = 0;
  for (const y of [train.y, test.y]) for (let i = 0; i < y.length; i++) classes = Math.max(classes, y[i] + 1);
  const present = new Set<number>();
  for (let i = 0; i < train.y.length; i++) present.add(train.y[i]);
  if (present.size < 2) {
    throw new EmmsError(
      'SINGLE_CLASS',
      'train.y: every train label is the same class; a probe needs two or more',
      {
        input: 'train.y',
      },
    );
  }
  return classes;
}

/** Train-statistics standardisation (v − mean)/(std + 1e-8), population std, of train and test, as float64. */
function standardise(
  train: Matrix,
  test: Matrix,
): { train: Matrix<Float64Array>; test: Matrix<Float64Array> } {
  const n = train.rows;
  const d = train.cols;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += train.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = train.data[i * d + j] - mean[j];
      sq[j] += t * t;
    }
  }
  const scale = Float64Array.from(sq, (s) => 1 / (Math.sqrt(s / n) + 1e-8));
  const apply = (m: Matrix) => {
    const out = new Float64Array(m.rows * d);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < d; j++) out[i * d + j] = (m.data[i * d + j] - mean[j]) * scale[j];
    }
    return dense(out, m.rows, d);
  };
  return { train: apply(train), test: apply(test) };
}

function transpose(m: Matrix<Float64Array>): Matrix<Float64Array> {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return dense(out, m.cols, m.rows);
}

/**
 * Coordinates of train and test rows in an orthonormal basis of the train rows' span, from a
 * rank-revealing Cholesky factorisation of K = X_train X_trainᵀ (pivots below 1e-10 × the largest
 * diagonal entry end it: the train rows have no extent left there). With K[p, p] ≈ L Lᵀ (L n×r), the
 * rows of L are the train rows' coordinates in the basis Q = X_pᵀ L_rᵀ⁻¹ (X_p the first r pivot rows,
 * L_r the leading r×r block), and a test row's coordinates are Qᵀx = L_r⁻¹ X_p x. Inner products
 * between train rows are kept, so the fit is the same up to a rotation of W.
 */
function rowSpace(
  train: Matrix<Float64Array>,
  test: Matrix<Float64Array>,
  backend: LinalgBackend,
): { train: Matrix<Float64Array>; test: Matrix<Float64Array> } {
  const n = train.rows;
  const xt = transpose(train);
  const gram = backend.gram(xt);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, gram.data[i * n + i]);
  const { factor, perm, rank: r } = pivotedCholesky(gram, { tol: 1e-10 * maxDiag, backend });
  const fc = factor.cols;
  const f = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < r; c++) f[perm[i] * r + c] = factor.data[i * fc + c];
  }
  // L_r⁻¹ (lower triangular), column by column by forward substitution; stored transposed for the product
  const invT = new Float64Array(r * r);
  const col = new Float64Array(r);
  for (let j = 0; j < r; j++) {
    col.fill(0);
    col[j] = 1 / factor.data[j * fc + j];
    for (let i = j + 1; i < r; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += factor.data[i * fc + k] * col[k];
      col[i] = -s / factor.data[i * fc + i];
    }
    for (let i = j; i < r; i++) invT[j * r + i] = col[i];
  }
  const cross = backend.matmul(test, xt).data; // m×n: test rows · train rows
  const m = test.rows;
  const picked = new Float64Array(m * r);
  for (let t = 0; t < m; t++) for (let c = 0; c < r; c++) picked[t * r + c] = cross[t * n + perm[c]];
  return { train: dense(f, n, r), test: backend.matmul(dense(picked, m, r), dense(invT, r, r)) };
}

function logits(
  x: Matrix<Float64Array>,
  fit: { weights: Float64Array; bias: Float64Array },
  backend: LinalgBackend,
) {
  const c = fit.bias.length;
  const z = backend.matmul(x, dense(fit.weights, x.cols, c)).data;
  for (let i = 0; i < x.rows; i++) for (let k = 0; k < c; k++) z[i * c + k] += fit.bias[k];
  return z;
}

/** Predicted class per row: the largest logit, ties to the lower class index. */
function predict(
  x: Matrix<Float64Array>,
  fit: { weights: Float64Array; bias: Float64Array },
  backend: LinalgBackend,
): Int32Array {
  const c = fit.bias.length;
  const z = logits(x, fit, backend);
  const out = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (z[i * c + k] > z[i * c + best]) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * Fits a multinomial logistic regression with an L2 penalty on the weights (not the intercepts)
 * by minimising mean_i −log softmax(x_i W + b)[y_i] + λ/2‖W‖²_F with `minimizeLbfgs`. X·W and
 * Xᵀ·G go through the linear-algebra backend. The features are used as given (the probe
 * standardises them first). Equivalent to scikit-learn's `LogisticRegression(C=1/(λ·N))`
 * (multinomial, lbfgs).
 *
 * @param x - N×D float64 features.
 * @param y - N labels in [0, classes).
 * @param classes - number of classes C.
 * @param l2 - λ > 0.
 * @param options - {@link FitLogisticOptions} (warm start, tolerances, backend).
 * @returns {@link LogisticFit}: weights D×C, bias C, objective value, iterations.
 * @example
 * ```ts
 * const fit = fitLogistic(matrix(x, 100, 8), labels, 3, 0.01);
 * fit.value; // mean cross-entropy + 0.005·‖W‖²
 * ```
 */
export function fitLogistic(
  x: Matrix<Float64Array>,
  y: ArrayLike<number>,
  classes: number,
  l2: number,
  options: FitLogisticOptions = {},
): LogisticFit {
  const backend = options.backend ?? getBackend();
  const n = x.rows;
  const d = x.cols;
  const c = classes;
  const dc = d * c;
  const w = new Float64Array(dc);
  const g = new Float64Array(n * c);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    w.set(theta.subarray(0, dc));
    const z = backend.matmul(x, dense(w, d, c)).data;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * c;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < c; k++) {
        z[o + k] += theta[dc + k];
        if (z[o + k] > max) max = z[o + k];
      }
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(z[o + k] - max);
      const lse = max + Math.log(sum);
      loss += lse - z[o + y[i]];
      for (let k = 0; k < c; k++) g[o + k] = Math.exp(z[o + k] - lse) / n;
      g[o + y[i]] -= 1 / n;
    }
    const gw = backend.crossProduct(x, dense(g, n, c)).data;
    let penalty = 0;
    for (let k = 0; k < dc; k++) {
      penalty += theta[k] * theta[k];
      grad[k] = gw[k] + l2 * theta[k];
    }
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += g[i * c + k];
      grad[dc + k] = s;
    }
    return loss / n + 0.5 * l2 * penalty;
  };
  const x0 = new Float64Array(dc + c);
  if (options.init) {
    x0.set(options.init.weights);
    x0.set(options.init.bias, dc);
  }
  const result = minimizeLbfgs(objective, x0, {
    maxIterations: options.maxIterations ?? 200,
    gradientTolerance: options.gradientTolerance ?? 1e-4,
    functionTolerance: options.functionTolerance ?? 1e-9,
    signal: options.signal,
  });
  return {
    weights: result.x.slice(0, dc),
    bias: result.x.slice(dc),
    value: result.value,
    iterations: result.iterations,
    converged: result.converged,
  };
}

function rowsOf(m: Matrix<Float64Array>, rows: readonly number[]): Matrix<Float64Array> {
  const out = new Float64Array(rows.length * m.cols);
  rows.forEach((r, i) => {
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  });
  return dense(out, rows.length, m.cols);
}

/**
 * Stratified fold of each train row, without shuffling: the j-th row (in order) of each class goes
 * to fold j mod k.
 */
export function stratifiedFolds(y: ArrayLike<number>, k: number): Int32Array {
  const seen = new Map<number, number>();
  const fold = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const j = seen.get(y[i]) ?? 0;
    fold[i] = j % k;
    seen.set(y[i], j + 1);
  }
  return fold;
}

/**
 * The measured ground truth of the harness: a linear probe, i.e. multinomial logistic
 * regression trained on a model's frozen train features and scored by its accuracy on the test
 * features (head-only transfer).
 *
 * 1. Standardise every column with the train statistics, (v − mean)/(std + 1e-8), population std.
 * 2. When D > 2·N_train (`rowSpace: 'auto'`), refit the problem on the coordinates of the rows in
 *    an orthonormal basis of the train rows' span (from a pivoted Cholesky factorisation of X Xᵀ).
 *    This is exact: the loss depends on X·W only and the rotation-invariant penalty puts the
 *    optimum in that span, and every fit (each CV fold's rows are train rows) and the test logits
 *    are unchanged; each objective evaluation then costs rank(X) ≤ N_train instead of D columns.
 * 3. Choose λ from `l2Grid` (default 1, 0.1, 0.01, 0.001, 0.0001, as the penalty λ/2‖W‖² on the mean
 *    cross-entropy; scikit-learn's C = 1/(λ·N_train)) by k-fold stratified cross-validation on the
 *    train rows ({@link stratifiedFolds}: the j-th row of each class in fold j mod k, no shuffle):
 *    the λ with the best mean fold accuracy, ties to the larger λ. Fits run from the strongest λ to
 *    the weakest, each warm-started from the previous λ's solution of the same fold, and the walk
 *    stops once `patience` (2) successive λ's score below the best so far. Each fit stops at
 *    scikit-learn's default tolerance (largest gradient entry ≤ 1e-4) or after 200 iterations.
 * 4. Refit on all train rows with that λ (warm-started from the mean of the folds' solutions) and
 *    classify the test rows (largest logit, ties to the lower class).
 *
 * The CV folds use the standardisation of the whole train split (the scale statistics are not
 * refitted per fold). Checked against scikit-learn 1.2's `LogisticRegression` in probe.test.ts
 * (numbers from scripts/probe_reference.py).
 *
 * @param train - `{ x: N×D features, y: N labels }`, at least two classes.
 * @param test - `{ x: M×D features, y: M labels }`, the held-out evaluation items.
 * @param options - {@link LinearProbeOptions}.
 * @returns {@link LinearProbeResult}: `{ accuracy, correct (M), l2, cvAccuracy, seconds, iterations, classes, dims }`.
 * @throws EmmsError `ROW_MISMATCH` (rows ≠ labels, or an empty split), `SHAPE_MISMATCH` (train and
 *   test widths differ), `LABEL_OUT_OF_RANGE` / `LABEL_NOT_INTEGER`, `NON_FINITE`, `SINGLE_CLASS`,
 *   `INVALID_OPTION` (empty or non-positive grid, folds < 2 or more folds than train rows).
 * @example
 * ```ts
 * const probe = linearProbe({ x: trainFeatures, y: trainLabels }, { x: testFeatures, y: testLabels });
 * probe.accuracy; // e.g. 0.962
 * probe.l2; // the λ the 3-fold CV chose
 * ```
 */
export function linearProbe(
  train: ProbeSplit,
  test: ProbeSplit,
  options: LinearProbeOptions = {},
): LinearProbeResult {
  const started = performance.now();
  const classes = checkPairOfSplits(train, test);
  const grid = [...(options.l2Grid ?? DEFAULT_L2_GRID)].sort((a, b) => b - a);
  if (grid.length === 0 || grid.some((v) => !(v > 0) || !Number.isFinite(v))) {
    throw new EmmsError(
      'INVALID_OPTION',
      `l2Grid is [${grid.join(', ')}]; give one or more finite numbers > 0`,
      {
        input: 'l2Grid',
      },
    );
  }
  const k = options.folds ?? 3;
  if (!Number.isInteger(k) || k < 2 || k > train.x.rows) {
    throw new EmmsError(
      'INVALID_OPTION',
      `folds is ${k}; give an integer from 2 to the number of train rows (${train.x.rows})`,
      { input: 'folds' },
    );
  }
  const backend = options.backend ?? getBackend();
  const fitOptions = {
    maxIterations: options.maxIterations,
    gradientTolerance: options.gradientTolerance,
    functionTolerance: options.functionTolerance,
    backend,
    signal: options.signal,
  };
  const y = Int32Array.from(train.y);
  let { train: xs, test: ts } = standardise(train.x, test.x);
  const useRowSpace =
    options.rowSpace === 'auto' || options.rowSpace === undefined ? xs.cols > 2 * xs.rows : options.rowSpace;
  if (useRowSpace) ({ train: xs, test: ts } = rowSpace(xs, ts, backend));

  const fold = stratifiedFolds(y, k);
  const parts = Array.from({ length: k }, (_, f) => {
    const fit: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < y.length; i++) (fold[i] === f ? val : fit).push(i);
    return {
      x: rowsOf(xs, fit),
      y: Int32Array.from(fit, (i) => y[i]),
      vx: rowsOf(xs, val),
      vy: Int32Array.from(val, (i) => y[i]),
      last: undefined as LogisticFit | undefined,
    };
  });
  let total = grid.length * k + 1;
  let done = 0;
  let iterations = 0;
  const cvAccuracy: Record<string, number> = {};
  const fitsAt = new Map<number, LogisticFit[]>();
  let best = grid[0];
  let bestAccuracy = Number.NEGATIVE_INFINITY;
  const patience = options.patience ?? 2;
  let worse = 0;
  for (const l2 of grid) {
    if (worse >= patience) {
      total = done + 1;
      break;
    }
    let sum = 0;
    const fits: LogisticFit[] = [];
    for (const part of parts) {
      const fit = fitLogistic(part.x, part.y, classes, l2, { ...fitOptions, init: part.last });
      part.last = fit;
      fits.push(fit);
      iterations += fit.iterations;
      if (part.vy.length > 0) {
        const p = predict(part.vx, fit, backend);
        let hits = 0;
        for (let i = 0; i < p.length; i++) if (p[i] === part.vy[i]) hits++;
        sum += hits / p.length;
      }
      options.onProgress?.({ done: ++done, total, stage: 'cv' });
    }
    const mean = sum / parts.filter((p) => p.vy.length > 0).length;
    cvAccuracy[String(l2)] = mean;
    fitsAt.set(l2, fits);
    if (mean > bestAccuracy) {
      bestAccuracy = mean;
      best = l2;
      worse = 0;
    } else if (mean < bestAccuracy) worse++;
  }
  const chosen = fitsAt.get(best)!;
  const init = {
    weights: new Float64Array(chosen[0].weights.length),
    bias: new Float64Array(classes),
  };
  for (const f of chosen) {
    for (let i = 0; i < init.weights.length; i++) init.weights[i] += f.weights[i] / chosen.length;
    for (let i = 0; i < classes; i++) init.bias[i] += f.bias[i] / chosen.length;
  }
  const final = fitLogistic(xs, y, classes, best, { ...fitOptions, init });
  iterations += final.iterations;
  options.onProgress?.({ done: ++done, total, stage: 'final' });
  const predicted = predict(ts, final, backend);
  const correct = new Uint8Array(predicted.length);
  let hits = 0;
  for (let i = 0; i < predicted.length; i++) {
    correct[i] = predicted[i] === test.y[i] ? 1 : 0;
    hits += correct[i];
  }
  return {
    accuracy: hits / predicted.length,
    correct,
    l2: best,
    cvAccuracy,
    seconds: (performance.now() - started) / 1000,
    iterations,
    classes,
    dims: xs.cols,
  };
}

/** Options of {@link knnAccuracy}. */
export interface KnnOptions {
  /** Neighbours that vote (default 10; at most the number of train rows). */
  readonly k?: number;
  /** 'cosine' (default: rows scaled to unit length, largest similarity first) or 'euclidean'. */
  readonly metric?: 'cosine' | 'euclidean';
  /** Linear-algebra backend for the test × train product (default `getBackend()`). */
  readonly backend?: LinalgBackend;
}

/** Result of {@link knnAccuracy}. */
export interface KnnResult {
  /** Test accuracy in [0, 1]. */
  readonly accuracy: number;
  /** Per test item: 1 when classified correctly. */
  readonly correct: Uint8Array;
  /** Per test item: the predicted class. */
  readonly predictions: Int32Array;
  /** Neighbours used. */
  readonly k: number;
}

/**
 * k-nearest-neighbour accuracy on frozen features, a cheaper second ground truth. Each test row
 * takes the majority label of its k nearest train rows, by cosine similarity of the raw features
 * (default; a zero row has similarity 0 to everything) or by Euclidean distance; features are not
 * standardised. Deterministic ties: among equally near train rows the earlier row is nearer; a tie
 * in the vote goes to the class whose voters are nearer in total (summed similarity, or smaller
 * summed squared distance), then to the lower class index.
 *
 * @param train - `{ x: N×D, y: N labels }`.
 * @param test - `{ x: M×D, y: M labels }`.
 * @param options - {@link KnnOptions}: `k` (10), `metric` ('cosine'), `backend`.
 * @returns {@link KnnResult} `{ accuracy, correct (M), predictions (M), k }`.
 * @throws EmmsError `ROW_MISMATCH`, `SHAPE_MISMATCH`, `LABEL_OUT_OF_RANGE`, `NON_FINITE`,
 *   `SINGLE_CLASS`, `INVALID_OPTION` (k not an integer in [1, N]).
 * @example
 * ```ts
 * const knn = knnAccuracy({ x: trainFeatures, y: trainLabels }, { x: testFeatures, y: testLabels }, { k: 5 });
 * knn.accuracy; // e.g. 0.94
 * ```
 */
export function knnAccuracy(train: ProbeSplit, test: ProbeSplit, options: KnnOptions = {}): KnnResult {
  const classes = checkPairOfSplits(train, test);
  const n = train.x.rows;
  const k = options.k ?? Math.min(10, n);
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new EmmsError(
      'INVALID_OPTION',
      `k is ${k}; give an integer from 1 to the number of train rows (${n})`,
      {
        input: 'k',
      },
    );
  }
  const metric = options.metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'euclidean') {
    throw new EmmsError('INVALID_OPTION', `metric is "${metric}"; give 'cosine' or 'euclidean'`, {
      input: 'metric',
    });
  }
  const backend = options.backend ?? getBackend();
  const d = train.x.cols;
  const norms = (m: Matrix) => {
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m.data[i * d + j] * m.data[i * d + j];
      out[i] = s;
    }
    return out;
  };
  const toDense = (m: Matrix, sq: Float64Array | null) => {
    const out = new Float64Array(m.rows * d);
    for (let i = 0; i < m.rows; i++) {
      const s = sq === null ? 1 : sq[i] > 0 ? 1 / Math.sqrt(sq[i]) : 0;
      for (let j = 0; j < d; j++) out[i * d + j] = m.data[i * d + j] * s;
    }
    return dense(out, m.rows, d);
  };
  const trainSq = norms(train.x);
  const testSq = norms(test.x);
  const cosine = metric === 'cosine';
  const a = toDense(test.x, cosine ? testSq : null);
  const bt = transpose(toDense(train.x, cosine ? trainSq : null));
  const dots = backend.matmul(a, bt).data; // M×N
  const m = test.x.rows;
  const correct = new Uint8Array(m);
  const predictions = new Int32Array(m);
  const nearIdx = new Int32Array(k);
  const nearKey = new Float64Array(k);
  const votes = new Float64Array(classes);
  const weight = new Float64Array(classes);
  let hits = 0;
  for (let i = 0; i < m; i++) {
    // key: larger is nearer (similarity, or minus the squared distance)
    let filled = 0;
    for (let j = 0; j < n; j++) {
      const dot = dots[i * n + j];
      const key = cosine ? dot : -(testSq[i] + trainSq[j] - 2 * dot);
      if (filled === k && key <= nearKey[k - 1]) continue;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && nearKey[p - 1] < key) {
        nearKey[p] = nearKey[p - 1];
        nearIdx[p] = nearIdx[p - 1];
        p--;
      }
      nearKey[p] = key;
      nearIdx[p] = j;
    }
    votes.fill(0);
    weight.fill(0);
    for (let p = 0; p < k; p++) {
      const c = train.y[nearIdx[p]];
      votes[c]++;
      weight[c] += nearKey[p];
    }
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (votes[c] > votes[best] || (votes[c] === votes[best] && weight[c] > weight[best])) best = c;
    }
    predictions[i] = best;
    correct[i] = best === test.y[i] ? 1 : 0;
    hits += correct[i];
  }
  return { accuracy: hits / m, correct, predictions, k };
}
