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
import { candidateLibraries } from './library';
import { openblasBackend, openblasStatus, registerOpenblasBackend } from './select';

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

  it('an explicit library is the only one tried: when it does not load, "openblas" fails naming it', async () => {
    expect(candidateLibraries('/nonexistent/libopenblas-missing.so')).toEqual([
      ['/nonexistent/libopenblas-missing.so'],
    ]);
    registerOpenblasBackend({ library: '/nonexistent/libopenblas-missing.so' });
    await expect(resolveBackend('openblas')).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringContaining('/nonexistent/libopenblas-missing.so could not be loaded'),
    });
    // 'auto' passes over it with a notice (the front door turns an explicit library into an error)
    const { backend, notice } = await resolveBackend('auto');
    expect(backend).toBe(jsBackend);
    expect(notice).toContain('/nonexistent/libopenblas-missing.so');
    expect(getBackend()).toBe(jsBackend); // resolving changes no global state
  });

  it('the status of the default search on this machine agrees with whether the library loads', () => {
    registerOpenblasBackend();
    if (openblasBackend()) expect(openblasStatus()).toMatchObject({ loaded: true });
    else expect(openblasStatus().reason).toMatch(/could be loaded/);
  });

  it('an explicit "openblas" choice when nothing loads is BACKEND_UNAVAILABLE', async () => {
    registerBackend('openblas', () => null, { priority: 100, unavailableReason: () => 'test: not here' });
    await expect(resolveBackend('openblas')).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringContaining('"openblas"'),
    });
  });
});
