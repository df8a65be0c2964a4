import { defineMetric, type Matrix, type MetricInputs } from '@emms/metric-spec';
import { isEmmsError } from '@emms/tensor-io';
import { thrown } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { builtinMetrics, createRegistry, defaultRegistry } from './registry';
import { reduceInputs, scoreMetrics, scoreReduced } from './run';
import { isRunSettings, metricOptions, resolveRunSettings } from './settings';
import { fixtureLabels, fixtureMatrix } from './testing/fixtures';

describe('resolveRunSettings', () => {
  it('fills the defaults once: published and none, or the preset given and its reduce', () => {
    const s = resolveRunSettings();
    expect(s).toMatchObject({ preset: 'published', relabel: false, options: {} });
    expect(s.reduce).toEqual({ text: 'none', spec: { mode: 'none' }, fromPreset: true });
    const r = resolveRunSettings({ preset: 'rank' });
    expect(r.reduce.text).toBe('auto');
    expect(resolveRunSettings({}, defaultRegistry, { defaultPreset: 'rank' }).preset).toBe('rank');
    expect(resolveRunSettings({ reduce: ' PCA:12 ' }).reduce).toEqual({
      text: 'pca:12',
      spec: { mode: 'pca', k: 12 },
      fromPreset: false,
    });
  });

  it('is frozen, recognisable, and passes through unchanged when resolved already', () => {
    const s = resolveRunSettings({ preset: 'rank', options: { NLEEP: { seed: 3 } } });
    expect(Object.isFrozen(s) && Object.isFrozen(s.options) && Object.isFrozen(s.reduce)).toBe(true);
    expect(isRunSettings(s) && !isRunSettings({ ...s })).toBe(true);
    expect(resolveRunSettings(s)).toBe(s);
    expect(s.options).toEqual({ nleep: { seed: 3 } });
  });

  it('names the bad setting: preset, reduce, relabel, options, an unknown metric id', () => {
    expect(thrown(() => resolveRunSettings({ preset: 'best' }))).toMatchObject({
      code: 'INVALID_OPTION',
      input: 'preset',
    });
    expect(thrown(() => resolveRunSettings({ reduce: 'pca:0' })).input).toBe('reduce');
    expect(thrown(() => resolveRunSettings({ reduce: 3 as never })).input).toBe('reduce');
    expect(thrown(() => resolveRunSettings({ relabel: 'yes' as never })).input).toBe('relabel');
    expect(thrown(() => resolveRunSettings({ options: [] as never })).input).toBe('options');
    expect(thrown(() => resolveRunSettings({ options: { nleep: 3 } as never })).input).toBe('nleep');
    const unknown = thrown(() => resolveRunSettings({ options: { lgme: { variant: 'icml' } } }));
    expect(unknown.code).toBe('UNKNOWN_METRIC');
    expect(unknown.message).toContain('did you mean "logme"?');
  });

  it('metric options: the preset declared on the metric, then the caller, checked', () => {
    const logme = defaultRegistry.get('logme');
    expect(metricOptions(resolveRunSettings({ preset: 'rank' }), logme)).toEqual({ variant: 'corrected' });
    expect(metricOptions(resolveRunSettings({ preset: 'published' }), logme)).toEqual({
      variant: 'fixed-point',
    });
    const own = resolveRunSettings({ preset: 'rank', options: { logme: { variant: 'icml' } } });
    expect(metricOptions(own, logme)).toEqual({ variant: 'icml' });
  });
});

