import { describe, expect, it } from 'vitest';
import { pool } from './pooling';

const t = (dims: number[], values: number[]) => ({ dims, data: Float32Array.from(values) });

describe('pool', () => {
  it('averages spatial dims of NCHW and NHWC maps', () => {
    // N=1, C=2, H=1, W=2: channel 0 = [1, 3], channel 1 = [10, 20]
    expect([...pool(t([1, 2, 1, 2], [1, 3, 10, 20]), 'avg').data]).toEqual([2, 15]);
    // same numbers stored NHWC: [1,1,2,2] = pixel0 (1,10), pixel1 (3,20)
    expect([...pool(t([1, 1, 2, 2], [1, 10, 3, 20]), 'avg', true).data]).toEqual([2, 15]);
  });

  it('takes the first token or the token mean', () => {
    // N=2, T=2, D=2
    const x = t([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...pool(x, 'cls').data]).toEqual([1, 2, 5, 6]);
    expect([...pool(x, 'mean').data]).toEqual([2, 3, 6, 7]);
    expect(pool(x, 'flatten')).toMatchObject({ rows: 2, cols: 4 });
  });

  it('refuses a mode that does not fit the rank', () => {
    expect(() => pool(t([1, 2, 1, 2], [1, 2, 3, 4]), 'cls')).toThrow(/\[N,T,D\]/);
    expect(() => pool(t([1, 2, 2], [1, 2, 3, 4]), 'none')).toThrow(/not \[N,D\]/);
  });
});
