import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import { defineMetric, type MetricResampling, scoreFunction, z } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import {
  choleskyAbove,
  forwardSquaredNorm,
  notTall,
  requireEveryClass,
  resampleMoments,
  tooWide,
} from '../resample-rows';
import { centred, classCounts, classMeans, columnMeans, numClasses } from '../util';
import { hscoreDocs } from './docs/hscore';

/** H-score with its diagnostics. */
export interface HScoreResult {
  readonly value: number;
  /** Eigenvalues of Cov_f kept by the pseudo-inverse (the numerical rank). */
  readonly rank: number;
}

/**
 * H-score (Bao et al., ICIP 2019): trace(pinv(Cov_f) Cov_g), Cov_f the covariance of the features,
 * Cov_g that of the features with each row replaced by its class mean (both divided by N − 1), the
 * pseudo-inverse cutting eigenvalues below `rcond` (1e-10) × the largest.
 */
export function hscoreCompute(
  features: Matrix,
  labels: Int32Array,
  options: { rcond?: number; backend?: LinalgBackend } = {},
): HScoreResult {
  const backend = options.backend ?? getBackend();
  const n = features.rows;
  const covF = backend.gram(centred(features));
  for (let i = 0; i < covF.data.length; i++) covF.data[i] /= n - 1;
  const c = numClasses(labels);
  return hscoreFrom(
    backend.eigh(covF),
    classMeans(features, labels, c),
    classCounts(labels, c),
    columnMeans(features),
    n,
    {
      backend,
      rcond: options.rcond ?? 1e-10,
    },
  );
}

/** trace(pinv(Cov_f) Cov_g) from the eigendecomposition of Cov_f, the class means and counts, the mean and N. */
function hscoreFrom(
  { values, vectors }: { readonly values: Float64Array; readonly vectors: Dense },
  means: Dense,
  counts: Float64Array,
  mu: Float64Array,
  n: number,
  { backend, rcond }: { backend: LinalgBackend; rcond: number },
): HScoreResult {
  const c = means.rows;
  const d = means.cols;
  // Rows (μ_c − μ) · sqrt(n_c / (N − 1)) so that Cov_g = BᵀB.
  const b = new Float64Array(c * d);
  for (let k = 0; k < c; k++) {
    const w = Math.sqrt(counts[k] / (n - 1));
    for (let j = 0; j < d; j++) b[k * d + j] = (means.data[k * d + j] - mu[j]) * w;
  }
  let max = 0;
  for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(values[j]));
  const bv = backend.matmul({ rows: c, cols: d, data: b }, vectors);
  let value = 0;
  let rank = 0;
  for (let j = 0; j < d; j++) {
    if (!(Math.abs(values[j]) > rcond * max)) continue;
    rank++;
    let s = 0;
    for (let k = 0; k < c; k++) s += bv.data[k * d + j] ** 2;
    value += s / values[j];
  }
  return { value, rank };
}

/**
 * H-score under row multiplicities: the same formula with weighted means, covariance and class
 * counts (N = Σ counts), equal to {@link hscoreCompute} on the materialised rows.
 */
function hscoreResampling(
  features: Matrix,
  labels: Int32Array,
  options: { rcond: number; backend: LinalgBackend },
): MetricResampling {
  const why = tooWide(features) ?? notTall(features);
  if (why) return { unavailable: why };
  const c = numClasses(labels);
  return {
    resample(counts) {
      const m = resampleMoments(features, labels, c, counts, options.backend);
      requireEveryClass('hscore', m.counts);
      const n = m.rows.total;
      const d = features.cols;
      const covF = { rows: d, cols: d, data: m.scatter.data.map((v) => v / (n - 1)) };
      let trace = 0;
      for (let j = 0; j < d; j++) trace += covF.data[j * d + j];
      // Every eigenvalue above rcond·trace (≥ rcond·λ_max): the pseudo-inverse cuts none, so
      // trace(Cov_f⁻¹ Cov_g) = Σ_c n_c/(N − 1) ‖L⁻¹(μ_c − μ)‖² with Cov_f = L Lᵀ
      const l = choleskyAbove(options.backend, covF, options.rcond * trace);
      if (l) {
        let value = 0;
        const b = new Float64Array(d);
        for (let k = 0; k < c; k++) {
          for (let j = 0; j < d; j++) b[j] = m.classMeans.data[k * d + j] - m.mean[j];
          value += (m.counts[k] / (n - 1)) * forwardSquaredNorm(l, b);
        }
        return value;
      }
      // Cov_f = scatter / (N − 1): the scatter's eigenvectors, its eigenvalues divided by N − 1
      const eigen = m.scatterEigen();
      const values = eigen.values.map((v) => v / (n - 1));
      return hscoreFrom({ values, vectors: eigen.vectors }, m.classMeans, m.counts, m.mean, n, options).value;
    },
  };
}

/**
 * H-score as a metric (id `hscore`). Paper: Bao, Li, Huang, Zheng, "An Information-Theoretic
 * Approach to Transferability in Task Transfer Learning", ICIP 2019 (no arXiv version).
 */
export const hscoreMetric = defineMetric({
  id: 'hscore',
  description:
    'H-score: trace(pinv(Cov_f) Cov_g), class-mean covariance against feature covariance (Bao et al. 2019)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: z.object({
    rcond: z
      .number()
      .min(0)
      .lt(1)
      .default(1e-10)
      .describe('pseudo-inverse cutoff, relative to the largest eigenvalue of Cov_f'),
  }),
  references: [
    {
      title:
        'Bao, Li, Huang, Zheng, "An Information-Theoretic Approach to Transferability in Task Transfer Learning", ICIP 2019',
    },
  ],
  regime:
    'N > D for a well-conditioned covariance; with N ≤ D the pseudo-inverse makes the score saturate at C − 1 (it then ranks nothing).',
  saturation: ({ samples: n, features: d, classes: c }) =>
    d >= n / 2
      ? `D = ${d} ≥ N/2 = ${n / 2}: the feature covariance is (nearly) singular and H-score approaches its maximum C − 1 = ${c - 1}; reduce the features`
      : undefined,
  docs: hscoreDocs,
  compute({ features, labels }, { rcond }, { backend }) {
    const r = hscoreCompute(features!, labels!, { rcond, backend });
    const details: Record<string, unknown> = { rank: r.rank };
    if (r.rank === 0) details.warning = 'the features are constant: Cov_f is zero and the H-score is 0';
    return { value: r.value, details };
  },
  resample: ({ features, labels }, { rcond }, { backend }) =>
    hscoreResampling(features!, labels!, { rcond, backend }),
});

/**
 * H-score: trace(pinv(Cov_f) Cov_g).
 *
 * @param inputs - `features` N×D, `labels` N integers in [0, C).
 * @param options - `rcond` in [0, 1) (default 1e-10); `backend`, `relabel`.
 * @returns `{ value, details: { rank, warning? } }`, value in [0, C − 1] (higher is better).
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES, INVALID_OPTION.
 * @example
 * ```ts
 * const features = { rows: 4, cols: 1, data: new Float64Array([0, 0.1, 1, 1.1]) };
 * const { value, details } = hscoreScore({ features, labels: Int32Array.from([0, 0, 1, 1]) });
 * console.assert(value > 0 && value <= 1 && details.rank === 1);
 * ```
 */
export const hscoreScore = scoreFunction(hscoreMetric);
