import { type Dense, type LinalgBackend, symmetricPinv } from '@emms/linalg';
import { sparsemax } from '../../sparsemax';
import { matVec } from '../../util';

// The F-label weights: the published one-step update (sparsemax of the least-squares weights) and
// the simplex-constrained least squares of the 'converge' mode.

/**
 * argmin over the probability simplex of λᵀGλ − 2bᵀλ (G the K×K Gram of the F-labels): projected
 * gradient with step 1/trace(G) and sparsemax as the projection, to machine precision.
 */
export function simplexLeastSquares(g: Float64Array, b: Float64Array, k: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += g[i * k + i];
  let lambda: Float64Array = new Float64Array(k).fill(1 / k);
  if (!(trace > 0)) return lambda;
  const step = 1 / trace;
  const next = new Float64Array(k);
  for (let it = 0; it < 200_000; it++) {
    for (let i = 0; i < k; i++) {
      let grad = -b[i];
      for (let j = 0; j < k; j++) grad += g[i * k + j] * lambda[j];
      next[i] = lambda[i] - step * grad;
    }
    const projected = sparsemax(next);
    let change = 0;
    for (let i = 0; i < k; i++) change = Math.max(change, Math.abs(projected[i] - lambda[i]));
    lambda = projected;
    if (change <= 1e-15) break;
  }
  return lambda;
}

/** uᵀ M v for a K×K row-major M. */
export function quad(m: Float64Array, k: number, u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += u[i] * m[i * k + j] * v[j];
  return s;
}

/** Result of {@link fitWeights}. */
export interface WeightFit {
  readonly lambda: Float64Array;
  readonly raw: Float64Array;
  readonly residual: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * The weight updates from the K×K products either route gives: `yg` = ⟨Yp, Yq⟩ and `m` =
 * ⟨Yp, P_X Yq⟩. One step (published) or alternating until max|Δλ| ≤ `tolerance`; returns the weights
 * and the residual ‖Π − T‖² of the last step (0 below its rounding error).
 */
export function fitWeights(
  yg: Float64Array,
  m: Float64Array,
  settings: {
    k: number;
    n: number;
    l: number;
    mode: 'one-step' | 'converge';
    maxRefits: number;
    tolerance: number;
    lambda0: Float64Array;
    backend: LinalgBackend;
  },
): WeightFit {
  const { k, n, l, mode, lambda0, backend } = settings;
  const eps = 2 ** -52;
  const ygm: Dense = { rows: k, cols: k, data: yg };
  // Minimum-norm weights as numpy's lstsq on the NL×K matrix: its singular values are √eig(YG).
  const rcond = Math.max((eps * Math.max(n * l, k)) ** 2, 10 * k * eps);
  const ygPinv = symmetricPinv(ygm, { rcond, backend });

  const maxRefits = mode === 'converge' ? settings.maxRefits : 1;
  const tolerance = settings.tolerance;
  let prev: Float64Array = lambda0;
  let lambda: Float64Array = lambda0;
  let raw: Float64Array = lambda0;
  let residual = 0;
  let iterations = 0;
  let converged = false;
  for (let t = 0; t < maxRefits; t++) {
    iterations++;
    // b_p = ⟨Y_p, Π⟩ with Π = P_X T_prev.
    const b = matVec({ rows: k, cols: k, data: m }, prev);
    // Unconstrained least-squares weights G λ' = b, minimum-norm when G is singular.
    raw = matVec(ygPinv, b);
    // Published step: sparsemax of the unconstrained weights. Converge mode: the exact
    // simplex-constrained least squares, so that every half-step lowers ‖X W − T‖².
    lambda = mode === 'one-step' ? sparsemax(raw) : simplexLeastSquares(yg, b, k);
    // ‖Π − T‖² = ‖Π‖² − 2⟨T, Π⟩ + ‖T‖² with T = Σ λ_k Y_k.
    const pp = quad(m, k, prev, prev);
    let tp = 0;
    for (let p = 0; p < k; p++) tp += lambda[p] * b[p];
    const tt = quad(yg, k, lambda, lambda);
    residual = pp - 2 * tp + tt;
    // Below the rounding error of that sum the residual is indistinguishable from zero (e.g.
    // N ≤ D, where Π = T exactly): report 0 rather than noise of either sign.
    if (residual <= 64 * eps * (Math.abs(pp) + 2 * Math.abs(tp) + Math.abs(tt))) residual = 0;
    let delta = 0;
    for (let p = 0; p < k; p++) delta = Math.max(delta, Math.abs(lambda[p] - prev[p]));
    prev = lambda;
    if (delta <= tolerance) {
      converged = true;
      break;
    }
  }
  return { lambda, raw, residual, iterations, converged };
}
