import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import { defineMetric, type MetricResampling, scoreFunction, z } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { logDetSpd } from '../kernels';
import { requireEveryClass, resampleMoments, tooWide } from '../resample-rows';
import { centred, numClasses, selectRows, transpose } from '../util';
import { transrateDocs } from './docs/transrate';

/**
 * Coding rate R(A) = ½ log det(I + AᵀA/(n·eps)), n the rows of A. Uses the n×n form
 * I + AAᵀ/(n·eps) when n < d (same determinant by Sylvester's identity).
 */
function codingRate(backend: LinalgBackend, a: Dense, eps: number): number {
  const n = a.rows;
  return codingRateOfGram(backend, n < a.cols ? backend.gram(transpose(a)) : backend.gram(a), n, eps);
}

/** ½ log det(I + G/(n·eps)) for a Gram matrix G of n rows (G is scaled in place). */
function codingRateOfGram(backend: LinalgBackend, g: Dense, n: number, eps: number): number {
  const k = g.rows;
  const scale = 1 / (n * eps);
  for (let i = 0; i < g.data.length; i++) g.data[i] *= scale;
  for (let i = 0; i < k; i++) g.data[i * k + i] += 1;
  return 0.5 * logDetSpd(backend, g);
}

/**
 * TransRate (Huang et al., ICML 2022), evaluated in float64: with Z the column-centred features,
 * R(Z) − (1/C) Σ_c R(Z_c), Z_c the rows of class c (not re-centred), eps = 1e-4 by default.
 */
export function transrateValue(
  features: Matrix,
  labels: Int32Array,
  options: { eps?: number; backend?: LinalgBackend } = {},
): number {
  const backend = options.backend ?? getBackend();
  const eps = options.eps ?? 1e-4;
  const z = centred(features);
  const c = numClasses(labels);
  const rz = codingRate(backend, z, eps);
  let rzy = 0;
  for (let k = 0; k < c; k++) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === k) idx.push(i);
    if (idx.length > 0) rzy += codingRate(backend, selectRows(z, idx), eps);
  }
  return rz - rzy / c;
}

/**
 * TransRate under row multiplicities: the weighted scatter is the materialised rows' AᵀA, and
 * n = Σ count (per class: its class scatter plus the shift of its mean, n = its count).
 */
function transrateResampling(
  features: Matrix,
  labels: Int32Array,
  { eps, backend }: { eps: number; backend: LinalgBackend },
): MetricResampling {
  const why = tooWide(features);
  if (why) return { unavailable: why };
  const c = numClasses(labels);
  return {
    resample(counts) {
      const m = resampleMoments(features, labels, c, counts, backend);
      requireEveryClass('transrate', m.counts);
      const d = features.cols;
      const rz = codingRateOfGram(
        backend,
        { rows: d, cols: d, data: Float64Array.from(m.scatter.data) },
        m.rows.total,
        eps,
      );
      let rzy = 0;
      const v = new Float64Array(d);
      for (let k = 0; k < c; k++) {
        // the class's rows centred by the overall mean: S_c + n_c (μ_c − μ)(μ_c − μ)ᵀ
        const g = Float64Array.from(m.classScatter[k]);
        for (let j = 0; j < d; j++) v[j] = m.classMeans.data[k * d + j] - m.mean[j];
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) g[a * d + b] += m.counts[k] * v[a] * v[b];
        rzy += codingRateOfGram(backend, { rows: d, cols: d, data: g }, m.counts[k], eps);
      }
      return rz - rzy / c;
    },
  };
}

/**
 * TransRate as a metric (id `transrate`). Paper: Huang, Huang, Rong, Yang, Wei, "Frustratingly Easy
 * Transferability Estimation", ICML 2022, arXiv 2106.09362.
 */
export const transrateMetric = defineMetric({
  id: 'transrate',
  description:
    'TransRate: coding-rate gain of features over their class-conditional parts (Huang et al. 2022)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: z.object({
    eps: z.number().positive().default(1e-4).describe('distortion eps of the coding rate (> 0)'),
  }),
  references: [
    {
      title: 'Huang, Huang, Rong, Yang, Wei, "Frustratingly Easy Transferability Estimation", ICML 2022',
      arxiv: '2106.09362',
    },
  ],
  regime:
    'Any N ≥ 2; grows with the feature scale relative to eps, so compare models whose features are on similar scales. Constant features score 0.',
  saturation: ({ samples: n, features: d }) =>
    d >= n
      ? `D = ${d} ≥ N = ${n}: the coding rates are limited by N, not by the features, so TransRate stops separating models; reduce the features`
      : undefined,
  docs: transrateDocs,
  compute({ features, labels }, { eps }, { backend }) {
    const value = transrateValue(features!, labels!, { eps, backend });
    return { value, details: { eps } };
  },
  resample: ({ features, labels }, { eps }, { backend }) =>
    transrateResampling(features!, labels!, { eps, backend }),
});

/**
 * TransRate: R(Z) − (1/C) Σ_c R(Z_c), R the coding rate at distortion `eps`.
 *
 * @param inputs - `features` N×D, `labels` N integers in [0, C).
 * @param options - `eps` (> 0, default 1e-4); `backend`, `relabel`.
 * @returns `{ value, details: { eps } }` (higher is better).
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES, INVALID_OPTION.
 * @see arXiv 2106.09362
 * @example
 * ```ts
 * // the two classes spread along different directions: the whole set needs more coding rate
 * const features = { rows: 4, cols: 2, data: new Float64Array([1, 0, 2, 0.1, 0, 1, 0.1, 2]) };
 * const { value } = transrateScore({ features, labels: Int32Array.from([0, 0, 1, 1]) });
 * console.assert(value > 0);
 * ```
 */
export const transrateScore = scoreFunction(transrateMetric);
