import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsBackend } from '@emms/linalg';
import { isEmmsError, type Matrix, parseNpy } from '@emms/tensor-io';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { fitLogistic, knnAccuracy, linearProbe, stratifiedFolds } from './probe';

interface Fit {
  l2: number;
  objective: number;
  testAccuracy: number;
  testPredictions: number[];
}
interface Reference {
  grid: number[];
  fixtures: Record<
    string,
    {
      nTrain: number;
      nTest: number;
      fits: Fit[];
      cvAccuracy: Record<string, number>;
      cvLogLoss: Record<string, number>;
      selectedL2: number;
      accuracy: number;
      correct: number[];
      knn: Record<string, { accuracy: number; predictions: number[] } | number[][]>;
    }
  >;
}
const reference: Reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('./test-data/probe-reference.json', import.meta.url)), 'utf8'),
);

function load(name: string) {
  const x = parseNpy(readFileSync(fixturePath(name, 'X.npy')));
  const y = parseNpy(readFileSync(fixturePath(name, 'y.npy')));
  const [n, d] = x.shape;
  const labels = Array.from(y.data as ArrayLike<number | bigint>, Number);
  const split = (keep: (i: number) => boolean) => {
    const rows = Array.from({ length: n }, (_, i) => i).filter(keep);
    const data = new Float64Array(rows.length * d);
    rows.forEach((r, i) => {
      for (let j = 0; j < d; j++) data[i * d + j] = Number(x.data[r * d + j]);
    });
    return { x: { rows: rows.length, cols: d, data } as Matrix, y: Int32Array.from(rows, (r) => labels[r]) };
  };
  // the split of scripts/probe_reference.py: row i is a test row when i % 4 == 3
  return { train: split((i) => i % 4 !== 3), test: split((i) => i % 4 === 3) };
}

function standardised(train: Matrix, test: Matrix) {
  const { rows: n, cols: d } = train;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) mean[j] += train.data[i * d + j] / n;
    for (let i = 0; i < n; i++) sd[j] += (train.data[i * d + j] - mean[j]) ** 2 / n;
    sd[j] = Math.sqrt(sd[j]) + 1e-8;
  }
  const apply = (m: Matrix) => ({
    rows: m.rows,
    cols: d,
    data: Float64Array.from(m.data, (v, k) => (v - mean[k % d]) / sd[k % d]),
  });
  return { train: apply(train), test: apply(test) };
}

const tight = {
  gradientTolerance: 1e-11,
  functionTolerance: 0,
  maxIterations: 5000,
  patience: Number.POSITIVE_INFINITY,
};

