import { describe, expect, it } from 'vitest';
import { fitGaussianMixture } from './gmm';
import { kmeans } from './kmeans';
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

/** Standard normal rows (n × d) plus a per-row offset of (i mod 4) on every column. */
function randomRows(n: number, d: number, seed: number) {
  const rand = seededRandom(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      data[i * d + j] =
        Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()) + (i % 4) * (j + 1);
    }
  }
  return { rows: n, cols: d, data };
}

/** Inverse and log-determinant of a small SPD matrix by Gauss–Jordan elimination (test-only). */
function inverseAndLogDet(a: number[][]): { inv: number[][]; logDet: number } {
  const d = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    const p = m[c][c];
    logDet += Math.log(p);
    for (let j = 0; j < 2 * d; j++) m[c][j] /= p;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * d; j++) m[r][j] -= f * m[c][j];
    }
  }
  return { inv: m.map((row) => row.slice(d)), logDet };
}

/** Textbook EM quantities, written out directly from the definitions. */
function textbook(xs: number[][], weights: number[], means: number[][], covs: number[][][]) {
  const d = xs[0].length;
  const k = weights.length;
  const facts = covs.map(inverseAndLogDet);
  let ll = 0;
  const resp = xs.map((x) => {
    const lp = Array.from({ length: k }, (_, c) => {
      const diff = x.map((v, j) => v - means[c][j]);
      let q = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) q += diff[a] * facts[c].inv[a][b] * diff[b];
      return Math.log(weights[c]) - 0.5 * (d * Math.log(2 * Math.PI) + facts[c].logDet + q);
    });
    const mx = Math.max(...lp);
    const lse = mx + Math.log(lp.reduce((s, v) => s + Math.exp(v - mx), 0));
    ll += lse;
    return lp.map((v) => Math.exp(v - lse));
  });
  return { resp, ll: ll / xs.length };
}

/** M-step from responsibilities, directly from the definitions (n_k gets 10ε as scikit-learn adds). */
function textbookMStep(xs: number[][], resp: number[][], reg: number) {
  const d = xs[0].length;
  const k = resp[0].length;
  const nk = Array.from({ length: k }, (_, c) => resp.reduce((s, r) => s + r[c], 0) + 10 * Number.EPSILON);
  const means = nk.map((m, c) =>
    Array.from({ length: d }, (_, j) => xs.reduce((s, x, i) => s + resp[i][c] * x[j], 0) / m),
  );
  const covs = nk.map((m, c) =>
    Array.from({ length: d }, (_, a) =>
      Array.from(
        { length: d },
        (_, b) =>
          xs.reduce((s, x, i) => s + resp[i][c] * (x[a] - means[c][a]) * (x[b] - means[c][b]), 0) / m +
          (a === b ? reg : 0),
      ),
    ),
  );
  const total = nk.reduce((s, v) => s + v, 0);
  return { weights: nk.map((v) => v / total), means, covs };
}

