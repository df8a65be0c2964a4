import { getBackend, type LinalgBackend } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';
import type { Metric } from '../metric';
import { centred, classCounts, classMeans, columnMeans, numClasses } from '../util';

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
export function hscoreDetailed(
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

/** H-score value only; see {@link hscoreDetailed}. */
export function hscoreScore(
  features: Matrix,
  labels: Int32Array,
  options: { rcond?: number; backend?: LinalgBackend } = {},
): number {
  return hscoreDetailed(features, labels, options).value;
}

/** H-score as a {@link Metric}. */
export const hscoreMetric: Metric = {
  specificationVersion: 'v1',
  id: 'hscore',
  description:
    'H-score: trace(pinv(Cov_f) Cov_g), class-mean covariance against feature covariance (Bao et al. 2019)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: [
    {
      name: 'rcond',
      type: 'number',
      default: 1e-10,
      description: 'pseudo-inverse cutoff, relative to the largest eigenvalue of Cov_f',
    },
  ],
  compute(inputs, options, context) {
    const r = hscoreDetailed(inputs.features!, inputs.labels!, {
      rcond: options.rcond as number | undefined,
      backend: context.backend,
    });
    return { value: r.value, details: { rank: r.rank } };
  },
};
