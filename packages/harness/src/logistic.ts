// Multinomial logistic regression on fixed-order kernels: the fit behind the linear probe.
import type { LinalgBackend } from '@emms/linalg';
import { minimizeLbfgs } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { type Dense, dense, timesTransposed, transposed } from './probe-kernels';

/** Defaults of the logistic fit (see {@link fitLogistic}). */
export const LOGISTIC_DEFAULTS = {
  maxIterations: 2000,
  /** A fit stops when the largest gradient entry is ≤ this × λ. */
  relativeGradientTolerance: 1e-4,
  functionTolerance: 1e-13,
} as const;

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
  /** L-BFGS iterations at most (default 2000). */
  readonly maxIterations?: number;
  /** Stop when the largest gradient entry is ≤ this (default 1e-4·λ). */
  readonly gradientTolerance?: number;
  /** Stop when the relative decrease over an iteration is ≤ this (default 1e-13). */
  readonly functionTolerance?: number;
  /** Ignored (the fit runs on fixed-order kernels); kept so that existing callers compile. */
  readonly backend?: LinalgBackend;
  readonly signal?: AbortSignal;
}

/** Logits X·W + b (N×C) of a fit, with fixed-order sums. */
function logits(x: Dense, fit: { weights: Float64Array; bias: Float64Array }): Float64Array {
  const c = fit.bias.length;
  const z = timesTransposed(x, transposed(dense(fit.weights, x.cols, c))).data;
  for (let i = 0; i < x.rows; i++) for (let k = 0; k < c; k++) z[i * c + k] += fit.bias[k];
  return z;
}

/** Per row: the predicted class (largest logit, ties to the lower class) and −log p(y). */
export function evaluateLogistic(
  x: Dense,
  y: ArrayLike<number>,
  fit: { weights: Float64Array; bias: Float64Array },
): { predictions: Int32Array; logLoss: Float64Array } {
  const c = fit.bias.length;
  const z = logits(x, fit);
  const predictions = new Int32Array(x.rows);
  const logLoss = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const o = i * c;
    let best = 0;
    for (let k = 1; k < c; k++) if (z[o + k] > z[o + best]) best = k;
    predictions[i] = best;
    let sum = 0;
    for (let k = 0; k < c; k++) sum += Math.exp(z[o + k] - z[o + best]);
    logLoss[i] = z[o + best] + Math.log(sum) - z[o + y[i]];
  }
  return { predictions, logLoss };
}

/**
 * Fits a multinomial logistic regression with an L2 penalty on the weights (not the intercepts)
 * by minimising mean_i −log softmax(x_i W + b)[y_i] + λ/2‖W‖²_F with `minimizeLbfgs`. X·W and
 * Xᵀ·G run on fixed-order kernels (every sum in ascending index order), so the fit is bit-identical
 * on every machine running the same JavaScript engine. The features are used as given (the probe
 * standardises them first). Equivalent to scikit-learn's `LogisticRegression(C=1/(λ·N))`
 * (multinomial, lbfgs).
 *
 * @param x - N×D float64 features.
 * @param y - N labels in [0, classes).
 * @param classes - number of classes C.
 * @param l2 - λ > 0.
 * @param options - {@link FitLogisticOptions} (warm start, tolerances).
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
  const n = x.rows;
  const d = x.cols;
  const c = classes;
  const dc = d * c;
  const xt = transposed(x);
  const wt = new Float64Array(c * d);
  const gt = new Float64Array(c * n);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    for (let j = 0; j < d; j++) for (let k = 0; k < c; k++) wt[k * d + j] = theta[j * c + k];
    const z = timesTransposed(x, dense(wt, c, d)).data;
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
      for (let k = 0; k < c; k++) gt[k * n + i] = Math.exp(z[o + k] - lse) / n;
      gt[y[i] * n + i] -= 1 / n;
    }
    const gw = timesTransposed(xt, dense(gt, c, n)).data; // D×C
    let penalty = 0;
    for (let k = 0; k < dc; k++) {
      penalty += theta[k] * theta[k];
      grad[k] = gw[k] + l2 * theta[k];
    }
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += gt[k * n + i];
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
    maxIterations: options.maxIterations ?? LOGISTIC_DEFAULTS.maxIterations,
    gradientTolerance: options.gradientTolerance ?? LOGISTIC_DEFAULTS.relativeGradientTolerance * l2,
    functionTolerance: options.functionTolerance ?? LOGISTIC_DEFAULTS.functionTolerance,
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
