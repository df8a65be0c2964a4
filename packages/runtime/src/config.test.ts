import { isEmmsError } from '@emms/tensor-io';
import { thrown } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { readRuntimeConfig, settingName } from './config';

describe('readRuntimeConfig', () => {
  it('defaults without an environment (nothing is read unless given)', () => {
    expect(readRuntimeConfig()).toEqual({
      backend: 'auto',
      wasm: true,
      tfjsBackend: 'auto',
      allowRemoteModels: true,
      sources: {},
    });
  });

  it('reads every variable and records where each setting came from', () => {
    const c = readRuntimeConfig({
      env: {
        EMMS_LINALG: ' OpenBLAS ',
        EMMS_OPENBLAS_LIB: '/opt/libopenblas.so',
        EMMS_LINALG_WASM: '0',
        EMMS_TFJS_BACKEND: 'cpu',
        EMMS_MODEL_CACHE: '/tmp/models',
        EMMS_REMOTE_MODELS: 'false',
        UNRELATED: 'x',
      },
    });
    expect(c).toMatchObject({
      backend: 'openblas',
      openblasLibrary: '/opt/libopenblas.so',
      wasm: false,
      tfjsBackend: 'cpu',
      modelCache: '/tmp/models',
      allowRemoteModels: false,
    });
    expect(c.sources.openblasLibrary).toBe('EMMS_OPENBLAS_LIB');
    expect(settingName(c, 'openblasLibrary')).toBe('EMMS_OPENBLAS_LIB');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('given settings win, except backend auto, which EMMS_LINALG refines', () => {
    const env = { EMMS_LINALG: 'js', EMMS_TFJS_BACKEND: 'cpu' };
    expect(readRuntimeConfig({ env, given: { backend: 'openblas' } }).backend).toBe('openblas');
    const auto = readRuntimeConfig({ env, given: { backend: 'auto', tfjsBackend: 'wasm' } });
    expect(auto).toMatchObject({ backend: 'js', tfjsBackend: 'wasm' });
    expect(auto.sources).toMatchObject({ backend: 'EMMS_LINALG', tfjsBackend: 'option' });
    expect(settingName(auto, 'tfjsBackend')).toBe('tfjsBackend');
    expect(settingName(auto, 'modelCache')).toBe('EMMS_MODEL_CACHE');
    // empty variables count as unset
    expect(readRuntimeConfig({ env: { EMMS_LINALG: '', EMMS_OPENBLAS_LIB: ' ' } }).sources).toEqual({});
  });

  it('a value that is not allowed is INVALID_OPTION naming the variable or option', () => {
    for (const [env, input] of [
      [{ EMMS_LINALG: 'cuda' }, 'EMMS_LINALG'],
      [{ EMMS_LINALG_WASM: 'maybe' }, 'EMMS_LINALG_WASM'],
      [{ EMMS_TFJS_BACKEND: 'webgl' }, 'EMMS_TFJS_BACKEND'],
      [{ EMMS_REMOTE_MODELS: '2' }, 'EMMS_REMOTE_MODELS'],
    ] as const) {
      const e = thrown(() => readRuntimeConfig({ env }));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.input).toBe(input);
      expect(e.message).toContain(input);
    }
    expect(thrown(() => readRuntimeConfig({ given: { backend: 'gpu' as never } })).input).toBe('backend');
  });
});
