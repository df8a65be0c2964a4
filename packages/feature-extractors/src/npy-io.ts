// .npy files of this package, through @emms/tensor-io.
import { EmmsError, encodeNpy, parseNpy } from '@emms/tensor-io';

/** .npy bytes of a float32 rows×cols matrix. */
export function encodeFloat32Matrix(data: Float32Array, rows: number, cols: number): Uint8Array {
  return encodeNpy({ dtype: 'float32', shape: [rows, cols], data });
}

/** .npy bytes of an int64 vector. */
export function encodeInt64Vector(values: ArrayLike<number>): Uint8Array {
  const b = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) b[i] = BigInt(values[i]);
  return encodeNpy({ dtype: 'int64', shape: [values.length], data: b });
}

/** Reads a float32 2-d .npy (the features files this package writes). */
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