describe.each(['small', 'wide'])(
  'linear probe against scikit-learn LogisticRegression (%s fixture)',
  (name) => {
    const ref = reference.fixtures[name];
    const { train, test } = load(name);

    it('uses the split the reference used', () => {
      expect(train.y.length).toBe(ref.nTrain);
      expect(test.y.length).toBe(ref.nTest);
    });

    it.each(ref.fits.map((f) => [f.l2, f] as const))(
      'λ = %s: same optimum and test predictions',
      (_l2, f) => {
        const s = standardised(train.x, test.x);
        const classes = Math.max(...train.y) + 1;
        const exact = fitLogistic(s.train, train.y, classes, f.l2, tight);
        // the same optimum: ours within 1e-6 relative, and never worse than scikit-learn's by more than 1e-9
        expect(Math.abs(exact.value - f.objective)).toBeLessThanOrEqual(1e-6 * Math.abs(f.objective));
        expect(exact.value).toBeLessThanOrEqual(f.objective * (1 + 1e-9));
        const z = new Float64Array(test.y.length * classes);
        const d = s.test.cols;
        let agree = 0;
        for (let i = 0; i < test.y.length; i++) {
          let best = 0;
          for (let c = 0; c < classes; c++) {
            let v = exact.bias[c];
            for (let j = 0; j < d; j++) v += s.test.data[i * d + j] * exact.weights[j * classes + c];
            z[i * classes + c] = v;
            if (v > z[i * classes + best]) best = c;
          }
          if (best === f.testPredictions[i]) agree++;
        }
        expect(agree).toBe(test.y.length);
      },
    );

    it('selects the same λ by CV log-loss, with the same losses and test predictions', () => {
      const probe = linearProbe(train, test, { l2Grid: reference.grid, ...tight, rowSpace: false });
      expect(probe.l2).toBe(ref.selectedL2);
      // the reference's keys are Python reprs ('1.0'), ours String(λ) ('1')
      const loss = Object.fromEntries(Object.entries(ref.cvLogLoss).map(([k, v]) => [String(Number(k)), v]));
      expect(Object.keys(probe.cvLogLoss).sort()).toEqual(Object.keys(loss).sort());
      for (const l2 of reference.grid) {
        // both sides at their optimum: the validation losses agree to 1e-6 relative
        expect(Math.abs(probe.cvLogLoss[String(l2)] - loss[String(l2)]), `λ = ${l2}`).toBeLessThanOrEqual(
          1e-6 * loss[String(l2)],
        );
      }
      expect(probe.converged).toBe(true);
      expect(probe.accuracy).toBeCloseTo(ref.accuracy, 12);
      expect(Array.from(probe.correct)).toEqual(ref.correct);
    });

    it('default options agree with scikit-learn: the same λ, test predictions and accuracy', () => {
      const probe = linearProbe(train, test, { patience: Number.POSITIVE_INFINITY });
      expect(probe.l2).toBe(ref.selectedL2);
      expect(probe.converged).toBe(true);
      const fit = ref.fits.find((f) => f.l2 === ref.selectedL2)!;
      expect(Array.from(probe.predictions)).toEqual(fit.testPredictions);
      expect(Array.from(probe.correct)).toEqual(ref.correct);
      const loss = Object.fromEntries(Object.entries(ref.cvLogLoss).map(([k, v]) => [String(Number(k)), v]));
      for (const l2 of reference.grid) {
        expect(Math.abs(probe.cvLogLoss[String(l2)] - loss[String(l2)]), `λ = ${l2}`).toBeLessThanOrEqual(
          1e-4 * loss[String(l2)],
        );
      }
    });

    it('gives the same answer when fitted in the row space of the train features', () => {
      const probe = linearProbe(train, test, { l2Grid: reference.grid, ...tight, rowSpace: true });
      // numpy.linalg.matrix_rank of the standardised train features: 63 (small has a dead column), 89 (wide: N − 1)
      expect(probe.dims).toBe(name === 'small' ? 63 : 89);
      expect(probe.l2).toBe(ref.selectedL2);
      expect(Array.from(probe.correct)).toEqual(ref.correct);
    });

    it('default options on the js backend: finite, sensible, timed', () => {
      const probe = linearProbe(train, test, { backend: jsBackend });
      expect(probe.accuracy).toBeGreaterThan(0.3);
      expect(probe.seconds).toBeGreaterThan(0);
      expect(probe.iterations).toBeGreaterThan(0);
      // the walk down the grid may stop early (patience 2), never before three λ's
      expect(Object.keys(probe.cvLogLoss).length).toBeGreaterThanOrEqual(3);
      expect(Object.keys(probe.cvLogLoss).length).toBeLessThanOrEqual(5);
      expect(Object.keys(probe.cvAccuracy)).toEqual(Object.keys(probe.cvLogLoss));
    });

    it.each(['cosine', 'euclidean'] as const)(
      'kNN (%s) votes as scikit-learn KNeighborsClassifier',
      (metric) => {
        const neighbours = ref.knn[`${metric}-neighbours`] as number[][];
        for (const k of [1, 5, 10]) {
          const want = ref.knn[`${metric}-${k}`] as { accuracy: number; predictions: number[] };
          const got = knnAccuracy(train, test, { k, metric });
          let differ = 0;
          for (let i = 0; i < test.y.length; i++) {
            // the votes of scikit-learn's k nearest train rows
            const votes = new Map<number, number>();
            for (const j of neighbours[i].slice(0, k))
              votes.set(train.y[j], (votes.get(train.y[j]) ?? 0) + 1);
            const top = Math.max(...votes.values());
            const tied = [...votes].filter(([, v]) => v === top).map(([c]) => c);
            // a unique majority must be followed exactly; a tied vote may be broken otherwise than
            // scikit-learn's lowest label, but only among the tied classes
            if (tied.length === 1) expect(got.predictions[i], `${metric} k=${k} item ${i}`).toBe(tied[0]);
            else expect(tied, `${metric} k=${k} item ${i}`).toContain(got.predictions[i]);
            if (got.predictions[i] !== want.predictions[i]) differ++;
          }
          if (k === 1) expect(differ).toBe(0);
          expect(Math.abs(got.accuracy - want.accuracy)).toBeLessThanOrEqual(differ / test.y.length + 1e-12);
        }
      },
    );
  },
);

