import { describe, expect, it } from 'vitest';
import { expectEmmsError } from './test-utils';
import { assertFinite, assertSameRows, checkLabels, relabelToPresent } from './validate';

describe('assertFinite', () => {
  it('passes finite and integer data', () => {
    assertFinite({ rows: 1, cols: 2, data: Float64Array.from([1, -0]) }, 'X');
    assertFinite({ dtype: 'int32', shape: [1], data: Int32Array.from([1]) }, 'y');
  });

  it('counts NaN/Inf and names the first position', () => {
    const m = {
      rows: 2,
      cols: 3,
      data: Float32Array.from([0, 1, 2, 3, Number.NaN, Number.NEGATIVE_INFINITY]),
    };
    const e = expectEmmsError(() => assertFinite(m, 'X.npy'), 'NON_FINITE');
    expect(e.message).toContain('2 NaN or infinite values');
    expect(e.message).toContain('row 1, column 1');
    const t = {
      dtype: 'float64' as const,
      shape: [2, 2, 2],
      data: Float64Array.from([0, 0, 0, 0, 0, 0, Number.POSITIVE_INFINITY, 0]),
    };
    expect(expectEmmsError(() => assertFinite(t, 'T'), 'NON_FINITE').message).toContain('index [1, 1, 0]');
  });
});

describe('assertSameRows', () => {
  it('lists every input when they disagree', () => {
    assertSameRows([
      { name: 'X', rows: 3 },
      { name: 'y', rows: 3 },
    ]);
    const e = expectEmmsError(
      () =>
        assertSameRows([
          { name: 'X', rows: 3 },
          { name: 'y', rows: 3 },
          { name: 'Z', rows: 4 },
        ]),
      'ROW_MISMATCH',
    );
    expect(e.message).toContain('X: 3, y: 3, Z: 4');
    expect(e.input).toBe('Z');
  });
});

describe('checkLabels', () => {
  it('counts classes', () => {
    const r = checkLabels(Int32Array.from([0, 2, 1, 2]), 'y');
    expect(r.numClasses).toBe(3);
    expect(Array.from(r.counts)).toEqual([1, 1, 2]);
    expect(r.missing).toEqual([]);
  });

  it('refuses negative and too-large labels', () => {
    const e = expectEmmsError(() => checkLabels(Int32Array.from([0, 1, -1, -2]), 'y'), 'LABEL_OUT_OF_RANGE');
    expect(e.message).toContain('2 labels');
    expect(e.message).toContain('index 2');
    expectEmmsError(
      () => checkLabels(Int32Array.from([0, 1, 3]), 'y', { numClasses: 3 }),
      'LABEL_OUT_OF_RANGE',
    );
    expectEmmsError(
      () => checkLabels(Int32Array.from([0, 2 ** 30]), 'y', { allowMissing: true }),
      'LABEL_OUT_OF_RANGE',
    );
  });

  it('refuses a single class or no labels', () => {
    expectEmmsError(() => checkLabels(Int32Array.from([2, 2]), 'y', { allowMissing: true }), 'SINGLE_CLASS');
    expectEmmsError(() => checkLabels(new Int32Array(0), 'y'), 'SINGLE_CLASS');
  });

  it('names missing classes unless allowed', () => {
    const e = expectEmmsError(() => checkLabels(Int32Array.from([0, 3, 3]), 'y'), 'MISSING_CLASSES');
    expect(e.message).toContain('classes 1, 2 of 0..3');
    const r = checkLabels(Int32Array.from([0, 3, 3]), 'y', { allowMissing: true, numClasses: 5 });
    expect(r.numClasses).toBe(5);
    expect(r.missing).toEqual([1, 2, 4]);
    expect(Array.from(r.counts)).toEqual([1, 0, 0, 2, 0]);
  });
});

describe('relabelToPresent', () => {
  it('renumbers to the classes present, in order', () => {
    const r = relabelToPresent(Int32Array.from([7, 3, 7, 10]));
    expect(r.classes).toEqual([3, 7, 10]);
    expect(Array.from(r.labels)).toEqual([1, 0, 1, 2]);
  });
});
