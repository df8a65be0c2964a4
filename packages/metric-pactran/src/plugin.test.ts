import { readFileSync } from 'node:fs';
import { jsBackend } from '@emms/linalg';
import { createRegistry, loadPlugin, type MetricInputs, scoreMetrics } from '@emms/metrics';
import { type Matrix, normalFrom, parseNpy, seededRandom, toLabels, toMatrix } from '@emms/tensor-io';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import * as pkg from './index';
import { referenceComponents } from './plugin';
import reference from './testdata/reference-values.json';

const IDS = ['pactran-dirichlet', 'pactran-gamma', 'pactran-gauss'];

function fixture(name: string): MetricInputs {
  const read = (file: string) => parseNpy(new Uint8Array(readFileSync(fixturePath(name, file))), file);
  return {
    features: toMatrix(read('X.npy'), 'features'),
    labels: toLabels(read('y.npy'), 'labels'),
    probs: toMatrix(read('P.npy'), 'probs'),
  };
}

function registry() {
  const r = createRegistry();
  for (const m of loadPlugin(pkg, '@emms/metric-pactran').metrics) r.register(m);
  return r;
}

function close(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

const fixtures = ['small', 'wide', 'captions'] as const;
const data = Object.fromEntries(fixtures.map((f) => [f, fixture(f)])) as Record<
  (typeof fixtures)[number],
  MetricInputs
>;

describe('the plugin', () => {
  it('loads through loadPlugin as default export and as named plugin', () => {
    const viaDefault = loadPlugin({ default: pkg.default }, 'default');
    const viaNamed = loadPlugin({ plugin: pkg.plugin }, 'named');
    for (const p of [viaDefault, viaNamed]) {
      expect(p.specificationVersion).toBe('v2');
      expect(p.metrics.map((m) => m.id)).toEqual(IDS);
    }
    for (const m of pkg.plugin.metrics) {
      expect(m.inputs.required).toEqual(['features', 'labels']);
      expect(m.higherIsBetter).toBe(false);
      for (const o of m.options) expect(o.description.length).toBeGreaterThan(10);
    }
  });

  it('scores all three on every fixture through scoreMetrics with finite values', async () => {
    for (const name of fixtures) {
      const report = await scoreMetrics(data[name], IDS, { registry: registry(), backend: jsBackend });
      expect(report.errors).toEqual({});
      for (const id of IDS) expect(Number.isFinite(report.scores[id])).toBe(true);
      const n = data[name].labels!.length;
      const c = reference.fixtures[name] ? Math.max(...data[name].labels!) + 1 : 0;
      expect((report.details['pactran-dirichlet'] as { components: number }).components).toBe(
        referenceComponents(n, c),
      );
    }
  });

  it('is deterministic for a seed', async () => {
    const a = await scoreMetrics(data.small, IDS, { registry: registry(), backend: jsBackend });
    const b = await scoreMetrics(data.small, IDS, { registry: registry(), backend: jsBackend });
    expect(a.scores).toEqual(b.scores);
  });

  it('Dirichlet and Gamma on the source probabilities match an independent numpy evaluation', async () => {
    for (const name of fixtures) {
      const report = await scoreMetrics(data[name], ['pactran-dirichlet', 'pactran-gamma'], {
        registry: registry(),
        backend: jsBackend,
        options: { 'pactran-dirichlet': { source: 'probs' }, 'pactran-gamma': { source: 'probs' } },
      });
      close(report.scores['pactran-dirichlet'], reference.fixtures[name].dirichletProbs, 1e-10);
      close(report.scores['pactran-gamma'], reference.fixtures[name].gammaProbs, 1e-10);
    }
  });

  it('Gauss matches an independent scipy L-BFGS-B optimum on the fixtures', async () => {
    for (const name of fixtures) {
      const ref = reference.fixtures[name].gauss;
      const loose = await scoreMetrics(data[name], ['pactran-gauss'], {
        registry: registry(),
        backend: jsBackend,
      });
      // Default stopping (tol 1e-6, ≤ 100 iterations) stops short of the optimum, as scipy's does.
      close(loose.scores['pactran-gauss'], ref.lda1.values['100.0'], 2e-3);
      const tight = await scoreMetrics(data[name], ['pactran-gauss'], {
        registry: registry(),
        backend: jsBackend,
        options: { 'pactran-gauss': { tolerance: 1e-12, maxIterations: 3000, ldaFactor: 0.1, s2Factor: 1 } },
      });
      close(tight.scores['pactran-gauss'], ref['lda0.1'].values['1.0'], 1e-6);
      close((tight.details['pactran-gauss'] as { pacOpt: number }).pacOpt, ref['lda0.1'].pacOpt, 1e-8);
    }
  });

  it('Gauss is invariant to a rotation of the features (PCA keeping every component)', async () => {
    // ‖W‖², XW and ‖x_i‖² are all unchanged by an orthogonal change of basis, so is the bound.
    const tight = { tolerance: 1e-12, maxIterations: 3000 };
    const run = async (extra: Record<string, unknown>) =>
      (
        await scoreMetrics(data.small, ['pactran-gauss'], {
          registry: registry(),
          backend: jsBackend,
          options: { 'pactran-gauss': { ...tight, ...extra } },
        })
      ).scores['pactran-gauss'];
    close(await run({ pcaComponents: 64 }), await run({}), 1e-6);
  });

  it('ranks a discriminative feature set above a noisy one (all three; lower is better)', async () => {
    const rng = { normal: normalFrom(seededRandom(4)) };
    const n = 200;
    const d = 8;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
    const good = new Float64Array(n * d);
    const noisy = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        good[i * d + j] = rng.normal() + (j % 4 === labels[i] ? 5 : 0);
        noisy[i * d + j] = rng.normal() + (j % 4 === labels[i] ? 0.3 : 0);
      }
    }
    const score = async (features: Matrix) =>
      (await scoreMetrics({ features, labels }, IDS, { registry: registry(), backend: jsBackend })).scores;
    const a = await score({ rows: n, cols: d, data: good });
    const b = await score({ rows: n, cols: d, data: noisy });
    for (const id of IDS) expect(a[id]).toBeLessThan(b[id]);
  });

  it('reports typed errors for missing inputs, bad options and labels with gaps', async () => {
    const { features, labels } = data.small;
    const report = await scoreMetrics({ features, labels }, ['pactran-gamma'], {
      registry: registry(),
      options: { 'pactran-gamma': { source: 'probs' } },
    });
    expect(report.errors['pactran-gamma'].code).toBe('MISSING_INPUT');
    const bad = await scoreMetrics(data.small, ['pactran-gauss'], {
      registry: registry(),
      options: { 'pactran-gauss': { ldaFactor: -1 } },
    });
    expect(bad.errors['pactran-gauss'].code).toBe('INVALID_OPTION');
    const gappy = Int32Array.from(labels!, (v) => (v === 1 ? 2 : v));
    const gaps = await scoreMetrics({ features, labels: gappy }, ['pactran-dirichlet'], {
      registry: registry(),
    });
    expect(gaps.errors['pactran-dirichlet'].code).toBe('MISSING_CLASSES');
    // compute() called directly validates as well.
    let code: unknown;
    try {
      pkg.pactranGaussMetric.compute({ features, labels: gappy }, {}, { backend: jsBackend });
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(code).toBe('MISSING_CLASSES');
  });
});
