import type { Dense, LinalgBackend, PivotedCholeskyResult } from './backend';
import { backSubstitute, forwardSubstitute } from './js/cholesky';
import { pivotedCholesky as jsPivotedCholesky } from './pivoted-cholesky';
import { getBackend } from './registry';

/**
 * Rank-revealing Cholesky of a PSD matrix through `backend` when it has one, else the portable
 * implementation. See {@link PivotedCholeskyResult}.
 *
 * @param tol absolute pivot threshold (default n·ε·max diagonal).
 */
export function pivotedCholesky(
  a: Dense,
  opts: { tol?: number; backend?: LinalgBackend } = {},
): PivotedCholeskyResult {
  const backend = opts.backend ?? getBackend();
  return backend.pivotedCholesky ? backend.pivotedCholesky(a, opts.tol) : jsPivotedCholesky(a, opts.tol);
}

/** Result of {@link normalEquationsSolve}. */
export interface NormalEquationsSolution {
  /** D×M basic solution W: rows of dropped (dependent) columns are zero. */
  readonly solution: Dense;
  /** Numerical rank of the Gram matrix. */
  readonly rank: number;
  /** Indices of the columns of X kept as a basis, in pivot order. */
  readonly basis: Int32Array;
}

/**
 * Least squares X W ≈ T from the normal equations only: given G = XᵀX (D×D) and C = XᵀT (D×M),
 * a rank-revealing Cholesky of G picks independent columns S of X and solves G_SS W_S = C_S.
 * X W is then the orthogonal projection of T onto the column space of X, the same for every
 * least-squares solution (including numpy's minimum-norm lstsq), although W itself is the
 * basic solution, not the minimum-norm one.
 *
 * @param relTol columns whose residual squared norm, after projecting out the columns already
 *   chosen, is ≤ relTol × the largest diagonal of G count as dependent. Default 1e-10.
 */
export function normalEquationsSolve(
  g: Dense,
  c: Dense,
  opts: { relTol?: number; backend?: LinalgBackend } = {},
): NormalEquationsSolution {
  const d = g.rows;
  if (g.cols !== d || c.rows !== d) {
    throw new RangeError(`normalEquationsSolve: G is ${g.rows}×${g.cols}, C is ${c.rows}×${c.cols}`);
  }
  const m = c.cols;
  let maxDiag = 0;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, g.data[i * d + i]);
  const relTol = opts.relTol ?? 1e-10;
  const { factor, perm, rank } = pivotedCholesky(g, { tol: relTol * maxDiag, backend: opts.backend });
  // Right-hand side rows in pivot order, then L11 L11ᵀ W_S = C_S.
  const ws = new Float64Array(rank * m);
  for (let i = 0; i < rank; i++) ws.set(c.data.subarray(perm[i] * m, perm[i] * m + m), i * m);
  forwardSubstitute(factor.data, rank, rank, ws, m);
  backSubstitute(factor.data, rank, rank, ws, m);
  const solution = new Float64Array(d * m);
  for (let i = 0; i < rank; i++) solution.set(ws.subarray(i * m, i * m + m), perm[i] * m);
  return { solution: { rows: d, cols: m, data: solution }, rank, basis: perm.slice(0, rank) };
}

/**
 * Pseudo-inverse of a symmetric matrix through its eigendecomposition: eigenvalues with
 * |λ| ≤ rcond·max|λ| are treated as zero (as numpy.linalg.pinv, whose singular values of a
 * symmetric matrix are the |λ|).
 *
 * @param rcond relative cutoff; default 1e-15 as numpy.linalg.pinv.
 */
export function symmetricPinv(a: Dense, opts: { rcond?: number; backend?: LinalgBackend } = {}): Dense {
  const backend = opts.backend ?? getBackend();
  const n = a.rows;
  const { values, vectors } = backend.eigh(a);
  let maxAbs = 0;
  for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  const cutoff = (opts.rcond ?? 1e-15) * maxAbs;
  const out = new Float64Array(n * n);
  const v = vectors.data;
  const col = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const lambda = values[k];
    if (!(Math.abs(lambda) > cutoff)) continue;
    const inv = 1 / lambda;
    for (let i = 0; i < n; i++) col[i] = v[i * n + k];
    for (let i = 0; i < n; i++) {
      const f = col[i] * inv;
      if (f === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) out[row + j] += f * col[j];
    }
  }
  return { rows: n, cols: n, data: out };
}