describe('probe grid walk and progress', () => {
  it('stops after `patience` λ values below the best, reporting progress to the end', () => {
    const { train, test } = load('small');
    const events: { done: number; total: number; stage: string }[] = [];
    const probe = linearProbe(train, test, { patience: 2, onProgress: (e) => events.push({ ...e }) });
    const tried = Object.keys(probe.cvLogLoss).map(Number);
    // scikit-learn's CV log-loss on this split falls to λ = 0.1 then rises twice (probe-reference.json)
    expect(tried).toEqual([1, 0.1, 0.01, 0.001]);
    expect(probe.l2).toBe(0.1);
    expect(events.map((e) => e.done)).toEqual(Array.from({ length: tried.length * 3 + 1 }, (_, i) => i + 1));
    expect(events.at(-1)).toEqual({
      done: tried.length * 3 + 1,
      total: tried.length * 3 + 1,
      stage: 'final',
    });
  });
});

describe('probe input checks', () => {
  const x = { rows: 6, cols: 2, data: Float64Array.from([0, 1, 1, 0, 0, 2, 2, 0, 0, 3, 3, 0]) };
  const y = Int32Array.from([0, 1, 0, 1, 0, 1]);
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (isEmmsError(e)) return e.code;
      throw e;
    }
    return 'none';
  };
  it('names rows that disagree with labels, widths, labels and single classes', () => {
    expect(code(() => linearProbe({ x, y: y.subarray(1) }, { x, y }))).toBe('ROW_MISMATCH');
    expect(
      code(() =>
        knnAccuracy({ x, y }, { x: { rows: 3, cols: 4, data: new Float64Array(12) }, y: y.subarray(3) }),
      ),
    ).toBe('SHAPE_MISMATCH');
    expect(code(() => linearProbe({ x, y: Int32Array.from([0, 1, 0, 1, 0, -1]) }, { x, y }))).toBe(
      'LABEL_OUT_OF_RANGE',
    );
    expect(code(() => linearProbe({ x, y: new Int32Array(6) }, { x, y }))).toBe('SINGLE_CLASS');
    const bad = { ...x, data: Float64Array.from(x.data, (v, i) => (i === 5 ? Number.NaN : v)) };
    expect(code(() => knnAccuracy({ x: bad, y }, { x, y }))).toBe('NON_FINITE');
    expect(code(() => linearProbe({ x, y }, { x, y }, { l2Grid: [] }))).toBe('INVALID_OPTION');
    expect(code(() => knnAccuracy({ x, y }, { x, y }, { k: 7 }))).toBe('INVALID_OPTION');
  });
  it('assigns stratified folds in order within each class', () => {
    expect(Array.from(stratifiedFolds([0, 0, 1, 0, 1, 1, 0], 3))).toEqual([0, 1, 0, 2, 1, 2, 0]);
  });
  it('kNN breaks neighbour ties by the earlier train row', () => {
    // test point equidistant from train rows 0 (class 1) and 1 (class 0): k=1 picks row 0
    const train = { x: { rows: 2, cols: 1, data: Float64Array.from([-1, 1]) }, y: Int32Array.from([1, 0]) };
    const test = { x: { rows: 1, cols: 1, data: Float64Array.from([0]) }, y: Int32Array.from([1]) };
    expect(knnAccuracy(train, test, { k: 1, metric: 'euclidean' }).accuracy).toBe(1);
  });
});
