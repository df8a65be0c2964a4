// Helpers for this package's tests only (not exported from the package).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type EmmsErrorCode, isEmmsError } from './errors';

/** Absolute path of a file in packages/tensor-io/test-data. */
export function dataPath(name: string): string {
  return fileURLToPath(new URL(`../test-data/${name}`, import.meta.url));
}

/** The bytes of a test-data file. */
export function dataBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(dataPath(name)));
}

/** test-data/expected.json, written by make_fixtures.py from numpy's own view of each file. */
export interface ExpectedFile {
  descr: string;
  dtype: string;
  shape: number[];
  fortran_order: boolean;
  version: [number, number];
  values: (number | string | boolean)[];
  min: number | null;
  max: number | null;
  mean: number | null;
  nonFinite: number;
}
export const expected = JSON.parse(readFileSync(dataPath('expected.json'), 'utf8')) as {
  files: Record<
    string,
    ExpectedFile & { arrays?: Record<string, { dtype: string; shape: number[]; values: number[] }> }
  >;
};

/** Turns the JSON-safe spellings back into numbers ('nan', 'inf', '-inf'). */
export function jsonNumber(v: number | string | boolean): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number(v);
}

/** Checks that `caught` is an EmmsError with `code` and returns it (anything else is rethrown). */
function checkEmmsError(caught: unknown, code: EmmsErrorCode): Error & { code: string; input?: string } {
  expect(caught, `expected ${code} to be thrown`).toBeDefined();
  if (!isEmmsError(caught)) throw caught;
  expect(caught.code).toBe(code);
  return caught;
}

/** Runs `fn`, expects an EmmsError with `code`, and returns it. */
export function expectEmmsError(
  fn: () => unknown,
  code: EmmsErrorCode,
): Error & { code: string; input?: string } {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  return checkEmmsError(caught, code);
}

/** Async form of {@link expectEmmsError}. */
export async function expectEmmsErrorAsync(
  fn: () => Promise<unknown>,
  code: EmmsErrorCode,
): Promise<Error & { code: string; input?: string }> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  return checkEmmsError(caught, code);
}
