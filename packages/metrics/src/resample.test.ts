import { type Matrix, normalFrom, seededRandom } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import type { MetricInputs, MetricResampler } from './metric';
import { defaultRegistry } from './registry';

// Every resampler must give the score of the rows materialised: counts[i] copies of row i.

const rand = normalFrom(seededRandom(11));
const n = 60;
const d = 5;
const c = 3;
const labels = Int32Array.from({ length: n }, (_, i) => i % c);
const centres = Float64Array.from({ length: c * d }, () => 2 * rand());
const features: Matrix = {
  rows: n,
  cols: d,
  data: Float32Array.from(
    { length: n * d },
    (_, k) => centres[labels[Math.floor(k / d)] * d + (k % d)] + rand(),
  ),
};
/** The last column a copy of the one before: a singular covariance (the pseudo-inverse and floor paths). */
const duplicated: Matrix = {
  rows: n,
  cols: d,
  data: Float64Array.from(features.data, (v, k) => (k % d === d - 1 ? features.data[k - 1] : v)),
};
/** One embedding per class, as label-embedding F-labels are: three of width 4. */
const flabels: Matrix[] = [0, 1, 2].map(() => {
  const rows = Float64Array.from({ length: c * 4 }, () => rand());
  return {
    rows: n,
    cols: 4,
    data: Float32Array.from({ length: n * 4 }, (_, k) => rows[labels[Math.floor(k / 4)] * 4 + (k % 4)]),
  };
});
/** Two embeddings per class (rows alternate): 6 groups whose totals vary between resamples. */
const subgroups: Matrix = (() => {
  const rows = Float64Array.from({ length: 2 * c * 4 }, () => rand());
  const g = (i: number) => labels[i] * 2 + (Math.floor(i / c) % 2);
  return {
    rows: n,
    cols: 4,
    data: Float64Array.from({ length: n * 4 }, (_, k) => rows[g(Math.floor(k / 4)) * 4 + (k % 4)]),
  };
})();
const probs: Matrix = (() => {
  const cs = 4;
  const data = new Float64Array(n * cs);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let z = 0; z < cs; z++) {
      data[i * cs + z] = Math.exp(rand() + (z === labels[i] ? 1.5 : 0));
      s += data[i * cs + z];
    }
    for (let z = 0; z < cs; z++) data[i * cs + z] /= s;
  }
  return { rows: n, cols: cs, data };
})();

/** Counts of a stratified bootstrap: within each class, as many draws as it has rows. */
function stratifiedCounts(seed: number): Float64Array {
  const r = seededRandom(seed);
  const counts = new Float64Array(n);
  for (let k = 0; k < c; k++) {
    const rows = [...labels.keys()].filter((i) => labels[i] === k);
    for (let t = 0; t < rows.length; t++) counts[rows[Math.floor(r() * rows.length)]]++;
  }
  return counts;
}

function repeatRows(m: Matrix, counts: Float64Array): Matrix {
  const out: number[] = [];
  for (let i = 0; i < m.rows; i++)
    for (let t = 0; t < counts[i]; t++) for (let j = 0; j < m.cols; j++) out.push(m.data[i * m.cols + j]);
  return { rows: out.length / m.cols, cols: m.cols, data: Float64Array.from(out) };
}

function materialise(inputs: MetricInputs, counts: Float64Array): MetricInputs {
  const y: number[] = [];
  for (let i = 0; i < n; i++) for (let t = 0; t < counts[i]; t++) y.push(labels[i]);
  return {
    ...(inputs.features ? { features: repeatRows(inputs.features, counts) } : {}),
    labels: Int32Array.from(y),
    ...(inputs.flabels ? { flabels: inputs.flabels.map((f) => repeatRows(f, counts)) } : {}),
    ...(inputs.probs ? { probs: repeatRows(inputs.probs, counts) } : {}),
  };
}

function resampler(id: string, inputs: MetricInputs, options: Record<string, unknown> = {}): MetricResampler {
  const r = defaultRegistry.get(id).prepareResampling!(inputs, options);
  if (!('resample' in r)) throw new Error(`${id}: ${r.unavailable}`);
  return r.resample;
}

