import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { fromNdarray, toNdarray } from './ndarray';
import { matrix } from './tensor';
import { expectEmmsError } from './test-utils';

/** rows×cols values 0, 1, 2, … in row-major order. */
function counting(
  rows: number,
  cols: number,
  Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array,
) {
  const data = new Ctor(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = i;
  return ndarray(data, [rows, cols]);
}

describe('fromNdarray', () => {
  it('views a row-major float ndarray without a copy (float32 and float64)', () => {
    for (const Ctor of [Float32Array, Float64Array]) {
      const x = counting(3, 4, Ctor);
      const { matrix: m, copied, reason } = fromNdarray(x);
      expect(copied).toBe(false);
      expect(reason).toBeUndefined();
      expect([m.rows, m.cols]).toEqual([3, 4]);
      expect(m.data).toBeInstanceOf(Ctor);
      expect(m.data.buffer).toBe(x.data.buffer);
      x.set(2, 1, 99); // a write through the ndarray shows in the matrix
      expect(m.data[2 * 4 + 1]).toBe(99);
    }
  });

  it('keeps an offset (a block of rows) as a view', () => {
    const x = counting(5, 3);
    const rows = x.lo(2, 0); // rows 2..4: offset 6, same strides
    expect(rows.offset).toBe(6);
    const r = fromNdarray(rows);
    expect(r.copied).toBe(false);
    expect(r.matrix.data.byteOffset).toBe(6 * 8);
    expect(Array.from(r.matrix.data)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('copies a transposed view into row-major order, and says so', () => {
    const x = counting(2, 3); // [[0 1 2], [3 4 5]]
    const t = x.transpose(1, 0); // 3×2, stride [1, 3]
    const r = fromNdarray(t);
    expect(r.copied).toBe(true);
    expect(r.reason).toMatch(/column-major or strided layout/);
    expect([r.matrix.rows, r.matrix.cols]).toEqual([3, 2]);
    expect(Array.from(r.matrix.data)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('copies non-contiguous views: a column block, every other column, reversed rows', () => {
    const x = counting(4, 4);
    const block = x.hi(3, 3).lo(1, 1); // rows 1..2, cols 1..2: offset 5, stride [4, 1]
    const b = fromNdarray(block);
    expect(b.copied).toBe(true);
    expect(Array.from(b.matrix.data)).toEqual([5, 6, 9, 10]);
    const stepped = fromNdarray(x.step(1, 2)); // columns 0 and 2
    expect(stepped.copied).toBe(true);
    expect(Array.from(stepped.matrix.data)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    const reversed = fromNdarray(x.step(-1, 1)); // negative row stride
    expect(reversed.copied).toBe(true);
    expect(Array.from(reversed.matrix.data.subarray(0, 4))).toEqual([12, 13, 14, 15]);
  });

  it('a single row or column with any stride along the length-1 dimension is still a view', () => {
    const x = counting(4, 4);
    const row = x.lo(2, 0).hi(1, 4); // 1×4 at offset 8
    expect(fromNdarray(row)).toMatchObject({ copied: false });
    expect(Array.from(fromNdarray(row).matrix.data)).toEqual([8, 9, 10, 11]);
    const col = x.pick(null, 3); // 1-D, stride [4]: a column, strided
    const c = fromNdarray(col);
    expect(c.copied).toBe(true);
    expect([c.matrix.rows, c.matrix.cols]).toEqual([4, 1]);
    expect(Array.from(c.matrix.data)).toEqual([3, 7, 11, 15]);
  });

  it('copies other element types to float64 and plain arrays too', () => {
    const ints = fromNdarray(ndarray(Int32Array.of(1, 2, 3, 4), [2, 2]));
    expect(ints.copied).toBe(true);
    expect(ints.reason).toMatch(/Int32Array is not float32 or float64/);
    expect(ints.matrix.data).toBeInstanceOf(Float64Array);
    const plain = fromNdarray(ndarray([1, 2, 3], [3]));
    expect(plain.matrix.data).toBeInstanceOf(Float64Array);
    expect(Array.from(plain.matrix.data)).toEqual([1, 2, 3]);
  });

  it('handles empty arrays', () => {
    const r = fromNdarray(ndarray(new Float64Array(0), [0, 3]));
    expect([r.matrix.rows, r.matrix.cols, r.matrix.data.length, r.copied]).toEqual([0, 3, 0, false]);
  });

  it('SHAPE_MISMATCH naming the input for 3-D arrays and for strides reaching outside the data', () => {
    const e = expectEmmsError(
      () => fromNdarray(ndarray(new Float64Array(8), [2, 2, 2]), { name: 'features' }),
      'SHAPE_MISMATCH',
    );
    expect(e.input).toBe('features');
    expect(e.message).toContain('3 dimensions');
    const outside = { data: new Float64Array(5), shape: [2, 3], stride: [3, 1], offset: 0 };
    expect(expectEmmsError(() => fromNdarray(outside), 'SHAPE_MISMATCH').message).toContain('data holds 5');
    const negative = { data: new Float64Array(6), shape: [2, 3], stride: [-3, 1], offset: 0 };
    expectEmmsError(() => fromNdarray(negative), 'SHAPE_MISMATCH');
    expectEmmsError(
      () => fromNdarray({ data: new Float64Array(4), shape: [2, 2], stride: [2, 1], offset: 0.5 }),
      'SHAPE_MISMATCH',
    );
  });
});

describe('toNdarray', () => {
  it('gives a real ndarray over the same memory', () => {
    const m = matrix(Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3);
    const nd = toNdarray(m, ndarray);
    expect(nd.shape).toEqual([2, 3]);
    expect(nd.get(1, 0)).toBe(4);
    expect(nd.get(0, 2)).toBe(3);
    nd.set(1, 2, -1);
    expect(m.data[5]).toBe(-1);
    // and back again without a copy; its transpose needs one
    const back = fromNdarray(nd);
    expect(back.copied).toBe(false);
    expect(back.matrix.data.buffer).toBe(m.data.buffer);
    expect(Array.from(fromNdarray(nd.transpose(1, 0)).matrix.data)).toEqual([1, 4, 2, 5, 3, -1]);
  });

  it('without a constructor, a plain ndarray-shaped object', () => {
    const m = matrix(Float32Array.of(1, 2), 1, 2);
    expect(toNdarray(m)).toEqual({
      data: m.data,
      shape: [1, 2],
      stride: [2, 1],
      offset: 0,
      dtype: 'float32',
    });
  });

  it('SHAPE_MISMATCH for a malformed matrix', () => {
    expectEmmsError(() => toNdarray({ rows: 2, cols: 2, data: new Float64Array(3) }), 'SHAPE_MISMATCH');
  });
});
