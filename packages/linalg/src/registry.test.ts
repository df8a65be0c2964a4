import { isEmmsError } from '@emms/tensor-io';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinalgBackend } from './backend';
import {
  getBackend,
  jsBackend,
  listBackends,
  registerBackend,
  resetBackendsForTesting,
  resolveBackend,
  setBackend,
} from './index';

const fake = (name: string): LinalgBackend => ({ ...jsBackend, name });

afterEach(() => resetBackendsForTesting());

describe('backend registry', () => {
  it('auto picks js when nothing else is registered, with no notice', async () => {
    const r = await resolveBackend('auto');
    expect(r.backend).toBe(jsBackend);
    expect(r.notice).toBeUndefined();
    expect(getBackend()).toBe(jsBackend);
  });

  it('auto picks the highest-priority backend that loads, and says what it passed over', async () => {
    const mid = fake('mid');
    let topCalls = 0;
    registerBackend('mid', async () => mid, { priority: 50 });
    registerBackend(
      'top',
      () => {
        topCalls++;
        return null;
      },
      { priority: 100, unavailableReason: () => 'no GPU here' },
    );
    registerBackend('low', () => fake('low'), { priority: 10 });
    const r = await resolveBackend('auto');
    expect(r.backend).toBe(mid);
    expect(r.notice).toBe('top backend not available (no GPU here); using the mid backend');
    await resolveBackend('auto');
    expect(topCalls).toBe(1); // a factory runs once
    expect(listBackends().map((b) => [b.name, b.priority, b.loaded])).toEqual([
      ['top', 100, false],
      ['mid', 50, true],
      ['low', 10, undefined],
      ['js', 0, true],
    ]);
    // resolving does not change the process-wide default
    expect(getBackend()).toBe(jsBackend);
  });

  it('a factory that throws counts as unavailable, its message the reason', async () => {
    registerBackend(
      'broken',
      () => {
        throw new Error('libfoo.so: cannot open shared object file');
      },
      { priority: 100 },
    );
    const r = await resolveBackend('auto');
    expect(r.backend).toBe(jsBackend);
    expect(r.notice).toContain('libfoo.so: cannot open shared object file');
  });

  it('an explicit choice that does not load is BACKEND_UNAVAILABLE naming the choice', async () => {
    registerBackend('native', () => null, { priority: 100, unavailableReason: () => 'library missing' });
    const err = await resolveBackend('native').catch((e: unknown) => e);
    expect(isEmmsError(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain('"native"');
    expect((err as Error).message).toContain('library missing');
    const unknown = await resolveBackend('blis').catch((e: unknown) => e);
    expect(isEmmsError(unknown, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((unknown as Error).message).toMatch(/"blis" is not registered.*js, native|native, js/);
    const typo = await resolveBackend('natve').catch((e: unknown) => e);
    expect((typo as Error).message).toContain('did you mean "native"?');
  });

  it('explicit names are case-insensitive; js always resolves', async () => {
    const n = fake('native');
    registerBackend('native', () => n, { priority: 100 });
    expect((await resolveBackend(' Native ')).backend).toBe(n);
    expect((await resolveBackend('js')).backend).toBe(jsBackend);
  });

  it('rejects "auto" and empty names, and non-finite priorities', () => {
    expect(() => registerBackend('auto', () => jsBackend)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => registerBackend('', () => jsBackend)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => registerBackend('x', () => jsBackend, { priority: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('keeps getBackend/setBackend and the object form of registerBackend working', async () => {
    const legacy = fake('legacy');
    registerBackend(legacy);
    expect(setBackend('legacy')).toBe(legacy);
    expect(getBackend()).toBe(legacy);
    expect(setBackend(jsBackend)).toBe(jsBackend);
    registerBackend('lazy', () => fake('lazy'));
    expect(() => setBackend('lazy')).toThrow(expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }));
    const { backend } = await resolveBackend('lazy');
    expect(setBackend('lazy')).toBe(backend);
  });
});
