import type { Dense, PivotedCholeskyResult } from './backend';
import { assertSquare } from './checks';

/**
 * Rank-revealing Cholesky with complete (diagonal) pivoting of a symmetric positive
 * semi-definite matrix, as LAPACK dpstrf: at each step the largest remaining diagonal is the
 * pivot; it stops when that diagonal is ≤ `tol` (absolute). a[perm, perm] ≈ L Lᵀ where L is the
 * returned n×rank lower-trapezoidal factor whose row i belongs to original index perm[i].
 * Only the lower triangle of `a` is read. Costs about n·rank²/2 multiply-adds.
 *
 * @param tol absolute pivot threshold; default n·ε·max diag (LAPACK's default).
 */
export function pivotedCholesky(a: Dense, tol?: number): PivotedCholeskyResult {
  const n = a.rows;
  assertSquare(a, 'a', 'pivotedCholesky');
  const src = a.data;
  const at = (i: number, j: number): number => (i >= j ? src[i * n + j] : src[j * n + i]);
  const residual = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    residual[i] = src[i * n + i];
    if (residual[i] > maxDiag) maxDiag = residual[i];
  }
  const threshold = tol ?? n * 2 ** -52 * maxDiag;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  // rows[i] holds the factor row of the index currently at position i (length n, first `step` used).
  const l = new Float64Array(n * n);
  let rank = 0;
  for (let s = 0; s < n; s++) {
    let best = s;
    for (let i = s + 1; i < n; i++) if (residual[perm[i]] > residual[perm[best]]) best = i;
    const pivotValue = residual[perm[best]];
    if (!(pivotValue > threshold)) break;
    if (best !== s) {
      const t = perm[s];
      perm[s] = perm[best];
      perm[best] = t;
      // Swap the already computed factor rows so row position follows perm.
      const rs = s * n;
      const rb = best * n;
      for (let k = 0; k < s; k++) {
        const x = l[rs + k];
        l[rs + k] = l[rb + k];
        l[rb + k] = x;
      }
    }
    const ps = perm[s];
    const diag = Math.sqrt(pivotValue);
    const rs = s * n;
    l[rs + s] = diag;
    const inv = 1 / diag;
    for (let i = s + 1; i < n; i++) {
      const ri = i * n;
      let v = at(perm[i], ps);
      for (let k = 0; k < s; k++) v -= l[ri + k] * l[rs + k];
      v *= inv;
      l[ri + s] = v;
      residual[perm[i]] -= v * v;
    }
    rank = s + 1;
  }
  const factor = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) {
    const width = Math.min(i + 1, rank);
    for (let k = 0; k < width; k++) factor[i * rank + k] = l[i * n + k];
  }
  return { factor: { rows: n, cols: rank, data: factor }, perm, rank };
}
