import type { Dense } from '../backend';
import { assertSquare } from '../checks';
import { gemmNT } from './gemm';

/** Block size of the blocked factorisation and substitutions. */
const NB = 32;

/**
 * Lower Cholesky factor of a symmetric matrix (lower triangle read), row-major. Left-looking
 * and blocked: each block column is first updated with one tiled product against the factor
 * already computed, then factored with plain loops. Returns null when a pivot is not positive
 * (the matrix is not positive definite), which is LAPACK dpotrf's test.
 */
export function cholesky(a: Dense): Dense | null {
  const n = a.rows;
  assertSquare(a, 'a', 'cholesky');
  const src = a.data;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) l[i * n + j] = src[i * n + j];
  }
  for (let i0 = 0; i0 < n; i0 += NB) {
    const i1 = Math.min(n, i0 + NB);
    const w = i1 - i0;
    // A[i0.., I] -= L[i0.., 0:i0] · L[I, 0:i0]ᵀ (also fills the unused upper part of the
    // diagonal block, cleared below).
    if (i0 > 0) gemmNT(-1, l, i0 * n, n, l, i0 * n, n, n - i0, w, i0, l, i0 * n + i0, n);
    // Diagonal block.
    for (let i = i0; i < i1; i++) {
      const ri = i * n;
      for (let j = i0; j <= i; j++) {
        const rj = j * n;
        let s = l[ri + j];
        for (let k = i0; k < j; k++) s -= l[ri + k] * l[rj + k];
        if (i === j) {
          if (!(s > 0)) return null;
          l[ri + i] = Math.sqrt(s);
        } else {
          l[ri + j] = s / l[rj + j];
        }
      }
      for (let j = i + 1; j < i1; j++) l[ri + j] = 0;
    }
    // Rows below the block.
    for (let r = i1; r < n; r++) {
      const rr = r * n;
      for (let j = i0; j < i1; j++) {
        const rj = j * n;
        let s = l[rr + j];
        for (let k = i0; k < j; k++) s -= l[rr + k] * l[rj + k];
        l[rr + j] = s / l[rj + j];
      }
    }
  }
  return { rows: n, cols: n, data: l };
}

/**
 * One row of a blocked substitution on b (rows of length m): row i -= Σ_{k0 ≤ k < k1} t[ti + k] ·
 * row k, then row i /= t[ti + i], and the solved row is also stored transposed in st (row length r).
 */
function substituteRow(
  t: Float64Array,
  ti: number,
  k0: number,
  k1: number,
  i: number,
  b: Float64Array,
  m: number,
  st: Float64Array,
  r: number,
): void {
  const bi = i * m;
  for (let k = k0; k < k1; k++) {
    const f = t[ti + k];
    if (f === 0) continue;
    const bk = k * m;
    for (let j = 0; j < m; j++) b[bi + j] -= f * b[bk + j];
  }
  const inv = 1 / t[ti + i];
  for (let j = 0; j < m; j++) {
    b[bi + j] *= inv;
    st[j * r + i] = b[bi + j];
  }
}

/**
 * Solves L Y = B in place on b (r×m row-major), L the lower-triangular leading r×r block of l
 * (row length ldl). Blocked: a tiled product against the rows already solved, then plain
 * substitution inside each block.
 */
export function forwardSubstitute(l: Float64Array, ldl: number, r: number, b: Float64Array, m: number): void {
  const yt = new Float64Array(m * r); // solved rows, transposed
  for (let i0 = 0; i0 < r; i0 += NB) {
    const i1 = Math.min(r, i0 + NB);
    if (i0 > 0) gemmNT(-1, l, i0 * ldl, ldl, yt, 0, r, i1 - i0, m, i0, b, i0 * m, m);
    for (let i = i0; i < i1; i++) substituteRow(l, i * ldl, i0, i, i, b, m, yt, r);
  }
}

/** Solves Lᵀ X = Y in place on b, for the same lower-triangular block as above. */
export function backSubstitute(l: Float64Array, ldl: number, r: number, b: Float64Array, m: number): void {
  const lt = new Float64Array(r * r); // Lᵀ, so rows of the upper factor are contiguous
  for (let i = 0; i < r; i++) for (let k = 0; k <= i; k++) lt[k * r + i] = l[i * ldl + k];
  const xt = new Float64Array(m * r);
  const lastStart = Math.floor((r - 1) / NB) * NB;
  for (let i0 = lastStart; i0 >= 0; i0 -= NB) {
    const i1 = Math.min(r, i0 + NB);
    if (i1 < r) gemmNT(-1, lt, i0 * r + i1, r, xt, i1, r, i1 - i0, m, r - i1, b, i0 * m, m);
    for (let i = i1 - 1; i >= i0; i--) substituteRow(lt, i * r, i + 1, i1, i, b, m, xt, r);
  }
}
