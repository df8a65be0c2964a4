import { defineMetric, z } from '@emms/metric-spec';
import { type EmmsError, isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import type { MetricPlugin } from './metric';
import { builtinMetrics, createRegistry, defaultRegistry, loadPlugin } from './registry';
import { resolveOptions, scoreMetrics } from './run';

/** A plugin metric as a plugin package defines it. */
const constantOf = (id: string, value?: number) =>
  defineMetric({
    id,
    description: 'returns its option',
    inputs: { required: ['features'] },
    higherIsBetter: true,
    options: z.object({ value: z.number().default(7).describe('the value') }),
    compute: (_inputs, options) => ({ value: value ?? options.value, details: { seen: true } }),
  });
const constant = constantOf('constant');
const features = { rows: 2, cols: 1, data: Float64Array.from([1, 2]) };

async function rejects(p: Promise<unknown> | (() => unknown)): Promise<EmmsError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isEmmsError(e)) return e;
    throw e;
  }
  throw new Error('expected an EmmsError');
}

describe('registry', () => {
  it('the default registry holds every built-in score', () => {
    const ids = defaultRegistry.list().map((m) => m.id);
    for (const id of ['emms', 'logme', 'leep', 'nce', 'nleep', 'sfda', 'transrate', 'hscore', 'gbc', 'parc'])
      expect(ids).toContain(id);
    expect(ids).toEqual(builtinMetrics.map((m) => m.id));
    for (const m of builtinMetrics) {
      expect(m.specificationVersion).toBe('v2');
      expect(m.references.length).toBeGreaterThan(0);
      expect(m.regime.length).toBeGreaterThan(10);
      expect(m.description.length).toBeGreaterThan(10);
    }
  });

  it('register, get, has, list; duplicates refused unless replace', async () => {
    const r = createRegistry();
    r.register(constant);
    expect(r.has('constant')).toBe(true);
    expect(r.list().map((m) => m.id)).toEqual(['constant']);
    expect((await rejects(() => r.register(constant))).code).toBe('INVALID_OPTION');
    r.register({ ...constant, description: 'again' }, { replace: true });
    // only defined metrics register: anything else is refused naming it
    expect((await rejects(() => r.register({ id: 'x' } as never))).code).toBe('PLUGIN_LOAD');
    expect(r.get('constant').description).toBe('again');
  });

  it('unknown ids: UNKNOWN_METRIC listing the known ones, before anything runs', async () => {
    const e = await rejects(
      scoreMetrics({ features }, ['constant', 'nope'], { registry: createRegistry([constant]) }),
    );
    expect(e.code).toBe('UNKNOWN_METRIC');
    expect(e.input).toBe('nope');
    expect(e.message).toContain('constant');
  });

  it('ids match case-insensitively; a near miss gets a suggestion and the known list', () => {
    expect(defaultRegistry.get('LogME').id).toBe('logme');
    expect(defaultRegistry.has('NLEEP')).toBe(true);
    let e: EmmsError | undefined;
    try {
      defaultRegistry.get('logmee');
    } catch (err) {
      e = err as EmmsError;
    }
    expect(e?.code).toBe('UNKNOWN_METRIC');
    expect(e?.message).toContain('did you mean "logme"?');
    expect(e?.message).toContain('emms, logme, leep');
    expect(e?.details).toMatchObject({ suggestion: 'logme' });
    try {
      defaultRegistry.get('zzzzzzzz');
    } catch (err) {
      e = err as EmmsError;
    }
    expect(e?.message).not.toContain('did you mean');
  });

  it('loadPlugin accepts a default export, a named plugin, or a named metrics array', () => {
    const plugin: MetricPlugin = { specificationVersion: 'v2', name: 'p', metrics: [constant] };
    expect(loadPlugin({ default: plugin }, 'pkg').metrics).toEqual([constant]);
    expect(loadPlugin({ plugin }, 'pkg').name).toBe('p');
    expect(loadPlugin({ metrics: [constant] }, 'pkg').metrics[0].id).toBe('constant');
  });

  it.each([
    ['nothing', null],
    ['no plugin', { foo: 1 }],
    ['a future version', { default: { specificationVersion: 'v3', name: 'p', metrics: [] } }],
    ['a metric without compute', { metrics: [{ ...constant, compute: undefined }] }],
    ['a metric of a future version', { metrics: [{ ...constant, specificationVersion: 'v9' }] }],
  ])('loadPlugin rejects %s with PLUGIN_LOAD naming the source', async (_what, mod) => {
    const e = await rejects(() => loadPlugin(mod, 'some-package'));
    expect(e.code).toBe('PLUGIN_LOAD');
    expect(e.input).toBe('some-package');
  });
});

