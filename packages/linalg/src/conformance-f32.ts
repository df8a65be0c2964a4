import type { Matrix } from '@emms/tensor-io';
import type { LinalgBackend } from './backend';
import type { ConformanceRunner } from './conformance';
import { close, fail, mat, naiveMatmul, random, throwsCode, untouched } from './conformance-helpers';

/** Relative tolerance of single-precision results against float64 loops (float32 ε ≈ 6e-8). */
const SINGLE_TOL = 2e-5;

/** The single-precision kernels (gramIntoF32, crossProductIntoF32, matmulF32), each when present. */
export function singlePrecisionConformance(b: LinalgBackend, runner: ConformanceRunner, size: number): void {
  const { describe, it } = runner;
  const f32 = (m: Matrix) => m as Matrix<Float32Array>;
  if (b.gramIntoF32) {
    const gramInto = b.gramIntoF32.bind(b);
    describe('gramIntoF32 (optional)', () => {
      it('hand-computed 3×2 added twice to a symmetric out; AᵀA by plain loops within float32 rounding', () => {
        const out = Float64Array.of(1, 2, 2, 1);
        const h = f32(mat(3, 2, [1, 2, 3, 4, 5, 6], true));
        gramInto(h, out);
        gramInto(h, out);
        close('gramIntoF32', out, [71, 90, 90, 113], 0);
        const a = f32(random(size + 5, 9, 90, true));
        const g = new Float64Array(81);
        untouched('gramIntoF32', [a], () => gramInto(a, g));
        close('gramIntoF32 vs loops', g, naiveMatmul(a, a, true), SINGLE_TOL);
        for (let i = 0; i < 9; i++)
          for (let j = 0; j < i; j++)
            if (g[i * 9 + j] !== g[j * 9 + i]) fail(`gramIntoF32 not symmetric at ${i},${j}`);
      });
      it('UNSUPPORTED_DTYPE naming a for float64 data; SHAPE_MISMATCH naming out', () => {
        throwsCode(
          'gramIntoF32',
          () => gramInto(random(3, 2, 1) as Matrix<Float32Array>, new Float64Array(4)),
          'UNSUPPORTED_DTYPE',
          'a',
        );
        throwsCode(
          'gramIntoF32',
          () => gramInto(f32(random(3, 2, 1, true)), new Float64Array(3)),
          'SHAPE_MISMATCH',
          'out',
        );
      });
    });
  }
  if (b.crossProductIntoF32) {
    const into = b.crossProductIntoF32.bind(b);
    describe('crossProductIntoF32 (optional)', () => {
      it('adds AᵀB to a float64 out (twice = 2·AᵀB, from a nonzero out)', () => {
        const a = f32(random(size, 4, 91, true));
        const c = f32(random(size, 3, 92, true));
        const want = naiveMatmul(a, c, true);
        const out = new Float64Array(12).fill(1);
        untouched('crossProductIntoF32', [a, c], () => into(a, c, out));
        into(a, c, out);
        close(
          'crossProductIntoF32',
          out,
          Array.from(want, (v) => 2 * v + 1),
          SINGLE_TOL,
        );
      });
      it('SHAPE_MISMATCH naming out; ROW_MISMATCH naming b; UNSUPPORTED_DTYPE naming b', () => {
        const a = f32(random(3, 2, 1, true));
        throwsCode(
          'crossProductIntoF32',
          () => into(a, f32(random(3, 2, 2, true)), new Float64Array(3)),
          'SHAPE_MISMATCH',
          'out',
        );
        throwsCode(
          'crossProductIntoF32',
          () => into(a, f32(random(4, 2, 2, true)), new Float64Array(4)),
          'ROW_MISMATCH',
          'b',
        );
        throwsCode(
          'crossProductIntoF32',
          () => into(a, random(3, 2, 2) as Matrix<Float32Array>, new Float64Array(4)),
          'UNSUPPORTED_DTYPE',
          'b',
        );
      });
    });
  }
  if (b.matmulF32) {
    const matmul = b.matmulF32.bind(b);
    describe('matmulF32 (optional)', () => {
      it('hand-computed, then AB by plain loops within float32 rounding, float32 result', () => {
        const h = matmul(
          f32(mat(2, 3, [1, 2, 3, 4, 5, 6], true)),
          f32(mat(3, 2, [7, 8, 9, 10, 11, 12], true)),
        );
        close('matmulF32', h.data, [58, 64, 139, 154], 0);
        const a = f32(random(size, 7, 93, true));
        const m = f32(random(7, 5, 94, true));
        const c = untouched('matmulF32', [a, m], () => matmul(a, m));
        if (!(c.data instanceof Float32Array) || c.rows !== size || c.cols !== 5)
          fail('matmulF32: result must be a float32 a.rows × b.cols matrix');
        close('matmulF32 vs loops', c.data, naiveMatmul(a, m), SINGLE_TOL);
      });
      it('SHAPE_MISMATCH naming b when a.cols ≠ b.rows', () => {
        throwsCode(
          'matmulF32',
          () => matmul(f32(random(3, 2, 1, true)), f32(random(3, 2, 1, true))),
          'SHAPE_MISMATCH',
          'b',
        );
      });
    });
  }
}
