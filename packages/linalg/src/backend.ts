import type { Matrix } from '@emms/tensor-io';

/** A dense square or rectangular float64 result, row-major. */
export type Dense = Matrix<Float64Array>;

/** Result of a symmetric eigendecomposition. */
export interface EighResult {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** n×n row-major; column j is the unit eigenvector of values[j]. */
  readonly vectors: Dense;
}

/**
 * The few dense kernels the scores need. A backend implements all of them; the scores call
 * them through {@link getBackend} and never know which backend answered.
 *
 * Inputs may be float32 or float64; results are float64. Inputs are never modified.
 */
export interface LinalgBackend {
  /** Short name reported in outputs, e.g. "js" or "openblas". */
  readonly name: string;
  /** AᵀA (a.cols × a.cols), accumulated in float64. */
  gram(a: Matrix): Dense;
  /** AᵀB (a.cols × b.cols); a and b have the same rows. */
  crossProduct(a: Matrix, b: Matrix): Dense;
  /** AB (a.rows × b.cols). */
  matmul(a: Matrix, b: Matrix): Dense;
  /** Symmetric eigendecomposition of a (only the lower triangle need be read). */
  eigh(a: Dense): EighResult;
  /**
   * Lower Cholesky factor L with LLᵀ = a, or null when a is not (numerically) positive definite.
   */
  cholesky(a: Dense): Dense | null;
  /** Solves a X = b for symmetric positive definite a; throws when a is not positive definite. */
  solveSpd(a: Dense, b: Dense): Dense;
  /**
   * Optional: out += AᵀB, with out row-major a.cols × b.cols. Lets a caller sum cross products
   * over row blocks without a temporary per block. Callers fall back to {@link crossProduct}
   * plus a sum when a backend leaves it out.
   */
  crossProductInto?(a: Matrix, b: Matrix, out: Float64Array): void;
  /**
   * Optional: solves L Lᵀ X = B given the lower Cholesky factor L (n×n, as {@link cholesky}
   * returns it; only the lower triangle is read) and B (n×m). Saves factorising again after
   * {@link cholesky}; callers fall back to {@link solveSpd} or substitution when absent.
   */
  solveCholesky?(l: Dense, b: Dense): Dense;
  /**
   * Optional: rank-revealing Cholesky with diagonal pivoting (LAPACK dpstrf). Backends that
   * leave it out get the portable implementation through {@link pivotedCholesky}.
   */
  pivotedCholesky?(a: Dense, tol?: number): PivotedCholeskyResult;
}

/** Result of a rank-revealing (pivoted) Cholesky factorisation of a PSD matrix a (n×n). */
export interface PivotedCholeskyResult {
  /**
   * n×rank lower-trapezoidal factor L: a[perm, perm] ≈ L Lᵀ, row i of L belongs to index
   * perm[i]; the leading rank×rank block is lower triangular with a positive diagonal.
   */
  readonly factor: Dense;
  /** Pivot order: perm[0..rank-1] are the independent indices, in the order chosen. */
  readonly perm: Int32Array;
  /** Numerical rank: the number of pivots above the tolerance. */
  readonly rank: number;
}