describe('scoreMetrics', () => {
  it('runs plugin metrics through the same interface, with options, timing and details', async () => {
    const registry = createRegistry([...builtinMetrics, constant]);
    const r = await scoreMetrics({ features }, ['constant'], {
      registry,
      options: { constant: { value: 3 } },
    });
    expect(r.scores).toEqual({ constant: 3 });
    expect(r.details).toEqual({ constant: { seen: true } });
    expect(r.seconds.constant).toBeGreaterThanOrEqual(0);
    expect(r.backend).toBe('js');
  });

  it('unknown or mistyped options: INVALID_OPTION', async () => {
    expect((await rejects(() => resolveOptions(constant, { valu: 1 }))).code).toBe('INVALID_OPTION');
    expect((await rejects(() => resolveOptions(constant, { value: 'x' }))).code).toBe('INVALID_OPTION');
    expect(resolveOptions(constant, {})).toEqual({ value: 7 });
    const r = await scoreMetrics({ features }, ['constant'], {
      registry: createRegistry([constant]),
      options: { constant: { value: Number.NaN } },
    });
    expect(r.errors.constant.code).toBe('INVALID_OPTION');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(
      scoreMetrics({ features }, ['constant'], { registry: createRegistry([constant]), signal: ac.signal }),
    ).rejects.toThrow('stop');
  });
});

describe('scoreMetrics guards', () => {
  it('a missing input is an error naming it as inputs.NAME (never a CLI flag), not a silent skip', async () => {
    const labels = Int32Array.from([0, 1, 0, 1, 2, 2]);
    const x = { rows: 6, cols: 3, data: Float64Array.from({ length: 18 }, (_, i) => Math.sin(i)) };
    const r = await scoreMetrics({ features: x, labels }, ['leep', 'hscore']);
    expect(r.errors.leep).toMatchObject({ code: 'MISSING_INPUT', input: 'probs' });
    expect(r.errors.leep.message).toContain('inputs.probs');
    expect(r.errors.leep.message).not.toContain('--');
    expect(Number.isFinite(r.scores.hscore)).toBe(true);
    expect(r.scores.leep).toBeUndefined();
  });

  it('a plugin metric that returns NaN or Infinity is an error entry (NON_FINITE_SCORE), never a number', async () => {
    const nan = constantOf('nan', Number.NaN);
    const inf = constantOf('inf', Number.NEGATIVE_INFINITY);
    const r = await scoreMetrics({ features }, ['nan', 'inf', 'constant'], {
      registry: createRegistry([nan, inf, constant]),
    });
    expect(r.errors.nan.code).toBe('NON_FINITE_SCORE');
    expect(r.errors.inf.code).toBe('NON_FINITE_SCORE');
    expect(r.scores).toEqual({ constant: 7 });
  });

  it('relabel is one run-level boolean: anything else is INVALID_OPTION; per metric it is refused', async () => {
    const e = await rejects(
      scoreMetrics({ features }, ['constant'], {
        registry: createRegistry([constant]),
        relabel: 'banana' as unknown as boolean,
      }),
    );
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('true or false');
    const r = await scoreMetrics({ features }, ['constant'], {
      registry: createRegistry([constant]),
      options: { constant: { relabel: true } },
    });
    expect(r.errors.constant.code).toBe('INVALID_OPTION');
    expect(r.errors.constant.message).toContain('run-level');
  });

  it('LEEP validates its probabilities instead of returning NaN', async () => {
    const { leepScore } = await import('./scores/leep');
    const probs = { rows: 4, cols: 2, data: Float64Array.from([2, 0, 0, 1, 1, 0, 0, 1]) };
    expect(() => leepScore({ probs, labels: Int32Array.from([0, 1, 0, 1]) })).toThrow(
      expect.objectContaining({ code: 'PROBS_NOT_NORMALISED', input: 'probs' }),
    );
  });

  it('option values out of range name <metric>.<option>, the allowed range and the value', async () => {
    const x = { rows: 30, cols: 4, data: Float64Array.from({ length: 120 }, (_, i) => Math.sin(i * 1.7)) };
    const labels = Int32Array.from({ length: 30 }, (_, i) => i % 3);
    const r = await scoreMetrics({ features: x, labels }, ['nleep', 'gbc', 'parc'], {
      options: { nleep: { varianceRatio: 2 }, gbc: { dims: 0 }, parc: { dims: 0 } },
    });
    expect(r.errors.nleep.message).toBe(
      'option nleep.varianceRatio=2 is not allowed: give a number in (0, 1)',
    );
    expect(r.errors.gbc.message).toBe('option gbc.dims=0 is not allowed: give an integer ≥ 1');
    expect(r.errors.parc).toMatchObject({ code: 'INVALID_OPTION', input: 'parc.dims' });
  });
});
