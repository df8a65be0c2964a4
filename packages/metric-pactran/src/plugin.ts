/**
 * The three PACTran scores as {@link Metric}s, and the {@link MetricPlugin} that registers them.
 * Everything here goes through the public entry points of @emms/metrics and @emms/linalg.
 */
import { type LinalgBackend, pca } from '@emms/linalg';
import {
  assertFiniteMatrix,
  checkLabelSet,
  fitGaussianMixture,
  type Metric,
  type MetricContext,
  type MetricInputs,
  type MetricOptionSpec,
  type MetricPlugin,
} from '@emms/metrics';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { type DiscretePactranResult, pactranDirichlet, pactranGamma } from './discrete';
import { pactranGauss } from './gauss';

/**
 * Mixture components the reference uses for N samples and C classes:
 * max(min(C, ⌊0.2N⌋), ⌊0.1N⌋), and at least 1.
 */
export function referenceComponents(n: number, classes: number): number {
  return Math.max(1, Math.max(Math.min(classes, Math.floor(0.2 * n)), Math.floor(0.1 * n)));
}

function num(options: Record<string, unknown>, name: string, fallback: number): number {
  const v = options[name];
  return typeof v === 'number' ? v : fallback;
}

function optionError(metric: string, name: string, want: string, got: unknown): EmmsError {
  return new EmmsError(
    'INVALID_OPTION',
    `option "${name}" of metric "${metric}" must be ${want}, got ${String(got)}`,
    {
      input: name,
    },
  );
}

/** Labels checked (typed errors) and the class count C = max(y) + 1. */
function checkedLabels(inputs: MetricInputs, metric: string): { labels: Int32Array; classes: number } {
  if (!inputs.labels) {
    throw new EmmsError('MISSING_INPUT', `metric "${metric}" needs labels; supply them with --labels`, {
      input: 'labels',
    });
  }
  const { labels, classes } = checkLabelSet(inputs.labels);
  return { labels, classes };
}

function checkedFeatures(inputs: MetricInputs, metric: string, rows: number): Matrix {
  const x = inputs.features;
  if (!x) {
    throw new EmmsError('MISSING_INPUT', `metric "${metric}" needs features; supply them with --features`, {
      input: 'features',
    });
  }
  if (x.rows !== rows) {
    throw new EmmsError(
      'ROW_MISMATCH',
      `features have ${x.rows} rows but labels have ${rows}; give one label per row`,
      {
        input: 'features',
      },
    );
  }
  assertFiniteMatrix(x, 'features');
  return x;
}

/** PCA settings shared by the three metrics: a fixed number of components, a variance ratio, or none. */
function reduce(
  x: Matrix,
  metric: string,
  options: Record<string, unknown>,
  defaultRatio: number,
  backend: LinalgBackend,
): { projected: Matrix; pcaDims: number | null } {
  const components = num(options, 'pcaComponents', 0);
  const ratio = num(options, 'varianceRatio', defaultRatio);
  if (!Number.isInteger(components) || components < 0) {
    throw optionError(metric, 'pcaComponents', 'an integer ≥ 0 (0: choose by varianceRatio)', components);
  }
  if (!(ratio >= 0 && ratio <= 1)) throw optionError(metric, 'varianceRatio', 'in [0, 1]', ratio);
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
  options: Record<string, unknown>,
  rows: number,
  classes: number,
  context: MetricContext,
): { source: Matrix; details: Record<string, unknown> } {
  const mode = options.source ?? 'gmm';
  if (mode === 'probs') {
    const p = inputs.probs;
    if (!p) {
      throw new EmmsError(
        'MISSING_INPUT',
        `metric "${metric}" with source "probs" needs source-model probabilities; supply them with --probs`,
        { input: 'probs' },
      );
    }
    if (p.rows !== rows) {
      throw new EmmsError('ROW_MISMATCH', `probs have ${p.rows} rows but labels have ${rows}`, {
        input: 'probs',
      });
    }
    assertFiniteMatrix(p, 'probs');
    return { source: p, details: { source: 'probs', sourceClasses: p.cols } };
  }
  if (mode !== 'gmm') throw optionError(metric, 'source', '"gmm" or "probs"', mode);
  const x = checkedFeatures(inputs, metric, rows);
  const seed = num(options, 'seed', 0);
  const { projected, pcaDims } = reduce(x, metric, options, 0.8, context.backend);
  context.signal?.throwIfAborted();
  const wanted = num(options, 'components', 0);
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw optionError(metric, 'components', 'an integer ≥ 0 (0: the reference rule)', wanted);
  }
  const components = Math.min(wanted > 0 ? wanted : referenceComponents(rows, classes), rows);
  const gmm = fitGaussianMixture(projected, {
    components,
    seed,
    reg: num(options, 'mixtureReg', 1e-6),
    tol: num(options, 'mixtureTol', 1e-3),
    maxIter: num(options, 'mixtureMaxIter', 100),
    backend: context.backend,
  });
  context.signal?.throwIfAborted();
  return {
    source: gmm.posterior(projected),
    details: {
      source: 'gmm',
      pcaDims: pcaDims ?? projected.cols,
      components,
      mixtureIterations: gmm.iterations,
      mixtureConverged: gmm.converged,
      seed,
    },
  };
}

