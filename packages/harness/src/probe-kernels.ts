// Fixed-order dense kernels of the probes. The ground truth must be bit-identical on every linear-algebra
// backend, executor and run, so the probes do not use @emms/linalg's backends (whose blocking, threading
// and fused multiply-adds change the rounding): every sum here runs over one index in ascending order,
// with one accumulator, in IEEE-754 double precision, which JavaScript evaluates exactly as written.
import type { Matrix } from '@emms/tensor-io';

/** A dense float64 row-major matrix. */
export type Dense = Matrix<Float64Array>;

/** Wraps a float64 array as a rows×cols matrix (no copy). */
export function dense(data: Float64Array, rows: number, cols: number): Dense {
  return { rows, cols, data };
}

/** Aᵀ as a new matrix. */
export function transposed(a: Matrix): Dense {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return dense(out, a.cols, a.rows);
}

/**
 * Σ_k a[ao + k]·b[bo + k] for k = 0..len−1: four partial sums over k ≡ 0, 1, 2, 3 (mod 4), each in
 * ascending k, combined as (s0 + s1) + (s2 + s3), then the remaining terms in ascending k. A fixed
 * order (the same on every machine), unrolled for speed.
 */
export function dotAt(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = len - (len % 4);
  let k = 0;
  for (; k < end; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  let s = s0 + s1 + (s2 + s3);
  for (; k < len; k++) s += a[ao + k] * b[bo + k];
  return s;
}

/**
 * A·Bᵀ for A (m×k) and B (n×k) given row-major: out[i, j] = Σ_t a[i, t]·b[j, t], t ascending.
 * Used for X·W (with B = Wᵀ), Xᵀ·G (with A = Xᵀ, B = Gᵀ), Gram matrices and cross products.
 */
export function timesTransposed(a: Dense, b: Dense): Dense {
  const m = a.rows;
  const n = b.rows;
  const k = a.cols;
  if (b.cols !== k) throw new RangeError(`timesTransposed: A has ${k} columns, B has ${b.cols}`);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = dotAt(a.data, i * k, b.data, j * k, k);
  return dense(out, m, n);
}

/** Result of {@link pivotedCholeskyFixed}. */
export interface FixedCholesky {
  /** n×rank factor, row i belongs to original index perm[i]. */
  readonly factor: Dense;
  /** Pivot order. */
  readonly perm: Int32Array;
  /** Number of pivots taken. */
  readonly rank: number;
}

/**
 * Rank-revealing Cholesky with diagonal pivoting of a symmetric positive semi-definite n×n matrix
 * (as LAPACK dpstrf, in a fixed order): each step pivots on the largest remaining diagonal (the
 * first such on a tie) and stops when it is ≤ `tol`. a[perm, perm] ≈ L Lᵀ.
 */
export function pivotedCholeskyFixed(a: Dense, tol: number): FixedCholesky {
  const n = a.rows;
  const src = a.data;
  const residual = Float64Array.from({ length: n }, (_, i) => src[i * n + i]);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const l = new Float64Array(n * n);
  let rank = 0;
  for (let s = 0; s < n; s++) {
    let best = s;
    for (let i = s + 1; i < n; i++) if (residual[perm[i]] > residual[perm[best]]) best = i;
    const pivot = residual[perm[best]];
    if (!(pivot > tol)) break;
    if (best !== s) {
      const t = perm[s];
      perm[s] = perm[best];
      perm[best] = t;
      for (let k = 0; k < s; k++) {
        const x = l[s * n + k];
        l[s * n + k] = l[best * n + k];
        l[best * n + k] = x;
      }
    }
    const ps = perm[s];
    const diag = Math.sqrt(pivot);
    l[s * n + s] = diag;
    for (let i = s + 1; i < n; i++) {
      const v = (src[perm[i] * n + ps] - dotAt(l, i * n, l, s * n, s)) / diag;
      l[i * n + s] = v;
      residual[perm[i]] -= v * v;
    }
    rank = s + 1;
  }
  const factor = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < Math.min(i + 1, rank); k++) factor[i * rank + k] = l[i * n + k];
  }
  return { factor: dense(factor, n, rank), perm, rank };
}

