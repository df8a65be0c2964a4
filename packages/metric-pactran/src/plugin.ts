/**
 * The three PACTran scores as {@link Metric}s (made with `defineMetric`), and the {@link MetricPlugin}
 * that registers them. Everything here comes from @emms/metric-spec, the one package a plugin
 * depends on; @emms/metrics is not needed at run time.
 */
import {
  defineMetric,
  degenerate,
  EmmsError,
  fitGaussianMixture,
  isEmmsError,
  type LinalgBackend,
  type Matrix,
  type Metric,
  type MetricContext,
  type MetricInputs,
  type MetricPlugin,
  pca,
  type RunShape,
  z,
} from '@emms/metric-spec';
import { type DiscretePactranResult, pactranDirichlet, pactranGamma } from './discrete';
import { dirichletDocs, gammaDocs, gaussDocs } from './docs';
import { pactranGauss } from './gauss';

/**
 * Mixture components the reference uses for N samples and C classes:
 * max(min(C, ⌊0.2N⌋), ⌊0.1N⌋), and at least 1.
 *
 * @param n - N samples.
 * @param classes - C.
 * @returns the number of mixture components.
 * @example
 * ```ts
 * console.assert(referenceComponents(100, 5) === 10 && referenceComponents(3, 2) === 1);
 * ```
 */
export function referenceComponents(n: number, classes: number): number {
  return Math.max(1, Math.max(Math.min(classes, Math.floor(0.2 * n)), Math.floor(0.1 * n)));
}

/** Number of classes C = max(y) + 1 of validated (compact) labels. */
function classCount(labels: Int32Array): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] + 1 > c) c = labels[i] + 1;
  return c;
}

/** PCA settings shared by the three metrics: a fixed number of components, a variance ratio, or none. */
function reduce(
  x: Matrix,
  options: { readonly pcaComponents: number; readonly varianceRatio: number },
  backend: LinalgBackend,
): { projected: Matrix; pcaDims: number | null } {
  const components = options.pcaComponents;
  const ratio = options.varianceRatio;
  if (components > 0) {
    const p = pca(x, { components, backend });
    return { projected: p.projected, pcaDims: p.projected.cols };
  }
  if (ratio > 0 && ratio < 1) {
    const p = pca(x, { varianceRatio: ratio, backend });
    return { projected: p.projected, pcaDims: p.projected.cols };
  }
  return { projected: x, pcaDims: null };
}

/**
 * The soft "source" assignments Dirichlet and Gamma need: Gaussian-mixture posteriors on PCA-reduced
 * features (default, as the reference's `gmm_estimator`), or the source-model probabilities.
 */
function sourceAssignments(
  inputs: MetricInputs,
  metric: string,
  options: DiscreteOptions,
  rows: number,
  classes: number,
  context: MetricContext,
): { source: Matrix; details: Record<string, unknown> } {
  if (options.source === 'probs') {
    const p = inputs.probs;
    if (!p) {
      throw new EmmsError(
        'MISSING_INPUT',
        `metric "${metric}" with source "probs" needs source-model probabilities; supply them as inputs.probs`,
        { input: 'probs', details: { metric } },
      );
    }
    return { source: p, details: { source: 'probs', sourceClasses: p.cols } };
  }
  const x = inputs.features!;
  const { projected, pcaDims } = reduce(x, options, context.backend);
  context.signal?.throwIfAborted();
  const wanted = options.components;
  const components = Math.min(wanted > 0 ? wanted : referenceComponents(rows, classes), rows);
  let gmm: ReturnType<typeof fitGaussianMixture>;
  try {
    gmm = fitGaussianMixture(projected, {
      components,
      seed: options.seed,
      reg: options.mixtureReg,
      tol: options.mixtureTol,
      maxIter: options.mixtureMaxIter,
      backend: context.backend,
    });
  } catch (e) {
    if (isEmmsError(e, 'INVALID_OPTION')) {
      throw degenerate(
        metric,
        'features',
        `give a Gaussian mixture with a singular covariance in the ${projected.cols}-dimensional PCA space`,
        `rescale the features (e.g. standardise them), raise ${metric}.mixtureReg or lower ${metric}.components`,
        { components },
      );
    }
    throw e;
  }
  context.signal?.throwIfAborted();
  return {
    source: gmm.posterior(projected),
    details: {
      source: 'gmm',
      pcaDims: pcaDims ?? projected.cols,
      components,
      mixtureIterations: gmm.iterations,
      mixtureConverged: gmm.converged,
      seed: options.seed,
    },
  };
}

const varianceRatio = (fallback: number, what: string) =>
  z.number().min(0).max(1).default(fallback).describe(what);

