import type { Matrix } from '@emms/tensor-io';
import { fixtureNames } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { expectedOf, fixtureLabels, fixtureMatrix, within } from '../testing/fixtures';
import { emmsCompute, emmsMetric } from './emms';

const flabelsOf = (f: string): Matrix[] =>
  ['Z_bert', 'Z_clip', 'Z_gpt2'].map((z) => fixtureMatrix(f, `${z}.npy`));

/** x with extra columns appended: `extra(i)` gives the values of row i. */
function withColumns(x: Matrix, extra: (row: Float64Array, i: number) => number[]): Matrix<Float64Array> {
  const first = extra(new Float64Array(x.cols), 0).length;
  const cols = x.cols + first;
  const data = new Float64Array(x.rows * cols);
  for (let i = 0; i < x.rows; i++) {
    const row = Float64Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols));
    data.set(row, i * cols);
    data.set(extra(row, i), i * cols + x.cols);
  }
  return { rows: x.rows, cols, data };
}

function scaled(x: Matrix, s: number): Matrix<Float64Array> {
  return { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data, (v) => v * s) };
}

describe('emms against the reference fixtures', () => {
  for (const f of fixtureNames) {
    it(`${f}: F-labels and one-hot`, () => {
      const expected = expectedOf(f);
      const x = fixtureMatrix(f, 'X.npy');
      const y = fixtureLabels(f);
      const r = emmsCompute(x, flabelsOf(f));
      const o = emmsCompute(x, [], { labels: y });
      for (const [key, ours] of [
        ['emms', r.value],
        ['emms_onehot', o.value],
      ] as const) {
        const e = expected[key];
        const rel = Math.abs(ours - e.value) / Math.abs(e.value);
        console.log(`${f} ${key}: ours ${ours} reference ${e.value} rel ${rel.toExponential(2)}`);
        expect(within(ours, e), `${f} ${key}: ${ours} vs ${e.value}`).toBe(true);
      }
      expect(r.details.weights.length).toBe(3);
      expect(r.details.weights.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      expect(o.details.flabels).toBe('one-hot');
      expect(o.details.weights).toEqual([1]);
    });
  }
});

describe('emms maths', () => {
  it('one column against one F-label column is −(1 − ρ²) (hand computation)', () => {
    // x = (1,2,3,4), y = (1,3,2,4): ρ = 4/5, so the score is −(1 − 0.64) = −0.36 (L = 1).
    const x: Matrix = { rows: 4, cols: 1, data: Float64Array.of(1, 2, 3, 4) };
    const y: Matrix = { rows: 4, cols: 1, data: Float64Array.of(1, 3, 2, 4) };
    expect(emmsCompute(x, [y]).value).toBeCloseTo(-0.36, 7);
  });

  it('is unchanged by column scaling (1e-3, 1e3), duplicated and constant columns', () => {
    const x = fixtureMatrix('small', 'X.npy');
    const z = flabelsOf('small');
    const base = emmsCompute(x, z).value;
    for (const s of [1e-3, 1e3])
      expect(Math.abs(emmsCompute(scaled(x, s), z).value / base - 1)).toBeLessThan(1e-8);
    const dup = withColumns(x, (row) => [row[0], row[5], 2 * row[7] - row[3]]);
    const dupResult = emmsCompute(dup, z);
    expect(dupResult.details.rank).toBe(63); // 64 columns, one dead, the three new ones dependent
    expect(Math.abs(dupResult.value / base - 1)).toBeLessThan(1e-8);
    const constant = withColumns(x, () => [3.5, 0, -1]);
    const c = emmsCompute(constant, z);
    expect(c.details.constantColumns).toBe(4);
    expect(Math.abs(c.value / base - 1)).toBeLessThan(1e-12);
  });

  it('is unchanged by a large offset on every feature column (float64 input)', () => {
    // Centring is done on XᵀX (XᵀX − N μμᵀ): check the subtraction keeps enough digits.
    const x = fixtureMatrix('captions', 'X.npy');
    const z = flabelsOf('captions');
    const base = emmsCompute(x, z).value;
    for (const shift of [30, 1e3, -5e4]) {
      const shifted: Matrix = {
        rows: x.rows,
        cols: x.cols,
        data: Float64Array.from(x.data, (v) => v + shift),
      };
      expect(Math.abs(emmsCompute(shifted, z).value / base - 1)).toBeLessThan(1e-9);
    }
  });

  it('identical F-labels share the weight equally and score like one (both computation routes)', () => {
    const x = fixtureMatrix('small', 'X.npy');
    const [zb] = flabelsOf('small');
    const single = emmsCompute(x, [zb]).value;
    const two = emmsCompute(x, [zb, zb]); // stacked route, singular 2×2 weight system
    const three = emmsCompute(x, [zb, zb, zb]); // mixed route
    expect(two.details.weights).toEqual([0.5, 0.5].map((v) => expect.closeTo(v, 12)));
    expect(three.details.weights).toEqual([1 / 3, 1 / 3, 1 / 3].map((v) => expect.closeTo(v, 12)));
    expect(Math.abs(two.value / single - 1)).toBeLessThan(1e-9);
    expect(Math.abs(three.value / single - 1)).toBeLessThan(1e-9);
  });

  it('the samples route (N×N Gram) and the features route (D×D Gram) agree', () => {
    for (const f of fixtureNames) {
      const x = fixtureMatrix(f, 'X.npy');
      const z = flabelsOf(f);
      for (const iterations of ['one-step', 'converge'] as const) {
        const a = emmsCompute(x, z, { route: 'features', iterations });
        const b = emmsCompute(x, z, { route: 'samples', iterations });
        expect(b.details.rank).toBe(a.details.rank);
        expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(1e-9 * Math.abs(a.value));
        expect(b.details.weights).toEqual(a.details.weights.map((v) => expect.closeTo(v, 9)));
      }
    }
    // D = 2000 > N = 300 made of copies of the small fixture's 64 columns: still rank 63, same
    // score, and the automatic choice is the samples route.
    const x = fixtureMatrix('small', 'X.npy');
    const z = flabelsOf('small');
    const wide = withColumns(x, (row) =>
      Array.from({ length: 2000 - 64 }, (_, j) => row[j % 64] * (1 + (j % 5))),
    );
    const r = emmsCompute(wide, z);
    expect(r.details.rank).toBe(63);
    expect(Math.abs(r.value / emmsCompute(x, z).value - 1)).toBeLessThan(1e-8);
  });

  it('four F-labels (the general mixed route, not the fused K = 3 one) agree with the samples route', () => {
    const x = fixtureMatrix('small', 'X.npy');
    const z = flabelsOf('small');
    // A fourth F-label: the second with its columns in reverse order.
    const zc = z[1];
    const rev = new Float64Array(zc.rows * zc.cols);
    for (let i = 0; i < zc.rows; i++)
      for (let j = 0; j < zc.cols; j++) rev[i * zc.cols + j] = zc.data[i * zc.cols + zc.cols - 1 - j];
    const four = [...z, { rows: zc.rows, cols: zc.cols, data: rev }];
    const a = emmsCompute(x, four, { route: 'features' });
    const b = emmsCompute(x, four, { route: 'samples' });
    expect(a.details.weights.length).toBe(4);
    expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(1e-9 * Math.abs(a.value));
    expect(b.details.unconstrainedWeights).toEqual(
      a.details.unconstrainedWeights.map((v) => expect.closeTo(v, 9)),
    );
  });

  it('gives 0 when N ≤ D (standardised X spans every centred target)', () => {
    const x = fixtureMatrix('wide', 'X.npy'); // 120 × 200
    const r = emmsCompute(x, flabelsOf('wide'));
    expect(r.details.rank).toBe(119);
    expect(r.value).toBe(0); // round-off of an exact zero is reported as 0
    expect(emmsCompute(x, [], { labels: fixtureLabels('wide') }).value).toBe(0);
  });

  it('float32 and float64 copies of the same data agree to 1e-6', () => {
    const x = fixtureMatrix('captions', 'X.npy');
    const z = flabelsOf('captions');
    const x64: Matrix = { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data) };
    const z64 = z.map((m) => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) }));
    const a = emmsCompute(x, z).value;
    const b = emmsCompute(x64, z64).value;
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.abs(a));
  });

  it('converge mode reports iterations and final weights', () => {
    for (const f of fixtureNames) {
      const x = fixtureMatrix(f, 'X.npy');
      const z = flabelsOf(f);
      const one = emmsCompute(x, z);
      const conv = emmsCompute(x, z, { iterations: 'converge' });
      console.log(
        `${f} converge: ${conv.value} after ${conv.details.iterations} (converged ${conv.details.converged}), weights ${conv.details.weights.map((v) => v.toFixed(4))}; one-step ${one.value}, weights ${one.details.weights.map((v) => v.toFixed(4))}`,
      );
      expect(conv.details.mode).toBe('converge');
      expect(conv.details.converged).toBe(true);
      expect(conv.details.iterations).toBeGreaterThanOrEqual(1);
      expect(conv.details.iterations).toBeLessThanOrEqual(100);
      expect(conv.details.weights.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      expect(conv.value).toBeGreaterThanOrEqual(one.value - 1e-9 * Math.abs(one.value));
      // More refits never lower the score (each half-step of the alternation is exact).
      let last = Number.NEGATIVE_INFINITY;
      for (const maxRefits of [1, 2, 5]) {
        const v = emmsCompute(x, z, { iterations: 'converge', maxRefits }).value;
        expect(v).toBeGreaterThanOrEqual(last - 1e-9 * Math.abs(v));
        expect(v).toBeGreaterThanOrEqual(one.value - 1e-9 * Math.abs(one.value));
        last = v;
      }
    }
  });

  it('refuses F-labels of unequal width, mismatched rows and missing inputs', () => {
    const x: Matrix = { rows: 3, cols: 2, data: Float64Array.of(1, 2, 3, 4, 5, 7) };
    const a: Matrix = { rows: 3, cols: 2, data: Float64Array.of(1, 0, 0, 1, 1, 1) };
    const b: Matrix = { rows: 3, cols: 3, data: new Float64Array(9).fill(1) };
    expect(() => emmsCompute(x, [a, b])).toThrow(
      expect.objectContaining({ code: 'FLABEL_WIDTH_MISMATCH', input: 'flabels[1]' }),
    );
    const short: Matrix = { rows: 2, cols: 2, data: new Float64Array(4) };
    expect(() => emmsCompute(x, [short])).toThrow(expect.objectContaining({ code: 'ROW_MISMATCH' }));
    expect(() => emmsCompute(x, [])).toThrow(expect.objectContaining({ code: 'MISSING_INPUT' }));
    const bad: Matrix = { rows: 3, cols: 2, data: Float64Array.of(1, 2, Number.NaN, 4, 5, 7) };
    expect(() => emmsCompute(bad, [a])).toThrow(
      expect.objectContaining({ code: 'NON_FINITE', input: 'features' }),
    );
  });

  it('reports progress over rows, checks rankTol, and scores all-constant features as −‖T‖²·L/N', () => {
    const x = fixtureMatrix('small', 'X.npy');
    const z = flabelsOf('small');
    const events: number[] = [];
    emmsCompute(x, z, { onProgress: (e) => events.push(e.done / (e.total ?? 1)) });
    expect(events.at(-1)).toBe(1);
    expect(() => emmsCompute(x, z, { rankTol: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    // Constant features span nothing: Π = 0, λ' = 0 → sparsemax gives 1/K each, T = mean F-label,
    // score = −‖T0‖²·L/N. With one F-label of standardised columns, ‖T‖² = N·L.
    const flat: Matrix = { rows: 4, cols: 2, data: new Float64Array(8).fill(2) };
    const y: Matrix = { rows: 4, cols: 1, data: Float64Array.of(1, 2, 3, 4) };
    const r = emmsCompute(flat, [y]);
    expect(r.details.rank).toBe(0);
    expect(r.details.constantColumns).toBe(2);
    // Standardised y has Σ y² = N σ²/(σ + 1e-8)² ≈ 4, so the score is ≈ −4·1/4 = −1.
    expect(r.value).toBeCloseTo(-1, 7);
  });

  it('emmsScore(inputs, options) and the metric validate options with the range in the message', async () => {
    const { emmsScore } = await import('./emms');
    const x = fixtureMatrix('small', 'X.npy');
    const z = flabelsOf('small');
    expect(emmsScore({ features: x, flabels: z }).value).toBe(emmsCompute(x, z).value);
    expect(() => emmsScore({ features: x, flabels: z }, { iterations: 'forever' as 'converge' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining('emms.iterations'),
      }),
    );
    expect(() => emmsScore({ features: x, flabels: z }, { rankTol: 1 })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('a number in [0, 1)') }),
    );
  });

  it('works as a Metric with the one-hot fallback', async () => {
    const x = fixtureMatrix('small', 'X.npy');
    const y = fixtureLabels('small');
    const { jsBackend } = await import('@emms/linalg');
    const r = await emmsMetric.compute({ features: x, labels: y }, {}, { backend: jsBackend });
    expect(within(r.value, expectedOf('small').emms_onehot)).toBe(true);
  });
});
