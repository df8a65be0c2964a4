import type { Matrix } from '@emms/tensor-io';
import type { Dense } from '../backend';
import { assertMultipliable } from '../checks';
import { gemmNT } from './gemm';

/** AB in float64: B is transposed once so that the tiled kernel reads both operands along rows. */
export function matmul(a: Matrix, b: Matrix): Dense {
  assertMultipliable(a, b, 'matmul');
  const n = a.rows;
  const m = a.cols;
  const p = b.cols;
  const bt = new Float64Array(p * m);
  const bd = b.data;
  for (let k = 0; k < m; k++) {
    const row = k * p;
    for (let j = 0; j < p; j++) bt[j * m + k] = bd[row + j];
  }
  const ad = a.data instanceof Float64Array ? a.data : Float64Array.from(a.data);
  const out = new Float64Array(n * p);
  gemmNT(1, ad, 0, m, bt, 0, m, n, p, m, out, 0, p);
  return { rows: n, cols: p, data: out };
}
