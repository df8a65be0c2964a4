import { join } from 'node:path';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { run } from './test-helpers';

const data = join(__dirname, 'test-data');

describe('emms inspect', () => {
  it('reports a numpy float32 file as numpy does', async () => {
    const r = await run(['inspect', fixturePath('small', 'X.npy'), '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s)).toEqual(['shape', 'dtype', 'byteOrder', 'min', 'max', 'mean', 'nonFinite']);
    // Expected numbers computed once with numpy 2.4.6: x.min(), x.max(), x.astype(float64).mean(),
    // (~np.isfinite(x)).sum() on fixtures/small/X.npy.
    expect(s.shape).toEqual([300, 64]);
    expect(s.dtype).toBe('float32');
    expect(s.byteOrder).toBe('little');
    expect(s.min).toBe(-6.191566467285156);
    expect(s.max).toBe(6.968411445617676);
    expect(s.mean).toBeCloseTo(0.1238729500251452, 12);
    expect(s.nonFinite).toBe(0);
  });

  it('prints an aligned table by default and CSV on request', async () => {
    const t = await run(['inspect', fixturePath('small', 'y.npy')]);
    expect(t.code).toBe(0);
    const [header, row] = t.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual([
      'array',
      'shape',
      'dtype',
      'byteOrder',
      'min',
      'max',
      'mean',
      'nonFinite',
    ]);
    // numpy: y.shape (300,), int64, min 0, max 4, mean 2.0633333333333335
    expect(row.split(/\s+/)).toEqual(['y.npy', '300', 'int64', 'little', '0', '4', '2.063333', '0']);
    const c = await run(['inspect', fixturePath('small', 'X.npy'), '--format', 'csv']);
    const fields = c.stdout.split('\n')[1].split(',');
    expect(fields.filter((_, i) => i !== 6)).toEqual([
      'X.npy',
      '300x64',
      'float32',
      'little',
      '-6.191566467285156',
      '6.968411445617676',
      '0',
    ]);
    expect(Number(fields[6])).toBeCloseTo(0.1238729500251452, 12);
  });

  it('lists every array of an .npz, big-endian and non-finite values included', async () => {
    const r = await run(['inspect', join(data, 'mixed.npz'), '--format', 'json']);
    expect(r.code).toBe(0);
    const { arrays } = JSON.parse(r.stdout);
    expect(Object.keys(arrays).sort()).toEqual(['big', 'flags', 'ints']);
    // numpy (mixed.npz written by numpy 2.4.6): big is '>f8' [[1.5,-2,nan],[inf,4,0.25]];
    // finite min -2, max 4, mean 0.9375, 2 non-finite. ints '<i2' arange(6)-2: min -2, max 3, mean 0.5.
    expect(arrays.big).toEqual({
      shape: [2, 3],
      dtype: 'float64',
      byteOrder: 'big',
      min: -2,
      max: 4,
      mean: 0.9375,
      nonFinite: 2,
    });
    expect(arrays.ints).toEqual({
      shape: [3, 2],
      dtype: 'int16',
      byteOrder: 'little',
      min: -2,
      max: 3,
      mean: 0.5,
      nonFinite: 0,
    });
    expect(arrays.flags.shape).toEqual([3]);
    expect(arrays.flags.dtype).toBe('bool');
  });

  it('lists every tensor of a .safetensors file', async () => {
    const r = await run(['inspect', join(data, 'small.safetensors'), '--format', 'json']);
    expect(r.code).toBe(0);
    const { arrays } = JSON.parse(r.stdout);
    // Written by hand: w F32 [[0.5,1],[-3,2.5]], idx I64 [7,-1,3].
    expect(arrays.w).toMatchObject({
      shape: [2, 2],
      dtype: 'float32',
      min: -3,
      max: 2.5,
      mean: 0.25,
      nonFinite: 0,
    });
    expect(arrays.idx).toMatchObject({ shape: [3], dtype: 'int64', min: -1, max: 7, mean: 3, nonFinite: 0 });
  });

  it('exits 1 with a typed error on a missing file, and a JSON error object with --format json', async () => {
    const missing = join(data, 'no-such-file.npy');
    const plain = await run(['inspect', missing]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain('no-such-file.npy');
    const json = await run(['inspect', missing, '--format', 'json']);
    expect(json.code).toBe(1);
    const { error } = JSON.parse(json.stdout);
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.input).toContain('no-such-file.npy');
    expect(typeof error.message).toBe('string');
  });

  it('exits 1 on a file that is not an array file', async () => {
    const r = await run(['inspect', join(__dirname, '..', 'package.json'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toMatch(/UNSUPPORTED_FORMAT|NPY_BAD_MAGIC/);
  });
});