/** The options of PACTran-Dirichlet and PACTran-Gamma. */
const discreteOptions = z.object({
  alpha: z
    .number()
    .positive()
    .default(1)
    .describe('prior strength: a0_c = alpha · (class frequency) + 1e-10'),
  iterations: z.number().int().min(1).default(10).describe('mean-field updates of q(z | x, y)'),
  source: z
    .enum(['gmm', 'probs'])
    .default('gmm')
    .describe('soft source assignments: Gaussian-mixture posteriors on PCA features, or inputs.probs'),
  varianceRatio: varianceRatio(
    0.8,
    'PCA keeps the fewest components whose cumulative explained-variance ratio exceeds this (0 or 1: no PCA)',
  ),
  pcaComponents: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('keep exactly this many PCA components instead (0: use varianceRatio)'),
  components: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('mixture components (0: the reference rule max(min(C, ⌊0.2N⌋), ⌊0.1N⌋))'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0)
    .describe('seed of the mixture initialisation (deterministic)'),
  mixtureReg: z.number().positive().default(1e-6).describe('added to each mixture covariance diagonal'),
  mixtureTol: z
    .number()
    .positive()
    .default(1e-3)
    .describe('EM stops when the mean log-likelihood moves less'),
  mixtureMaxIter: z.number().int().min(1).default(100).describe('EM steps at most'),
});
type DiscreteOptions = z.output<typeof discreteOptions>;

const pactranReference = {
  title:
    'Ding, Chen, Levinboim, Goodman, Soricut, "PACTran: PAC-Bayesian Metrics for Estimating the Transferability of Pretrained Models to Classification Tasks", ECCV 2022',
  arxiv: '2203.05126',
  repository: 'github.com/google-research/pactran_metrics',
};

/**
 * The regime in which the mixture versions stop looking at the features: with N < 10 the reference
 * rule gives one mixture component, every sample gets the same source assignment, and the bound is
 * a function of the labels alone, the same for every model.
 */
function oneComponent({ samples: n, classes }: RunShape, o: DiscreteOptions): string | undefined {
  return o.source === 'gmm' && o.components === 0 && referenceComponents(n, Math.max(2, classes)) === 1
    ? `N = ${n} < 10: the reference rule fits one mixture component, so every model gets the same value; give at least 10 samples, set components, or use source "probs"`
    : undefined;
}

function discreteMetric(
  id: string,
  description: string,
  score: typeof pactranDirichlet,
  docs: typeof dirichletDocs,
) {
  return defineMetric({
    id,
    description,
    inputs: { required: ['features', 'labels'], optional: ['probs'] },
    higherIsBetter: false,
    options: discreteOptions,
    references: [pactranReference],
    regime:
      'A bound on the fine-tuning loss: lower is better. Needs enough samples for the mixture (N ≥ 10 for the reference rule) or source-model probabilities (source "probs").',
    saturation: oneComponent,
    docs,
    compute(inputs, options, context) {
      const labels = inputs.labels!;
      const classes = classCount(labels);
      context.onProgress?.({ task: `score:${id}`, done: 0, total: 2, message: 'source assignments' });
      const { source, details } = sourceAssignments(inputs, id, options, labels.length, classes, context);
      context.onProgress?.({ task: `score:${id}`, done: 1, total: 2, message: 'mean-field updates' });
      const { alpha, iterations } = options;
      const r: DiscretePactranResult = score(source, labels, classes, { alpha, iterations });
      context.onProgress?.({ task: `score:${id}`, done: 2, total: 2 });
      return {
        value: r.value,
        details: {
          ...details,
          alpha,
          iterations,
          classes,
          klDivergence: r.klDivergence,
          lowerIsBetter: true,
        },
      };
    },
  });
}

/**
 * PACTran-Dirichlet as a {@link Metric} (id `pactran-dirichlet`; lower is better).
 * Paper: arXiv 2203.05126; reference implementation github.com/google-research/pactran_metrics.
 *
 * @example
 * ```ts
 * const features = { rows: 20, cols: 1, data: Float64Array.from({ length: 20 }, (_, i) => (i % 2) * 5 + i / 20) };
 * const labels = Int32Array.from({ length: 20 }, (_, i) => i % 2);
 * const r = await pactranDirichletMetric.compute({ features, labels }, { varianceRatio: 0 });
 * console.assert(Number.isFinite(r.value) && r.details?.source === 'gmm');
 * ```
 */
export const pactranDirichletMetric: Metric = discreteMetric(
  'pactran-dirichlet',
  'PACTran-Dirichlet bound on Gaussian-mixture posteriors of PCA features (Ding et al. 2022); lower is better',
  pactranDirichlet,
  dirichletDocs,
);

