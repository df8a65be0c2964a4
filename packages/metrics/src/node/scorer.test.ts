import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBackend, jsBackend, type LinalgBackend } from '@emms/linalg';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../metric';
import { builtinMetrics, createRegistry, type MetricRegistry } from '../registry';
import { expectedOf, fixtureLabels, fixtureMatrix, within } from '../testing/fixtures';
import { selectBackend } from './backend';
import { readEmmsConfig } from './config';
import { createScorer, resolveMetricId } from './scorer';

/** A folder with a v1 plugin module file whose metric `id` returns `value`. */
function pluginFile(dir: string, file: string, id: string, value: number): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `export default { specificationVersion: 'v1', name: '${id}-plugin', metrics: [{
      specificationVersion: 'v1', id: '${id}', description: 'test metric', higherIsBetter: true,
      inputs: { required: ['features'] }, options: [],
      compute(inputs, _o, ctx) { return { value: ${value}, details: { backend: ctx.backend.name } }; },
    }] };\n`,
  );
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
const nativeOk = async () => ({
  loadNativeBlas: () => ({ ok: true as const, blas: {} }),
  createOpenblasBackend: () => fakeNative,
});
const nativeMissing = async () => ({
  loadNativeBlas: () => ({ ok: false as const, reason: 'libopenblas.so.0: not found' }),
  createOpenblasBackend: () => fakeNative,
  INSTALL_HINT: 'apt-get install -y libopenblas0-pthread',
});
const notInstalled = async () => {
  throw new Error("Cannot find package '@emms/linalg-openblas'");
};

describe('selectBackend', () => {
  it('auto takes the native backend when it loads, else the portable one with a notice', async () => {
    expect((await selectBackend('auto', { env: {}, importOpenblas: nativeOk })).backend.name).toBe(
      'fake-native',
    );
    const fallback = await selectBackend('auto', { env: {}, importOpenblas: nativeMissing });
    expect(fallback.backend).toBe(jsBackend);
    expect(fallback.notice).toMatch(/libopenblas\.so\.0: not found.*portable backend.*apt-get/);
    const absent = await selectBackend('auto', { env: {}, importOpenblas: notInstalled });
    expect(absent.backend).toBe(jsBackend);
    expect(absent.notice).toMatch(/could not be imported/);
  });

  it('EMMS_LINALG refines auto; an explicit choice wins over it', async () => {
    expect(
      (await selectBackend('auto', { env: { EMMS_LINALG: 'js' }, importOpenblas: nativeOk })).backend,
    ).toBe(jsBackend);
    expect(
      (await selectBackend('js', { env: { EMMS_LINALG: 'openblas' }, importOpenblas: nativeOk })).backend,
    ).toBe(jsBackend);
    expect(
      (await selectBackend('auto', { env: { EMMS_LINALG: ' OpenBLAS ' }, importOpenblas: nativeOk })).backend
        .name,
    ).toBe('fake-native');
  });

  it('a bad EMMS_LINALG or an unavailable openblas is a typed error', async () => {
    const bad = await rejection(
      selectBackend('auto', { env: { EMMS_LINALG: 'cuda' }, importOpenblas: nativeOk }),
    );
    expect(isEmmsError(bad, 'INVALID_OPTION')).toBe(true);
    expect((bad as Error).message).toContain('"cuda"');
    const missing = await rejection(selectBackend('openblas', { env: {}, importOpenblas: nativeMissing }));
    expect(isEmmsError(missing, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((missing as Error).message).toContain('EMMS_OPENBLAS_LIB');
  });

  it('hands EMMS_OPENBLAS_LIB from the env option to the native loader', async () => {
    let seen: unknown;
    await selectBackend('auto', {
      env: { EMMS_OPENBLAS_LIB: '/opt/lib.so' },
      importOpenblas: async () => ({
        loadNativeBlas: (env: { EMMS_OPENBLAS_LIB?: string }) => {
          seen = env.EMMS_OPENBLAS_LIB;
          return { ok: false as const, reason: 'nope' };
        },
        createOpenblasBackend: () => fakeNative,
      }),
    });
    expect(seen).toBe('/opt/lib.so');
  });

  it('with the backend registry: registers OpenBLAS with EMMS_OPENBLAS_LIB, then resolves the choice', async () => {
    const registered: unknown[] = [];
    const asked: string[] = [];
    const registry = {
      importOpenblas: async () => ({
        registerOpenblasBackend: (o?: { library?: string }) => {
          registered.push(o?.library);
        },
      }),
      resolveBackend: async (choice: string) => {
        asked.push(choice);
        if (choice === 'openblas')
          throw new EmmsError('BACKEND_UNAVAILABLE', 'backend "openblas" is not available: gone');
        return { backend: fakeNative, notice: 'openblas backend not available (gone); using the js backend' };
      },
    };
    const auto = await selectBackend('auto', { env: { EMMS_OPENBLAS_LIB: '/x.so' }, ...registry });
    expect(auto.backend).toBe(fakeNative);
    expect(auto.notice).toBe('emms: openblas backend not available (gone); using the js backend');
    expect(registered).toEqual(['/x.so']);
    const forced = await rejection(selectBackend('auto', { env: { EMMS_LINALG: 'openblas' }, ...registry }));
    expect(isEmmsError(forced, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((forced as EmmsError).input).toBe('EMMS_LINALG');
    expect(asked).toEqual(['auto', 'openblas']);
    // js never loads the native package
    expect((await selectBackend('js', registry)).backend).toBe(jsBackend);
    expect(registered).toHaveLength(2);
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
