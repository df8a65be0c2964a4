import { jsBackend } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';
import { fixtureNames } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { expectedOf, fixtureLabels, fixtureMatrix, within } from '../testing/fixtures';
import { logmeCompute, logmeMetric } from './logme';

describe('logme against the reference fixtures', () => {
  for (const f of fixtureNames) {
    it(`${f}: classification and regression on each F-label`, () => {
      const expected = expectedOf(f);
      const x = fixtureMatrix(f, 'X.npy');
      const y = fixtureLabels(f);
      const cls = logmeCompute(x, { labels: y });
      const results: [string, number][] = [['logme', cls.value]];
      for (const z of ['bert', 'clip', 'gpt2']) {
        results.push([
          `logme_flabel_${z}`,
          logmeCompute(x, { targets: fixtureMatrix(f, `Z_${z}.npy`) }).value,
        ]);
      }
      for (const [key, ours] of results) {
        const e = expected[key];
        const rel = Math.abs(ours - e.value) / Math.abs(e.value);
        console.log(`${f} ${key}: ours ${ours} reference ${e.value} rel ${rel.toExponential(2)}`);
        expect(within(ours, e), `${f} ${key}: ${ours} vs ${e.value}`).toBe(true);
      }
      // Per-class evidence averages to the score.
      const c = Math.max(...y) + 1;
      expect(cls.details.evidence.length).toBe(c);
      expect(cls.details.evidence.reduce((s, v) => s + v, 0) / c).toBeCloseTo(cls.value, 12);
      expect(cls.details.rank).toBe(Math.min(x.rows, x.cols)); // the dead column's noise value is kept
    });
  }
});

/** x with extra columns appended. */
function withColumns(x: Matrix, extra: (row: Float64Array) => number[]): Matrix<Float64Array> {
  const add = extra(new Float64Array(x.cols)).length;
  const cols = x.cols + add;
  const data = new Float64Array(x.rows * cols);
  for (let i = 0; i < x.rows; i++) {
    const row = Float64Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols));
    data.set(row, i * cols);
    data.set(extra(row), i * cols + x.cols);
  }
  return { rows: x.rows, cols, data };
}

