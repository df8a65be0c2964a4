import type { Dense, LinalgBackend } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';
import { mulberry32 } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { createOpenblasBackend } from './backend';
import { openblasBackend, openblasStatus } from './index';
import { loadNativeBlas } from './library';
import { relErr, TOL } from './test-utils';

// Every kernel is checked against plain loops written here in float64 (independent of BLAS).

const native = openblasBackend();
if (!native) {
  const why = openblasStatus().reason;
  if (process.env.CI) throw new Error(`CI must install libopenblas0-pthread: ${why}`);
  console.warn(
    `[linalg-openblas] skipping native kernel tests: ${why}. Install: apt-get install -y libopenblas0-pthread`,
  );
}
const loaded = loadNativeBlas();
/** The same kernels with tiny float32 blocks, so block boundaries are crossed in small tests. */
const blocked: LinalgBackend | null = loaded.ok
  ? createOpenblasBackend(loaded.blas, { blockElems: 50 })
  : null;

function randomMatrix(rows: number, cols: number, seed: number, f32: boolean): Matrix {
  const r = mulberry32(seed);
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1 + (i % 7 === 0 ? 0.5 : 0);
  return { rows, cols, data };
}

function randomSpd(n: number, seed: number): Dense {
  const x = randomMatrix(n + 5, n, seed, false);
  const a = naiveCross(x, x);
  for (let i = 0; i < n; i++) a.data[i * n + i]! += 0.1;
  return a;
}

function naiveCross(a: Matrix, b: Matrix): Dense {
  const out = new Float64Array(a.cols * b.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let i = 0; i < a.cols; i++) {
      const ai = a.data[r * a.cols + i]!;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j]! += ai * b.data[r * b.cols + j]!;
    }
  }
  return { rows: a.cols, cols: b.cols, data: out };
}

function naiveMatmul(a: Matrix, b: Matrix): Dense {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j]! += aik * b.data[k * b.cols + j]!;
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

/** Gauss-Jordan solve with partial pivoting. */
function naiveSolve(a: Dense, b: Dense): Dense {
  const n = a.rows;
  const m = b.cols;
  const w = n + m;
  const t = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) t[i * w + j] = a.data[i * n + j]!;
    for (let j = 0; j < m; j++) t[i * w + n + j] = b.data[i * m + j]!;
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(t[r * w + c]!) > Math.abs(t[p * w + c]!)) p = r;
    for (let j = 0; j < w; j++) {
      const tmp = t[c * w + j]!;
      t[c * w + j] = t[p * w + j]!;
      t[p * w + j] = tmp;
    }
    const d = t[c * w + c]!;
    for (let j = 0; j < w; j++) t[c * w + j]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = t[r * w + c]!;
      if (f !== 0) for (let j = 0; j < w; j++) t[r * w + j]! -= f * t[c * w + j]!;
    }
  }
  const x = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) x[i * m + j] = t[i * w + n + j]!;
  return { rows: n, cols: m, data: x };
}

/** Cyclic Jacobi eigenvalue iteration; returns ascending eigenvalues. */
function jacobiEigenvalues(a: Dense): number[] {
  const n = a.rows;
  const m = Float64Array.from(a.data);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]!).sort((x, y) => x - y);
}

