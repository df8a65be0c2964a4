import { getBackend, type LinalgBackend, pca } from '@emms/linalg';
import { type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';
import { fitGaussianMixture } from '../gmm';
import type { Metric } from '../metric';
import { numClasses } from '../util';
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

/** Options of {@link nleepDetailed}. */
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
export function nleepDetailed(features: Matrix, labels: Int32Array, options: NleepOptions = {}): NleepResult {
  const backend = options.backend ?? getBackend();
  const seed = options.seed ?? 0;
  const p = pca(features, { varianceRatio: options.varianceRatio ?? 0.8, backend });
  const z = p.projected;
  const c = numClasses(labels);
  const components = Math.min((options.componentsPerClass ?? 5) * c, z.rows);
  const progress = progressTracker('score:nleep', 100, options.onProgress);
  const gmm = fitGaussianMixture(z, {
    components,
    seed,
    reg: 1e-6,
    tol: 1e-3,
    maxIter: 100,
    backend,
    signal: options.signal,
    onIteration: (it, ll) => progress.advance(1, `EM step ${it}, mean log-likelihood ${ll.toFixed(4)}`),
  });
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

/** NLEEP value only; see {@link nleepDetailed}. */
export function nleepScore(features: Matrix, labels: Int32Array, options: NleepOptions = {}): number {
  return nleepDetailed(features, labels, options).value;
}

/** NLEEP as a {@link Metric}. */
export const nleepMetric: Metric = {
  specificationVersion: 'v1',
  id: 'nleep',
  description: 'NLEEP: LEEP on Gaussian-mixture posteriors of PCA-reduced features (Li et al. 2021), seeded',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: [
    {
      name: 'seed',
      type: 'integer',
      default: 0,
      description: 'seed of the mixture initialisation (deterministic)',
    },
    {
      name: 'varianceRatio',
      type: 'number',
      default: 0.8,
      description: 'explained-variance ratio kept by the PCA',
    },
    { name: 'componentsPerClass', type: 'integer', default: 5, description: 'mixture components per class' },
  ],
  compute(inputs, options, context) {
    const { value, ...details } = nleepDetailed(inputs.features!, inputs.labels!, {
      seed: options.seed as number | undefined,
      varianceRatio: options.varianceRatio as number | undefined,
      componentsPerClass: options.componentsPerClass as number | undefined,
      backend: context.backend,
      signal: context.signal,
      onProgress: context.onProgress,
    });
    return { value, details };
  },
};
