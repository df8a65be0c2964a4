import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getBackend, jsBackend, type LinalgBackend } from '@emms/linalg';
import { readRuntimeConfig } from '@emms/runtime';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import { repoRoot } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../metric';
import { builtinMetrics, createRegistry, type MetricRegistry } from '../registry';
import { expectedOf, fixtureLabels, fixtureMatrix, within } from '../testing/fixtures';
import { selectBackend } from './backend';
import { readEmmsConfig } from './config';
import { createScorer, resolveMetricId } from './scorer';

/** The built entry of @emms/metric-spec, which a plugin module in a temporary folder imports by URL. */
const specUrl = pathToFileURL(join(repoRoot, 'packages/metric-spec/dist/index.js')).href;

/** A plugin module file whose metric `id` returns `value` (v1: written against the first interface). */
function pluginFile(
  dir: string,
  file: string,
  id: string,
  value: number,
  version: 'v1' | 'v2' = 'v2',
): string {
  const path = join(dir, file);
  const body =
    version === 'v2'
      ? `import { defineMetric } from '${specUrl}';
export default { specificationVersion: 'v2', name: '${id}-plugin', metrics: [defineMetric({
  id: '${id}', description: 'test metric', higherIsBetter: true, inputs: { required: ['features'] },
  compute(inputs, _o, ctx) { return { value: ${value}, details: { backend: ctx.backend.name } }; },
})] };\n`
      : `export default { specificationVersion: 'v1', name: '${id}-plugin', metrics: [{
  specificationVersion: 'v1', id: '${id}', description: 'test metric', higherIsBetter: true,
  inputs: { required: ['features'] }, options: [],
  compute(inputs, _o, ctx) { return { value: ${value}, details: { backend: ctx.backend.name } }; },
}] };\n`;
  writeFileSync(path, body);
  return path;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

const features = { rows: 4, cols: 1, data: new Float64Array([1, 2, 3, 4]) };
const fakeNative: LinalgBackend = { ...jsBackend, name: 'fake-native' };
const notInstalled = async () => {
  throw new Error("Cannot find package '@emms/linalg-openblas'");
};

/** A stand-in native package and registry: records what was registered and asked for. */
function standIn(loads: boolean) {
  const registered: (string | undefined)[] = [];
  const asked: string[] = [];
  return {
    registered,
    asked,
    importOpenblas: async () => ({
      registerOpenblasBackend: (o?: { library?: string }) => {
        registered.push(o?.library);
      },
    }),
    resolveBackend: async (choice: string) => {
      asked.push(choice);
      if (loads) return { backend: fakeNative };
      if (choice === 'openblas') {
        throw new EmmsError(
          'BACKEND_UNAVAILABLE',
          `backend "openblas" is not available: ${registered.at(-1) ?? 'libopenblas.so.0'} could not be loaded. Choose "auto" to fall back to the portable backend`,
        );
      }
      return { backend: jsBackend, notice: 'openblas backend not available (gone); using the js backend' };
    },
  };
}

describe('selectBackend', () => {
  it('auto takes the native backend when it loads, else the portable one with a notice', async () => {
    const ok = standIn(true);
    expect((await selectBackend(readRuntimeConfig(), ok)).backend).toBe(fakeNative);
    expect(ok.asked).toEqual(['auto']);
    const fallback = await selectBackend(readRuntimeConfig(), standIn(false));
    expect(fallback.backend).toBe(jsBackend);
    expect(fallback.notice).toBe('emms: openblas backend not available (gone); using the js backend');
    const absent = await selectBackend('auto', { importOpenblas: notInstalled });
    expect(absent.backend).toBe(jsBackend);
    expect(absent.notice).toMatch(/could not be imported/);
  });

  it('js never loads the native package; a backend object is used as it is', async () => {
    const s = standIn(true);
    expect((await selectBackend(readRuntimeConfig({ env: { EMMS_LINALG: 'js' } }), s)).backend).toBe(
      jsBackend,
    );
    expect(s.registered).toEqual([]);
    expect((await selectBackend(fakeNative)).backend).toBe(fakeNative);
  });

  it('openblas asked for and absent is BACKEND_UNAVAILABLE naming the setting it came from', async () => {
    const forced = await rejection(
      selectBackend(readRuntimeConfig({ env: { EMMS_LINALG: 'openblas' } }), standIn(false)),
    );
    expect(isEmmsError(forced, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((forced as EmmsError).input).toBe('EMMS_LINALG');
    expect((forced as Error).message).toMatch(/^EMMS_LINALG=openblas: .*apt-get install/);
    const missing = await rejection(selectBackend('openblas', { importOpenblas: notInstalled }));
    expect(isEmmsError(missing, 'BACKEND_UNAVAILABLE') && (missing as EmmsError).input === 'backend').toBe(
      true,
    );
  });

  it('an explicit OpenBLAS library is handed to the package and must load: no silent fallback', async () => {
    const s = standIn(false);
    const config = readRuntimeConfig({ env: { EMMS_OPENBLAS_LIB: '/opt/missing/libopenblas.so' } });
    const e = await rejection(selectBackend(config, s));
    expect(s.registered).toEqual(['/opt/missing/libopenblas.so']);
    expect(s.asked).toEqual(['openblas']);
    expect(isEmmsError(e, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((e as EmmsError).input).toBe('EMMS_OPENBLAS_LIB');
    expect((e as Error).message).toMatch(
      /^EMMS_OPENBLAS_LIB=\/opt\/missing\/libopenblas\.so: .*point EMMS_OPENBLAS_LIB at an existing OpenBLAS library file.*or leave it unset/,
    );
    expect((e as Error).message).not.toContain('Choose "auto"');
  });
});

describe('createScorer with a real OpenBLAS package', () => {
  it('EMMS_OPENBLAS_LIB naming a file that does not exist, or does not load, is a typed error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-blas-'));
    const notALibrary = join(dir, 'libopenblas.so');
    writeFileSync(notALibrary, 'not a shared library');
    for (const library of [join(dir, 'nowhere.so'), notALibrary]) {
      const e = await rejection(createScorer({ env: { EMMS_OPENBLAS_LIB: library } }));
      expect(isEmmsError(e, 'BACKEND_UNAVAILABLE'), String(e)).toBe(true);
      expect((e as EmmsError).input).toBe('EMMS_OPENBLAS_LIB');
      expect((e as Error).message).toContain(library);
      // the option form names the option
      const o = await rejection(createScorer({ env: {}, openblasLibrary: library }));
      expect((o as EmmsError).input).toBe('openblasLibrary');
    }
  });
});

describe('readEmmsConfig', () => {
  it('a folder without the file is an empty config; a bad key or bad JSON is INVALID_OPTION', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-config-'));
    expect(readEmmsConfig(dir).config).toEqual({});
    writeFileSync(join(dir, 'emms.config.json'), '{"$schema": "./schema.json", "relabel": true}');
    expect(readEmmsConfig(dir).config).toEqual({ $schema: './schema.json', relabel: true });
    writeFileSync(join(dir, 'emms.config.json'), '{"plugin": ["x"]}');
    const e1 = (() => {
      try {
        readEmmsConfig(dir);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(isEmmsError(e1, 'INVALID_OPTION')).toBe(true);
    writeFileSync(join(dir, 'emms.config.json'), '{"plugins": [');
    expect(() => readEmmsConfig(dir)).toThrow(/not valid JSON/);
    expect(() => readEmmsConfig(join(dir, 'missing.json'))).toThrow(/no file/);
  });
});

describe('createScorer', () => {
  it('each scorer has its own plugins and backend; the global backend is untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-scorer-'));
    pluginFile(dir, 'one.mjs', 'one', 1);
    pluginFile(dir, 'two.mjs', 'two', 2);
    const before = getBackend();
    const a = await createScorer({ plugins: ['./one.mjs'], cwd: dir, backend: fakeNative });
    const b = await createScorer({ plugins: ['./two.mjs'], cwd: dir, backend: 'js' });
    expect(getBackend()).toBe(before);
    expect(a.registry.has('one') && !a.registry.has('two')).toBe(true);
    expect(b.registry.has('two') && !b.registry.has('one')).toBe(true);
    expect(a.pluginOf.get('one')).toBe('./one.mjs');
    const ra = await a.score({ features }, ['one']);
    expect(ra).toMatchObject({
      scores: { one: 1 },
      backend: 'fake-native',
      details: { one: { backend: 'fake-native' } },
    });
    const rb = await b.score({ features }, ['TWO']);
    expect(rb).toMatchObject({ scores: { two: 2 }, backend: 'js' });
  });

  it('a plugin package written against specification v1 still loads (adapted at the boundary)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-scorer-'));
    pluginFile(dir, 'old.mjs', 'old', 5, 'v1');
    const s = await createScorer({ plugins: ['./old.mjs'], cwd: dir, backend: 'js' });
    expect(s.registry.get('old').specificationVersion).toBe('v2');
    expect((await s.score({ features }, ['old'])).scores).toEqual({ old: 5 });
  });

  it('settings() resolves a call once over the config defaults; score takes them', async () => {
    const s = await createScorer({
      backend: 'js',
      config: { options: { nleep: { seed: 3 } }, relabel: true },
    });
    const settings = s.settings({ preset: 'rank', options: { NLEEP: { varianceRatio: 0.5 } } });
    expect(settings).toMatchObject({
      preset: 'rank',
      relabel: true,
      options: { nleep: { seed: 3, varianceRatio: 0.5 } },
    });
    const x = { rows: 40, cols: 3, data: Float64Array.from({ length: 120 }, (_, i) => Math.sin(i * 1.3)) };
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
    const r = await s.score({ features: x, labels }, ['logme'], { settings });
    expect((r.details.logme as { variant: string }).variant).toBe('corrected');
    await expect(
      s.score({ features: x, labels }, ['logme'], { settings, preset: 'rank' }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });

  it('reads plugins from emms.config.json relative to its folder, and its default options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-scorer-'));
    mkdirSync(join(dir, 'plugins'));
    pluginFile(join(dir, 'plugins'), 'three.mjs', 'three', 3);
    writeFileSync(
      join(dir, 'emms.config.json'),
      JSON.stringify({ plugins: ['./plugins/three.mjs'], backend: 'js', options: { nleep: { seed: 3 } } }),
    );
    const scorer = await createScorer({ config: dir, cwd: tmpdir() });
    expect(scorer.registry.has('three')).toBe(true);
    expect(scorer.backend).toBe(jsBackend);
    expect(scorer.config.options).toEqual({ nleep: { seed: 3 } });
  });

  it('a plugin that does not load is PLUGIN_LOAD naming it', async () => {
    const e = await rejection(createScorer({ plugins: ['./nowhere.mjs'], backend: 'js' }));
    expect(isEmmsError(e, 'PLUGIN_LOAD')).toBe(true);
    expect((e as Error).message).toContain('nowhere.mjs');
  });

  it('falls back to the portable backend with one notice', async () => {
    const notices: string[] = [];
    const s = await createScorer({ importOpenblas: notInstalled, env: {}, onNotice: (m) => notices.push(m) });
    expect(s.runtime.backend).toBe('auto');
    expect(s.backend).toBe(jsBackend);
    expect(notices).toHaveLength(1);
    expect(s.notice).toBe(notices[0]);
  });

  it('reproduces the published LogME and EMMS values of the small fixture', async () => {
    const scorer = await createScorer({ backend: 'js' });
    const inputs = {
      features: fixtureMatrix('small', 'X.npy'),
      labels: fixtureLabels('small'),
      flabels: ['bert', 'clip', 'gpt2'].map((z) => fixtureMatrix('small', `Z_${z}.npy`)),
    };
    const report = await scorer.score(inputs, ['emms', 'LogME']);
    const expected = expectedOf('small');
    expect(report.errors).toEqual({});
    expect(within(report.scores.emms, expected.emms)).toBe(true);
    expect(within(report.scores.logme, expected.logme)).toBe(true);
  });

  it('relabel reaches the runner', async () => {
    const scorer = await createScorer({ backend: 'js' });
    const x = { rows: 6, cols: 2, data: new Float64Array([1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2]) };
    const labels = new Int32Array([0, 0, 0, 5, 5, 5]);
    const strict = await scorer.score({ features: x, labels }, ['logme']);
    expect(strict.errors.logme?.code).toBe('MISSING_CLASSES');
    const relabelled = await scorer.score({ features: x, labels }, ['logme'], { relabel: true });
    expect(relabelled.errors).toEqual({});
    expect(Number.isFinite(relabelled.scores.logme)).toBe(true);
  });
});

describe('resolveMetricId', () => {
  it('matches case-insensitively and suggests the nearest id', async () => {
    const { registry } = await createScorer({ backend: 'js' });
    expect(resolveMetricId(registry, 'LogME')).toBe('logme');
    let err: unknown;
    try {
      resolveMetricId(registry, 'lgme');
    } catch (e) {
      err = e;
    }
    expect(isEmmsError(err, 'UNKNOWN_METRIC')).toBe(true);
    expect((err as Error).message).toContain('did you mean "logme"');
  });

  it('returns the registered id when the registry itself matches loosely', () => {
    const logme = createRegistry(builtinMetrics as Metric[]).get('logme');
    const loose = {
      has: (id: string) => id.toLowerCase() === 'logme',
      get: () => logme,
      list: () => [logme],
      register: () => undefined,
    } satisfies MetricRegistry;
    expect(resolveMetricId(loose, 'LOGME')).toBe('logme');
  });
});
