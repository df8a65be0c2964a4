// Test-only helpers: read the reference fixtures. Not part of the package's public surface.
import { readFileSync } from 'node:fs';
import { type Matrix, parseNpy, toLabels, toMatrix } from '@emms/tensor-io';
import { fixturePath } from '@emms/testing';

/** A fixture .npy file through tensor-io's reader: its shape and its values (int64 labels as Int32Array). */
export function readNpy(path: string): { shape: number[]; data: Float32Array | Float64Array | Int32Array } {
  const t = parseNpy(new Uint8Array(readFileSync(path)), path);
  if (t.shape.length === 1) return { shape: [...t.shape], data: toLabels(t, path) };
  const m = toMatrix(t, path);
  return { shape: [...t.shape], data: m.data as Float32Array | Float64Array };
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