/**
 * Train-statistics standardisation (v − mean)/(std + 1e-8), population std, of train and test, as
 * float64 (sums in row order).
 */
export function standardise(train: Matrix, test: Matrix): { train: Dense; test: Dense } {
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

/**
 * Coordinates of train and test rows in an orthonormal basis of the train rows' span, from a
 * rank-revealing Cholesky factorisation of K = X_train X_trainᵀ (pivots below 1e-10 × the largest
 * diagonal entry end it: the train rows have no extent left there). With K[p, p] ≈ L Lᵀ (L n×r), the
 * rows of L are the train rows' coordinates in the basis Q = X_pᵀ L_rᵀ⁻¹ (X_p the first r pivot rows,
 * L_r the leading r×r block), and a test row's coordinates are Qᵀx = L_r⁻¹ X_p x. Inner products
 * between train rows are kept, so a fit whose loss depends on X·W only and whose penalty is
 * rotation-invariant is the same up to a rotation of W, and so are its predictions.
 */
export function rowSpace(train: Dense, test: Dense): { train: Dense; test: Dense } {
  const n = train.rows;
  const gram = timesTransposed(train, train);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, gram.data[i * n + i]);
  const { factor, perm, rank: r } = pivotedCholeskyFixed(gram, 1e-10 * maxDiag);
  const fc = factor.cols;
  const f = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < r; c++) f[perm[i] * r + c] = factor.data[i * fc + c];
  }
  // L_r⁻¹ (lower triangular) by forward substitution, one column at a time; inv[i, j] = (L_r⁻¹)[i, j]
  const inv = new Float64Array(r * r);
  const col = new Float64Array(r);
  for (let j = 0; j < r; j++) {
    col.fill(0);
    col[j] = 1 / factor.data[j * fc + j];
    for (let i = j + 1; i < r; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += factor.data[i * fc + k] * col[k];
      col[i] = -s / factor.data[i * fc + i];
    }
    for (let i = j; i < r; i++) inv[i * r + j] = col[i];
  }
  const cross = timesTransposed(test, train).data; // m×n: test rows · train rows
  const m = test.rows;
  const picked = new Float64Array(m * r);
  for (let t = 0; t < m; t++) for (let c = 0; c < r; c++) picked[t * r + c] = cross[t * n + perm[c]];
  // test coordinates: picked · (L_r⁻¹)ᵀ, i.e. rows of picked times rows of L_r⁻¹
  return { train: dense(f, n, r), test: timesTransposed(dense(picked, m, r), dense(inv, r, r)) };
}

/** The given rows of a matrix, in the given order. */
export function rowsOf(m: Dense, rows: ArrayLike<number>): Dense {
  const out = new Float64Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++)
    out.set(m.data.subarray(rows[i] * m.cols, (rows[i] + 1) * m.cols), i * m.cols);
  return dense(out, rows.length, m.cols);
}

/**
 * Solves A·X = B for a symmetric positive definite A (n×n) and B (n×m) by a Cholesky factorisation
 * A = L Lᵀ (fixed order), then forward and back substitution. Returns null when A is not numerically
 * positive definite (a pivot ≤ 0).
 */
export function choleskySolve(a: Dense, b: Dense): Dense | null {
  const n = a.rows;
  const m = b.cols;
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const d = a.data[j * n + j] - dotAt(l, j * n, l, j * n, j);
    if (!(d > 0)) return null;
    const diag = Math.sqrt(d);
    l[j * n + j] = diag;
    for (let i = j + 1; i < n; i++) l[i * n + j] = (a.data[i * n + j] - dotAt(l, i * n, l, j * n, j)) / diag;
  }
  // columns of B as rows of Bᵀ, solved one at a time
  const bt = transposed(b).data;
  const z = new Float64Array(n);
  for (let c = 0; c < m; c++) {
    const o = c * n;
    for (let i = 0; i < n; i++) z[i] = (bt[o + i] - dotAt(l, i * n, z, 0, i)) / l[i * n + i];
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * bt[o + k];
      bt[o + i] = s / l[i * n + i];
    }
  }
  return transposed(dense(bt, m, n));
}
