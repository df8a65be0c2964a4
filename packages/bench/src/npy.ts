import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** The few dtypes the benchmark writes and reads. */
export type BenchDType = 'float32' | 'float64' | 'int64';

const DESCR: Record<BenchDType, string> = { float32: '<f4', float64: '<f8', int64: '<i8' };

/** The .npy v1.0 header for a C-order little-endian array, padded so the data starts on 64 bytes. */
export function npyHeader(dtype: BenchDType, shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const header = Buffer.alloc(total, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(total - 10, 8);
  header.write(dict, 10, 'latin1');
  header[total - 1] = 0x0a;
  return header;
}

/** Write a typed array as .npy, streaming the data in chunks (no second copy of a large array). */
export function writeNpy(
  path: string,
  data: Float32Array | Float64Array | BigInt64Array,
  shape: readonly number[],
): void {
  const dtype: BenchDType =
    data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : 'int64';
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, npyHeader(dtype, shape));
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const chunk = 1 << 26;
    for (let off = 0; off < bytes.length; off += chunk)
      writeSync(fd, bytes.subarray(off, Math.min(bytes.length, off + chunk)));
  } finally {
    closeSync(fd);
  }
}

/** A .npy array read back: its dtype, shape and a typed-array view over the file's bytes. */
export interface NpyArray {
  readonly dtype: BenchDType;
  readonly shape: number[];
  readonly data: Float32Array | Float64Array | BigInt64Array;
}

/**
 * Read a .npy file this module wrote (C order, little-endian f4/f8/i8). The data is a view over
 * the file buffer, not a copy, so memory use is one copy of the file.
 */
export function readNpy(path: string): NpyArray {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6]!;
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const dict = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1] ?? '';
  if (/'fortran_order':\s*True/.test(dict)) throw new Error(`${path}: Fortran order is not supported here`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  let bytes: Uint8Array = buf;
  let offset = buf.byteOffset + start + hlen;
  if (offset % 8 !== 0) {
    // a small file in Node's shared pool may sit at an odd offset: copy to align it
    bytes = Uint8Array.from(buf);
    offset = start + hlen;
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (descr === '<f4')
    return { dtype: 'float32', shape, data: new Float32Array(bytes.buffer, offset, count) };
  if (descr === '<f8')
    return { dtype: 'float64', shape, data: new Float64Array(bytes.buffer, offset, count) };
  if (descr === '<i8') return { dtype: 'int64', shape, data: new BigInt64Array(bytes.buffer, offset, count) };
  throw new Error(`${path}: dtype ${descr} is not supported here`);
}
