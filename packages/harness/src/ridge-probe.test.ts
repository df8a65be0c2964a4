import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Matrix, parseNpy } from '@emms/tensor-io';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { itemTruthEvaluator } from './item-truth';
import { retrievalProbe } from './retrieval-probe';
import { boxIoU, ridgeProbe } from './ridge-probe';

interface Case {
  nTrain: number;
  nTest: number;
  cvMse: Record<string, number>;
  alpha: number;
  r2: number;
  r2PerColumn: number[];
  predictions: number[];
  squaredError: number[];
  boxes?: number[];
  iouPerItem?: number[];
  iou?: number;
  ranks?: number[];
  recall?: Record<string, number>;
  resamples: { counts: number[]; r2: number }[];
}
const reference: { grid: number[]; cases: Record<string, Case> } = JSON.parse(
  readFileSync(fileURLToPath(new URL('./test-data/ridge-reference.json', import.meta.url)), 'utf8'),
);

function matrixOf(file: string): Matrix<Float64Array> {
  const a = parseNpy(readFileSync(file));
  return { rows: a.shape[0], cols: a.shape[1], data: Float64Array.from(a.data as ArrayLike<number>, Number) };
}

/** The split of scripts/ridge_reference.py: row i is a test row when i % 4 == 3. */
function split(x: Matrix, y: Matrix) {
  const part = (keep: (i: number) => boolean) => {
    const rows = Array.from({ length: x.rows }, (_, i) => i).filter(keep);
    const take = (m: Matrix) => ({
      rows: rows.length,
      cols: m.cols,
      data: Float64Array.from(rows.flatMap((r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)))),
    });
    return { x: take(x), y: take(y) };
  };
  return { train: part((i) => i % 4 !== 3), test: part((i) => i % 4 === 3) };
}

function load(name: string) {
  const ref = reference.cases[name];
  if (name === 'boxes') {
    const x = matrixOf(fixturePath('small', 'X.npy'));
    return split(x, { rows: x.rows, cols: 4, data: Float64Array.from(ref.boxes!) });
  }
  const folder = name === 'captions' ? 'captions' : 'wide';
  return split(
    matrixOf(fixturePath(folder, 'X.npy')),
    matrixOf(fixturePath(folder, name === 'captions' ? 'Z_bert.npy' : 'Z_clip.npy')),
  );
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe.each(['boxes', 'captions', 'wide'])(
  'ridge probe against scikit-learn Ridge/RidgeCV (%s)',
  (name) => {
    const ref = reference.cases[name];
    const { train, test } = load(name);
    const probe = ridgeProbe(train, test, { alphaGrid: reference.grid, boxes: name === 'boxes' });

    it('chooses the same α with the same CV errors', () => {
      expect(probe.alpha).toBe(ref.alpha);
      // the reference's keys are Python reprs ('1.0'), ours String(α) ('1')
      const cv = Object.fromEntries(Object.entries(ref.cvMse).map(([k, v]) => [String(Number(k)), v]));
      for (const a of reference.grid) {
        const want = cv[String(a)];
        expect(Math.abs(probe.cvMse[String(a)] - want), `α = ${a}`).toBeLessThanOrEqual(1e-9 * want);
      }
    });

    it('predicts the same test targets, R² per column and squared errors', () => {
      expect(maxAbsDiff(probe.predictions, ref.predictions)).toBeLessThan(1e-9);
      expect(maxAbsDiff(probe.squaredError, ref.squaredError)).toBeLessThan(1e-9);
      expect(maxAbsDiff(probe.r2PerColumn, ref.r2PerColumn)).toBeLessThan(1e-9);
      expect(probe.r2).toBeCloseTo(ref.r2, 10);
    });

    it('recomputes R² on bootstrap resamples as r2_score with sample weights', () => {
      const ev = itemTruthEvaluator(
        { kind: 'r2', squaredError: { m: probe.squaredError }, targets: test.y },
        ['m'],
      );
      const out = new Float64Array(1);
      ev.evaluate(null, out);
      expect(out[0]).toBeCloseTo(ref.r2, 10);
      for (const r of ref.resamples) {
        ev.evaluate(Uint32Array.from(r.counts), out);
        expect(out[0]).toBeCloseTo(r.r2, 10);
      }
    });

    if (name === 'boxes') {
      it('scores boxes by IoU as the numpy reference', () => {
        expect(maxAbsDiff(probe.iouPerItem!, ref.iouPerItem!)).toBeLessThan(1e-9);
        expect(probe.iou).toBeCloseTo(ref.iou!, 10);
      });
    }

    if (name === 'captions') {
      it('retrieves captions as the numpy reference: ranks and recall@k', () => {
        const r = retrievalProbe(train, test, { alphaGrid: reference.grid });
        expect(Array.from(r.ranks)).toEqual(ref.ranks);
        for (const k of ['1', '5', '10']) expect(r.recall[k]).toBeCloseTo(ref.recall![k], 12);
        expect(r.accuracy).toBe(r.recall['1']);
        expect(r.candidates).toBe(ref.nTest);
      });
    }
  },
);

describe('box IoU and retrieval edge cases', () => {
  it('computes IoU by hand-checked values, clamping and ordering the predicted corners', () => {
    expect(boxIoU([0, 0, 0.5, 0.5], [0.25, 0.25, 0.75, 0.75])).toBeCloseTo(0.0625 / 0.4375, 15);
    expect(boxIoU([0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5])).toBe(1);
    expect(boxIoU([-1, -1, 2, 2], [0, 0, 1, 1])).toBe(1);
    expect(boxIoU([0, 0, 0.1, 0.1], [0.5, 0.5, 1, 1])).toBe(0);
    expect(boxIoU([0.3, 0.3, 0.3, 0.3], [0.3, 0.3, 0.3, 0.3])).toBe(0);
  });

  it('counts identical captions as one candidate and ties against the item', () => {
    // two distinct captions, each twice; features carry no signal: every prediction is the mean
    const x = { rows: 8, cols: 1, data: new Float64Array(8) };
    const y = { rows: 8, cols: 2, data: Float64Array.from([1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]) };
    const r = retrievalProbe({ x, y }, { x, y }, { recallAt: [1, 2] });
    expect(r.candidates).toBe(2);
    expect(Array.from(r.ranks)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(r.accuracy).toBe(0);
    expect(r.recall['2']).toBe(1);
  });

  it('rejects mismatched shapes and bad options with typed errors', () => {
    const x = { rows: 4, cols: 2, data: new Float64Array(8) };
    const y = { rows: 4, cols: 3, data: new Float64Array(12) };
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => ridgeProbe({ x, y }, { x, y: { rows: 3, cols: 3, data: new Float64Array(9) } })).toThrow(
      code('ROW_MISMATCH'),
    );
    expect(() => ridgeProbe({ x, y }, { x, y }, { boxes: true })).toThrow(code('INVALID_OPTION'));
    expect(() => ridgeProbe({ x, y }, { x, y }, { alphaGrid: [0] })).toThrow(code('INVALID_OPTION'));
    expect(() => retrievalProbe({ x, y }, { x, y }, { recallAt: [0] })).toThrow(code('INVALID_OPTION'));
    const bad = { ...y, data: Float64Array.from(y.data, (v, i) => (i === 4 ? Number.NaN : v)) };
    expect(() => ridgeProbe({ x, y: bad }, { x, y })).toThrow(code('NON_FINITE'));
  });
});