describe('the reduction is computed once per candidate and shared by every score', () => {
  /** Two probes that record the features object each receives. */
  function probes(seen: Matrix[]) {
    const probe = (id: string) =>
      defineMetric({
        id,
        description: 'records its features',
        inputs: { required: ['features'], optional: ['labels'] },
        higherIsBetter: true,
        compute({ features }) {
          seen.push(features!);
          return { value: features!.cols };
        },
      });
    return createRegistry([...builtinMetrics, probe('probe-a'), probe('probe-b')]);
  }
  const inputs = (): MetricInputs => ({
    features: fixtureMatrix('wide', 'X.npy'),
    labels: fixtureLabels('wide'),
  });

  it('scoreMetrics with several metrics hands them one reduced matrix', async () => {
    const seen: Matrix[] = [];
    const given = inputs();
    const r = await scoreMetrics(given, ['probe-a', 'emms', 'probe-b'], {
      registry: probes(seen),
      preset: 'rank',
    });
    expect(r.reduce).toMatchObject({ applied: 'pca', from: 200, to: 7 });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).not.toBe(given.features);
    expect(r.scores['probe-a']).toBe(7);
  });

  it('reduceInputs once, then scoreReduced per score, reuses the same projection', async () => {
    const seen: Matrix[] = [];
    const registry = probes(seen);
    const settings = resolveRunSettings({ preset: 'rank' }, registry);
    const reduced = reduceInputs(inputs(), settings);
    const a = await scoreReduced(reduced, ['probe-a'], { registry });
    const b = await scoreReduced(reduced, ['probe-b', 'logme'], { registry });
    expect(seen[0]).toBe(seen[1]);
    expect(a.reduce).toBe(reduced.reduce);
    expect((b.details.logme as { variant: string }).variant).toBe('corrected');
    expect(b.preset).toBe('rank');
  });

  it('settings and the loose options are one or the other', async () => {
    const e = await scoreMetrics(inputs(), ['emms'], {
      settings: resolveRunSettings(),
      preset: 'rank',
    }).catch((x) => x);
    expect(isEmmsError(e, 'INVALID_OPTION') && e.input === 'settings').toBe(true);
  });
});

describe('bad inputs to the library are typed errors naming the input', () => {
  const labels = Int32Array.from([0, 1, 0, 1]);
  const features = { rows: 4, cols: 2, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 9]) };
  it.each([
    ['null inputs', null, 'inputs'],
    ['undefined inputs', undefined, 'inputs'],
    ['null features', { features: null, labels }, 'features'],
    ['null labels', { features, labels: null }, 'labels'],
    ['labels as a plain array', { features, labels: [0, 1, 0, 1] }, 'labels'],
    ['a null F-label', { features, labels, flabels: [null] }, 'flabels[0]'],
  ])('%s', async (_what, given, input) => {
    for (const preset of ['published', 'rank'] as const) {
      const e = await scoreMetrics(given as never, ['logme'], { preset }).catch((x) => x);
      expect(isEmmsError(e, 'INVALID_INPUT'), String(e)).toBe(true);
      expect(e.input).toBe(input);
    }
  });

  it('1e300 or NaN features under the rank preset name the input and the reason, not an eigensolver', async () => {
    const x = fixtureMatrix('wide', 'X.npy');
    const big = { ...x, data: Float64Array.from(x.data, (v, i) => (i === 5 ? 1e300 : v)) };
    const nan = { ...x, data: Float64Array.from(x.data, (v, i) => (i === 5 ? Number.NaN : v)) };
    const y = fixtureLabels('wide');
    const e1 = await scoreMetrics({ features: big, labels: y }, ['emms'], { preset: 'rank' }).catch((e) => e);
    expect(e1).toMatchObject({ code: 'VALUE_OVERFLOW', input: 'features' });
    expect(e1.message).toMatch(/squares overflow/);
    const e2 = await scoreMetrics({ features: nan, labels: y }, ['emms'], { preset: 'rank' }).catch((e) => e);
    expect(e2).toMatchObject({ code: 'NON_FINITE', input: 'features' });
    // under published, each score reports the same typed error
    const r = await scoreMetrics({ features: big, labels: y }, ['logme', 'sfda']);
    expect(r.errors.logme).toMatchObject({ code: 'VALUE_OVERFLOW', input: 'features' });
    expect(r.errors.sfda).toMatchObject({ code: 'VALUE_OVERFLOW', input: 'features' });
  });
});
