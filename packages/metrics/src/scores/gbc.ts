import { type Dense, getBackend, type LinalgBackend, pca } from '@emms/linalg';
import { defineMetric, type MetricResampling, scoreFunction, z } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { choleskyAbove, notTall, requireEveryClass, resampleMoments, tooWide } from '../resample-rows';
import { classCounts, classMeans, classResiduals, numClasses } from '../util';
import { gbcDocs } from './docs/gbc';

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
export function gbcCompute(
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
  return { value: gbcFrom(means, counts, sq), pcaDims: d };
}

/** −Σ exp(−d_B) from the class means (C×d) in PCA space, class counts and residual squares (C×d). */
function gbcFrom(means: Dense, counts: Float64Array, sq: Float64Array): number {
  const c = means.rows;
  const d = means.cols;
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
  return value;
}

/**
 * GBC under row multiplicities: the PCA of the weighted scatter (the axes the materialised rows
 * would give, up to sign, which GBC does not see), then weighted class means and variances.
 */
function gbcResampling(
  features: Matrix,
  labels: Int32Array,
  { dims, backend }: { dims: number; backend: LinalgBackend },
): MetricResampling {
  const why = tooWide(features) ?? notTall(features);
  if (why) return { unavailable: why };
  const c = numClasses(labels);
  const dx = features.cols;
  return {
    resample(counts) {
      const m = resampleMoments(features, labels, c, counts, backend);
      requireEveryClass('gbc', m.counts);
      // the k leading axes of the scatter (eigh sorts ascending); in their coordinates the class
      // means are Vᵀ(μ_c − μ) and the residual squares diag(Vᵀ S_c V)
      const k = Math.min(dims, m.rows.total, dx);
      if (k === dx) {
        // All axes kept: when every class covariance has its eigenvalues above the 1e-4 floor, no
        // per-axis variance is floored, v_c = trace(S_c)/(n_c·D) and distances need no rotation.
        const unfloored = m.classScatter.every(
          (sc, cl) =>
            choleskyAbove(backend, { rows: dx, cols: dx, data: sc.map((v) => v / m.counts[cl]) }, 1e-4) !==
            null,
        );
        if (unfloored) {
          const sq = new Float64Array(c * dx);
          for (let cl = 0; cl < c; cl++)
            for (let j = 0; j < dx; j++) sq[cl * dx + j] = m.classScatter[cl][j * dx + j];
          return gbcFrom(m.classMeans, m.counts, sq);
        }
      }
      const { vectors } = m.scatterEigen();
      const axis = (a: number, j: number) => vectors.data[j * dx + dx - 1 - a];
      const means = new Float64Array(c * k);
      const sq = new Float64Array(c * k);
      const sv = new Float64Array(dx);
      for (let cl = 0; cl < c; cl++) {
        const s = m.classScatter[cl];
        for (let a = 0; a < k; a++) {
          let mean = 0;
          for (let j = 0; j < dx; j++) mean += axis(a, j) * (m.classMeans.data[cl * dx + j] - m.mean[j]);
          means[cl * k + a] = mean;
          sv.fill(0);
          for (let i = 0; i < dx; i++) for (let j = 0; j < dx; j++) sv[i] += s[i * dx + j] * axis(a, j);
          let q = 0;
          for (let i = 0; i < dx; i++) q += axis(a, i) * sv[i];
          sq[cl * k + a] = q;
        }
      }
      return gbcFrom({ rows: c, cols: k, data: means }, m.counts, sq);
    },
  };
}

/**
 * GBC as a metric (id `gbc`). Paper: Pándy, Agostinelli, Uijlings, Ferrari, Mensink, "Transferability
 * Estimation using Bhattacharyya Class Separability", CVPR 2022, arXiv 2111.12780. Reference
 * implementation: stable_transfer in github.com/google-research/google-research.
 */
export const gbcMetric = defineMetric({
  id: 'gbc',
  description:
    'GBC: Gaussian Bhattacharyya coefficient between class-conditional spherical Gaussians (Pándy et al. 2022)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: z.object({
    dims: z.number().int().min(1).default(64).describe('PCA dimensions, capped at min(N, D)'),
  }),
  references: [
    {
      title:
        'Pándy, Agostinelli, Uijlings, Ferrari, Mensink, "Transferability Estimation using Bhattacharyya Class Separability", CVPR 2022',
      arxiv: '2111.12780',
      repository: 'github.com/google-research/google-research (stable_transfer)',
    },
  ],
  regime:
    'A few samples per class at least (class variances are floored at 1e-4); values in [−C(C−1), 0], 0 when the classes are far apart.',
  docs: gbcDocs,
  compute({ features, labels }, { dims }, { backend }) {
    const r = gbcCompute(features!, labels!, { dims, backend });
    return { value: r.value, details: { pcaDims: r.pcaDims } };
  },
  resample: ({ features, labels }, { dims }, { backend }) =>
    gbcResampling(features!, labels!, { dims, backend }),
});

/**
 * GBC: −Σ over ordered class pairs of the Bhattacharyya coefficient of spherical Gaussians.
 *
 * @param inputs - `features` N×D, `labels` N integers in [0, C).
 * @param options - `dims` (integer ≥ 1, default 64); `backend`, `relabel`.
 * @returns `{ value, details: { pcaDims } }`, value ≤ 0 (higher is better).
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES, INVALID_OPTION.
 * @see arXiv 2111.12780; github.com/google-research/google-research (stable_transfer)
 * @example
 * ```ts
 * const features = { rows: 4, cols: 1, data: new Float64Array([0, 0.1, 5, 5.1]) };
 * const { value } = gbcScore({ features, labels: Int32Array.from([0, 0, 1, 1]) });
 * console.assert(value <= 0 && value > -2);
 * ```
 */
export const gbcScore = scoreFunction(gbcMetric);
