import type { Dense } from '../backend';

/**
 * Lower Cholesky factor of a symmetric matrix (lower triangle read), row-major, by row-wise dot
 * products. Returns null when a pivot is not positive (the matrix is not positive definite),
 * which is LAPACK dpotrf's test.
 */
export function cholesky(a: Dense): Dense | null {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`cholesky: matrix must be square, got ${a.rows}×${a.cols}`);
  const src = a.data;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = src[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j];
      }
    }
  }
  return { rows: n, cols: n, data: l };
}

/**
 * Solves L Y = B in place on the rows of b (n×m row-major) for the lower-triangular leading
 * r×r block of l (row length ldl); rows r..n-1 of b are left alone.
 */
export function forwardSubstitute(l: Float64Array, ldl: number, r: number, b: Float64Array, m: number): void {
  for (let i = 0; i < r; i++) {
    const bi = i * m;
    const li = i * ldl;
    for (let k = 0; k < i; k++) {
      const f = l[li + k];
      if (f === 0) continue;
      const bk = k * m;
      for (let j = 0; j < m; j++) b[bi + j] -= f * b[bk + j];
    }
    const inv = 1 / l[li + i];
    for (let j = 0; j < m; j++) b[bi + j] *= inv;
  }
}

/** Solves Lᵀ X = Y in place on the rows of b, for the same lower-triangular block as above. */
export function backSubstitute(l: Float64Array, ldl: number, r: number, b: Float64Array, m: number): void {
  for (let i = r - 1; i >= 0; i--) {
    const bi = i * m;
    const inv = 1 / l[i * ldl + i];
    for (let j = 0; j < m; j++) b[bi + j] *= inv;
    // Row i of X is final: remove its contribution from the rows above (column i of L below k).
    for (let k = 0; k < i; k++) {
      const f = l[i * ldl + k];
      if (f === 0) continue;
      const bk = k * m;
      for (let j = 0; j < m; j++) b[bk + j] -= f * b[bi + j];
    }
  }
}

/** Solves a X = b for symmetric positive definite a; throws when a is not positive definite. */
export function solveSpd(a: Dense, b: Dense): Dense {
  if (b.rows !== a.rows) {
    throw new RangeError(`solveSpd: a is ${a.rows}×${a.cols} but b has ${b.rows} rows`);
  }
  const l = cholesky(a);
  if (!l) throw new RangeError('solveSpd: matrix is not positive definite');
  const x = Float64Array.from(b.data);
  forwardSubstitute(l.data, a.rows, a.rows, x, b.cols);
  backSubstitute(l.data, a.rows, a.rows, x, b.cols);
  return { rows: b.rows, cols: b.cols, data: x };
}
