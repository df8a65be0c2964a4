import {
  getBackend,
  jsBackend,
  type LinalgBackend,
  listBackends,
  registerBackend,
  resetBackendsForTesting,
  resolveBackend,
} from '@emms/linalg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  autoSelectBackend,
  chooseBackend,
  openblasBackend,
  openblasStatus,
  registerOpenblasBackend,
} from './select';

const fake: LinalgBackend = { ...jsBackend, name: 'openblas' };
const present = () => fake;
const absent = () => null;
const why = () => 'no OpenBLAS/LAPACK library could be loaded (test)';

afterEach(() => {
  chooseBackend({ EMMS_LINALG: 'js' }, absent, why);
});

describe('chooseBackend', () => {
  it('EMMS_LINALG=js forces the portable backend and makes it current', () => {
    const c = chooseBackend({ EMMS_LINALG: 'js' }, present, why);
    expect(c.backend).toBe(jsBackend);
    expect(c.notice).toBeUndefined();
    expect(getBackend()).toBe(jsBackend);
  });

  it('EMMS_LINALG=openblas uses the native backend, or throws BACKEND_UNAVAILABLE with an install hint', () => {
    expect(chooseBackend({ EMMS_LINALG: 'openblas' }, present, why).backend).toBe(fake);
    expect(getBackend()).toBe(fake);
    let err: unknown;
    try {
      chooseBackend({ EMMS_LINALG: 'openblas' }, absent, why);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE', input: 'EMMS_LINALG' });
    expect((err as Error).message).toMatch(/apt-get install -y libopenblas0-pthread/);
  });

  it('unset or auto picks openblas when present, else js with a one-line notice', () => {
    expect(chooseBackend({}, present, why)).toEqual({ backend: fake });
    expect(chooseBackend({ EMMS_LINALG: 'auto' }, present, why).backend).toBe(fake);
    const fallback = chooseBackend({}, absent, why);
    expect(fallback.backend).toBe(jsBackend);
    expect(getBackend()).toBe(jsBackend);
    expect(fallback.notice).toMatch(/OpenBLAS not found/);
    expect(fallback.notice).not.toMatch(/\n/);
  });

  it('rejects an unknown EMMS_LINALG value', () => {
    expect(() => chooseBackend({ EMMS_LINALG: 'cuda' }, present, why)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('autoSelectBackend on this machine', () => {
  it('agrees with whether the library loads', () => {
    const c = autoSelectBackend({});
    if (openblasBackend()) {
      expect(c.backend.name).toBe('openblas');
      expect(openblasStatus()).toMatchObject({ loaded: true });
    } else {
      expect(c.backend).toBe(jsBackend);
      expect(openblasStatus().reason).toMatch(/could be loaded/);
    }
    expect(getBackend()).toBe(c.backend);
  });
});

describe('registerOpenblasBackend', () => {
  afterEach(() => resetBackendsForTesting());

  it('makes "auto" pick openblas when the library loads, above js', async () => {
    registerOpenblasBackend();
    expect(listBackends().map((b) => b.name)).toEqual(['openblas', 'js']);
    const { backend, notice } = await resolveBackend('auto');
    if (openblasBackend()) {
      expect(backend.name).toBe('openblas');
      expect(notice).toBeUndefined();
      expect(backend.capabilities.native).toBe(true);
    } else {
      expect(backend).toBe(jsBackend);
      expect(notice).toMatch(/openblas backend not available .*apt-get install -y libopenblas0-pthread/);
    }
  });

  it('a library path that does not load is tried first, then the default search; resolving changes no global state', async () => {
    registerOpenblasBackend({ library: '/nonexistent/libopenblas-missing.so' });
    // The explicit path is tried first; the default search still follows it.
    const { backend } = await resolveBackend('auto');
    expect(backend.name).toBe(openblasBackend({}) ? 'openblas' : 'js');
    expect(getBackend()).toBe(jsBackend); // resolving changes no global state
  });

  it('an explicit "openblas" choice when nothing loads is BACKEND_UNAVAILABLE', async () => {
    registerBackend('openblas', () => null, { priority: 100, unavailableReason: () => 'test: not here' });
    await expect(resolveBackend('openblas')).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringContaining('"openblas"'),
    });
  });
});
