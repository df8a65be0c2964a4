import { isEmmsError, type Matrix } from '@emms/tensor-io';
import { mulberry32 } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { autoComponents, parseReduce, reduceFeatures } from './reduce';

function expectCode(f: () => unknown, code: string, input?: string): void {
  try {
    f();
  } catch (e) {
    expect(isEmmsError(e, code)).toBe(true);
    if (input) expect((e as { input?: string }).input).toBe(input);
    return;
  }
  throw new Error(`expected ${code}`);
}

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const r = mulberry32(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => r() - 0.5) };
}

describe('parseReduce', () => {
  it('reads none, auto and pca:K', () => {
    expect(parseReduce('none')).toEqual({ mode: 'none' });
    expect(parseReduce('AUTO')).toEqual({ mode: 'auto' });
    expect(parseReduce('pca:64')).toEqual({ mode: 'pca', k: 64 });
  });
  it('rejects K ≤ 0, non-integers and other words with INVALID_OPTION naming reduce', () => {
    for (const bad of ['pca:0', 'pca:-3', 'pca:2.5', 'pca:', 'pca:x', 'svd:3', '']) {
      expectCode(() => parseReduce(bad), 'INVALID_OPTION', 'reduce');
    }
  });
});

describe('autoComponents', () => {
  it('follows min(D, 64, max(C, floor(N/16)))', () => {
    expect(autoComponents(500, 1280, 10)).toBe(31);
    expect(autoComponents(2000, 1280, 10)).toBe(64);
    expect(autoComponents(100, 1280, 10)).toBe(10);
    expect(autoComponents(1000, 30, 10)).toBe(30);
  });
  it('refuses fewer than 3 samples per class with DEGENERATE_INPUT', () => {
    expectCode(() => autoComponents(29, 100, 10), 'DEGENERATE_INPUT', 'features');
  });
});

describe('reduceFeatures', () => {
  it('none returns the features unchanged', () => {
    const x = randomMatrix(20, 5, 1);
    const r = reduceFeatures(x, 'none');
    expect(r.features).toBe(x);
    expect(r.info).toMatchObject({ applied: 'none', from: 5, to: 5, explainedVariance: 1 });
  });
  it('pca:K keeps K centred components; a rank-2 matrix is fully explained by two', () => {
    // Rows are a·u + b·v + 7 for two fixed directions: two components explain all the variance.
    const r = mulberry32(3);
    const u = [1, 2, 0, -1, 3];
    const v = [0, 1, 1, 1, -2];
    const data = new Float64Array(30 * 5);
    for (let i = 0; i < 30; i++) {
      const a = r() - 0.5;
      const b = r() - 0.5;
      for (let j = 0; j < 5; j++) data[i * 5 + j] = a * u[j] + b * v[j] + 7;
    }
    const out = reduceFeatures({ rows: 30, cols: 5, data }, 'pca:2');
    expect(out.features.cols).toBe(2);
    expect(out.info.explainedVariance).toBeCloseTo(1, 10);
    // Centred: each column of the projection has mean 0.
    for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let i = 0; i < 30; i++) s += out.features.data[i * 2 + j];
      expect(Math.abs(s)).toBeLessThan(1e-9);
    }
  });
  it('pca:K with K > min(N, D) is INVALID_OPTION naming reduce', () => {
    expectCode(() => reduceFeatures(randomMatrix(10, 4, 2), 'pca:5'), 'INVALID_OPTION', 'reduce');
  });
  it('auto reduces wide features and leaves narrow ones alone', () => {
    const wide = reduceFeatures(randomMatrix(480, 200, 4), 'auto', { classes: 4 });
    expect(wide.info).toMatchObject({ applied: 'pca', from: 200, to: 30 });
    expect(wide.info.rule).toContain('= 30');
    const narrow = reduceFeatures(randomMatrix(480, 8, 5), 'auto', { classes: 4 });
    expect(narrow.info).toMatchObject({ applied: 'none', to: 8 });
  });
});
