import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentKey, ResultCache, sha256File, stableJson } from './cache';

describe('content-addressed cache', () => {
  it('keys do not depend on key order but do on every value', () => {
    expect(stableJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(contentKey({ a: 1, b: 2 })).toBe(contentKey({ b: 2, a: 1 }));
    expect(contentKey({ a: 1, b: 2 })).not.toBe(contentKey({ a: 1, b: 3 }));
    // the sha256 of "abc" (FIPS 180-2 test vector)
    expect(contentKey(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes a file by its bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cache-'));
    writeFileSync(join(dir, 'x'), 'abc');
    expect(await sha256File(join(dir, 'x'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    await expect(sha256File(join(dir, 'missing'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('stores whole entries, finds them in a new instance and counts hits and misses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cache-'));
    const a = new ResultCache(dir);
    const key = contentKey({ score: 'emms' });
    expect(a.get(key)).toBeUndefined();
    a.put(key, { value: 1.5 });
    expect(a.counts).toEqual({ hits: 0, misses: 1 });
    const b = new ResultCache(dir);
    expect(b.get(key)).toEqual({ value: 1.5 });
    expect(b.counts).toEqual({ hits: 1, misses: 0 });
    // no temporary file is left behind
    expect(readdirSync(join(dir, key.slice(0, 2)))).toEqual([`${key}.json`]);
    // a damaged entry is a miss, recomputed
    writeFileSync(join(dir, key.slice(0, 2), `${key}.json`), '{"key":');
    expect(b.get(key)).toBeUndefined();
  });

  it('stores nothing without a folder', () => {
    const c = new ResultCache(undefined);
    c.put('ab', 1);
    expect(c.get('ab')).toBeUndefined();
    expect(c.counts).toEqual({ hits: 0, misses: 1 });
  });
});
