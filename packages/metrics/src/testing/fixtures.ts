// Test-only helpers: read the reference fixtures. Not part of the package's public surface.
import { readFileSync } from 'node:fs';
import type { Matrix } from '@emms/tensor-io';
import { fixturePath } from '@emms/testing';

/** Minimal .npy reader for the fixtures: version 1.0, little-endian float32/float64/int64, C order. */
export function readNpy(path: string): { shape: number[]; data: Float32Array | Float64Array | Int32Array } {
  const buf = readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1];
  const shape = /'shape':\s*\(([^)]*)\)/
    .exec(header)![1]
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => Number(s));
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order not supported`);
  const start = 10 + headerLen;
  const bytes = new Uint8Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  if (descr === '<f4') return { shape, data: new Float32Array(bytes.buffer) };
  if (descr === '<f8') return { shape, data: new Float64Array(bytes.buffer) };
  if (descr === '<i8')
    return { shape, data: Int32Array.from(new BigInt64Array(bytes.buffer), (v) => Number(v)) };
  throw new Error(`${path}: dtype ${descr} not supported by the test reader`);
}

/** A fixture matrix file as a Matrix. */
export function fixtureMatrix(fixture: string, file: string): Matrix {
  const { shape, data } = readNpy(fixturePath(fixture, file));
  if (data instanceof Int32Array) throw new Error(`${file} is not float`);
  return { rows: shape[0], cols: shape[1] ?? 1, data };
}

/** A fixture's labels. */
export function fixtureLabels(fixture: string): Int32Array {
  return readNpy(fixturePath(fixture, 'y.npy')).data as Int32Array;
}

/** One expected entry of a fixture. */
export interface Expected {
  value: number;
  rtol: number;
  atol: number;
}

/** The metrics of a fixture's expected.json. */
export function expectedOf(fixture: string): Record<string, Expected> {
  return JSON.parse(readFileSync(fixturePath(fixture, 'expected.json'), 'utf8')).metrics;
}

/** Whether |ours − value| ≤ rtol·|value| + atol. */
export function within(ours: number, e: Expected): boolean {
  return Math.abs(ours - e.value) <= e.rtol * Math.abs(e.value) + e.atol;
}
