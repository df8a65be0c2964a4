import { jsBackend, type LinalgBackend } from '@emms/linalg';
import { openblasBackend } from '@emms/linalg-openblas';
import { type Matrix, normalFrom, seededRandom } from '@emms/tensor-io';
import { fixtureNames } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { expectedOf, fixtureMatrix, within } from '../testing/fixtures';
import { emmsCompute } from './emms';

// The single-precision products (option precision 'float32') against the float64 default and the
// reference fixtures. Float32 has ε ≈ 6e-8 and the blocks sum about a thousand rows, so scores
// agree to about 1e-5 relative, not to float64's 1e-9.

const native = openblasBackend() as LinalgBackend | null;
const F32_RTOL = 1e-5;
const flabelsOf = (f: string): Matrix[] =>
  ['Z_bert', 'Z_clip', 'Z_gpt2'].map((z) => fixtureMatrix(f, `${z}.npy`));

/** n × d float32 features with class structure plus a large common offset, and three F-labels. */
function problem(n: number, d: number, l: number, offset: number) {
  const normal = normalFrom(seededRandom(11));
  const y = Int32Array.from({ length: n }, (_, i) => i % 7);
  const means = Array.from({ length: 7 * d }, () => normal());
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) x[i * d + j] = offset + means[y[i] * d + j] + 2 * normal();
  const flabels = [0, 1, 2].map((k) => {
    const emb = Array.from({ length: 7 * l }, () => normal());
    const z = new Float32Array(n * l);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < l; j++) z[i * l + j] = emb[y[i] * l + j] + (0.5 + k) * normal();
    return { rows: n, cols: l, data: z };
  });
  return { features: { rows: n, cols: d, data: x }, flabels };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.skipIf(!native)('emms precision float32 (OpenBLAS single-precision kernels)', () => {
  it.each(fixtureNames)('fixture %s: within the fixture tolerance and 1e-5 of float64', (f) => {
    const x = fixtureMatrix(f, 'X.npy');
    const z = flabelsOf(f);
    const a = emmsCompute(x, z, { backend: native!, route: 'features' });
    const b = emmsCompute(x, z, { backend: native!, route: 'features', precision: 'float32' });
    expect(a.details.precision).toBe('float64');
    // N ≤ D: the features are rank-deficient, so the float64 route runs
    expect(b.details.precision).toBe(x.rows > x.cols ? 'float32' : 'float64');
    if (x.rows > x.cols) {
      expect(within(b.value, expectedOf(f).emms), `${f}: ${b.value}`).toBe(true);
      expect(rel(b.value, a.value)).toBeLessThan(F32_RTOL);
    } else {
      expect(b.value).toBe(a.value);
    }
    expect(b.details.rank).toBe(a.details.rank);
    expect(b.details.weights.map((w) => w.toFixed(4))).toEqual(a.details.weights.map((w) => w.toFixed(4)));
  });

  it('duplicated and combined columns (rank-deficient at float32 resolution): the float64 route runs, same value and rank', () => {
    const x0 = fixtureMatrix('small', 'X.npy');
    const d = x0.cols + 11;
    const data = new Float32Array(x0.rows * d);
    for (let i = 0; i < x0.rows; i++) {
      const row = x0.data.subarray(i * x0.cols, (i + 1) * x0.cols);
      data.set(row, i * d);
      data.set(row.subarray(0, 10), i * d + x0.cols);
      data[i * d + d - 1] = row[1] + 2 * row[2];
    }
    const x = { rows: x0.rows, cols: d, data };
    const z = flabelsOf('small');
    const a = emmsCompute(x, z, { backend: native! });
    const b = emmsCompute(x, z, { backend: native!, precision: 'float32' });
    expect(b.details.precision).toBe('float64');
    expect(b.details.rank).toBe(a.details.rank);
    expect(b.value).toBe(a.value);
  });

  it('features far from the origin (offset 1000 ≫ spread 2): the centred float32 blocks keep 1e-5', () => {
    const { features, flabels } = problem(3000, 48, 12, 1000);
    const a = emmsCompute(features, flabels, { backend: native! });
    const b = emmsCompute(features, flabels, { backend: native!, precision: 'float32' });
    expect(b.details.precision).toBe('float32');
    expect(rel(b.value, a.value)).toBeLessThan(F32_RTOL);
  });

  it('the stacked route (converge, and two F-labels) agrees as well', () => {
    const { features, flabels } = problem(2500, 40, 10, 3);
    for (const [z, iterations] of [
      [flabels, 'converge'],
      [flabels.slice(0, 2), 'one-step'],
    ] as const) {
      const a = emmsCompute(features, z, { backend: native!, iterations });
      const b = emmsCompute(features, z, { backend: native!, iterations, precision: 'float32' });
      expect(b.details.precision).toBe('float32');
      expect(rel(b.value, a.value)).toBeLessThan(F32_RTOL);
    }
  });
});

describe('emms precision option elsewhere', () => {
  it('the portable backend has no float32 kernels: float64 runs and says so, same value', () => {
    const { features, flabels } = problem(400, 20, 8, 0);
    const a = emmsCompute(features, flabels, { backend: jsBackend });
    const b = emmsCompute(features, flabels, { backend: jsBackend, precision: 'float32' });
    expect(b.details.precision).toBe('float64');
    expect(b.value).toBe(a.value);
  });

  it('an unknown precision is INVALID_OPTION naming it', () => {
    const { features, flabels } = problem(50, 4, 3, 0);
    expect(() =>
      emmsCompute(features, flabels, { precision: 'float16' as unknown as 'float32' }),
    ).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION', input: 'precision' }));
  });
});