describe('fitGaussianMixture against the textbook formulas', () => {
  const n = 160;
  const d = 4;
  const k = 5;
  const x = randomRows(n, d, 7);
  const xs = Array.from({ length: n }, (_, i) => Array.from(x.data.subarray(i * d, i * d + d)));
  const reg = 1e-6;

  // d = 170 takes the blocked triangular E-step (3 column blocks) and the split triangular
  // inverse (order > 160); d = 4 one block and the row-by-row inverse; 60 × 20 with 6 components
  // and 48 × 40 with 8 hold components of at most d/2 rows (factored covariances) beside full ones
  it.each([
    [160, 4, 5],
    [600, 170, 2],
    [60, 20, 6],
    [48, 40, 8],
  ])(
    'one EM step from the k-means start (%i rows, %i dims, %i components) gives the directly computed weights, means, covariances',
    (rows, dims, comps) => {
      const xm = randomRows(rows, dims, 7 + dims);
      const xr = Array.from({ length: rows }, (_, i) =>
        Array.from(xm.data.subarray(i * dims, (i + 1) * dims)),
      );
      const labels = kmeans(xm, comps, 0);
      const hard = Array.from(labels, (l) => Array.from({ length: comps }, (_, c) => (c === l ? 1 : 0)));
      const start = textbookMStep(xr, hard, reg);
      const e = textbook(xr, start.weights, start.means, start.covs);
      const want = textbookMStep(xr, e.resp, reg);
      const g = fitGaussianMixture(xm, { components: comps, seed: 0, reg, maxIter: 1, tol: 0 });
      expect(g.iterations).toBe(1);
      expect(g.logLikelihood).toBeCloseTo(e.ll, 9);
      for (let c = 0; c < comps; c++) {
        expect(g.weights[c]).toBeCloseTo(want.weights[c], 9);
        for (let a = 0; a < dims; a++) {
          expect(g.means.data[c * dims + a]).toBeCloseTo(want.means[c][a], 9);
          for (let b = 0; b < dims; b++) {
            expect(g.covariances[c].data[a * dims + b]).toBeCloseTo(want.covs[c][a][b], 9);
          }
        }
      }
    },
  );

  it('posterior equals the directly computed responsibilities of the fitted mixture', () => {
    const g = fitGaussianMixture(x, { components: k, seed: 1, reg });
    const covs = g.covariances.map((m) =>
      Array.from({ length: d }, (_, a) => Array.from(m.data.subarray(a * d, a * d + d))),
    );
    const means = Array.from({ length: k }, (_, c) => Array.from(g.means.data.subarray(c * d, c * d + d)));
    const { resp } = textbook(xs, Array.from(g.weights), means, covs);
    const post = g.posterior(x);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++) expect(post.data[i * k + c]).toBeCloseTo(resp[i][c], 9);
  });
});

describe('factored covariances (components with at most d/2 rows)', () => {
  // 40 rows in 30 dimensions, 6 components: about 7 rows each, every covariance factored
  const xm = randomRows(40, 30, 3);
  const xr = Array.from({ length: 40 }, (_, i) => Array.from(xm.data.subarray(i * 30, (i + 1) * 30)));

  it('posterior equals the directly computed responsibilities of the fitted mixture', () => {
    const g = fitGaussianMixture(xm, { components: 6, seed: 2, reg: 1e-3 });
    const covs = g.covariances.map((m) =>
      Array.from({ length: 30 }, (_, a) => Array.from(m.data.subarray(a * 30, a * 30 + 30))),
    );
    const means = Array.from({ length: 6 }, (_, c) => Array.from(g.means.data.subarray(c * 30, c * 30 + 30)));
    const { resp } = textbook(xr, Array.from(g.weights), means, covs);
    const post = g.posterior(xm);
    for (let i = 0; i < 40; i++)
      for (let c = 0; c < 6; c++) expect(post.data[i * 6 + c]).toBeCloseTo(resp[i][c], 9);
  });

  it('features scaled by 1e30 make the covariances singular: INVALID_OPTION, as with full ones', () => {
    const big = { ...xm, data: xm.data.map((v) => v * 1e30) };
    expect(() => fitGaussianMixture(big, { components: 6, seed: 2 })).toThrow(/singular covariance/);
  });
});

describe('kmeans', () => {
  it('finds separated blobs and ends at a fixed point: each row is nearest its cluster mean', () => {
    const { x: blobX } = blobs();
    const labels = kmeans(blobX, 3, 0);
    // rows i, i+3, i+6, … share a blob: same label within, different across
    for (let i = 3; i < 180; i++) expect(labels[i]).toBe(labels[i % 3]);
    expect(new Set([labels[0], labels[1], labels[2]]).size).toBe(3);
    const x = randomRows(200, 3, 11);
    const l = kmeans(x, 4, 2);
    const mean = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let i = 0; i < 200; i++) {
      mean[l[i]][3]++;
      for (let j = 0; j < 3; j++) mean[l[i]][j] += x.data[i * 3 + j];
    }
    for (const m of mean) for (let j = 0; j < 3; j++) m[j] /= m[3];
    for (let i = 0; i < 200; i++) {
      const dist = mean.map(
        (m) =>
          (x.data[i * 3] - m[0]) ** 2 + (x.data[i * 3 + 1] - m[1]) ** 2 + (x.data[i * 3 + 2] - m[2]) ** 2,
      );
      expect(dist[l[i]]).toBeLessThanOrEqual(Math.min(...dist) + 1e-12);
    }
  });
});