describe.skipIf(!native)('openblas kernels agree with plain float64 loops', () => {
  const backends = (): [string, LinalgBackend][] => [
    ['default blocks', native!],
    ['tiny blocks', blocked!],
  ];

  for (const f32 of [false, true]) {
    const kind = f32 ? 'float32' : 'float64';
    it(`gram on ${kind} input`, () => {
      const a = randomMatrix(123, 17, 1, f32);
      const want = naiveCross(a, a);
      for (const [, b] of backends()) {
        const got = b.gram(a);
        expect([got.rows, got.cols]).toEqual([17, 17]);
        expect(got.data).toBeInstanceOf(Float64Array);
        expect(relErr(got.data, want.data)).toBeLessThan(TOL);
      }
    });

    it(`crossProduct on ${kind} × float64 and ${kind} × float32 inputs`, () => {
      const a = randomMatrix(97, 11, 2, f32);
      for (const bf32 of [false, true]) {
        const bm = randomMatrix(97, 6, 3, bf32);
        const want = naiveCross(a, bm);
        for (const [, b] of backends()) {
          const got = b.crossProduct(a, bm);
          expect([got.rows, got.cols]).toEqual([11, 6]);
          expect(relErr(got.data, want.data)).toBeLessThan(TOL);
        }
      }
    });

    it(`matmul on ${kind} input`, () => {
      const a = randomMatrix(61, 13, 4, f32);
      const bm = randomMatrix(13, 5, 5, !f32);
      const want = naiveMatmul(a, bm);
      for (const [, b] of backends()) {
        const got = b.matmul(a, bm);
        expect([got.rows, got.cols]).toEqual([61, 5]);
        expect(relErr(got.data, want.data)).toBeLessThan(TOL);
      }
    });
  }

  it('leaves inputs untouched', () => {
    const a = randomMatrix(20, 4, 6, true);
    const copy = Float32Array.from(a.data);
    native!.gram(a);
    native!.crossProduct(a, a);
    native!.matmul(a, randomMatrix(4, 2, 7, false));
    expect(a.data).toEqual(copy);
    const s = randomSpd(6, 8);
    const sCopy = Float64Array.from(s.data);
    native!.eigh(s);
    native!.cholesky(s);
    native!.solveSpd(s, { rows: 6, cols: 1, data: new Float64Array(6).fill(1) });
    expect(s.data).toEqual(sCopy);
  });

  it('eigh: eigenvalues match Jacobi, vectors are orthonormal and satisfy A v = λ v', () => {
    const n = 24;
    const a = randomSpd(n, 9);
    // make it indefinite too
    for (let i = 0; i < n; i++) a.data[i * n + i]! -= 3;
    const { values, vectors } = native!.eigh(a);
    const want = jacobiEigenvalues(a);
    expect(relErr(values, want)).toBeLessThan(TOL);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    const av = naiveMatmul(a, vectors);
    const scale = Math.max(...want.map(Math.abs));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(Math.abs(av.data[i * n + j]! - values[j]! * vectors.data[i * n + j]!)).toBeLessThan(
          TOL * scale,
        );
      }
    }
    const vtv = naiveCross(vectors, vectors);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++)
        expect(Math.abs(vtv.data[i * n + j]! - (i === j ? 1 : 0))).toBeLessThan(1e-12);
    }
  });

  it('eigh reads only the lower triangle', () => {
    const a: Dense = { rows: 2, cols: 2, data: Float64Array.from([2, 999, 1, 3]) };
    const { values } = native!.eigh(a);
    // [[2, 1], [1, 3]]: (5 ± √5) / 2
    expect(relErr(values, [(5 - Math.sqrt(5)) / 2, (5 + Math.sqrt(5)) / 2])).toBeLessThan(1e-14);
  });

  it('cholesky gives lower L with L Lᵀ = A and null for an indefinite matrix', () => {
    const n = 15;
    const a = randomSpd(n, 10);
    const l = native!.cholesky(a)!;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
    const llt = naiveMatmul(l, {
      rows: n,
      cols: n,
      data: Float64Array.from({ length: n * n }, (_, k) => l.data[(k % n) * n + Math.floor(k / n)]!),
    });
    expect(relErr(llt.data, a.data)).toBeLessThan(TOL);
    // hand example: [[4, 2], [2, 5]] = [[2, 0], [1, 2]] [[2, 1], [0, 2]]
    expect(
      Array.from(native!.cholesky({ rows: 2, cols: 2, data: Float64Array.from([4, 2, 2, 5]) })!.data),
    ).toEqual([2, 0, 1, 2]);
    expect(native!.cholesky({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 2, 1]) })).toBeNull();
  });

  it('solveSpd matches Gauss-Jordan and refuses an indefinite matrix', () => {
    const n = 20;
    const a = randomSpd(n, 11);
    const rhs = randomMatrix(n, 7, 12, false) as Dense;
    expect(relErr(native!.solveSpd(a, rhs).data, naiveSolve(a, rhs).data)).toBeLessThan(TOL);
    expect(() =>
      native!.solveSpd({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 2, 1]) }, rhs as Dense),
    ).toThrow();
    expect(() =>
      native!.solveSpd(
        { rows: 2, cols: 2, data: Float64Array.from([1, 2, 2, 1]) },
        { rows: 2, cols: 1, data: Float64Array.from([1, 1]) },
      ),
    ).toThrow(/positive definite/);
  });

  it('solveCholesky on the factor matches Gauss-Jordan', () => {
    const n = 23;
    const a = randomSpd(n, 13);
    const rhs = randomMatrix(n, 9, 14, false) as Dense;
    const l = native!.cholesky(a)!;
    expect(relErr(native!.solveCholesky!(l, rhs).data, naiveSolve(a, rhs).data)).toBeLessThan(TOL);
    expect(() => native!.solveCholesky!(l, randomMatrix(n + 1, 2, 1, false) as Dense)).toThrow(/rows/);
  });

  for (const f32 of [false, true]) {
    it(`crossProductInto adds AᵀB to out (${f32 ? 'float32' : 'float64'} a)`, () => {
      const a = randomMatrix(97, 11, 15, f32);
      const bm = randomMatrix(97, 6, 16, false);
      const start = randomMatrix(11, 6, 17, false).data as Float64Array;
      const want = naiveCross(a, bm).data.map((v, i) => v + start[i]!);
      for (const [, b] of backends()) {
        const out = Float64Array.from(start);
        b.crossProductInto!(a, bm, out);
        expect(relErr(out, want)).toBeLessThan(TOL);
      }
      expect(() => native!.crossProductInto!(a, bm, new Float64Array(5))).toThrow(/out/);
    });
  }

  it('handles empty shapes and rejects mismatched ones', () => {
    expect(native!.gram({ rows: 0, cols: 3, data: new Float32Array(0) }).data).toEqual(new Float64Array(9));
    expect(
      native!.crossProduct(
        { rows: 0, cols: 2, data: new Float64Array(0) },
        { rows: 0, cols: 1, data: new Float64Array(0) },
      ).data,
    ).toEqual(new Float64Array(2));
    expect(native!.eigh({ rows: 0, cols: 0, data: new Float64Array(0) }).values.length).toBe(0);
    expect(() => native!.crossProduct(randomMatrix(3, 2, 1, true), randomMatrix(4, 2, 1, true))).toThrow(
      expect.objectContaining({ code: 'ROW_MISMATCH' }),
    );
    expect(() => native!.matmul(randomMatrix(3, 2, 1, true), randomMatrix(3, 2, 1, true))).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
    expect(() => native!.eigh(randomMatrix(3, 2, 1, false) as Dense)).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
  });
});

