import { isEmmsError } from '@emms/tensor-io';
import { afterEach, describe, expect, it } from 'vitest';
import { readRuntimeConfig } from './config';
import { configureRuntime, runtimeConfig, type TransformersEnv, withTransformersEnv } from './models';

function fakeLib(): { env: TransformersEnv } {
  return {
    env: { allowRemoteModels: true, allowLocalModels: false, localModelPath: '/models/', cacheDir: null },
  };
}

afterEach(() => configureRuntime(readRuntimeConfig()));

describe('withTransformersEnv', () => {
  it('a folder loads offline by its name from its parent; env is restored after', async () => {
    const lib = fakeLib();
    const seen = await withTransformersEnv(lib, { folder: '/data/m/bert' }, async (id) => ({
      id,
      ...lib.env,
    }));
    expect(seen).toEqual({
      id: 'bert',
      allowRemoteModels: false,
      allowLocalModels: true,
      localModelPath: '/data/m/',
      cacheDir: null,
    });
    expect(lib.env).toEqual(fakeLib().env);
    expect(process.env.ORT_DISABLE_TELEMETRY).toBe('1');
  });

  it('a hub id uses the configured model cache; remote models off is a typed error naming the setting', async () => {
    const lib = fakeLib();
    configureRuntime(readRuntimeConfig({ env: { EMMS_MODEL_CACHE: '/cache/models' } }));
    expect(runtimeConfig().modelCache).toBe('/cache/models');
    const env = await withTransformersEnv(lib, { hubId: 'org/model' }, async (id) => ({ id, ...lib.env }));
    expect(env).toMatchObject({ id: 'org/model', allowRemoteModels: true, cacheDir: '/cache/models' });
    configureRuntime(readRuntimeConfig({ env: { EMMS_REMOTE_MODELS: '0' } }));
    const e = await withTransformersEnv(lib, { hubId: 'org/model' }, async () => 1).catch((x) => x);
    expect(isEmmsError(e, 'REMOTE_MODELS_DISABLED')).toBe(true);
    expect(e.input).toBe('EMMS_REMOTE_MODELS');
    expect(e.message).toContain('org/model');
  });

  it('loads are serialised: one never sees the settings of another', async () => {
    const lib = fakeLib();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a = withTransformersEnv(lib, { folder: '/a/one' }, async () => {
      order.push(`a:${lib.env.localModelPath}`);
      await gate;
      order.push(`a-end:${lib.env.localModelPath}`);
    });
    const b = withTransformersEnv(lib, { folder: '/b/two' }, async () => {
      order.push(`b:${lib.env.localModelPath}`);
    });
    await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all([a, b]);
    expect(order).toEqual(['a:/a/', 'a-end:/a/', 'b:/b/']);
    // a failing load does not block the next one
    await expect(
      withTransformersEnv(lib, { folder: '/x/y' }, async () => Promise.reject(new Error('no'))),
    ).rejects.toThrow('no');
    expect(await withTransformersEnv(lib, { folder: '/x/z' }, async (id) => id)).toBe('z');
  });
});
