// Degenerate inputs for every built-in score and the three PACTran metrics: each must give a
// finite value or a typed EmmsError with a specific code — never NaN/±Infinity, and never the
// generic NON_FINITE_SCORE guard (that would mean a score produced a non-finite value itself).
import { builtinMetrics, createRegistry, type MetricInputs, scoreMetrics } from '@emms/metrics';
import { type Matrix, normalFrom, seededRandom } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { metrics as pactranMetrics } from './plugin';

const registry = createRegistry([...builtinMetrics, ...pactranMetrics]);
const ids = registry.list().map((m) => m.id);

function matrix(rows: number, cols: number, f: (i: number, j: number) => number): Matrix<Float64Array> {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = f(i, j);
  return { rows, cols, data };
}

/** A well-posed task: N samples, D features, C classes, three F-labels, source probabilities. */
function task(n: number, d: number, c: number, seed = 1): MetricInputs & { features: Matrix<Float64Array> } {
  const normal = normalFrom(seededRandom(seed));
  const labels = Int32Array.from({ length: n }, (_, i) => i % c);
  const features = matrix(n, d, (i, j) => normal() + (j % c === labels[i] ? 2 : 0));
  const flabels = [0, 1, 2].map(() => matrix(n, 4, (i, j) => (j === labels[i] % 4 ? 1 : 0) + 0.3 * normal()));
  const probs = matrix(n, 4, () => 0);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < 4; j++) {
      const v = Math.exp(normal() + (j === labels[i] % 4 ? 1 : 0));
      probs.data[i * 4 + j] = v;
      s += v;
    }
    for (let j = 0; j < 4; j++) probs.data[i * 4 + j] /= s;
  }
  return { features, labels, flabels, probs, targets: flabels[0] };
}

const scaled = (m: Matrix<Float64Array>, s: number) => ({ ...m, data: m.data.map((v) => v * s) });
const base = task(60, 6, 3);

const cases: [string, MetricInputs, Record<string, Record<string, unknown>>?][] = [
  ['constant features', { ...base, features: matrix(60, 6, () => 1.5) }],
  ['all-zero features', { ...base, features: matrix(60, 6, () => 0) }],
  ['N = 2', task(2, 6, 2)],
  ['N = 3, two classes', task(3, 6, 2)],
  ['D = 1', task(60, 1, 3)],
  ['features × 1e-30', { ...base, features: scaled(base.features, 1e-30) }],
  ['features × 1e30', { ...base, features: scaled(base.features, 1e30) }],
  ['one sample per class', task(3, 6, 3)],
  [
    'a zero-variance F-label and target',
    {
      ...base,
      flabels: [matrix(60, 4, () => 2), ...(base.flabels ?? []).slice(1)],
      targets: matrix(60, 4, () => 2),
    },
  ],
  ['all F-labels constant', { ...base, flabels: [matrix(60, 4, () => 2), matrix(60, 4, () => 3)] }],
  ['transrate.eps = 0', base, { transrate: { eps: 0 } }],
  ['parc.maxSamples = 1', base, { parc: { maxSamples: 1 } }],
  ['parc.maxSamples = 2', base, { parc: { maxSamples: 2 } }],
];

describe.each(cases)('%s', (_name, inputs, options) => {
  it('every score is finite or a typed error (not the non-finite guard)', async () => {
    const r = await scoreMetrics(inputs, ids, { registry, options });
    for (const id of ids) {
      if (id in r.scores) {
        expect(Number.isFinite(r.scores[id]), `${id}: ${r.scores[id]}`).toBe(true);
        // No NaN/Infinity hidden in the diagnostics either (JSON would print them as null).
        expect(JSON.stringify(r.details[id]), id).not.toContain('null');
      } else {
        const e = r.errors[id];
        expect(e, `${id} has neither a score nor an error`).toBeDefined();
        expect(e.code, `${id}: ${e.message}`).not.toBe('NON_FINITE_SCORE');
        expect(e.message, id).not.toMatch(/--[a-z]/);
      }
    }
  });
});

describe('errors that the degenerate cases must give', () => {
  it('transrate.eps=0 and parc.maxSamples=1 are INVALID_OPTION naming the option and the range', async () => {
    const r = await scoreMetrics(base, ['transrate', 'parc'], {
      registry,
      options: { transrate: { eps: 0 }, parc: { maxSamples: 1 } },
    });
    expect(r.errors.transrate).toMatchObject({ code: 'INVALID_OPTION', input: 'transrate.eps' });
    expect(r.errors.transrate.message).toContain('a number > 0');
    expect(r.errors.parc.message).toContain('parc.maxSamples=1');
    expect(r.errors.parc.message).toContain('an integer ≥ 2');
  });

  it('one sample per class: PARC says which input and what would fix it', async () => {
    const r = await scoreMetrics(task(3, 6, 3), ['parc'], { registry });
    expect(r.errors.parc).toMatchObject({ code: 'DEGENERATE_INPUT', input: 'labels' });
    expect(r.errors.parc.message).toMatch(/at least two samples of some class/);
  });

  it('constant features: SFDA is DEGENERATE_INPUT naming features; PARC 0 with a warning', async () => {
    const r = await scoreMetrics({ ...base, features: matrix(60, 6, () => 1.5) }, ['sfda', 'parc'], {
      registry,
    });
    expect(r.errors.sfda).toMatchObject({ code: 'DEGENERATE_INPUT', input: 'features' });
    expect(r.scores.parc).toBe(0);
    expect((r.details.parc as { warning?: string }).warning).toMatch(/constant features/);
  });
});
