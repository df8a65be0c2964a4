import { EmmsError, type Matrix } from '@emms/tensor-io';
import { type Dense, kernelsOf, type LinalgBackend } from '../backend';
import { assertSameRows, assertSystem, notPositiveDefinite } from '../checks';
import { backSubstitute, cholesky, forwardSubstitute } from './cholesky';
import { eigh, eighProject } from './eigh';
import { crossProduct, gram } from './gram';
import { matmul } from './matmul';

/** out += AᵀB (the product computed whole, then added). */
function crossProductInto(a: Matrix, b: Matrix, out: Float64Array): void {
  assertSameRows(a, b, 'crossProductInto');
  if (out.length !== a.cols * b.cols) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `crossProductInto: out holds ${out.length} values but AᵀB is ${a.cols}×${b.cols}`,
      { input: 'out', details: { expected: a.cols * b.cols, found: out.length } },
    );
  }
  const c = crossProduct(a, b).data;
  for (let i = 0; i < c.length; i++) out[i] += c[i];
}

/** L Lᵀ X = B by forward then back substitution on a copy of b. */
function solveCholesky(l: Dense, b: Dense): Dense {
  assertSystem(l, 'l', b, 'b', 'solveCholesky');
  const n = l.rows;
  const x = Float64Array.from(b.data);
  forwardSubstitute(l.data, n, n, x, b.cols);
  backSubstitute(l.data, n, n, x, b.cols);
  return { rows: n, cols: b.cols, data: x };
}

/** Solves a X = b for symmetric positive definite a; NOT_POSITIVE_DEFINITE otherwise. */
function solveSpd(a: Dense, b: Dense): Dense {
  assertSystem(a, 'a', b, 'b', 'solveSpd');
  const l = cholesky(a);
  if (!l) throw notPositiveDefinite('solveSpd', 'a');
  const n = a.rows;
  const x = Float64Array.from(b.data);
  forwardSubstitute(l.data, n, n, x, b.cols);
  backSubstitute(l.data, n, n, x, b.cols);
  return { rows: n, cols: b.cols, data: x };
}

const kernels = {
  name: 'js',
  gram,
  crossProduct,
  crossProductInto,
  matmul,
  eigh,
  cholesky,
  solveSpd,
  solveCholesky,
  eighProject,
};

/**
 * The portable backend: single-threaded, float64, runs anywhere (browser included); inner loops
 * in a small WebAssembly SIMD module where available, else in JavaScript (see README). Its
 * `eighProject` never forms the eigenvectors (LogME's fast path).
 *
 * @example
 * ```ts
 * import { jsBackend } from '@emms/linalg';
 * const g = jsBackend.gram({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) }); // [[10,14],[14,20]]
 * ```
 */
export const jsBackend: LinalgBackend = {
  ...kernels,
  capabilities: {
    kernels: kernelsOf(kernels as unknown as LinalgBackend),
    native: false,
    float32Input: true,
    threads: 1,
    browser: true,
  },
};
