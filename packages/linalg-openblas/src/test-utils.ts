// Helpers for this package's tests only (not exported from the package).
import { expect } from 'vitest';

/** max |got − want| / max |want|: relative error on the matrix's own scale (lengths must match). */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i]! - want[i]!));
    den = Math.max(den, Math.abs(want[i]!));
  }
  return den === 0 ? num : num / den;
}

/** Relative tolerance of every openblas-vs-reference comparison. */
export const TOL = 1e-9;
