import { getBackend, type LinalgBackend, pca } from '@emms/linalg';
import { defineMetric, degenerate, fitGaussianMixture, scoreFunction, z } from '@emms/metric-spec';
import { isEmmsError, type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';
import { numClasses } from '../util';
import { nleepDocs } from './docs/nleep';
import { empiricalPrediction } from './leep';

/** NLEEP with its diagnostics. */
export interface NleepResult {
  readonly value: number;
  /** PCA dimensions kept (fewest with cumulative explained-variance ratio > `varianceRatio`). */
  readonly pcaDims: number;
  /** Mixture components used: `componentsPerClass` × C, capped at N. */
  readonly components: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly seed: number;
}

/** Options of {@link nleepCompute}. */
export interface NleepOptions {
  /** Seed of the mixture's k-means initialisation (default 0). */
  readonly seed?: number;
  /** Explained-variance ratio the PCA keeps (default 0.8). */
  readonly varianceRatio?: number;
  /** Mixture components per class (default 5). */
  readonly componentsPerClass?: number;
  readonly backend?: LinalgBackend;
  readonly signal?: AbortSignal;
  /** Progress of the EM steps (task "score:nleep"). */
  readonly onProgress?: ProgressListener;
}

/**
 * NLEEP (Li et al., CVPR 2021) as the SFDA repository computes it: PCA keeping 80% of the variance, a
 * full-covariance Gaussian mixture with 5·C components (reg 1e-6, tol 1e-3, ≤ 100 EM steps, seeded k-means
 * initialisation), then LEEP's formula on the posteriors without the log: mean_i Σ_z p(z|x_i) p(y_i|z).
 */
export function nleepCompute(features: Matrix, labels: Int32Array, options: NleepOptions = {}): NleepResult {
  const backend = options.backend ?? getBackend();
  const seed = options.seed ?? 0;
  const p = pca(features, { varianceRatio: options.varianceRatio ?? 0.8, backend });
  const z = p.projected;
  const c = numClasses(labels);
  const components = Math.min((options.componentsPerClass ?? 5) * c, z.rows);
  const progress = progressTracker('score:nleep', 100, options.onProgress);
  let gmm: ReturnType<typeof fitGaussianMixture>;
  try {
    gmm = fitGaussianMixture(z, {
      components,
      seed,
      reg: 1e-6,
      tol: 1e-3,
      maxIter: 100,
      backend,
      signal: options.signal,
      onIteration: (it, ll) => progress.advance(1, `EM step ${it}, mean log-likelihood ${ll.toFixed(4)}`),
    });
  } catch (e) {
    if (isEmmsError(e, 'INVALID_OPTION')) {
      throw degenerate(
        'nleep',
        'features',
        `give a Gaussian mixture with a singular covariance in the ${z.cols}-dimensional PCA space`,
        'rescale the features (e.g. standardise them), give more samples, or lower nleep.componentsPerClass',
        { components },
      );
    }
    throw e;
  }
  const q = empiricalPrediction(gmm.posterior(z), labels);
  let value = 0;
  for (let i = 0; i < q.length; i++) value += q[i];
  return {
    value: value / q.length,
    pcaDims: z.cols,
    components,
    iterations: gmm.iterations,
    converged: gmm.converged,
    seed,
  };
}

/**
 * NLEEP as a metric (id `nleep`). Paper: Li, Jia, Sang, Zhu, Green, Wang, Gong, "Ranking Neural
 * Checkpoints", CVPR 2021, arXiv 2011.11200. Reference implementation: the NLEEP of
 * github.com/TencentARC/SFDA (scikit-learn PCA and GaussianMixture); ours is seeded and deterministic.
 */
export const nleepMetric = defineMetric({
  id: 'nleep',
  description: 'NLEEP: LEEP on Gaussian-mixture posteriors of PCA-reduced features (Li et al. 2021), seeded',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: z.object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0)
      .describe('seed of the mixture initialisation (deterministic)'),
    varianceRatio: z.number().gt(0).lt(1).default(0.8).describe('explained-variance ratio kept by the PCA'),
    componentsPerClass: z.number().int().min(1).default(5).describe('mixture components per class'),
  }),
  references: [
    {
      title: 'Li, Jia, Sang, Zhu, Green, Wang, Gong, "Ranking Neural Checkpoints", CVPR 2021',
      arxiv: '2011.11200',
      repository: 'github.com/TencentARC/SFDA',
    },
  ],
  regime:
    'Enough samples for componentsPerClass × C full-covariance Gaussians in the PCA space (hundreds of samples or more); values in (0, 1].',
  saturation: ({ samples: n, classes: c }) =>
    n < 5 * c * 2
      ? `N = ${n} < 10·C: the mixture has 5·C components for ${n} samples, about two per component; NLEEP is noisy here`
      : undefined,
  docs: nleepDocs,
  compute({ features, labels }, options, context) {
    const { value, ...details } = nleepCompute(features!, labels!, {
      ...options,
      backend: context.backend,
      signal: context.signal,
      onProgress: context.onProgress,
    });
    return { value, details };
  },
  resample: () => ({
    unavailable:
      'NLEEP refits its PCA and a Gaussian mixture of 5·C components on every call, so each resample would cost a full scoring',
  }),
});

/**
 * NLEEP: LEEP's expected empirical prediction on Gaussian-mixture posteriors of PCA features.
 *
 * @param inputs - `features` N×D, `labels` N integers in [0, C).
 * @param options - `seed` (integer ≥ 0, default 0), `varianceRatio` in (0, 1) (default 0.8),
 *   `componentsPerClass` (integer ≥ 1, default 5); `backend`, `signal`, `onProgress`, `relabel`.
 * @returns `{ value, details: { pcaDims, components, iterations, converged, seed } }`, value in (0, 1].
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES,
 *   INVALID_OPTION, DEGENERATE_INPUT.
 * @see arXiv 2011.11200; github.com/TencentARC/SFDA
 * @example
 * ```ts
 * const data = new Float64Array(40 * 2);
 * for (let i = 0; i < 40; i++) { data[2 * i] = (i % 2) * 5 + Math.sin(i); data[2 * i + 1] = Math.cos(3 * i); }
 * const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
 * const { value } = nleepScore({ features: { rows: 40, cols: 2, data }, labels }, { componentsPerClass: 1 });
 * console.assert(value > 0.5 && value <= 1);
 * ```
 */
export const nleepScore = scoreFunction(nleepMetric);
