import { closeSync, openSync, writeSync } from 'node:fs';

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