describe.skipIf(!native)('openblas pivotedCholesky (dpstrf)', () => {
  /** X with columns 2 and 5 copies of others, so XᵀX (8×8) has rank 6. */
  function rankDeficientGram(): Dense {
    const x = randomMatrix(40, 8, 21, false);
    for (let i = 0; i < 40; i++) {
      x.data[i * 8 + 2] = x.data[i * 8 + 0]!;
      x.data[i * 8 + 5] = 2 * x.data[i * 8 + 1]! - x.data[i * 8 + 3]!;
    }
    return naiveCross(x, x);
  }

  it('finds the rank and reproduces a[perm, perm] = L Lᵀ', () => {
    const a = rankDeficientGram();
    const n = 8;
    const { factor, perm, rank } = native!.pivotedCholesky!(a, 1e-9 * 40);
    expect(rank).toBe(6);
    expect([...perm].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([factor.rows, factor.cols]).toEqual([n, rank]);
    let scale = 0;
    for (const v of a.data) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < rank; k++) s += factor.data[i * rank + k]! * factor.data[j * rank + k]!;
        expect(Math.abs(s - a.data[perm[i]! * n + perm[j]!]!)).toBeLessThan(1e-10 * scale);
      }
      for (let k = i + 1; k < rank; k++) expect(factor.data[i * rank + k]).toBe(0);
    }
    // the first pivot is the largest diagonal
    let best = 0;
    for (let i = 1; i < n; i++) if (a.data[i * n + i]! > a.data[best * n + best]!) best = i;
    expect(perm[0]).toBe(best);
  });

  it('is full rank with the default tolerance on a positive definite matrix', () => {
    const a = randomSpd(10, 22);
    expect(native!.pivotedCholesky!(a).rank).toBe(10);
  });
});