const commonDiscreteOptions: readonly MetricOptionSpec[] = [
  {
    name: 'alpha',
    type: 'number',
    default: 1,
    description: 'prior strength: a0_c = alpha · (class frequency) + 1e-10',
  },
  {
    name: 'iterations',
    type: 'integer',
    default: 10,
    description: 'mean-field updates of q(z | x, y)',
  },
  {
    name: 'source',
    type: 'string',
    default: 'gmm',
    choices: ['gmm', 'probs'],
    description:
      'soft source assignments: Gaussian-mixture posteriors on PCA features, or the --probs matrix',
  },
  {
    name: 'varianceRatio',
    type: 'number',
    default: 0.8,
    description: 'PCA keeps the fewest components whose cumulative explained-variance ratio exceeds this',
  },
  {
    name: 'pcaComponents',
    type: 'integer',
    default: 0,
    description: 'keep exactly this many PCA components instead (0: use varianceRatio)',
  },
  {
    name: 'components',
    type: 'integer',
    default: 0,
    description: 'mixture components (0: the reference rule max(min(C, ⌊0.2N⌋), ⌊0.1N⌋))',
  },
  {
    name: 'seed',
    type: 'integer',
    default: 0,
    description: 'seed of the mixture initialisation (deterministic)',
  },
  {
    name: 'mixtureReg',
    type: 'number',
    default: 1e-6,
    description: 'added to each mixture covariance diagonal',
  },
  {
    name: 'mixtureTol',
    type: 'number',
    default: 1e-3,
    description: 'EM stops when the mean log-likelihood moves less',
  },
  { name: 'mixtureMaxIter', type: 'integer', default: 100, description: 'EM steps at most' },
];

