// The CLI entry reads its run-time configuration once; bad settings and bad values name the
// variable, the flag and the file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeConfig } from '@emms/runtime';
import { readMatrixFile, writeNpyFile } from '@emms/tensor-io/node';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { run } from './test-helpers';

const X = fixturePath('small', 'X.npy');
const y = fixturePath('small', 'y.npy');

/** A copy of the small fixture's features with one value replaced. */
async function spoiled(value: number): Promise<string> {
  const m = await readMatrixFile(X);
  const data = Float64Array.from(m.data);
  data[7] = value;
  const path = join(mkdtempSync(join(tmpdir(), 'emms-spoiled-')), 'X.npy');
  await writeNpyFile(path, { dtype: 'float64', shape: [m.rows, m.cols], data });
  return path;
}

describe('the run-time configuration at the CLI entry', () => {
  it('an EMMS_OPENBLAS_LIB that does not exist is a typed error naming the variable and the fix', async () => {
    const r = await run(['score', '--features', X, '--labels', y, '--metrics', 'logme', '--format', 'json'], {
      env: { EMMS_LINALG: 'auto', EMMS_OPENBLAS_LIB: '/nonexistent/libopenblas.so' },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      input: 'EMMS_OPENBLAS_LIB',
    });
    expect(r.stderr).toMatch(/^emms: EMMS_OPENBLAS_LIB=\/nonexistent\/libopenblas\.so: /);
    expect(r.stderr).toContain('point EMMS_OPENBLAS_LIB at an existing OpenBLAS library file');
  });

  it('a value of a variable that is not allowed is INVALID_OPTION naming it', async () => {
    for (const [name, value] of [
      ['EMMS_LINALG', 'cuda'],
      ['EMMS_LINALG_WASM', 'maybe'],
      ['EMMS_TFJS_BACKEND', 'webgl'],
      ['EMMS_REMOTE_MODELS', 'sometimes'],
    ] as const) {
      const r = await run(['score', '--features', X, '--labels', y, '--metrics', 'logme'], {
        env: { [name]: value },
      });
      expect(r.code, name).toBe(1);
      expect(r.stderr).toContain(`${name} must be`);
      expect(r.stderr).toContain('[INVALID_OPTION]');
    }
  });

  it('is handed to the model runtimes once per run', async () => {
    const r = await run(['metrics', '--format', 'json'], {
      env: {
        EMMS_LINALG: 'js',
        EMMS_TFJS_BACKEND: 'cpu',
        EMMS_REMOTE_MODELS: '0',
        EMMS_MODEL_CACHE: '/tmp/m',
      },
    });
    expect(r.code).toBe(0);
    expect(runtimeConfig()).toMatchObject({
      tfjsBackend: 'cpu',
      allowRemoteModels: false,
      modelCache: '/tmp/m',
    });
    await run(['metrics', '--format', 'json']);
    expect(runtimeConfig()).toMatchObject({ tfjsBackend: 'auto', allowRemoteModels: true });
  });
});

describe('features the scores cannot use name the flag and the file', () => {
  it.each([
    ['1e300', 1e300, 'VALUE_OVERFLOW', /squares overflow float64/],
    ['NaN', Number.NaN, 'NON_FINITE', /NaN or infinite/],
  ] as const)('%s under --preset rank', async (_what, value, code, text) => {
    const file = await spoiled(value);
    const args = ['score', '--features', file, '--labels', y, '--metrics', 'emms,logme', '--preset', 'rank'];
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(text);
    expect(r.stderr).toContain(`[${code}] (set with --features ${file})`);
    expect(r.stderr).not.toMatch(/eigh|a\[0\]\[0\]/);
    const json = await run([...args, '--format', 'json']);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code,
      input: 'features',
      flag: '--features',
      file,
    });
  });

  it('1e300 under --preset published: each score reports it with the flag and the file', async () => {
    const file = await spoiled(1e300);
    const r = await run([
      'score',
      '--features',
      file,
      '--labels',
      y,
      '--metrics',
      'logme,sfda',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    for (const id of ['logme', 'sfda'])
      expect(out.errors[id]).toMatchObject({ code: 'VALUE_OVERFLOW', flag: '--features', file });
    expect(r.stderr).toContain(`logme failed: features holds values up to 1.000e+300`);
  });
});
