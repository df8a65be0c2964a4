import type { Matrix } from '@emms/tensor-io';
import type { Dense, LinalgBackend } from './backend';
import { assertSystem } from './checks';
import { getBackend } from './registry';

/** Result of {@link eighProject}. */
export interface EighProjection {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** n×m: Vᵀ b, row j belonging to values[j] (V the unit eigenvectors as columns). */
  readonly projected: Dense;
}

/**
 * Eigenvalues of a symmetric matrix `a` and the projections Vᵀ b of the columns of `b` on its
 * eigenvectors, for callers that need only those (LogME). The portable backend never forms V
 * (reflectors and rotations act on b's m columns, O(n²·m) instead of O(n³) beyond the
 * reduction); backends without an `eighProject` kernel use their eigh and one Vᵀb product. Only
 * the lower triangle of `a` is read.
 *
 * @param a n×n symmetric matrix.
 * @param b n×m matrix whose columns are projected.
 * @returns values (n, ascending) and projected (n×m).
 * @throws EmmsError SHAPE_MISMATCH when a is not square or b has not n rows; NON_FINITE when a
 *   holds NaN or ±Infinity.
 * @example
 * ```ts
 * const a = { rows: 2, cols: 2, data: Float64Array.of(2, 0, 0, 1) };
 * const { values, projected } = eighProject(a, { rows: 2, cols: 1, data: Float64Array.of(3, 4) });
 * // values [1, 2]; projected ±[4, 3]
 * ```
 */
export function eighProject(a: Dense, b: Matrix, opts: { backend?: LinalgBackend } = {}): EighProjection {
  const backend = opts.backend ?? getBackend();
  if (backend.eighProject) return backend.eighProject(a, b);
  assertSystem(a, 'a', b, 'b', 'eighProject');
  const { values, vectors } = backend.eigh(a);
  return { values, projected: backend.crossProduct(vectors, b) };
}
