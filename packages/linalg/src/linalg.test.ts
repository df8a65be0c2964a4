import type { Matrix } from '@emms/tensor-io';
import { mulberry32 } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import type { Dense, LinalgBackend } from './backend';
import {
  eighProject,
  gramProjector,
  jsBackend,
  normalEquationsSolve,
  pca,
  pivotedCholesky,
  symmetricPinv,
} from './index';
import { setWasmTilesEnabled, wasmTiles } from './js/wasm-tiles';

/** A rows × cols float64 matrix of seeded uniform numbers in [-1, 1). */
function random(rows: number, cols: number, seed: number): Dense {
  const r = mulberry32(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return { rows, cols, data };
}

/** Straightforward triple loop, the independent check for the tiled kernels. */
function naiveMatmul(a: Matrix, b: Matrix, transposeA = false): Float64Array {
  const n = transposeA ? a.cols : a.rows;
  const m = transposeA ? a.rows : a.cols;
  const out = new Float64Array(n * b.cols);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) {
        const aik = transposeA ? a.data[k * a.cols + i] : a.data[i * a.cols + k];
        s += aik * b.data[k * b.cols + j];
      }
      out[i * b.cols + j] = s;
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Random symmetric positive definite n×n: BᵀB + n·I. */
function randomSpd(n: number, seed: number): Dense {
  const b = random(n, n, seed);
  const g = jsBackend.gram(b);
  for (let i = 0; i < n; i++) g.data[i * n + i] += n;
  return g;
}

function checkEigh(a: Dense, tol: number): void {
  const n = a.rows;
  const { values, vectors } = jsBackend.eigh(a);
  for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  // A V = V Λ and VᵀV = I.
  const av = naiveMatmul(a, vectors);
  const vl = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl[i * n + j] = vectors.data[i * n + j] * values[j];
  let scale = 1;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  expect(maxAbsDiff(av, vl) / scale).toBeLessThan(tol);
  const vtv = naiveMatmul(vectors, vectors, true);
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  expect(maxAbsDiff(vtv, eye)).toBeLessThan(tol);
}

describe('gram, crossProduct, matmul', () => {
  it('match a triple loop on odd sizes, float64 and float32', () => {
    for (const [n, d, l] of [
      [1, 1, 1],
      [7, 5, 3],
      [130, 67, 9],
      [65, 4, 8],
      [9, 300, 6],
    ]) {
      const a = random(n, d, n + d);
      const b = random(n, l, 3 * n + l);
      const g = jsBackend.gram(a);
      expect(g.rows).toBe(d);
      expect(maxAbsDiff(g.data, naiveMatmul(a, a, true))).toBeLessThan(1e-12);
      const a32: Matrix = { rows: n, cols: d, data: Float32Array.from(a.data) };
      const a32as64: Dense = { rows: n, cols: d, data: Float64Array.from(a32.data) };
      expect(maxAbsDiff(jsBackend.gram(a32).data, naiveMatmul(a32as64, a32as64, true))).toBeLessThan(1e-12);
      expect(maxAbsDiff(jsBackend.crossProduct(a, b).data, naiveMatmul(a, b, true))).toBeLessThan(1e-12);
      const c = random(d, l, 7);
      expect(maxAbsDiff(jsBackend.matmul(a, c).data, naiveMatmul(a, c))).toBeLessThan(1e-12);
    }
  });

  it('the WebAssembly and JavaScript tile kernels agree', () => {
    expect(wasmTiles()).not.toBeNull(); // Node has WebAssembly SIMD
    for (const [n, d, l] of [
      [1, 1, 1],
      [70, 33, 7],
      [129, 64, 12],
    ]) {
      const a = random(n, d, 3 * n);
      const b = random(n, l, 5 * n);
      const a32: Matrix = { rows: n, cols: d, data: Float32Array.from(a.data) };
      const viaWasm = [jsBackend.gram(a), jsBackend.gram(a32), jsBackend.crossProduct(a, b)];
      setWasmTilesEnabled(false);
      try {
        const viaJs = [jsBackend.gram(a), jsBackend.gram(a32), jsBackend.crossProduct(a, b)];
        for (let i = 0; i < 3; i++) expect(maxAbsDiff(viaWasm[i].data, viaJs[i].data)).toBeLessThan(1e-12);
        expect(maxAbsDiff(viaJs[0].data, naiveMatmul(a, a, true))).toBeLessThan(1e-12);
      } finally {
        setWasmTilesEnabled(true);
      }
    }
  });

  it('gram of a hand-computed 3×2 matrix', () => {
    const a: Dense = { rows: 3, cols: 2, data: Float64Array.of(1, 2, 3, 4, 5, 6) };
    expect(Array.from(jsBackend.gram(a).data)).toEqual([35, 44, 44, 56]);
  });

  it('rejects disagreeing shapes', () => {
    expect(() => jsBackend.crossProduct(random(3, 2, 1), random(4, 2, 1))).toThrow(
      expect.objectContaining({ code: 'ROW_MISMATCH' }),
    );
    expect(() => jsBackend.matmul(random(3, 2, 1), random(3, 2, 1))).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
  });
});

describe('eigh', () => {
  it('solves known small cases', () => {
    const one = jsBackend.eigh({ rows: 1, cols: 1, data: Float64Array.of(-3) });
    expect(Array.from(one.values)).toEqual([-3]);
    expect(Math.abs(one.vectors.data[0])).toBe(1);
    const two = jsBackend.eigh({ rows: 2, cols: 2, data: Float64Array.of(2, 1, 1, 2) });
    expect(two.values[0]).toBeCloseTo(1, 14);
    expect(two.values[1]).toBeCloseTo(3, 14);
    expect(Math.abs(two.vectors.data[0])).toBeCloseTo(Math.SQRT1_2, 14);
    // diag(3, 1, 2) is already diagonal.
    const diag = jsBackend.eigh({ rows: 3, cols: 3, data: Float64Array.of(3, 0, 0, 0, 1, 0, 0, 0, 2) });
    expect(Array.from(diag.values)).toEqual([1, 2, 3]);
    // [[2,-1,0],[-1,2,-1],[0,-1,2]] has eigenvalues 2-√2, 2, 2+√2.
    const t = jsBackend.eigh({ rows: 3, cols: 3, data: Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2) });
    expect(t.values[0]).toBeCloseTo(2 - Math.SQRT2, 14);
    expect(t.values[1]).toBeCloseTo(2, 14);
    expect(t.values[2]).toBeCloseTo(2 + Math.SQRT2, 14);
  });

  it('reads only the lower triangle', () => {
    const r = jsBackend.eigh({ rows: 2, cols: 2, data: Float64Array.of(2, 99, 1, 2) });
    expect(r.values[0]).toBeCloseTo(1, 14);
    expect(r.values[1]).toBeCloseTo(3, 14);
  });

  it('satisfies A V = V Λ and VᵀV = I on random, rank-deficient and repeated spectra', () => {
    for (const n of [2, 3, 10, 33, 64]) {
      const b = random(n, n, n);
      const a = jsBackend.gram(b);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.data[i * n + j] -= i === j ? n / 3 : 0; // indefinite
      checkEigh(a, 1e-12);
    }
    // Rank 5 in 40 dimensions: 35 eigenvalues at zero.
    const low = jsBackend.gram(random(5, 40, 11));
    checkEigh(low, 1e-12);
    const { values } = jsBackend.eigh(low);
    for (let i = 0; i < 35; i++) expect(Math.abs(values[i])).toBeLessThan(1e-12);
    // Identity and a block with a repeated eigenvalue.
    const eye: Dense = { rows: 6, cols: 6, data: new Float64Array(36) };
    for (let i = 0; i < 6; i++) eye.data[i * 6 + i] = 1;
    checkEigh(eye, 1e-14);
    const ones: Dense = { rows: 5, cols: 5, data: new Float64Array(25).fill(1) }; // eigenvalues 0×4, 5
    checkEigh(ones, 1e-13);
    expect(jsBackend.eigh(ones).values[4]).toBeCloseTo(5, 13);
  });

  it('gives the same decomposition with the JavaScript kernels only', () => {
    const a = jsBackend.gram(random(120, 100, 77));
    const withWasm = jsBackend.eigh(a);
    setWasmTilesEnabled(false);
    try {
      checkEigh(a, 1e-12);
      const plain = jsBackend.eigh(a);
      expect(maxAbsDiff(plain.values, withWasm.values)).toBeLessThan(1e-10);
    } finally {
      setWasmTilesEnabled(true);
    }
  });

  it('handles a 512×512 random symmetric matrix', () => {
    const b = random(512, 512, 5);
    const a: Dense = { rows: 512, cols: 512, data: new Float64Array(512 * 512) };
    for (let i = 0; i < 512; i++) {
      for (let j = 0; j < 512; j++) a.data[i * 512 + j] = b.data[i * 512 + j] + b.data[j * 512 + i];
    }
    checkEigh(a, 1e-11);
    // The trace is the sum of the eigenvalues.
    let trace = 0;
    for (let i = 0; i < 512; i++) trace += a.data[i * 512 + i];
    const sum = jsBackend.eigh(a).values.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum - trace)).toBeLessThan(1e-9);
  });
});

