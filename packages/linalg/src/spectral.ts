import type { Matrix } from '@emms/tensor-io';
import type { Dense, LinalgBackend } from './backend';
import { eighProject as jsEighProject } from './js/eigh';
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
 * reduction); other backends use their eigh and one Vᵀb product. Only the lower triangle of
 * `a` is read.
 */
export function eighProject(a: Dense, b: Matrix, opts: { backend?: LinalgBackend } = {}): EighProjection {
  const backend = opts.backend ?? getBackend();
  if (backend.name === 'js') return jsEighProject(a, b);
  const { values, vectors } = backend.eigh(a);
  return { values, projected: backend.crossProduct(vectors, b) };
}
