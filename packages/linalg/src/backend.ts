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
  /**
   * What the backend can do beyond the required kernels. Callers consult these (never the
   * backend's name) to pick a code path.
   */
  readonly capabilities: BackendCapabilities;
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
  /**
   * Optional: eigenvalues (ascending) of the symmetric `a` (n×n) and Vᵀb (n×m) for its unit
   * eigenvectors V, without necessarily forming V. Callers fall back to {@link eigh} and one
   * {@link crossProduct} when absent.
   */
  eighProject?(a: Dense, b: Matrix): { values: Float64Array; projected: Dense };
  /**
   * Optional: out += AᵀA for a float32 `a`, the product with float32 multiplies and sums (BLAS
   * ssyrk), added to the float64 `out` (a.cols × a.cols, row-major, kept symmetric). About twice
   * as fast as {@link gram} on a CPU, with float32 rounding (relative error about 1e-7 times the
   * growth over a.rows terms): callers pass row blocks of a few thousand rows, summed in float64
   * by `out`. UNSUPPORTED_DTYPE when `a` is not float32.
   */
  gramIntoF32?(a: Matrix<Float32Array>, out: Float64Array): void;
  /**
   * Optional: out += AᵀB for float32 `a` and `b` with float32 products and sums (BLAS sgemm); the
   * block's result is added to the float64 `out` (a.cols × b.cols). Same precision notes as
   * {@link gramIntoF32}.
   */
  crossProductIntoF32?(a: Matrix<Float32Array>, b: Matrix<Float32Array>, out: Float64Array): void;
  /** Optional: AB for float32 `a` and `b`, computed and returned in float32 (BLAS sgemm). */
  matmulF32?(a: Matrix<Float32Array>, b: Matrix<Float32Array>): Matrix<Float32Array>;
}

/** Names of the optional kernels of {@link LinalgBackend}. */
export type OptionalKernel =
  | 'crossProductInto'
  | 'solveCholesky'
  | 'pivotedCholesky'
  | 'eighProject'
  | 'gramIntoF32'
  | 'crossProductIntoF32'
  | 'matmulF32';

/** The optional kernels, in the order {@link kernelsOf} reports them. */
export const OPTIONAL_KERNELS: readonly OptionalKernel[] = [
  'crossProductInto',
  'solveCholesky',
  'pivotedCholesky',
  'eighProject',
  'gramIntoF32',
  'crossProductIntoF32',
  'matmulF32',
];

/** What a backend declares about itself; see {@link LinalgBackend.capabilities}. */
export interface BackendCapabilities {
  /** The optional kernels implemented (the conformance suite checks this against the methods present). */
  readonly kernels: readonly OptionalKernel[];
  /**
   * True when the kernels run compiled native code (BLAS/LAPACK, a GPU): refactorising with its
   * `solveSpd` then beats the portable triangular substitution, so callers prefer it.
   */
  readonly native: boolean;
  /** True when float32 inputs are read as they are (widened internally, block by block), with no copy needed by the caller. */
  readonly float32Input: boolean;
  /** Threads the kernels may use now (1 for single-threaded backends). */
  readonly threads: number;
  /** True when the backend runs without Node built-ins (in a browser). */
  readonly browser: boolean;
}

/**
 * The optional kernels `backend` implements, read from the object itself (a backend can build
 * its `capabilities.kernels` with it).
 *
 * @example
 * ```ts
 * kernelsOf(jsBackend); // ['crossProductInto', 'solveCholesky', 'eighProject']
 * ```
 */
export function kernelsOf(backend: LinalgBackend): OptionalKernel[] {
  return OPTIONAL_KERNELS.filter((k) => typeof backend[k] === 'function');
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
