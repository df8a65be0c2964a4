// Measured ground truth: a linear probe (multinomial logistic regression on frozen features).
// Every product runs on the probes' own fixed-order kernels (probe-kernels.ts), never on a linear-algebra
// backend, so the same features give bit-identical results on every backend, executor and run.
import type { LinalgBackend } from '@emms/linalg';
import { EmmsError } from '@emms/tensor-io';
import { evaluateLogistic, fitLogistic, LOGISTIC_DEFAULTS, type LogisticFit } from './logistic';
import { checkPairOfSplits, type ProbeSplit } from './probe-input';
import { rowSpace, rowsOf, standardise } from './probe-kernels';

export { type KnnOptions, type KnnResult, knnAccuracy } from './knn';
export { type FitLogisticOptions, fitLogistic, LOGISTIC_DEFAULTS, type LogisticFit } from './logistic';
export type { ProbeSplit } from './probe-input';

/**
 * Version of the probes' arithmetic and protocol. A result cache keyed on the probe's inputs should
 * include it, so that results of an older probe are not reused. 2: fixed-order kernels, λ by CV
 * log-loss with ties to the stronger penalty, tight convergence.
 */
export const PROBE_VERSION = 2;

/** The L2 strengths {@link linearProbe} tries by default (penalty λ/2‖W‖² on the mean cross-entropy). */
export const DEFAULT_L2_GRID: readonly number[] = [1, 0.1, 0.01, 0.001, 0.0001];

