import { describe, expect, it } from 'vitest';
import { firstPerClass, takeRows } from './rows';

describe('row subsets', () => {
  it('firstPerClass keeps the first n rows of each class in row order', () => {
    expect(firstPerClass(Int32Array.from([0, 1, 0, 1, 0, 2]), 2)).toEqual([0, 1, 2, 3, 5]);
    expect(firstPerClass([3, 3, 3], 1)).toEqual([0]);
  });
  it('takeRows copies the rows in the order given and keeps the element type', () => {
    const f32 = takeRows({ rows: 3, cols: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6) }, [2, 0]);
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual([5, 6, 1, 2]);
    const f64 = takeRows({ rows: 2, cols: 1, data: Float64Array.of(0.5, 0.25) }, [1]);
    expect(f64).toEqual({ rows: 1, cols: 1, data: Float64Array.of(0.25) });
  });
});
