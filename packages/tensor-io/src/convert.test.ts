import { describe, expect, it } from 'vitest';
import { toLabels, toMatrix } from './convert';
import { parseNpy } from './npy';
import { summarize } from './summary';
import type { Tensor } from './tensor';
import { dataBytes, expectEmmsError, expected } from './test-utils';

describe('toMatrix', () => {
  it('uses 2-D float data as is', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const m = toMatrix({ dtype: 'float32', shape: [2, 3], data }, 'X');
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    expect(m.data).toBe(data);
    const m64 = toMatrix({ dtype: 'float64', shape: [3], data: Float64Array.from([1, 2, 3]) }, 'v');
    expect([m64.rows, m64.cols]).toEqual([3, 1]);
  });

  it('reads a numpy Fortran-order file as row-major', () => {
    // np.arange(12).reshape(3, 4) * 0.5 - 1, stored column-major
    const m = toMatrix(parseNpy(dataBytes('f4_fortran.npy')), 'F');
    expect(m.rows).toBe(3);
    expect(m.cols).toBe(4);
    expect(m.data[1 * 4 + 2]).toBe(6 * 0.5 - 1);
  });

  it('converts integer dtypes to Float64Array', () => {
    const m = toMatrix({ dtype: 'int16', shape: [2, 2], data: Int16Array.from([-1, 2, -3, 4]) }, 'X');
    expect(m.data).toBeInstanceOf(Float64Array);
    expect(Array.from(m.data)).toEqual([-1, 2, -3, 4]);
    const big = toMatrix(
      { dtype: 'int64', shape: [3], data: BigInt64Array.from([2n ** 53n, -3n, -(2n ** 60n)]) },
      'X',
    );
    expect(Array.from(big.data)).toEqual([2 ** 53, -3, -(2 ** 60)]);
    expectEmmsError(
      () => toMatrix({ dtype: 'int64', shape: [1], data: BigInt64Array.from([2n ** 53n + 1n]) }, 'X'),
      'VALUE_OUT_OF_RANGE',
    );
  });

  it('refuses bool, 0-d and 3-D+ with a reshape hint', () => {
    expectEmmsError(
      () => toMatrix({ dtype: 'bool', shape: [1, 1], data: Uint8Array.from([1]) }, 'X'),
      'UNSUPPORTED_DTYPE',
    );
    expectEmmsError(
      () => toMatrix({ dtype: 'float32', shape: [], data: Float32Array.from([1]) }, 'X'),
      'SHAPE_MISMATCH',
    );
    const e = expectEmmsError(
      () => toMatrix({ dtype: 'float32', shape: [2, 1, 2], data: new Float32Array(4) }, 'feats.npy'),
      'SHAPE_MISMATCH',
    );
    expect(e.message).toContain('feats.npy');
    expect(e.message).toContain('reshape(2, -1)');
  });
});

describe('toLabels', () => {
  it('reads integer dtypes, including int64 and a column', () => {
    expect(Array.from(toLabels(parseNpy(dataBytes('labels_i8.npy')), 'y'))).toEqual([0, 1, 2, 1, 0, 2]);
    expect(
      Array.from(toLabels({ dtype: 'uint8', shape: [2, 1], data: Uint8Array.from([3, 0]) }, 'y')),
    ).toEqual([3, 0]);
    expect(Array.from(toLabels({ dtype: 'int8', shape: [2], data: Int8Array.from([-1, 2]) }, 'y'))).toEqual([
      -1, 2,
    ]);
    expect(Array.from(toLabels({ dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) }, 'y'))).toEqual([
      1, 0,
    ]);
  });

  it('accepts floats only when every value is whole', () => {
    expect(
      Array.from(toLabels({ dtype: 'float64', shape: [3], data: Float64Array.from([0, 2, 1]) }, 'y')),
    ).toEqual([0, 2, 1]);
    const e = expectEmmsError(
      () => toLabels({ dtype: 'float32', shape: [3], data: Float32Array.from([0, 1.5, 1]) }, 'y.npy'),
      'LABEL_NOT_INTEGER',
    );
    expect(e.message).toContain('index 1');
    expectEmmsError(
      () => toLabels({ dtype: 'float32', shape: [1], data: Float32Array.from([Number.NaN]) }, 'y'),
      'LABEL_NOT_INTEGER',
    );
  });

  it('refuses values beyond int32 and shapes other than (N,) or (N, 1)', () => {
    expectEmmsError(
      () => toLabels({ dtype: 'int64', shape: [1], data: BigInt64Array.from([2n ** 40n]) }, 'y'),
      'LABEL_OUT_OF_RANGE',
    );
    expectEmmsError(
      () => toLabels({ dtype: 'uint32', shape: [1], data: Uint32Array.from([2 ** 31]) }, 'y'),
      'LABEL_OUT_OF_RANGE',
    );
    expectEmmsError(
      () => toLabels({ dtype: 'float64', shape: [1], data: Float64Array.from([1e12]) }, 'y'),
      'LABEL_OUT_OF_RANGE',
    );
    expectEmmsError(
      () => toLabels({ dtype: 'int32', shape: [2, 2], data: new Int32Array(4) }, 'y'),
      'SHAPE_MISMATCH',
    );
    expectEmmsError(
      () => toLabels({ dtype: 'int32', shape: [], data: new Int32Array(1) }, 'y'),
      'SHAPE_MISMATCH',
    );
  });
});

describe('summarize', () => {
  it('agrees with numpy on the numpy-made files', () => {
    for (const name of [
      'f4_le.npy',
      'f8_be.npy',
      'nan_inf.npy',
      'f2.npy',
      'u2.npy',
      'i2_be_3d.npy',
      'bool.npy',
      'i8.npy',
    ]) {
      const want = expected.files[name];
      const s = summarize(parseNpy(dataBytes(name)));
      expect(s.shape).toEqual(want.shape);
      expect(s.nonFinite).toBe(want.nonFinite);
      expect(s.min).toBe(want.min);
      expect(s.max).toBe(want.max);
      // numpy's pairwise sum and our compensated sum agree to a few ulps
      expect(Math.abs(s.mean - want.mean!)).toBeLessThanOrEqual(Math.abs(want.mean!) * 1e-15);
    }
  });

  it('reports NaN statistics when no value is finite', () => {
    const t: Tensor = {
      dtype: 'float32',
      shape: [2],
      data: Float32Array.from([Number.NaN, Number.POSITIVE_INFINITY]),
    };
    const s = summarize(t);
    expect(s.nonFinite).toBe(2);
    expect(Number.isNaN(s.min) && Number.isNaN(s.max) && Number.isNaN(s.mean)).toBe(true);
    expect(summarize({ dtype: 'int32', shape: [0], data: new Int32Array(0) }).nonFinite).toBe(0);
  });
});
