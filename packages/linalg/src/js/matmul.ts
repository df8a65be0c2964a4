import type { Matrix } from '@emms/tensor-io';
import type { Dense } from '../backend';

/** AB in float64, i-k-j order so the inner loop runs along contiguous rows of B and C. */
export function matmul(a: Matrix, b: Matrix): Dense {
  if (a.cols !== b.rows) {
    throw new RangeError(`matmul: a is ${a.rows}×${a.cols} but b is ${b.rows}×${b.cols}`);
  }
  const n = a.rows;
  const m = a.cols;
  const p = b.cols;
  const out = new Float64Array(n * p);
  const ad = a.data;
  const bd = b.data;
  // Block over k so a slab of B rows stays in cache while every row of A uses it.
  const kb = Math.max(1, Math.min(m, Math.floor(32768 / Math.max(1, p))));
  for (let k0 = 0; k0 < m; k0 += kb) {
    const k1 = Math.min(m, k0 + kb);
    for (let i = 0; i < n; i++) {
      const ci = i * p;
      const ai = i * m;
      for (let k = k0; k < k1; k++) {
        const v = ad[ai + k];
        const bk = k * p;
        for (let j = 0; j < p; j++) out[ci + j] += v * bd[bk + j];
      }
    }
  }
  return { rows: n, cols: p, data: out };
}
