// Edge cases from issue 3, on variants of the `small` and `wide` fixtures.
import type { Matrix } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { scoreMetrics } from '../run';
import { fixtureLabels, fixtureMatrix } from '../testing/fixtures';

const X = fixtureMatrix('small', 'X.npy');
const y = fixtureLabels('small');
const P = fixtureMatrix('small', 'P.npy');
const featureIds = ['nleep', 'sfda', 'transrate', 'hscore', 'gbc', 'parc'];
const allIds = ['leep', 'nce', ...featureIds];

/** X with columns appended: extra(i) gives row i's new values. */
function withColumns(x: Matrix, k: number, extra: (i: number) => number[]): Matrix {
  const d = x.cols + k;
  const out = new Float64Array(x.rows * d);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) out[i * d + j] = x.data[i * x.cols + j];
    const e = extra(i);
    for (let j = 0; j < k; j++) out[i * d + x.cols + j] = e[j];
  }
  return { rows: x.rows, cols: d, data: out };
}
const scaled = (x: Matrix, s: number): Matrix => ({ ...x, data: Float64Array.from(x.data, (v) => v * s) });
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

async function scores(features: Matrix, labels: Int32Array, ids = featureIds, probs: Matrix = P) {
  const r = await scoreMetrics({ features, labels, probs }, ids);
  expect(r.errors).toEqual({});
  return r.scores;
}

describe('edge cases', () => {
  const base = scores(X, y, allIds);

  it('float32 and float64 inputs with the same values give the same scores (1e-6)', async () => {
    const b = await base;
    const d = await scores({ ...X, data: Float64Array.from(X.data) }, y, allIds, {
      ...P,
      data: Float64Array.from(P.data),
    });
    for (const id of allIds) expect(rel(d[id], b[id]), id).toBeLessThanOrEqual(1e-6);
  });

  it('N < D (wide): H-score equals C − 1 and SFDA saturates at 1, by their maths; all finite', async () => {
    const wx = fixtureMatrix('wide', 'X.npy');
    const wy = fixtureLabels('wide');
    const s = await scores(wx, wy, allIds, fixtureMatrix('wide', 'P.npy'));
    expect(s.hscore).toBeCloseTo(3, 8);
    expect(s.sfda).toBeCloseTo(1, 8);
    for (const id of allIds) expect(Number.isFinite(s[id]), id).toBe(true);
  });

  it('duplicated and linearly dependent columns: H-score unchanged (invariant to injective linear maps), all finite', async () => {
    const b = await base;
    const dup = withColumns(X, 8, (i) => Array.from({ length: 8 }, (_, j) => X.data[i * X.cols + j]));
    const comb = withColumns(X, 2, (i) => {
      const r = X.data.subarray(i * X.cols, (i + 1) * X.cols);
      return [r[0] + 2 * r[1], r[2] - r[3]];
    });
    for (const x of [dup, comb]) {
      const s = await scores(x, y);
      expect(rel(s.hscore, b.hscore)).toBeLessThan(1e-8);
      for (const id of featureIds) expect(Number.isFinite(s[id]), id).toBe(true);
    }
  });

  it('a constant column leaves H-score, TransRate, GBC and PARC unchanged; SFDA and NLEEP finite', async () => {
    const b = await base;
    const s = await scores(
      withColumns(X, 1, () => [5]),
      y,
    );
    for (const id of ['hscore', 'transrate', 'gbc', 'parc']) expect(rel(s[id], b[id]), id).toBeLessThan(1e-8);
    for (const id of featureIds) expect(Number.isFinite(s[id]), id).toBe(true);
  });

  it('one sample in a class: every score finite', async () => {
    const y1 = Int32Array.from(y);
    y1[7] = 5; // class 5 holds a single sample
    const s = await scores(X, y1, allIds);
    for (const id of allIds) expect(Number.isFinite(s[id]), id).toBe(true);
  });

  it('classes absent from 0..C−1: typed error naming them, or with relabel the same scores as compact labels', async () => {
    const gappy = Int32Array.from(y, (v) => (v >= 2 ? v + 2 : v)); // classes 2 and 3 absent
    const r = await scoreMetrics({ features: X, labels: gappy, probs: P }, allIds);
    for (const id of allIds) {
      expect(r.errors[id]?.code, id).toBe('MISSING_CLASSES');
      expect(r.errors[id]?.input).toBe('labels');
      expect(r.errors[id]?.message).toMatch(/classes 2, 3/);
    }
    const b = await base;
    const relabelled = await scoreMetrics({ features: X, labels: gappy, probs: P }, allIds, {
      relabel: true,
    });
    expect(relabelled.errors).toEqual({});
    for (const id of allIds) expect(relabelled.scores[id], id).toBe(b[id]);
  });

  it('scale: H-score and PARC are invariant to ×1e-3 and ×1e3; GBC to ×1e3 (its 1e-4 variance floor bites at ×1e-3)', async () => {
    const b = await base;
    const up = await scores(scaled(X, 1e3), y, ['hscore', 'parc', 'gbc', 'transrate']);
    const down = await scores(scaled(X, 1e-3), y, ['hscore', 'parc']);
    expect(rel(up.hscore, b.hscore)).toBeLessThan(1e-6);
    expect(rel(down.hscore, b.hscore)).toBeLessThan(1e-6);
    expect(rel(up.parc, b.parc)).toBeLessThan(1e-6);
    // standardising divides by std + 1e-8, so at ×1e-3 the columns move by ~1e-5 relative
    expect(rel(down.parc, b.parc)).toBeLessThan(1e-3);
    expect(rel(up.gbc, b.gbc)).toBeLessThan(1e-5);
    // TransRate's eps is absolute: not scale-invariant by its maths
    expect(rel(up.transrate, b.transrate)).toBeGreaterThan(0.1);
  });
});