/**
 * PACTran-Gamma as a {@link Metric} (id `pactran-gamma`; lower is better).
 * Paper: arXiv 2203.05126; reference implementation github.com/google-research/pactran_metrics.
 *
 * @example
 * ```ts
 * const features = { rows: 4, cols: 1, data: new Float64Array([0, 0.2, 3, 3.2]) };
 * const probs = { rows: 4, cols: 2, data: new Float64Array([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.2, 0.8]) };
 * const r = await pactranGammaMetric.compute({ features, labels: Int32Array.from([0, 0, 1, 1]), probs }, { source: 'probs' });
 * console.assert(Number.isFinite(r.value));
 * ```
 */
export const pactranGammaMetric: Metric = discreteMetric(
  'pactran-gamma',
  'PACTran-Gamma bound on Gaussian-mixture posteriors of PCA features (Ding et al. 2022); lower is better',
  pactranGamma,
  gammaDocs,
);

/**
 * PACTran-Gauss as a {@link Metric} (id `pactran-gauss`; lower is better).
 * Paper: arXiv 2203.05126; reference implementation github.com/google-research/pactran_metrics.
 *
 * @example
 * ```ts
 * const features = { rows: 4, cols: 1, data: new Float64Array([0, 0.2, 3, 3.2]) };
 * const r = await pactranGaussMetric.compute({ features, labels: Int32Array.from([0, 0, 1, 1]) }, { ldaFactor: 10 });
 * console.assert(Number.isFinite(r.value));
 * ```
 */
export const pactranGaussMetric: Metric = defineMetric({
  id: 'pactran-gauss',
  description:
    'PACTran-Gauss bound of a Gaussian-prior linear softmax on the features (Ding et al. 2022); lower is better',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: false,
  options: z.object({
    ldaFactor: z
      .number()
      .positive()
      .default(1)
      .describe('λ: prior variance of the weights is λ·N (the reference runs 10, 1 and 0.1)'),
    s2Factor: z
      .number()
      .positive()
      .optional()
      .describe(
        'σ² = s2Factor / D in the flatness term (default 100·ldaFactor, the reference pairs 100λ and 10λ)',
      ),
    center: z
      .boolean()
      .default(true)
      .describe('subtract column means first (latest reference: yes; its first version: no)'),
    varianceRatio: varianceRatio(
      0,
      'PCA-reduce first, keeping this explained-variance ratio (0: features as given, as the reference)',
    ),
    pcaComponents: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('PCA-reduce first to exactly this many components (0: no fixed count)'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0)
      .describe('seed of the random start W ~ N(0, 0.03²)'),
    maxIterations: z.number().int().min(0).default(100).describe('L-BFGS iterations at most'),
    tolerance: z
      .number()
      .min(0)
      .default(1e-6)
      .describe('L-BFGS stops when max |gradient| or the relative decrease falls to this'),
  }),
  references: [pactranReference],
  regime:
    'A bound on the fine-tuning loss: lower is better. Features as given (centred by default); its scale enters the bound, so compare models on the same data.',
  docs: gaussDocs,
  compute(inputs, options, context) {
    const id = 'pactran-gauss';
    const labels = inputs.labels!;
    const classes = classCount(labels);
    const { ldaFactor, seed, maxIterations, tolerance } = options;
    const s2Factor = options.s2Factor ?? 100 * ldaFactor;
    context.onProgress?.({ task: `score:${id}`, done: 0, total: 2, message: 'features' });
    const { projected, pcaDims } = reduce(inputs.features!, options, context.backend);
    context.onProgress?.({ task: `score:${id}`, done: 1, total: 2, message: 'L-BFGS' });
    const r = pactranGauss(projected, labels, classes, {
      ldaFactor,
      s2Factor,
      center: options.center,
      seed,
      maxIterations,
      tolerance,
      backend: context.backend,
      signal: context.signal,
    });
    context.onProgress?.({ task: `score:${id}`, done: 2, total: 2 });
    return {
      value: r.value,
      details: {
        pacOpt: r.pacOpt,
        sigma2Inv: r.sigma2Inv,
        flatness: r.flatness,
        ldaFactor,
        s2Factor,
        dims: projected.cols,
        ...(pcaDims !== null ? { pcaDims } : {}),
        classes,
        iterations: r.iterations,
        evaluations: r.evaluations,
        converged: r.converged,
        stop: r.stop,
        seed,
        lowerIsBetter: true,
      },
    };
  },
});

/** The three PACTran metrics, in the order they are registered. */
export const metrics: readonly Metric[] = [pactranDirichletMetric, pactranGammaMetric, pactranGaussMetric];

/** The plugin the CLI and `loadPlugin` pick up: `emms score --plugin @emms/metric-pactran`. */
export const plugin: MetricPlugin = {
  specificationVersion: 'v2',
  name: '@emms/metric-pactran',
  metrics,
};