describe('eighProject', () => {
  it('gives the eigenvalues of eigh and Vᵀb up to the sign of each eigenvector', () => {
    for (const n of [1, 2, 5, 70]) {
      const a = jsBackend.gram(random(n + 3, n, 40 + n));
      const b = random(n, 3, 50 + n);
      const full = jsBackend.eigh(a);
      const pr = eighProject(a, b);
      expect(maxAbsDiff(pr.values, full.values)).toBeLessThan(1e-12 * Math.max(1, full.values[n - 1]));
      // Compare |Vᵀb| entrywise (each eigenvector's sign is arbitrary), for well-separated values.
      const vtb = naiveMatmul(full.vectors, b, true);
      for (let j = 0; j < n; j++) {
        const gap = Math.min(
          j > 0 ? full.values[j] - full.values[j - 1] : Infinity,
          j < n - 1 ? full.values[j + 1] - full.values[j] : Infinity,
        );
        if (gap < 1e-6) continue;
        for (let c = 0; c < 3; c++)
          expect(Math.abs(pr.projected.data[j * 3 + c])).toBeCloseTo(Math.abs(vtb[j * 3 + c]), 9);
      }
      // Norms are preserved: ‖Vᵀb‖ = ‖b‖ column by column.
      for (let c = 0; c < 3; c++) {
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < n; i++) {
          s1 += pr.projected.data[i * 3 + c] ** 2;
          s2 += b.data[i * 3 + c] ** 2;
        }
        expect(s1).toBeCloseTo(s2, 10);
      }
    }
    // Many columns (tiled reflector application) against eigh then Vᵀb, up to signs.
    {
      const n = 100;
      const m = 40;
      const a = jsBackend.gram(random(130, n, 91));
      const b = random(n, m, 92);
      const full = jsBackend.eigh(a);
      const pr = eighProject(a, b);
      const vtb = naiveMatmul(full.vectors, b, true);
      expect(maxAbsDiff(pr.projected.data.map(Math.abs), vtb.map(Math.abs))).toBeLessThan(1e-9);
    }
    // The route for other backends (eigh then Vᵀb) agrees in the same sense.
    const a = jsBackend.gram(random(20, 6, 3));
    const b = random(6, 2, 4);
    const other = eighProject(a, b, { backend: { ...jsBackend, name: 'other' } });
    const mine = eighProject(a, b);
    expect(maxAbsDiff(other.projected.data.map(Math.abs), mine.projected.data.map(Math.abs))).toBeLessThan(
      1e-10,
    );
  });
});

