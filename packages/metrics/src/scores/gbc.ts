import { getBackend, type LinalgBackend, pca } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';
import type { Metric } from '../metric';
import { classCounts, classMeans, classResiduals, numClasses } from '../util';

/** GBC with its diagnostics. */
export interface GbcResult {
  readonly value: number;
  /** Dimensions kept by the PCA: min(64, N, D) by default. */
  readonly pcaDims: number;
}

/**
 * GBC (Pándy et al., CVPR 2022), spherical Gaussians as google-research stable_transfer configures it:
 * exact centred PCA to min(`dims`, N, D) dimensions; per class the mean μ_c and v_c, the average over
 * dimensions of the population variance floored at 1e-4; for every ordered pair c1 ≠ c2,
 * d_B = Σ(μ1 − μ2)²/(8a) + ½(log a − ½ log v1 − ½ log v2) with a = (v1 + v2)/2 (the reference's form,
 * without the factor of the dimension on the log terms); score = −Σ exp(−d_B).
 */
export function gbcDetailed(
  features: Matrix,
  labels: Int32Array,
  options: { dims?: number; backend?: LinalgBackend } = {},
): GbcResult {
  const backend = options.backend ?? getBackend();
  const k = Math.min(options.dims ?? 64, features.rows, features.cols);
  const z = pca(features, { components: k, backend }).projected;
  const d = z.cols;
  const c = numClasses(labels);
  const means = classMeans(z, labels, c);
  const counts = classCounts(labels, c);
  const r = classResiduals(z, labels, means).data;
  const sq = new Float64Array(c * d);
  for (let i = 0; i < z.rows; i++) {
    const o = i * d;
    const m = labels[i] * d;
    for (let j = 0; j < d; j++) sq[m + j] += r[o + j] * r[o + j];
  }
  const v = new Float64Array(c);
  for (let a = 0; a < c; a++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.max(sq[a * d + j] / counts[a], 1e-4);
    v[a] = s / d;
  }
  let value = 0;
  for (let a = 0; a < c; a++) {
    for (let b = 0; b < c; b++) {
      if (a === b) continue;
      const avg = (v[a] + v[b]) / 2;
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (means.data[a * d + j] - means.data[b * d + j]) ** 2;
      const db = dist / (8 * avg) + 0.5 * (Math.log(avg) - 0.5 * Math.log(v[a]) - 0.5 * Math.log(v[b]));
      value -= Math.exp(-db);
    }
  }
  return { value, pcaDims: d };
}

/** GBC value only; see {@link gbcDetailed}. */
export function gbcScore(
  features: Matrix,
  labels: Int32Array,
  options: { dims?: number; backend?: LinalgBackend } = {},
): number {
  return gbcDetailed(features, labels, options).value;
}

/** GBC as a {@link Metric}. */
export const gbcMetric: Metric = {
  specificationVersion: 'v1',
  id: 'gbc',
  description:
    'GBC: Gaussian Bhattacharyya coefficient between class-conditional spherical Gaussians (Pándy et al. 2022)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: [
    { name: 'dims', type: 'integer', default: 64, description: 'PCA dimensions, capped at min(N, D)' },
  ],
  compute(inputs, options, context) {
    const r = gbcDetailed(inputs.features!, inputs.labels!, {
      dims: options.dims as number | undefined,
      backend: context.backend,
    });
    return { value: r.value, details: { pcaDims: r.pcaDims } };
  },
};
