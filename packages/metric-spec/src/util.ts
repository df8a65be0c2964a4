import type { Dense } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';

export { seededRandom } from '@emms/tensor-io';

/**
 * A float64 copy of `m` (always a fresh array, safe to modify).
 *
 * @param m - any N×D matrix (float32 or float64 data).
 * @returns an N×D float64 matrix that shares nothing with `m`.
 * @example
 * ```ts
 * const d = toDense({ rows: 1, cols: 2, data: new Float32Array([1, 2]) });
 * console.assert(d.data instanceof Float64Array && d.data[1] === 2);
 * ```
 */
export function toDense(m: Matrix): Dense {
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

/**
 * Throws the signal's reason (or an `Error('aborted')`) when `signal` has been aborted; metrics call
 * it between major steps.
 *
 * @param signal - the run's abort signal, if any.
 * @throws the signal's reason when aborted.
 * @example
 * ```ts
 * checkAbort(undefined); // nothing happens
 * ```
 */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  }
}