describe('cholesky and solveSpd', () => {
  it('factors a known matrix', () => {
    const a: Dense = { rows: 3, cols: 3, data: Float64Array.of(4, 12, -16, 12, 37, -43, -16, -43, 98) };
    const l = jsBackend.cholesky(a);
    expect(l).not.toBeNull();
    expect(Array.from((l as Dense).data)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    expect(jsBackend.cholesky({ rows: 1, cols: 1, data: Float64Array.of(9) })?.data[0]).toBe(3);
  });

  it('returns null for matrices that are not positive definite', () => {
    expect(jsBackend.cholesky({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 2, 1) })).toBeNull();
    expect(jsBackend.cholesky({ rows: 2, cols: 2, data: Float64Array.of(1, 1, 1, 1) })).toBeNull();
    expect(jsBackend.cholesky({ rows: 1, cols: 1, data: Float64Array.of(0) })).toBeNull();
    expect(() =>
      jsBackend.solveSpd({ rows: 1, cols: 1, data: Float64Array.of(-1) }, random(1, 1, 1)),
    ).toThrow(expect.objectContaining({ code: 'NOT_POSITIVE_DEFINITE', input: 'a' }));
  });

  it('L Lᵀ = A and A X = B on random SPD systems up to 512', () => {
    for (const n of [1, 2, 17, 128, 512]) {
      const a = randomSpd(n, n + 1);
      const l = jsBackend.cholesky(a) as Dense;
      const lt: Dense = { rows: n, cols: n, data: new Float64Array(n * n) };
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lt.data[j * n + i] = l.data[i * n + j];
      expect(maxAbsDiff(naiveMatmul(l, lt), a.data) / n).toBeLessThan(1e-13);
      const b = random(n, 3, 9);
      const x = jsBackend.solveSpd(a, b);
      expect(maxAbsDiff(naiveMatmul(a, x), b.data)).toBeLessThan(1e-10);
    }
  });
});

