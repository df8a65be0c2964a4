import type { Matrix } from '@emms/tensor-io';
import type { Dense, LinalgBackend } from '../backend';
import { backSubstitute, cholesky, forwardSubstitute, solveSpd } from './cholesky';
import { eigh } from './eigh';
import { crossProduct, gram } from './gram';
import { matmul } from './matmul';

/** out += AᵀB (the product computed whole, then added). */
function crossProductInto(a: Matrix, b: Matrix, out: Float64Array): void {
  const c = crossProduct(a, b).data;
  if (out.length !== c.length) {
    throw new RangeError(`crossProductInto: out holds ${out.length} values, AᵀB has ${c.length}`);
  }
  for (let i = 0; i < c.length; i++) out[i] += c[i];
}

/** L Lᵀ X = B by forward then back substitution on a copy of b. */
function solveCholesky(l: Dense, b: Dense): Dense {
  const n = l.rows;
  if (l.cols !== n || b.rows !== n) {
    throw new RangeError(`solveCholesky: L is ${l.rows}×${l.cols}, B is ${b.rows}×${b.cols}`);
  }
  const x = Float64Array.from(b.data);
  forwardSubstitute(l.data, n, n, x, b.cols);
  backSubstitute(l.data, n, n, x, b.cols);
  return { rows: n, cols: b.cols, data: x };
}

/**
 * The portable backend: single-threaded, float64, runs anywhere; inner loops in a small
 * WebAssembly SIMD module where available, else in JavaScript (see README).
 */
export const jsBackend: LinalgBackend = {
  name: 'js',
  gram,
  crossProduct,
  crossProductInto,
  matmul,
  eigh,
  cholesky,
  solveSpd,
  solveCholesky,
};