describe('logme maths and edge cases', () => {
  it('matches the evidence formula on a one-feature problem computed by hand', () => {
    // X = column (1, 2, 2), t = (1, 0, 1): N = 3 > D = 1, σ = ‖x‖² = 9, u = x/3, x̂ = uᵀt = 1,
    // r0 = ‖t‖² − 1 = 1. Iterate the spec's fixed point in plain arithmetic here.
    const x: Matrix = { rows: 3, cols: 1, data: Float64Array.of(1, 2, 2) };
    const t: Matrix = { rows: 3, cols: 1, data: Float64Array.of(1, 0, 1) };
    let alpha = 1;
    let beta = 1;
    let m2 = 0;
    let res2 = 0;
    for (let i = 0; i < 11; i++) {
      const tau = alpha / beta;
      const gamma = 9 / (9 + tau);
      m2 = (9 * 1) / (tau + 9) ** 2;
      res2 = 1 / (1 + 9 / tau) ** 2 + 1;
      alpha = gamma / (m2 + 1e-5);
      beta = (3 - gamma) / (res2 + 1e-5);
      if (Math.abs(alpha / beta - tau) / tau <= 1e-3) break;
    }
    const evidence =
      (0.5 * Math.log(alpha) +
        1.5 * Math.log(beta) -
        0.5 * Math.log(alpha + 9 * beta) -
        (beta / 2) * res2 -
        (alpha / 2) * m2 -
        1.5 * Math.log(2 * Math.PI)) /
      3;
    expect(logmeCompute(x, { targets: t }).value).toBeCloseTo(evidence, 12);
    // The same target as labels: class 1 is t, class 0 is 1 − t = (0, 1, 0).
    const cls = logmeCompute(x, { labels: Int32Array.of(1, 0, 1) });
    expect(cls.details.evidence[1]).toBeCloseTo(evidence, 12);
  });

  it('N < D uses all N values of the thin SVD (wide fixture, and 2×3 by hand)', () => {
    // X = [[1, 0, 0], [0, 2, 0]]: X Xᵀ = diag(1, 4); for t = (1, 1) we have x̂ = (1, 1) in
    // some order and r0 = 0, so the evidence depends only on σ = {1, 4}.
    const x: Matrix = { rows: 2, cols: 3, data: Float64Array.of(1, 0, 0, 0, 2, 0) };
    const t: Matrix = { rows: 2, cols: 1, data: Float64Array.of(1, 1) };
    const r = logmeCompute(x, { targets: t });
    expect(r.details.rank).toBe(2);
    let alpha = 1;
    let beta = 1;
    let m2 = 0;
    let res2 = 0;
    const sig = [4, 1];
    for (let i = 0; i < 11; i++) {
      const tau = alpha / beta;
      const gamma = sig.reduce((s, v) => s + v / (v + tau), 0);
      m2 = sig.reduce((s, v) => s + v / (tau + v) ** 2, 0);
      res2 = sig.reduce((s, v) => s + 1 / (1 + v / tau) ** 2, 0);
      alpha = gamma / (m2 + 1e-5);
      beta = (2 - gamma) / (res2 + 1e-5);
      if (Math.abs(alpha / beta - tau) / tau <= 1e-3) break;
    }
    const e =
      ((3 / 2) * Math.log(alpha) +
        Math.log(beta) -
        0.5 * sig.reduce((s, v) => s + Math.log(alpha + beta * v), 0) -
        (beta / 2) * res2 -
        (alpha / 2) * m2 -
        Math.log(2 * Math.PI)) /
      2;
    expect(r.value).toBeCloseTo(e, 12);
  });

  // Values from logme-edge-cases.py (numpy, thuml's algorithm) on the fixtures with the change.
  it('duplicated and constant columns agree with thuml on the same inputs', () => {
    const x = fixtureMatrix('small', 'X.npy');
    const y = fixtureLabels('small');
    // Two duplicated columns: two null directions whose noise-level σ the reference keeps, and
    // D grows by two in D/2·log α: the score moves by 6e-4, it is not invariant.
    const dup = logmeCompute(
      withColumns(x, (r) => [r[0], r[1]]),
      { labels: y },
    );
    expect(dup.details.rank).toBe(66);
    expect(Math.abs(dup.value - -0.460295606868797)).toBeLessThan(1e-9);
    // A constant non-zero column is a real direction of XᵀX (features are not centred).
    const constant = logmeCompute(
      withColumns(x, () => [1]),
      { labels: y },
    );
    expect(constant.details.rank).toBe(65);
    expect(Math.abs(constant.value - -0.4516335638513681)).toBeLessThan(1e-9);
  });

  it('is not scale-invariant: features × 1e-3 and × 1e3 give what thuml gives', () => {
    // The marginal likelihood itself is invariant under X → sX, α → s²α, but the fixed point
    // starts at α = β = 1, stops after ≤ 11 updates, and adds 1e-5 to m2 and res2.
    const x = fixtureMatrix('captions', 'X.npy');
    const y = fixtureLabels('captions');
    for (const [s, want] of [
      [1e-3, -0.2474260765646716],
      [1e3, -0.6461598929018797],
    ]) {
      const v = logmeCompute(
        { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data, (a) => a * s) },
        { labels: y },
      );
      expect(Math.abs(v.value - want)).toBeLessThan(1e-9 * Math.abs(want));
    }
  });

  it('gives the same values through the eigh-then-product route of other backends', () => {
    const other = { ...jsBackend, name: 'other' };
    for (const f of ['small', 'wide']) {
      const x = fixtureMatrix(f, 'X.npy');
      const y = fixtureLabels(f);
      const z = fixtureMatrix(f, 'Z_bert.npy');
      const a = logmeCompute(x, { labels: y }).value;
      const b = logmeCompute(x, { labels: y }, { backend: other }).value;
      expect(Math.abs(a - b)).toBeLessThan(1e-10 * Math.abs(a));
      const c = logmeCompute(x, { targets: z }).value;
      const d = logmeCompute(x, { targets: z }, { backend: other }).value;
      expect(Math.abs(c - d)).toBeLessThan(1e-10 * Math.abs(c));
    }
  });

  it('float32 and float64 copies of the same data agree to 1e-6', () => {
    for (const f of fixtureNames) {
      const x = fixtureMatrix(f, 'X.npy');
      const y = fixtureLabels(f);
      const a = logmeCompute(x, { labels: y }).value;
      const b = logmeCompute(
        { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data) },
        { labels: y },
      ).value;
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.abs(a));
    }
  });

  it('works as a Metric, preferring targets over labels, and names missing inputs', async () => {
    const x = fixtureMatrix('wide', 'X.npy');
    const y = fixtureLabels('wide');
    const z = fixtureMatrix('wide', 'Z_clip.npy');
    const ctx = { backend: jsBackend };
    expect(
      within(
        (await logmeMetric.compute({ features: x, labels: y }, {}, ctx)).value,
        expectedOf('wide').logme,
      ),
    ).toBe(true);
    const reg = await logmeMetric.compute({ features: x, labels: y, targets: z }, {}, ctx);
    expect(within(reg.value, expectedOf('wide').logme_flabel_clip)).toBe(true);
    expect(() => logmeMetric.compute({ features: x }, {}, ctx)).toThrow(
      expect.objectContaining({ code: 'MISSING_INPUT' }),
    );
    expect(() => logmeCompute(x, { labels: y.subarray(1) })).toThrow(
      expect.objectContaining({ code: 'ROW_MISMATCH' }),
    );
  });
});