describe('solveCholesky and crossProductInto (js backend)', () => {
  it('solveCholesky on the factor solves A X = B', () => {
    for (const n of [1, 5, 70]) {
      const a = randomSpd(n, n + 3);
      const b = random(n, 4, 5);
      const x = jsBackend.solveCholesky!(jsBackend.cholesky(a) as Dense, b);
      expect(maxAbsDiff(naiveMatmul(a, x), b.data)).toBeLessThan(1e-10);
    }
  });

  it('crossProductInto adds AᵀB to what out holds', () => {
    const a = random(31, 6, 1);
    const b = random(31, 3, 2);
    const out = new Float64Array(18).fill(0.5);
    jsBackend.crossProductInto!(a, b, out);
    const want = naiveMatmul(a, b, true).map((v) => v + 0.5);
    expect(maxAbsDiff(out, want)).toBeLessThan(1e-12);
  });
});

describe('pivotedCholesky and normalEquationsSolve', () => {
  it('finds the rank of a rank-deficient Gram matrix', () => {
    // Columns: c0, c1, c0 + c1, 2·c0, zero → rank 2.
    const base = random(30, 2, 4);
    const x: Dense = { rows: 30, cols: 5, data: new Float64Array(150) };
    for (let i = 0; i < 30; i++) {
      const p = base.data[2 * i];
      const q = base.data[2 * i + 1];
      x.data.set([p, q, p + q, 2 * p, 0], i * 5);
    }
    const g = jsBackend.gram(x);
    const r = pivotedCholesky(g, { tol: 1e-10 * 30 });
    expect(r.rank).toBe(2);
    // a[perm, perm] ≈ L Lᵀ on every entry.
    const l = r.factor;
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let k = 0; k < r.rank; k++) s += l.data[i * r.rank + k] * l.data[j * r.rank + k];
        expect(Math.abs(s - g.data[r.perm[i] * 5 + r.perm[j]])).toBeLessThan(1e-10);
      }
    }
  });

  it('projects onto the column space whatever the rank', () => {
    // X = [1 0; 1 0; 0 1; 0 1] plus a duplicate of the first column; t = (1, 3, 5, 9):
    // the projection averages within each pair: (2, 2, 7, 7).
    const x: Dense = { rows: 4, cols: 3, data: Float64Array.of(1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0) };
    const t: Dense = { rows: 4, cols: 1, data: Float64Array.of(1, 3, 5, 9) };
    const sol = normalEquationsSolve(jsBackend.gram(x), jsBackend.crossProduct(x, t));
    expect(sol.rank).toBe(2);
    const proj = jsBackend.matmul(x, sol.solution);
    expect(maxAbsDiff(proj.data, [2, 2, 7, 7])).toBeLessThan(1e-12);
  });
});

describe('gramProjector', () => {
  it('gives the same projection on the full-rank and rank-deficient paths, on any backend', () => {
    // A backend declared native and without solveCholesky takes the solveSpd route.
    const other: LinalgBackend = {
      ...jsBackend,
      name: 'other',
      solveCholesky: undefined,
      capabilities: { ...jsBackend.capabilities, native: true, kernels: ['crossProductInto'] },
    };
    const x = random(50, 6, 8);
    const t = random(50, 2, 9);
    const full = normalEquationsSolve(jsBackend.gram(x), jsBackend.crossProduct(x, t));
    expect(full.rank).toBe(6);
    const viaOther = normalEquationsSolve(jsBackend.gram(x), jsBackend.crossProduct(x, t), {
      backend: other,
    });
    expect(maxAbsDiff(full.solution.data, viaOther.solution.data)).toBeLessThan(1e-12);
    // Append a duplicate and a zero column: rank stays 6, the projection X W is unchanged.
    const wide: Dense = { rows: 50, cols: 8, data: new Float64Array(400) };
    for (let i = 0; i < 50; i++) {
      wide.data.set(x.data.subarray(i * 6, i * 6 + 6), i * 8);
      wide.data[i * 8 + 6] = x.data[i * 6 + 2];
    }
    const proj = naiveMatmul(x, full.solution);
    for (const backend of [jsBackend, other]) {
      const p = gramProjector(jsBackend.gram(wide), { backend });
      expect(p.rank).toBe(6);
      const w = p.solve(jsBackend.crossProduct(wide, t));
      expect(maxAbsDiff(naiveMatmul(wide, w), proj)).toBeLessThan(1e-11);
    }
  });
});

