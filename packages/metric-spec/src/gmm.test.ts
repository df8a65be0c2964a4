import { describe, expect, it } from 'vitest';
import { fitGaussianMixture } from './gmm';
import { seededRandom } from './util';

/** Three well-separated 2-D blobs of 60 points each around known centres. */
function blobs() {
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];
  const rand = seededRandom(42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const data = new Float64Array(180 * 2);
  for (let i = 0; i < 180; i++) {
    const c = centres[i % 3];
    data[2 * i] = c[0] + 0.5 * gauss();
    data[2 * i + 1] = c[1] + 0.5 * gauss();
  }
  return { x: { rows: 180, cols: 2, data }, centres };
}

describe('fitGaussianMixture', () => {
  const { x, centres } = blobs();

  it('recovers separated components: weights 1/3, means at the centres, variances ≈ 0.25', () => {
    const g = fitGaussianMixture(x, { components: 3, seed: 0 });
    expect(g.converged).toBe(true);
    for (let k = 0; k < 3; k++) expect(g.weights[k]).toBeCloseTo(1 / 3, 6);
    const found = [0, 1, 2].map((k) => [g.means.data[2 * k], g.means.data[2 * k + 1]]);
    for (const c of centres) {
      const near = found.some((f) => Math.hypot(f[0] - c[0], f[1] - c[1]) < 0.2);
      expect(near).toBe(true);
    }
    for (const cov of g.covariances) {
      expect(cov.data[0]).toBeGreaterThan(0.15);
      expect(cov.data[0]).toBeLessThan(0.35);
    }
    const post = g.posterior(x);
    for (let i = 0; i < x.rows; i++) {
      const row = post.data.subarray(3 * i, 3 * i + 3);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      expect(Math.max(...row)).toBeGreaterThan(0.999);
    }
  });

  it('is deterministic for a seed', () => {
    const a = fitGaussianMixture(x, { components: 6, seed: 3 });
    const b = fitGaussianMixture(x, { components: 6, seed: 3 });
    expect([...a.means.data]).toEqual([...b.means.data]);
    expect(a.iterations).toBe(b.iterations);
  });

  it('refuses more components than rows', () => {
    expect(() => fitGaussianMixture(x, { components: 181 })).toThrow(/components/);
  });
});