/** Defaults of the probe's optimiser and λ choice (see {@link linearProbe}). */
export const PROBE_DEFAULTS = {
  folds: 3,
  ...LOGISTIC_DEFAULTS,
  lossTolerance: 1e-4,
  patience: 2,
  criterion: 'log-loss',
} as const;

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
  /** L-BFGS iterations at most per fit (default 2000). */
  readonly maxIterations?: number;
  /**
   * Stop a fit when the largest gradient entry of the mean objective is ≤ this. Default 1e-4·λ: the
   * objective is λ-strongly convex, so ‖W − W*‖₂ ≤ ‖∇‖₂/λ, and a tolerance proportional to λ bounds
   * the distance to the optimum alike at every λ of the grid.
   */
  readonly gradientTolerance?: number;
  /** Stop a fit when the relative decrease over an iteration is ≤ this (default 1e-13). */
  readonly functionTolerance?: number;
  /**
   * How λ is chosen from the cross-validation: 'log-loss' (default: the smallest mean validation
   * log-loss, a continuous criterion without practical ties) or 'accuracy' (the most validation items
   * right, an integer count that ties often). Either way ties, within `lossTolerance` for the
   * log-loss and exact for the count, go to the largest λ.
   */
  readonly criterion?: 'log-loss' | 'accuracy';
  /**
   * λ's whose mean CV log-loss is within this fraction of the smallest count as tied with it, and the
   * largest tied λ (the strongest penalty) is chosen (default 1e-4: losses equal to four significant
   * digits are a tie).
   */
  readonly lossTolerance?: number;
  /**
   * Stop walking down the grid (towards weaker λ, whose fits are the slowest) once this many
   * successive λ's have a mean CV log-loss above the best so far (default 2; `Infinity` tries
   * every λ). λ's not tried are absent from `cvLogLoss` and `cvAccuracy`.
   */
  readonly patience?: number;
  /**
   * Fit in the row space of the train features (exact; see {@link linearProbe}): 'auto' (default)
   * when D > 2·N_train (below that the factorisation costs about what it saves), or always / never.
   */
  readonly rowSpace?: 'auto' | boolean;
  /**
   * Ignored: kept so that existing callers compile. The probe runs on its own fixed-order kernels
   * so that its result does not depend on the backend.
   */
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
  /** Per test item: the predicted class. */
  readonly predictions: Int32Array;
  /** The selected L2 strength λ. */
  readonly l2: number;
  /** Mean cross-validation log-loss per λ tried (the selection criterion), keyed by `String(λ)`. */
  readonly cvLogLoss: Record<string, number>;
  /** Mean cross-validation accuracy per λ tried (for information), keyed by `String(λ)`. */
  readonly cvAccuracy: Record<string, number>;
  /** True when every fit met a tolerance (none stopped at the iteration limit). */
  readonly converged: boolean;
  /** Wall-clock seconds of the whole probe. */
  readonly seconds: number;
  /** L-BFGS iterations summed over every fit. */
  readonly iterations: number;
  /** Number of classes C (max label + 1 over train and test). */
  readonly classes: number;
  /** Columns the fits ran on: D, or the rank of the train features when fitted in their row space. */
  readonly dims: number;
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
 * The λ chosen from cross-validation losses: the largest λ whose loss is within `tolerance`
 * (relative) of the smallest loss, so near-ties go to the stronger penalty.
 *
 * @param losses - λ → mean CV loss (λ's not tried absent).
 * @param tolerance - relative tie tolerance (≥ 0).
 * @returns the chosen λ.
 * @example
 * ```ts
 * chooseL2({ 1: 0.9, 0.1: 0.50002, 0.01: 0.5 }, 1e-4); // 0.1
 * ```
 */
export function chooseL2(
  losses: ReadonlyMap<number, number> | Record<string, number>,
  tolerance: number,
): number {
  const entries =
    losses instanceof Map ? [...losses] : Object.entries(losses).map(([k, v]) => [Number(k), v] as const);
  let best = Number.POSITIVE_INFINITY;
  for (const [, v] of entries) best = Math.min(best, v);
  const limit = best + tolerance * Math.abs(best);
  let chosen = Number.NEGATIVE_INFINITY;
  for (const [l2, v] of entries) if (v <= limit && l2 > chosen) chosen = l2;
  return chosen;
}

function checkProbeOptions(options: LinearProbeOptions, trainRows: number): { grid: number[]; k: number } {
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
  const k = options.folds ?? PROBE_DEFAULTS.folds;
  if (!Number.isInteger(k) || k < 2 || k > trainRows) {
    throw new EmmsError(
      'INVALID_OPTION',
      `folds is ${k}; give an integer from 2 to the number of train rows (${trainRows})`,
      { input: 'folds' },
    );
  }
  const tol = options.lossTolerance ?? PROBE_DEFAULTS.lossTolerance;
  if (!(tol >= 0) || !Number.isFinite(tol)) {
    throw new EmmsError('INVALID_OPTION', `lossTolerance is ${tol}; give a finite number ≥ 0`, {
      input: 'lossTolerance',
    });
  }
  return { grid, k };
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
 *    train rows ({@link stratifiedFolds}: the j-th row of each class in fold j mod k, no shuffle).
 *    The criterion is the mean validation log-loss over all train rows (each scored by the fit that
 *    did not see it), a continuous number that rarely ties, unlike the accuracy; λ's within
 *    `lossTolerance` (1e-4, relative) of the smallest loss count as tied and the largest of them
 *    wins ({@link chooseL2}). Fits run from the strongest λ to the weakest, each warm-started from
 *    the previous λ's solution of the same fold, and the walk stops once `patience` (2) successive
 *    λ's have a loss above the best so far. (`criterion: 'accuracy'` counts validation items right
 *    instead, ties to the larger λ.) Each fit runs to a tight tolerance: largest gradient entry
 *    ≤ 1e-4·λ (the objective is λ-strongly convex, so this bounds ‖W − W*‖₂ by 1e-4·√(DC)·… at
 *    every λ alike), or a relative decrease ≤ 1e-13; at most 2000 iterations; `converged` says
 *    whether every fit met a tolerance.
 * 4. Refit on all train rows with that λ (warm-started from the mean of the folds' solutions) and
 *    classify the test rows (largest logit, ties to the lower class).
 *
 * Reproducible: every product, sum and factorisation runs on fixed-order kernels in IEEE-754 double
 * precision (probe-kernels.ts), never on a linear-algebra backend, and the optimiser is
 * deterministic; so the same features give bit-identical λ, predictions and accuracy on the js,
 * WebAssembly and OpenBLAS backends, in a worker thread and in the main thread. (Only `Math.exp` and
 * `Math.log` are left to the JavaScript engine; V8 computes them the same way on every platform.)
 * The CV folds use the standardisation of the whole train split. Checked against scikit-learn 1.2's
 * `LogisticRegression` in probe.test.ts (numbers from scripts/probe_reference.py).
 *
 * @param train - `{ x: N×D features, y: N labels }`, at least two classes.
 * @param test - `{ x: M×D features, y: M labels }`, the held-out evaluation items.
 * @param options - {@link LinearProbeOptions}.
 * @returns {@link LinearProbeResult}: `{ accuracy, correct (M), predictions (M), l2, cvLogLoss,
 *   cvAccuracy, converged, seconds, iterations, classes, dims }`.
 * @throws EmmsError `ROW_MISMATCH` (rows ≠ labels, or an empty split), `SHAPE_MISMATCH` (train and
 *   test widths differ), `LABEL_OUT_OF_RANGE` / `LABEL_NOT_INTEGER`, `NON_FINITE`, `SINGLE_CLASS`,
 *   `INVALID_OPTION` (empty or non-positive grid, folds < 2 or more folds than train rows, a
 *   negative loss tolerance).
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
  const { grid, k } = checkProbeOptions(options, train.x.rows);
  const fitOptions = {
    maxIterations: options.maxIterations,
    gradientTolerance: options.gradientTolerance,
    functionTolerance: options.functionTolerance,
    signal: options.signal,
  };
  const y = Int32Array.from(train.y);
  let { train: xs, test: ts } = standardise(train.x, test.x);
  const useRowSpace =
    options.rowSpace === 'auto' || options.rowSpace === undefined ? xs.cols > 2 * xs.rows : options.rowSpace;
  if (useRowSpace) ({ train: xs, test: ts } = rowSpace(xs, ts));

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
  const validated = parts.filter((p) => p.vy.length > 0).length;
  let total = grid.length * k + 1;
  let done = 0;
  let iterations = 0;
  let converged = true;
  const cvLogLoss: Record<string, number> = {};
  const cvAccuracy: Record<string, number> = {};
  // the criterion per λ, smaller is better: the log-loss, or minus the validation items right
  const byAccuracy = (options.criterion ?? PROBE_DEFAULTS.criterion) === 'accuracy';
  const criterion = new Map<number, number>();
  const fitsAt = new Map<number, LogisticFit[]>();
  let bestValue = Number.POSITIVE_INFINITY;
  const patience = options.patience ?? PROBE_DEFAULTS.patience;
  let worse = 0;
  for (const l2 of grid) {
    if (worse >= patience) {
      total = done + 1;
      break;
    }
    let lossSum = 0;
    let accuracySum = 0;
    let hitsSum = 0;
    const fits: LogisticFit[] = [];
    for (const part of parts) {
      const fit = fitLogistic(part.x, part.y, classes, l2, { ...fitOptions, init: part.last });
      part.last = fit;
      fits.push(fit);
      iterations += fit.iterations;
      converged &&= fit.converged;
      if (part.vy.length > 0) {
        const { predictions, logLoss } = evaluateLogistic(part.vx, part.vy, fit);
        let hits = 0;
        for (let i = 0; i < predictions.length; i++) {
          if (predictions[i] === part.vy[i]) hits++;
          lossSum += logLoss[i];
        }
        accuracySum += hits / predictions.length;
        hitsSum += hits;
      }
      options.onProgress?.({ done: ++done, total, stage: 'cv' });
    }
    const loss = lossSum / y.length;
    cvLogLoss[String(l2)] = loss;
    cvAccuracy[String(l2)] = accuracySum / validated;
    const value = byAccuracy ? -hitsSum : loss;
    criterion.set(l2, value);
    fitsAt.set(l2, fits);
    if (value < bestValue) {
      bestValue = value;
      worse = 0;
    } else worse++;
  }
  const best = chooseL2(criterion, byAccuracy ? 0 : (options.lossTolerance ?? PROBE_DEFAULTS.lossTolerance));
  const chosen = fitsAt.get(best)!;
  const init = { weights: new Float64Array(chosen[0].weights.length), bias: new Float64Array(classes) };
  for (const f of chosen) {
    for (let i = 0; i < init.weights.length; i++) init.weights[i] += f.weights[i] / chosen.length;
    for (let i = 0; i < classes; i++) init.bias[i] += f.bias[i] / chosen.length;
  }
  const final = fitLogistic(xs, y, classes, best, { ...fitOptions, init });
  iterations += final.iterations;
  converged &&= final.converged;
  options.onProgress?.({ done: ++done, total, stage: 'final' });
  const { predictions } = evaluateLogistic(ts, test.y, final);
  const correct = new Uint8Array(predictions.length);
  let hits = 0;
  for (let i = 0; i < predictions.length; i++) {
    correct[i] = predictions[i] === test.y[i] ? 1 : 0;
    hits += correct[i];
  }
  return {
    accuracy: hits / predictions.length,
    correct,
    predictions,
    l2: best,
    cvLogLoss,
    cvAccuracy,
    converged,
    seconds: (performance.now() - started) / 1000,
    iterations,
    classes,
    dims: xs.cols,
  };
}
