import { type Dense, gramProjector, jsBackend, type LinalgBackend } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { openblasBackend } from './index';
import { relErr, TOL } from './test-utils';

// The two backends must give the same numbers: every kernel on random float32 and float64
// inputs, to 1e-9 relative to the result's scale.

const native = openblasBackend() as LinalgBackend | null;

function randomMatrix(rows: number, cols: number, seed: number, f32: boolean): Matrix {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1 + 0.3 * ((i % cols) % 3);
  return { rows, cols, data };
}

describe.skipIf(!native)('openblas and js backends agree', () => {
  for (const f32 of [false, true]) {
    const kind = f32 ? 'float32' : 'float64';
    it(`gram, crossProduct, matmul on ${kind} inputs`, () => {
      const a = randomMatrix(301, 37, 1, f32);
      const b = randomMatrix(301, 19, 2, !f32);
      const w = randomMatrix(37, 9, 3, f32);
      expect(relErr(native!.gram(a).data, jsBackend.gram(a).data)).toBeLessThan(TOL);
      expect(relErr(native!.crossProduct(a, b).data, jsBackend.crossProduct(a, b).data)).toBeLessThan(TOL);
      expect(relErr(native!.matmul(a, w).data, jsBackend.matmul(a, w).data)).toBeLessThan(TOL);
    });
  }

  it('eigh: same eigenvalues, same eigenvectors up to sign', () => {
    const x = randomMatrix(90, 30, 4, true);
    const g = jsBackend.gram(x);
    const e1 = native!.eigh(g);
    const e2 = jsBackend.eigh(g);
    expect(relErr(e1.values, e2.values)).toBeLessThan(TOL);
    const n = 30;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += e1.vectors.data[i * n + j]! * e2.vectors.data[i * n + j]!;
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-8);
    }
  });

  it('cholesky, solveSpd and the normal-equations projector', () => {
    const x = randomMatrix(80, 25, 5, false);
    const g = jsBackend.gram(x);
    expect(relErr(native!.cholesky(g)!.data, jsBackend.cholesky(g)!.data)).toBeLessThan(TOL);
    const rhs = jsBackend.crossProduct(x, randomMatrix(80, 4, 6, true));
    expect(relErr(native!.solveSpd(g, rhs).data, jsBackend.solveSpd(g, rhs).data)).toBeLessThan(TOL);
    // rank-deficient: duplicate a column; the projection X W is unique
    const xd = randomMatrix(80, 25, 7, false);
    for (let i = 0; i < 80; i++) xd.data[i * 25 + 24] = xd.data[i * 25 + 3]!;
    const gd = jsBackend.gram(xd);
    const cd = jsBackend.crossProduct(xd, randomMatrix(80, 3, 8, false));
    const p1 = gramProjector(gd, { backend: native! });
    const p2 = gramProjector(gd, { backend: jsBackend });
    expect(p1.rank).toBe(24);
    expect(p2.rank).toBe(24);
    const proj = (w: Dense) => jsBackend.matmul(xd, w).data;
    expect(relErr(proj(p1.solve(cd)), proj(p2.solve(cd)))).toBeLessThan(1e-8);
  });
});

describe.skipIf(!native)('openblas and js backends fail alike', () => {
  /** The code, input and message a call throws (null when it does not throw). */
  const failure = (f: () => unknown): { code?: string; input?: string; message?: string } | null => {
    try {
      f();
      return null;
    } catch (e) {
      const { code, input, message } = e as { code?: string; input?: string; message?: string };
      return { code, input, message };
    }
  };
  const d = (rows: number, cols: number, values: number[]): Dense => ({
    rows,
    cols,
    data: Float64Array.from(values),
  });
  const mistakes: [string, (b: LinalgBackend) => unknown][] = [
    ['gram of a malformed matrix', (b) => b.gram({ rows: 2, cols: 2, data: new Float64Array(3) })],
    ['crossProduct with different rows', (b) => b.crossProduct(d(2, 1, [1, 2]), d(3, 1, [1, 2, 3]))],
    ['matmul with a.cols ≠ b.rows', (b) => b.matmul(d(2, 2, [1, 2, 3, 4]), d(3, 1, [1, 2, 3]))],
    ['eigh of a non-square matrix', (b) => b.eigh(d(1, 2, [1, 2]))],
    ['eigh with NaN', (b) => b.eigh(d(2, 2, [1, 0, Number.NaN, 1]))],
    ['cholesky of a non-square matrix', (b) => b.cholesky(d(2, 1, [1, 2]))],
    ['solveSpd of an indefinite matrix', (b) => b.solveSpd(d(2, 2, [1, 2, 2, 1]), d(2, 1, [1, 1]))],
    ['solveSpd with too few right-hand rows', (b) => b.solveSpd(d(2, 2, [2, 0, 0, 2]), d(1, 1, [1]))],
    ['solveCholesky with too many right-hand rows', (b) => b.solveCholesky?.(d(1, 1, [1]), d(2, 1, [1, 1]))],
    [
      'crossProductInto with a short out',
      (b) => b.crossProductInto?.(d(2, 1, [1, 2]), d(2, 1, [1, 2]), new Float64Array(2)),
    ],
  ];
  for (const [what, call] of mistakes) {
    it(what, () => {
      const js = failure(() => call(jsBackend));
      const nb = failure(() => call(native!));
      expect(js?.code).toMatch(/^[A-Z_]+$/);
      expect({ code: nb?.code, input: nb?.input }).toEqual({ code: js?.code, input: js?.input });
      // Same words too, apart from the detail LAPACK adds (which leading minor failed).
      expect(nb?.message?.replace(/ \(leading minor [^)]*\)/, '')).toBe(js?.message);
    });
  }
});
