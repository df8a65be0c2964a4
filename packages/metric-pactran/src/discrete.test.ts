import { describe, expect, it } from 'vitest';
import { pactranDirichlet, pactranGamma } from './discrete';
import reference from './testdata/reference-values.json';

const syn = reference.synthetic;
const source = { rows: syn.rows, cols: syn.cols, data: Float64Array.from(syn.source) };
const labels = Int32Array.from(syn.labels);

function close(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe('PACTran-Dirichlet', () => {
  it('matches an independent numpy/scipy evaluation (scripts/reference.py)', () => {
    close(pactranDirichlet(source, labels, 3).value, syn.dirichlet['1'], 1e-12);
    close(pactranDirichlet(source, labels, 3, { alpha: 2.5 }).value, syn.dirichlet['2.5'], 1e-12);
    close(pactranDirichlet(source, labels, 3, { iterations: 3 }).value, syn.dirichlet.iters3, 1e-12);
  });

  it('is the Dirichlet-multinomial evidence when there is one source class', () => {
    // K = 1, labels (0, 1), a0 = (½, ½): p(y1 = 0) = ½, p(y2 = 1 | y1) = ½ / 2 ⇒ evidence ⅛.
    // value = −log(⅛) / (N·C) = 3 log 2 / 4 (the 1e-10 offsets move it by ~1e-10).
    const one = { rows: 2, cols: 1, data: new Float64Array([1, 1]) };
    expect(pactranDirichlet(one, Int32Array.from([0, 1]), 2).value).toBeCloseTo((3 * Math.LN2) / 4, 9);
  });

  it('is invariant to reordering samples, source classes and target classes', () => {
    const base = pactranDirichlet(source, labels, 3).value;
    const { rows, cols } = source;
    const perm = Array.from({ length: rows }, (_, i) => (i * 5 + 3) % rows);
    const colPerm = [2, 0, 3, 1];
    const classPerm = [1, 2, 0];
    const data = new Float64Array(rows * cols);
    const relabelled = new Int32Array(rows);
    perm.forEach((from, to) => {
      for (let z = 0; z < cols; z++) data[to * cols + z] = source.data[from * cols + colPerm[z]];
      relabelled[to] = classPerm[labels[from]];
    });
    close(pactranDirichlet({ rows, cols, data }, relabelled, 3).value, base, 1e-12);
  });

  it('scores an informative source below (better than) an uninformative one', () => {
    const n = 60;
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    const sharp = new Float64Array(n * 3);
    const flat = new Float64Array(n * 3).fill(1 / 3);
    for (let i = 0; i < n; i++) for (let z = 0; z < 3; z++) sharp[i * 3 + z] = z === y[i] ? 0.9 : 0.05;
    const good = pactranDirichlet({ rows: n, cols: 3, data: sharp }, y, 3).value;
    const bad = pactranDirichlet({ rows: n, cols: 3, data: flat }, y, 3).value;
    expect(good).toBeLessThan(bad);
  });

  it('rejects bad options', () => {
    expect(() => pactranDirichlet(source, labels, 3, { alpha: 0 })).toThrow(/alpha/);
    expect(() => pactranDirichlet(source, labels, 3, { iterations: 0 })).toThrow(/iterations/);
  });
});

describe('PACTran-Gamma', () => {
  it('matches an independent numpy/scipy evaluation (scripts/reference.py)', () => {
    close(pactranGamma(source, labels, 3).value, syn.gamma['1'], 1e-12);
    close(pactranGamma(source, labels, 3, { alpha: 2.5 }).value, syn.gamma['2.5'], 1e-12);
    close(pactranGamma(source, labels, 3, { iterations: 3 }).value, syn.gamma.iters3, 1e-12);
  });

  it('has the closed form of the one-source-class case', () => {
    // K = 1, labels (0, 1): a0 = (½, ½), a_w = (3/2, 3/2), l_i = 3, KL = 0.
    // Σ(log Γ(½) − log Γ(3/2)) = 2 log 2; Σ_i (log 3 − 1) = 2 log 3 − 2;
    // value = (2 log 2 + 2 log 3 − 2)/4 + 1 = (log 6 + 1)/2.
    const one = { rows: 2, cols: 1, data: new Float64Array([1, 1]) };
    expect(pactranGamma(one, Int32Array.from([0, 1]), 2).value).toBeCloseTo((Math.log(6) + 1) / 2, 9);
  });

  it('scores an informative source below (better than) an uninformative one', () => {
    const n = 60;
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    const sharp = new Float64Array(n * 3);
    const flat = new Float64Array(n * 3).fill(1 / 3);
    for (let i = 0; i < n; i++) for (let z = 0; z < 3; z++) sharp[i * 3 + z] = z === y[i] ? 0.9 : 0.05;
    const good = pactranGamma({ rows: n, cols: 3, data: sharp }, y, 3).value;
    const bad = pactranGamma({ rows: n, cols: 3, data: flat }, y, 3).value;
    expect(good).toBeLessThan(bad);
  });
});