describe('symmetricPinv', () => {
  it('inverts the non-zero part of the spectrum', () => {
    // diag(2, 0, 4) → diag(0.5, 0, 0.25).
    const p = symmetricPinv({ rows: 3, cols: 3, data: Float64Array.of(2, 0, 0, 0, 0, 0, 0, 0, 4) });
    expect(maxAbsDiff(p.data, [0.5, 0, 0, 0, 0, 0, 0, 0, 0.25])).toBeLessThan(1e-15);
    // A A⁺ A = A on a rank-3 PSD matrix.
    const a = jsBackend.gram(random(3, 12, 2));
    const ap = symmetricPinv(a, { rcond: 1e-10 });
    expect(maxAbsDiff(naiveMatmul(naiveMatmulDense(a, ap), a), a.data)).toBeLessThan(1e-12);
  });
});

function naiveMatmulDense(a: Dense, b: Dense): Dense {
  return { rows: a.rows, cols: b.cols, data: naiveMatmul(a, b) };
}

describe('pca', () => {
  it('rejects bad options with INVALID_OPTION naming the option', () => {
    const x = random(10, 3, 5);
    for (const [opts, input] of [
      [{ components: 0 }, 'components'],
      [{ components: 1.5 }, 'components'],
      [{ varianceRatio: 1 }, 'varianceRatio'],
      [{ varianceRatio: 0 }, 'varianceRatio'],
      [{ components: 1, varianceRatio: 0.5 }, 'components'],
    ] as const) {
      expect(() => pca(x, opts)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', input }));
    }
  });

  it('matches a hand computation', () => {
    // Centred rows (−2,−2), (0,0), (2,2): one axis (1,1)/√2 with variance 16/2 = 8.
    const x: Dense = { rows: 3, cols: 2, data: Float64Array.of(1, 2, 3, 4, 5, 6) };
    const r = pca(x);
    expect(Array.from(r.mean)).toEqual([3, 4]);
    expect(r.explainedVariance[0]).toBeCloseTo(8, 12);
    expect(r.explainedVariance[1]).toBeCloseTo(0, 12);
    expect(r.explainedVarianceRatio[0]).toBeCloseTo(1, 12);
    expect(r.components.data[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(r.components.data[1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(r.projected.data[0]).toBeCloseTo(-2 * Math.SQRT2, 12);
    expect(r.projected.data[2]).toBeCloseTo(0, 12);
    expect(r.projected.data[4]).toBeCloseTo(2 * Math.SQRT2, 12);
  });

  it('N > D and N ≤ D give the same axes and variances (sign convention included)', () => {
    const n = 12;
    const d = 12;
    const full = random(n, d, 21);
    // 13 rows (N > D path) against the same data with 12 columns (N ≤ D path).
    const wide = pca(full, { components: 4 });
    const tall: Dense = { rows: n + 1, cols: d, data: new Float64Array((n + 1) * d) };
    tall.data.set(full.data);
    // Add the mean row: the centred scatter is unchanged, the variance divisor grows by one.
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += full.data[i * d + j];
      tall.data[n * d + j] = s / n;
    }
    const t = pca(tall, { components: 4 });
    expect(maxAbsDiff(t.components.data, wide.components.data)).toBeLessThan(1e-10);
    for (let k = 0; k < 4; k++) {
      expect(t.explainedVariance[k] * n).toBeCloseTo(wide.explainedVariance[k] * (n - 1), 10);
    }
    // Largest-magnitude loading is positive; axes orthonormal; projections are Xc·axes.
    for (let k = 0; k < 4; k++) {
      const row = Array.from(t.components.data.subarray(k * d, (k + 1) * d));
      const big = row.reduce((b, v, j) => (Math.abs(v) > Math.abs(row[b]) ? j : b), 0);
      expect(row[big]).toBeGreaterThan(0);
      expect(row.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 12);
    }
  });

  it('keeps the fewest components whose cumulative ratio exceeds varianceRatio', () => {
    // Independent axes with variances in ratio 4:3:2:1 → ratios 0.4, 0.3, 0.2, 0.1.
    const rows: number[][] = [];
    const scales = [2, Math.sqrt(3), Math.SQRT2, 1];
    for (let a = 0; a < 4; a++) {
      for (const s of [-1, 1]) {
        const r = [0, 0, 0, 0];
        r[a] = s * scales[a];
        rows.push(r);
      }
    }
    const x: Dense = { rows: 8, cols: 4, data: Float64Array.from(rows.flat()) };
    expect(pca(x, { varianceRatio: 0.8 }).components.rows).toBe(3); // 0.9 > 0.8
    expect(pca(x, { varianceRatio: 0.65 }).components.rows).toBe(2); // 0.7 > 0.65
    const r = pca(x, { varianceRatio: 0.3 });
    expect(r.components.rows).toBe(1);
    expect(r.explainedVarianceRatio[0]).toBeCloseTo(0.4, 12);
  });
});
