// Temporary .npy writer/reader for float32 matrices and int64 label vectors, until @emms/tensor-io's
// encodeNpy/parseNpy land; then this file becomes a thin wrapper over them.
import { EmmsError } from '@emms/tensor-io';

function header(descr: string, shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const pad = 64 - ((10 + text.length + 1) % 64);
  text += ' '.repeat(pad === 64 ? 0 : pad) + '\n';
  const b = Buffer.alloc(10 + text.length);
  b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  b.writeUInt16LE(text.length, 8);
  b.write(text, 10, 'latin1');
  return b;
}

/** .npy bytes of a float32 rows×cols matrix. */
export function encodeFloat32Matrix(data: Float32Array, rows: number, cols: number): Buffer {
  return Buffer.concat([
    header('<f4', [rows, cols]),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

/** .npy bytes of an int64 vector. */
export function encodeInt64Vector(values: ArrayLike<number>): Buffer {
  const b = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) b[i] = BigInt(values[i]);
  return Buffer.concat([header('<i8', [values.length]), Buffer.from(b.buffer)]);
}

/** Reads a float32 2-d .npy written by {@link encodeFloat32Matrix}. */
export function decodeFloat32Matrix(
  bytes: Buffer,
  source: string,
): { rows: number; cols: number; data: Float32Array } {
  const len = bytes.readUInt16LE(8);
  const text = bytes.toString('latin1', 10, 10 + len);
  const m = /'shape': \((\d+), (\d+)\)/.exec(text);
  if (bytes[0] !== 0x93 || !m || !text.includes("'<f4'")) {
    throw new EmmsError('NPY_BAD_HEADER', `${source} is not a float32 2-d .npy file`, { input: source });
  }
  const rows = Number(m[1]);
  const cols = Number(m[2]);
  const off = 10 + len;
  const data = new Float32Array(rows * cols);
  new Uint8Array(data.buffer).set(bytes.subarray(off, off + rows * cols * 4));
  return { rows, cols, data };
}
