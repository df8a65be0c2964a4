import { getBackend, type LinalgBackend } from '@emms/linalg';
import { defineMetric, scoreFunction, z } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
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
  const rcond = options.rcond ?? 1e-10;
  const n = features.rows;
  const d = features.cols;
  const covF = backend.gram(centred(features));
  for (let i = 0; i < covF.data.length; i++) covF.data[i] /= n - 1;
  const c = numClasses(labels);
  const means = classMeans(features, labels, c);
  const counts = classCounts(labels, c);
  const mu = columnMeans(features);
  // Rows (μ_c − μ) · sqrt(n_c / (N − 1)) so that Cov_g = BᵀB.
  const b = new Float64Array(c * d);
  for (let k = 0; k < c; k++) {
    const w = Math.sqrt(counts[k] / (n - 1));
    for (let j = 0; j < d; j++) b[k * d + j] = (means.data[k * d + j] - mu[j]) * w;
  }
  const { values, vectors } = backend.eigh(covF);
  let max = 0;
  for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(values[j]));
  // B V: projections of the weighted class-mean offsets on the eigenvectors.
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
