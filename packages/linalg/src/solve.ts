import type { Dense, LinalgBackend, PivotedCholeskyResult } from './backend';
import { assertSquare, assertSystem } from './checks';
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

/**
 * A factorisation of a Gram matrix G = XᵀX (D×D) that solves the normal equations on a basis of
 * independent columns of X. See {@link gramProjector}.
 */
export interface GramProjector {
  /** Numerical rank of G. */
  readonly rank: number;
  /** Indices of the columns of X kept as a basis (all of 0..D−1 when G is full rank). */
  readonly basis: Int32Array;
  /**
   * For C = XᵀT (D×M), the basic least-squares solution W (D×M, zero rows off the basis):
   * X W is the orthogonal projection of T onto the column space of X.
   */
  solve(c: Dense): Dense;
}

/**
 * Factorises a Gram matrix G = XᵀX once for least squares X W ≈ T from the normal equations.
 * It first tries the backend's plain Cholesky; when that fails or some pivot (the squared norm
 * of a column of X after projecting out the columns before it) is ≤ relTol × max diag G, it
 * switches to a rank-revealing Cholesky with diagonal pivoting and keeps only the independent
 * columns. X W is then the projection of T onto col(X), the same for every least-squares
 * solution (numpy's minimum-norm lstsq included); W itself is the basic solution.
 *
 * @param relTol relative pivot threshold, default 1e-10 (columns whose residual norm is below
 *   1e-5 of the largest column norm count as dependent).
 */
export function gramProjector(
  g: Dense,
  opts: { relTol?: number; backend?: LinalgBackend } = {},
): GramProjector {
  const backend = opts.backend ?? getBackend();
  const d = g.rows;
  assertSquare(g, 'g', 'gramProjector');
  let maxDiag = 0;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, g.data[i * d + i]);
  const tol = (opts.relTol ?? 1e-10) * maxDiag;
  const portable = !backend.capabilities.native;
  const check = (c: Dense): void => {
    assertSystem(g, 'g', c, 'c', 'gramProjector.solve');
  };

  const full = maxDiag > 0 ? backend.cholesky(g) : null;
  let fullRank = full !== null;
  if (full) {
    for (let i = 0; i < d; i++) {
      const p = full.data[i * d + i];
      if (!(p * p > tol)) fullRank = false;
    }
  }
  if (full && fullRank) {
    const basis = new Int32Array(d);
    for (let i = 0; i < d; i++) basis[i] = i;
    return {
      rank: d,
      basis,
      solve(c) {
        check(c);
        // Reuse the factor when the backend can; else refactorise in the backend's solver.
        if (backend.solveCholesky) return backend.solveCholesky(full, c);
        if (!portable) return backend.solveSpd(g, c);
        const x = Float64Array.from(c.data);
        forwardSubstitute(full.data, d, d, x, c.cols);
        backSubstitute(full.data, d, d, x, c.cols);
        return { rows: d, cols: c.cols, data: x };
      },
    };
  }

  const { factor, perm, rank } = pivotedCholesky(g, { tol, backend });
  const basis = perm.slice(0, rank);
  // The leading rank×rank block of the factor (rows of the basis) is the Cholesky factor of
  // G's basis block: backends with solveCholesky use it directly.
  const lead: Dense | null =
    backend.solveCholesky && rank > 0
      ? { rows: rank, cols: rank, data: factor.data.subarray(0, rank * rank) }
      : null;
  // Else the basis block of G, for backends that solve faster than the portable substitution.
  let gss: Dense | null = null;
  if (!lead && !portable && rank > 0) {
    const data = new Float64Array(rank * rank);
    for (let i = 0; i < rank; i++)
      for (let j = 0; j < rank; j++) data[i * rank + j] = g.data[basis[i] * d + basis[j]];
    gss = { rows: rank, cols: rank, data };
  }
  return {
    rank,
    basis,
    solve(c) {
      check(c);
      const m = c.cols;
      const ws = new Float64Array(rank * m);
      for (let i = 0; i < rank; i++) ws.set(c.data.subarray(basis[i] * m, basis[i] * m + m), i * m);
      let sol: Float64Array = ws;
      if (lead && backend.solveCholesky) {
        sol = backend.solveCholesky(lead, { rows: rank, cols: m, data: ws }).data;
      } else if (gss) {
        sol = backend.solveSpd(gss, { rows: rank, cols: m, data: ws }).data;
      } else {
        forwardSubstitute(factor.data, rank, rank, ws, m);
        backSubstitute(factor.data, rank, rank, ws, m);
      }
      const out = new Float64Array(d * m);
      for (let i = 0; i < rank; i++) out.set(sol.subarray(i * m, i * m + m), basis[i] * m);
      return { rows: d, cols: m, data: out };
    },
  };
}

/** Result of {@link normalEquationsSolve}. */
export interface NormalEquationsSolution {
  /** D×M basic solution W: rows of dropped (dependent) columns are zero. */
  readonly solution: Dense;
  /** Numerical rank of the Gram matrix. */
  readonly rank: number;
  /** Indices of the columns of X kept as a basis. */
  readonly basis: Int32Array;
}

/**
 * Least squares X W ≈ T from the normal equations only, given G = XᵀX (D×D) and C = XᵀT (D×M):
 * {@link gramProjector} then one solve. X W is the projection of T onto col(X).
 */
export function normalEquationsSolve(
  g: Dense,
  c: Dense,
  opts: { relTol?: number; backend?: LinalgBackend } = {},
): NormalEquationsSolution {
  assertSystem(g, 'g', c, 'c', 'normalEquationsSolve');
  const p = gramProjector(g, opts);
  return { solution: p.solve(c), rank: p.rank, basis: p.basis };
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
