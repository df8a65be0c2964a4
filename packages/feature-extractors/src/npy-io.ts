// .npy files of this package, through @emms/tensor-io's one .npy reader and writer (no format
// code of its own).
import { EmmsError, encodeNpy, parseNpy } from '@emms/tensor-io';

/**
 * .npy bytes of a float32 rows×cols matrix (row-major `data`), as `np.save` writes them.
 *
 * @throws EmmsError SHAPE_MISMATCH when `data` does not hold rows×cols values.
 * @example
 * ```ts
 * const bytes = encodeFloat32Matrix(new Float32Array(6), 2, 3);
 * ```
 */
export function encodeFloat32Matrix(data: Float32Array, rows: number, cols: number): Uint8Array {
  return encodeNpy({ dtype: 'float32', shape: [rows, cols], data });
}

/**
 * .npy bytes of an int64 vector (the labels file of an extraction).
 *
 * @example
 * ```ts
 * const bytes = encodeInt64Vector([0, 1, 1]);
 * ```
 */
export function encodeInt64Vector(values: ArrayLike<number>): Uint8Array {
  const b = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) b[i] = BigInt(values[i]);
  return encodeNpy({ dtype: 'int64', shape: [values.length], data: b });
}

/**
 * Reads a float32 2-d .npy (the features files this package writes).
 *
 * @param source the file name, used in error messages.
 * @throws EmmsError SHAPE_MISMATCH when the array is not a float32 matrix, and the .npy codes of
 *   `parseNpy` (NPY_BAD_MAGIC, NPY_BAD_HEADER, FILE_TRUNCATED…).
 * @example
 * ```ts
 * const { rows, cols, data } = decodeFloat32Matrix(bytes, 'features.npy');
 * ```
 */
export function decodeFloat32Matrix(
  bytes: Uint8Array,
  source: string,
): { rows: number; cols: number; data: Float32Array } {
  const t = parseNpy(bytes, source);
  if (t.dtype !== 'float32' || t.shape.length !== 2) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${source} holds ${t.dtype} [${t.shape.join(',')}], expected a float32 matrix`,
      { input: source },
    );
  }
  return { rows: t.shape[0], cols: t.shape[1], data: t.data as Float32Array };
}