function discreteMetric(id: string, description: string, score: typeof pactranDirichlet): Metric {
  return {
    specificationVersion: 'v1',
    id,
    description,
    inputs: { required: ['features', 'labels'], optional: ['probs'] },
    higherIsBetter: false,
    options: commonDiscreteOptions,
    compute(inputs, options, context) {
      const { labels, classes } = checkedLabels(inputs, id);
      const alpha = num(options, 'alpha', 1);
      const iterations = num(options, 'iterations', 10);
      if (!(alpha > 0)) throw optionError(id, 'alpha', '> 0', alpha);
      if (!Number.isInteger(iterations) || iterations < 1)
        throw optionError(id, 'iterations', 'an integer ≥ 1', iterations);
      context.onProgress?.({ task: `score:${id}`, done: 0, total: 2, message: 'source assignments' });
      const { source, details } = sourceAssignments(inputs, id, options, labels.length, classes, context);
      context.onProgress?.({ task: `score:${id}`, done: 1, total: 2, message: 'mean-field updates' });
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
  };
}

/** PACTran-Dirichlet as a {@link Metric} (id `pactran-dirichlet`; lower is better). */
export const pactranDirichletMetric: Metric = discreteMetric(
  'pactran-dirichlet',
  'PACTran-Dirichlet bound on Gaussian-mixture posteriors of PCA features (Ding et al. 2022); lower is better',
  pactranDirichlet,
);

/** PACTran-Gamma as a {@link Metric} (id `pactran-gamma`; lower is better). */
export const pactranGammaMetric: Metric = discreteMetric(
  'pactran-gamma',
  'PACTran-Gamma bound on Gaussian-mixture posteriors of PCA features (Ding et al. 2022); lower is better',
  pactranGamma,
);

/** PACTran-Gauss as a {@link Metric} (id `pactran-gauss`; lower is better). */
export const pactranGaussMetric: Metric = {
  specificationVersion: 'v1',
  id: 'pactran-gauss',
  description:
    'PACTran-Gauss bound of a Gaussian-prior linear softmax on the features (Ding et al. 2022); lower is better',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: false,
  options: [
    {
      name: 'ldaFactor',
      type: 'number',
      default: 1,
      description: 'λ: prior variance of the weights is λ·N (the reference runs 10, 1 and 0.1)',
    },
    {
      name: 's2Factor',
      type: 'number',
      default: undefined,
      description:
        'σ² = s2Factor / D in the flatness term (default 100·ldaFactor, the reference pairs 100λ and 10λ)',
    },
    {
      name: 'center',
      type: 'boolean',
      default: true,
      description: 'subtract column means first (latest reference: yes; its first version: no)',
    },
    {
      name: 'varianceRatio',
      type: 'number',
      default: 0,
      description:
        'PCA-reduce first, keeping this explained-variance ratio (0: features as given, as the reference)',
    },
    {
      name: 'pcaComponents',
      type: 'integer',
      default: 0,
      description: 'PCA-reduce first to exactly this many components (0: no fixed count)',
    },
    { name: 'seed', type: 'integer', default: 0, description: 'seed of the random start W ~ N(0, 0.03²)' },
    { name: 'maxIterations', type: 'integer', default: 100, description: 'L-BFGS iterations at most' },
    {
      name: 'tolerance',
      type: 'number',
      default: 1e-6,
      description: 'L-BFGS stops when max |gradient| or the relative decrease falls to this',
    },
  ],
  compute(inputs, options, context) {
    const id = 'pactran-gauss';
    const { labels, classes } = checkedLabels(inputs, id);
    const x = checkedFeatures(inputs, id, labels.length);
    const ldaFactor = num(options, 'ldaFactor', 1);
    const s2Factor = num(options, 's2Factor', 100 * ldaFactor);
    if (!(ldaFactor > 0)) throw optionError(id, 'ldaFactor', '> 0', ldaFactor);
    if (!(s2Factor > 0)) throw optionError(id, 's2Factor', '> 0', s2Factor);
    const maxIterations = num(options, 'maxIterations', 100);
    if (!Number.isInteger(maxIterations) || maxIterations < 0) {
      throw optionError(id, 'maxIterations', 'an integer ≥ 0', maxIterations);
    }
    const tolerance = num(options, 'tolerance', 1e-6);
    if (!(tolerance >= 0)) throw optionError(id, 'tolerance', '≥ 0', tolerance);
    const seed = num(options, 'seed', 0);
    context.onProgress?.({ task: `score:${id}`, done: 0, total: 2, message: 'features' });
    const { projected, pcaDims } = reduce(x, id, options, 0, context.backend);
    context.onProgress?.({ task: `score:${id}`, done: 1, total: 2, message: 'L-BFGS' });
    const r = pactranGauss(projected, labels, classes, {
      ldaFactor,
      s2Factor,
      center: options.center !== false,
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
        pcaDims,
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
};

/** The three PACTran metrics, in the order they are registered. */
export const metrics: readonly Metric[] = [pactranDirichletMetric, pactranGammaMetric, pactranGaussMetric];

/** The plugin the CLI and `loadPlugin` pick up: `emms score --plugin @emms/metric-pactran`. */
export const plugin: MetricPlugin = {
  specificationVersion: 'v1',
  name: '@emms/metric-pactran',
  metrics,
};
