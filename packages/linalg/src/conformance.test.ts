import { describe, expect, it } from 'vitest';
import type { LinalgBackend } from './backend';
import { runBackendConformance } from './conformance';
import { jsBackend } from './index';
import { setWasmTilesEnabled, wasmTiles } from './js/wasm-tiles';

runBackendConformance(jsBackend, { describe, it });

// The same suite on the pure-JavaScript inner loops (no WebAssembly), when WebAssembly was in use.
if (wasmTiles()) {
  describe('without WebAssembly', () => {
    it('switches the tiles off', () => {
      setWasmTilesEnabled(false);
    });
    runBackendConformance(jsBackend, { describe, it });
    it('switches the tiles back on', () => {
      setWasmTilesEnabled(true);
    });
  });
}

/** Runs the suite on `backend` with a collecting runner; returns the names of the failing tests. */
async function failures(backend: LinalgBackend): Promise<string[]> {
  const tests: [string, () => void | Promise<void>][] = [];
  const path: string[] = [];
  runBackendConformance(backend, {
    describe(name, body) {
      path.push(name);
      body();
      path.pop();
    },
    it(name, body) {
      tests.push([[...path, name].join(' > '), body]);
    },
  });
  const failed: string[] = [];
  for (const [name, body] of tests) {
    try {
      await body();
    } catch {
      failed.push(name);
    }
  }
  return failed;
}

describe('the suite can fail', () => {
  it('passes the portable backend', async () => {
    expect(await failures(jsBackend)).toEqual([]);
  });

  it('catches RangeError where an EmmsError code is due', async () => {
    const bad: LinalgBackend = {
      ...jsBackend,
      matmul(a, b) {
        if (a.cols !== b.rows) throw new RangeError('matmul: shapes');
        return jsBackend.matmul(a, b);
      },
    };
    expect(await failures(bad)).toEqual([expect.stringContaining('matmul > SHAPE_MISMATCH')]);
  });

  it('catches wrong eigenvectors, a lying capability list, and a modified input', async () => {
    const bad: LinalgBackend = {
      ...jsBackend,
      capabilities: { ...jsBackend.capabilities, kernels: ['pivotedCholesky'] },
      eigh(a) {
        const r = jsBackend.eigh(a);
        if (a.rows > 1) r.vectors.data[0] += 1e-3;
        return r;
      },
      gram(a) {
        const g = jsBackend.gram(a);
        if (a.data.length > 0) a.data[0] = 0;
        return g;
      },
    };
    const failed = await failures(bad);
    expect(failed).toContainEqual(expect.stringContaining('declares its capabilities'));
    expect(failed).toContainEqual(expect.stringContaining('eigh > reconstructs'));
    expect(failed).toContainEqual(expect.stringContaining('gram > hand-computed'));
  });
});
