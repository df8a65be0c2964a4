import { jsBackend } from '@emms/linalg';
import { normalFrom, seededRandom } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import {
  centredCopy,
  gaussBound,
  gaussHessianDiagonalSum,
  gaussObjective,
  gaussStart,
  pactranGauss,
} from './gauss';
import reference from './testdata/reference-values.json';

const backend = jsBackend;
const syn = reference.synthetic;
const synX = { rows: syn.rows, cols: syn.featureCols, data: Float64Array.from(syn.features) };
const synY = Int32Array.from(syn.labels);

function close(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

// The 3×2 hand example: X rows (1, 2), (3, 0), (−1, 1); labels 0, 1, 1; C = 2; λ = 1 ⇒ λN = 3.
const x3 = { rows: 3, cols: 2, data: new Float64Array([1, 2, 3, 0, -1, 1]) };
const y3 = Int32Array.from([0, 1, 1]);

describe('PACTran-Gauss closed-form parts on a 3×2 example', () => {
  it('objective and gradient at θ = 0', () => {
    const f = gaussObjective(x3, y3, 2, 3, backend);
    const g = new Float64Array(6);
    const value = f(new Float64Array(6), g);
    // Every p = ½: L = log 2 (+ the reference's log(1 + 1e-10)); no ridge at W = 0.
    expect(value).toBeCloseTo(Math.LN2 + 1e-10, 15);
    // (P − Y)/3 has rows (−½, ½), (½, −½), (½, −½) divided by 3.
    // ∂W[0,0] = (1·(−½) + 3·½ + (−1)·½)/3 = 1/6; ∂W[1,0] = (2·(−½) + 0 + 1·½)/3 = −1/6.
    // ∂b[0] = (−½ + ½ + ½)/3 = 1/6; columns for class 1 are the negatives.
    const expected = [1 / 6, -1 / 6, -1 / 6, 1 / 6, 1 / 6, -1 / 6];
    expected.forEach((e, j) => {
      expect(g[j]).toBeCloseTo(e, 15);
    });
  });

  it('objective at a hand-picked θ', () => {
    // W = [[1, 0], [0, −1]], b = (0, ½): logits rows (1, −1.5), (3, 0.5), (−1, −0.5).
    const theta = new Float64Array([1, 0, 0, -1, 0, 0.5]);
    const logits = [
      [1, -1.5],
      [3, 0.5],
      [-1, -0.5],
    ];
    let xent = 0;
    logits.forEach((row, i) => {
      xent += Math.log(Math.exp(row[0]) + Math.exp(row[1])) - row[y3[i]];
    });
    // Ridge ‖W‖² / (2·3) = 2/6.
    const expected = xent / 3 + Math.log1p(1e-10) + 2 / 6;
    expect(gaussObjective(x3, y3, 2, 3, backend)(theta, new Float64Array(6))).toBeCloseTo(expected, 14);
  });

  it('Hessian-diagonal sum, σ⁻² and the bound at θ = 0', () => {
    // Σ_i (‖x_i‖² + 1) Σ_k ¼ = (6 + 10 + 3)/2 = 9.5, plus D·C/λN = 4/3.
    const h = gaussHessianDiagonalSum(x3, new Float64Array(6), 2, 3, backend);
    expect(h).toBeCloseTo(9.5 + 4 / 3, 13);
    // σ⁻² = h · λN / (D·C) = (9.5 + 4/3)·3/4 = 8.125 (+1e-10);
    // bound = L + ½ · (D·C)/λN · (s2Factor/D) · log σ⁻² = L + ½ · 4/3 · 50 · log 8.125.
    const b = gaussBound(Math.LN2, h, 2, 2, 3, 100);
    expect(b.sigma2Inv).toBeCloseTo(8.125, 9);
    expect(b.value).toBeCloseTo(Math.LN2 + (100 / 3) * Math.log(8.125), 8);
  });
});

describe('PACTran-Gauss objective', () => {
  it('has a gradient that agrees with central finite differences', () => {
    const rng = { normal: normalFrom(seededRandom(3)) };
    const x = centredCopy(synX, true);
    const f = gaussObjective(x, synY, 3, 0.7 * x.rows, backend);
    const theta = Float64Array.from({ length: (x.cols + 1) * 3 }, () => rng.normal());
    const g = new Float64Array(theta.length);
    f(theta, g);
    const scratch = new Float64Array(theta.length);
    for (let j = 0; j < theta.length; j++) {
      const h = 1e-6;
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[j] += h;
      minus[j] -= h;
      const fd = (f(plus, scratch) - f(minus, scratch)) / (2 * h);
      expect(Math.abs(fd - g[j])).toBeLessThan(1e-8);
    }
  });

  it('starts from a seeded, reproducible point', () => {
    expect([...gaussStart(3, 2, 5)]).toEqual([...gaussStart(3, 2, 5)]);
    expect([...gaussStart(3, 2, 5)]).not.toEqual([...gaussStart(3, 2, 6)]);
    expect([...gaussStart(3, 2, 5).subarray(6)]).toEqual([0, 0]);
  });
});

describe('pactranGauss', () => {
  const tight = { tolerance: 1e-13, maxIterations: 5000 };

  it('reaches the optimum an independent scipy L-BFGS-B run finds (synthetic 12×3)', () => {
    for (const [key, lda, s2] of [
      ['lda1', 1, 100],
      ['lda0.1', 0.1, 10],
    ] as const) {
      const ref = syn.gauss[key];
      const r = pactranGauss(synX, synY, 3, { backend, ldaFactor: lda, ...tight });
      close(r.pacOpt, ref.pacOpt, 1e-9);
      close(r.sigma2Inv, ref.sigma2Inv, 1e-6);
      close(r.value, ref.values[String(s2.toFixed(1)) as keyof typeof ref.values], 1e-8);
    }
    const unc = pactranGauss(synX, synY, 3, { backend, center: false, ...tight });
    close(unc.value, syn.gauss.lda1_uncentred.values['100.0'], 1e-8);
    // Centring leaves L(θ*) unchanged (b absorbs the mean) but moves the Hessian term.
    close(unc.pacOpt, syn.gauss.lda1.pacOpt, 1e-9);
  });

  it('is deterministic for a seed and lands at the same optimum from another seed', () => {
    const a = pactranGauss(synX, synY, 3, { backend, seed: 1 });
    const b = pactranGauss(synX, synY, 3, { backend, seed: 1 });
    expect(a.value).toBe(b.value);
    const c = pactranGauss(synX, synY, 3, { backend, seed: 2, ...tight });
    const d = pactranGauss(synX, synY, 3, { backend, seed: 9, ...tight });
    close(c.value, d.value, 1e-7);
  });

  it('is invariant to relabelling classes and reordering samples (at the optimum)', () => {
    const base = pactranGauss(synX, synY, 3, { backend, ...tight }).value;
    const n = synX.rows;
    const d = synX.cols;
    const perm = Array.from({ length: n }, (_, i) => (i * 7 + 2) % n);
    const classPerm = [2, 0, 1];
    const data = new Float64Array(n * d);
    const y = new Int32Array(n);
    perm.forEach((from, to) => {
      for (let j = 0; j < d; j++) data[to * d + j] = synX.data[from * d + j];
      y[to] = classPerm[synY[from]];
    });
    close(pactranGauss({ rows: n, cols: d, data }, y, 3, { backend, ...tight }).value, base, 1e-8);
  });

  it('ranks well-separated features above noise (lower bound = better)', () => {
    const rng = { normal: normalFrom(seededRandom(11)) };
    const n = 120;
    const d = 6;
    const y = Int32Array.from({ length: n }, (_, i) => i % 4);
    const good = new Float64Array(n * d);
    const noise = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        good[i * d + j] = rng.normal() + (j === y[i] ? 4 : 0);
        noise[i * d + j] = rng.normal();
      }
    }
    const g = pactranGauss({ rows: n, cols: d, data: good }, y, 4, { backend });
    const b = pactranGauss({ rows: n, cols: d, data: noise }, y, 4, { backend });
    expect(g.value).toBeLessThan(b.value);
    expect(g.pacOpt).toBeLessThan(b.pacOpt);
  });

  it('rejects bad options', () => {
    expect(() => pactranGauss(synX, synY, 3, { backend, ldaFactor: 0 })).toThrow(/ldaFactor/);
    expect(() => pactranGauss(synX, synY, 3, { backend, s2Factor: -1 })).toThrow(/s2Factor/);
  });
});