const cases: [string, MetricInputs, Record<string, unknown>][] = [
  ['logme', { features, labels }, {}],
  ['logme', { features, labels }, { variant: 'corrected' }],
  ['logme', { features, labels }, { variant: 'icml' }],
  ['hscore', { features, labels }, {}],
  ['hscore', { features: duplicated, labels }, {}],
  ['gbc', { features: duplicated, labels }, {}],
  ['transrate', { features, labels }, {}],
  ['gbc', { features, labels }, {}],
  ['gbc', { features, labels }, { dims: 3 }],
  ['sfda', { features, labels }, {}],
  ['emms', { features, labels, flabels }, {}],
  ['emms', { features, labels, flabels }, { iterations: 'converge' }],
  ['emms', { features, labels }, {}],
  ['emms', { features, labels, flabels: flabels.slice(0, 2) }, {}],
  ['emms', { features, labels, flabels: [subgroups, flabels[0]!] }, {}],
  ['leep', { probs, labels }, {}],
  ['nce', { probs, labels }, {}],
];

describe('resamplers equal the score on the materialised rows', () => {
  it.each(cases.map(([id, inputs, o]) => [`${id} ${JSON.stringify(o)}`, id, inputs, o] as const))(
    '%s',
    async (_name, id, inputs, options) => {
      const metric = defaultRegistry.get(id);
      const resample = resampler(id, inputs, options);
      const ones = new Float64Array(n).fill(1);
      const full = (await metric.compute(inputs, options)).value;
      expect(resample(ones)).toBeCloseTo(full, 9);
      for (const seed of [1, 2, 3]) {
        const counts = stratifiedCounts(seed);
        const want = (await metric.compute(materialise(inputs, counts), options)).value;
        const got = resample(counts);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
        expect(got).not.toBeCloseTo(full, 12); // the resample changed the score
      }
    },
  );
});

describe('what is not resampled, and bad counts', () => {
  it('NLEEP and PARC say why', () => {
    for (const id of ['nleep', 'parc']) {
      const r = defaultRegistry.get(id).prepareResampling!({ features, labels });
      expect('unavailable' in r && r.unavailable).toMatch(/every call/);
    }
  });

  it('features wider than 256 columns, N ≤ D and per-sample F-labels are unavailable', () => {
    const wide: Matrix = { rows: n, cols: 300, data: Float64Array.from({ length: n * 300 }, () => rand()) };
    const r = defaultRegistry.get('hscore').prepareResampling!({ features: wide, labels });
    expect('unavailable' in r && r.unavailable).toMatch(/D = 300 > 256/);
    const tall: Matrix = { rows: n, cols: 70, data: Float64Array.from({ length: n * 70 }, () => rand()) };
    const t = defaultRegistry.get('logme').prepareResampling!({ features: tall, labels });
    expect('unavailable' in t && t.unavailable).toMatch(/N = 60 ≤ D = 70/);
    const m = 90;
    const many = { rows: m, cols: 2, data: Float64Array.from({ length: m * 2 }, () => rand()) };
    const e = defaultRegistry.get('emms').prepareResampling!({
      features: many,
      labels: Int32Array.from({ length: m }, (_, i) => i % c),
      flabels: [many], // per-sample F-labels: 90 distinct rows
    });
    expect('unavailable' in e && e.unavailable).toMatch(/more than 64 distinct rows/);
  });

  it('counts of the wrong length, negative or fractional counts, and a missing class are typed errors', () => {
    const resample = resampler('hscore', { features, labels });
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => resample(new Float64Array(3))).toThrow(code('SHAPE_MISMATCH'));
    expect(() => resample(new Float64Array(n).fill(-1))).toThrow(code('INVALID_OPTION'));
    expect(() => resample(new Float64Array(n).fill(0.5))).toThrow(code('INVALID_OPTION'));
    const noClass2 = Float64Array.from(labels, (y) => (y === 2 ? 0 : 1));
    expect(() => resample(noClass2)).toThrow(code('MISSING_CLASSES'));
  });
});
