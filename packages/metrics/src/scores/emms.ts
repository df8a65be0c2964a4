import { getBackend, type LinalgBackend } from '@emms/linalg';
import { defineMetric, scoreFunction, z } from '@emms/metric-spec';
import { EmmsError, type Matrix, type ProgressListener } from '@emms/tensor-io';
import { emmsDocs } from './docs/emms';
import { featureRoute } from './emms/feature-route';
import type { EmmsProblem } from './emms/problem';
import { emmsResampling } from './emms/resample';
import { sampleRoute } from './emms/sample-route';
import { columnScaling, oneHot } from './emms/standardise';
import { fitWeights } from './emms/weights';

/** Options of {@link emmsScore}. */
export interface EmmsOptions {
  /**
   * 'one-step' (default): the published code, one weight update (sparsemax of the unconstrained
   * least-squares weights). 'converge': the paper's alternating minimisation of
   * ‖X W − Σ λ_k Y_k‖² over W and λ in the simplex, each half-step exact (the λ-step is the
   * simplex-constrained least squares, so the residual never grows), refitting until
   * max|Δλ| ≤ `tolerance` or `maxRefits` refits. Its score is never below the one-step score.
   */
  readonly iterations?: 'one-step' | 'converge';
  /** Convergence threshold on max|Δλ| for 'converge' (default 1e-8). */
  readonly tolerance?: number;
  /** Most refits for 'converge' (default 100). */
  readonly maxRefits?: number;
  /**
   * Relative pivot threshold of the rank-revealing factorisation of the standardised XᵀX
   * (default 1e-10): a feature column whose part outside the span of the others has squared
   * norm ≤ rankTol × N counts as dependent.
   */
  readonly rankTol?: number;
  /** Labels whose one-hot matrix stands in as the single F-label when `flabels` is empty. */
  readonly labels?: Int32Array;
  /** Linear-algebra backend (default: the current one). */
  readonly backend?: LinalgBackend;
  /** Checked between blocks; aborts with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Which Gram matrix carries the projection: 'features' (D×D XsᵀXs with a rank-revealing
   * Cholesky) or 'samples' (N×N Xs Xsᵀ with an eigendecomposition). Default: the cheaper one,
   * 'samples' only when N is well below D. Both give the same score.
   */
  readonly route?: 'features' | 'samples';
  /** Progress over the row blocks ("score:emms", counted in rows). */
  readonly onProgress?: ProgressListener;
  /**
   * 'float64' (default) or 'float32': the products over the samples (XᵀX, XᵀT and X W on the
   * features route) in single precision, float32 within row blocks of up to 4096 rows and float64
   * across them; the factorisation and everything after stay float64. When a standardised column
   * is dependent on the others at float32 resolution (pivot below 1e-5), the float32 Gram cannot
   * decide the rank and the float64 route runs instead. Values then agree with float64 to about
   * 1e-7 relative on well-conditioned features, 1e-5 on poorly conditioned ones. Backends without
   * the float32 kernels (the portable one) and the samples route compute in float64;
   * `details.precision` says which ran.
   */
  readonly precision?: 'float64' | 'float32';
}

/** Diagnostics of {@link emmsScore}. */
export type EmmsDetails = {
  /** Final weight of each F-label (sparsemax output, sums to 1), in the order given. */
  readonly weights: number[];
  /** The last unconstrained least-squares weights λ' before sparsemax. */
  readonly unconstrainedWeights: number[];
  /** Weight updates performed (1 for one-step). */
  readonly iterations: number;
  /** 'converge' only: whether max|Δλ| reached the tolerance. */
  readonly converged?: boolean;
  readonly mode: 'one-step' | 'converge';
  /** Where the F-labels came from. */
  readonly flabels: 'given' | 'one-hot';
  /** Numerical rank of the standardised features. */
  readonly rank: number;
  /** Feature columns that were constant (standardised to zero). */
  readonly constantColumns: number;
  /** The precision the products over the samples ran in (see the precision option). */
  readonly precision: 'float64' | 'float32';
};

/** The value of an enumerated option, or INVALID_OPTION naming the option and its choices. */
function choice<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `emms: ${name} must be ${allowed.map((a) => `"${a}"`).join(' or ')}, got "${value}"`,
      { input: name },
    );
  }
  return value;
}

/**
 * EMMS (Meng et al., "Foundation Model is Efficient Multimodal Multitask Model Selector", 2023)
 * exactly as the authors' code computes it by default:
 * standardise X and each F-label Y_k per column ((v − mean)/(std + 1e-8), population std);
 * λ = 1/K; Π = projection of T0 = Σ λ_k Y_k onto the column space of X; λ' = least squares of
 * Σ λ_k Y_k ≈ Π over the K weights; λ = sparsemax(λ'); T = Σ λ_k Y_k;
 * score = −‖Π − T‖²_F · L / N (the factor L comes from operator precedence in the published
 * code; it is constant within a dataset, so rankings are unaffected).
 *
 * Everything is computed from XᵀX, XᵀY_k and ⟨Y_j, Y_k⟩, accumulated over row blocks of the
 * standardised data, plus one rank-revealing factorisation of XᵀX: no SVD of X and nothing
 * N×N or N×L beyond one block. Rank-deficient X (constant, duplicated columns, N ≤ D) is fine:
 * Π is unique. With no F-labels, `opts.labels` gives the one-hot matrix as the only F-label.
 *
 * Throws FLABEL_WIDTH_MISMATCH when F-labels differ in width, ROW_MISMATCH when row counts
 * disagree, NON_FINITE for NaN/Inf, MISSING_INPUT with neither F-labels nor labels.
 */
export function emmsCompute(
  features: Matrix,
  flabels: readonly Matrix[],
  opts: EmmsOptions = {},
): { value: number; details: EmmsDetails } {
  const backend = opts.backend ?? getBackend();
  const mode = choice('iterations', opts.iterations ?? 'one-step', ['one-step', 'converge']);
  if (opts.rankTol !== undefined && !(opts.rankTol >= 0 && opts.rankTol < 1)) {
    throw new EmmsError('INVALID_OPTION', `emms: rankTol must be in [0, 1), got ${opts.rankTol}`, {
      input: 'rankTol',
    });
  }
  let source: 'given' | 'one-hot' = 'given';
  let ys = flabels;
  if (ys.length === 0) {
    if (!opts.labels) {
      throw new EmmsError(
        'MISSING_INPUT',
        'metric "emms" needs F-labels (inputs.flabels) or labels (inputs.labels, for the one-hot F-label)',
        { input: 'flabels', details: { metric: 'emms' } },
      );
    }
    ys = [oneHot(opts.labels)];
    source = 'one-hot';
  }
  const n = features.rows;
  const d = features.cols;
  const k = ys.length;
  const l = ys[0].cols;
  ys.forEach((y, i) => {
    const name = source === 'given' ? `flabels[${i}]` : 'labels';
    if (y.rows !== n) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `${name} has ${y.rows} rows but features has ${n}; every input needs one row per sample, in the same order`,
        { input: name, details: { expected: n, found: y.rows } },
      );
    }
    if (y.cols !== l) {
      throw new EmmsError(
        'FLABEL_WIDTH_MISMATCH',
        `flabels[${i}] has ${y.cols} columns but flabels[0] has ${l}; EMMS stacks F-labels, so they must share one width (embed every label set to the same dimension)`,
        { input: name, details: { expected: l, found: y.cols } },
      );
    }
  });
  if (n < 1) throw new EmmsError('SHAPE_MISMATCH', 'features has no rows', { input: 'features' });

  // Pass 1: means and 1/(std + 1e-8) of each F-label (two passes, exact).
  const ysc = ys.map((y, i) => columnScaling(y, source === 'given' ? `flabels[${i}]` : 'labels'));
  opts.signal?.throwIfAborted();

  const relTol = opts.rankTol ?? 1e-10;
  const kl = k * l;
  const lambda0 = new Float64Array(k).fill(1 / k);

  // Rough multiply-add counts of the two routes (the eigendecomposition weighs ~4n³).
  const featureCost = (n * d * d) / 2 + (d * d * d) / 6 + 2 * n * d * l;
  const sampleCost = (n * n * d) / 2 + 4 * n * n * n + n * n * kl;
  const route = choice('route', opts.route ?? (sampleCost < featureCost ? 'samples' : 'features'), [
    'features',
    'samples',
  ]);
  const precision = choice('precision', opts.precision ?? 'float64', ['float64', 'float32']);
  const problem: EmmsProblem = {
    features,
    precision,
    ys,
    ysc,
    mode,
    n,
    d,
    k,
    l,
    kl,
    lambda0,
    relTol,
    backend,
    signal: opts.signal,
    onProgress: opts.onProgress,
  };
  const gram = route === 'samples' ? sampleRoute(problem) : featureRoute(problem);
  const { yg, m, rank, constantColumns } = gram;
  const { lambda, raw, residual, iterations, converged } = fitWeights(yg, m, {
    k,
    n,
    l,
    mode,
    maxRefits: opts.maxRefits ?? 100,
    tolerance: opts.tolerance ?? 1e-8,
    lambda0,
    backend,
  });
  const value = residual > 0 ? (-residual * l) / n : 0;
  return {
    value,
    details: {
      weights: Array.from(lambda),
      unconstrainedWeights: Array.from(raw),
      iterations,
      ...(mode === 'converge' ? { converged } : {}),
      mode,
      flabels: source,
      rank,
      constantColumns,
      precision: gram.precision ?? 'float64',
    },
  };
}

/**
 * EMMS as a metric (id `emms`): F-labels when given, else the one-hot labels as the only F-label.
 *
 * Paper: Meng et al., "Foundation Model is Efficient Multimodal Multitask Model Selector",
 * NeurIPS 2023, arXiv 2308.06262. Reference implementation: github.com/OpenGVLab/Multitask-Model-Selector
 * (EMMS, `utils.py`); our values match its fixtures within 1e-6 relative.
 */
export const emmsMetric = defineMetric({
  id: 'emms',
  description:
    'EMMS: regress the features onto a weighted mix of foundation-model label embeddings (F-labels); higher fits better (Meng et al. 2023)',
  inputs: { required: ['features'], optional: ['flabels', 'labels'] },
  higherIsBetter: true,
  options: z.object({
    iterations: z
      .enum(['one-step', 'converge'])
      .default('one-step')
      .describe(
        'one-step: the published code (one weight update); converge: alternate until the F-label weights change by ≤ 1e-8 (at most 100 refits)',
      ),
    rankTol: z
      .number()
      .min(0)
      .lt(1)
      .default(1e-10)
      .describe(
        'relative pivot threshold deciding which standardised feature columns are linearly dependent',
      ),
    route: z
      .enum(['features', 'samples'])
      .optional()
      .describe(
        'which Gram matrix carries the projection: features (D×D) or samples (N×N); default: the cheaper one, same score either way',
      ),
    precision: z
      .enum(['float64', 'float32'])
      .default('float64')
      .describe(
        'float32: the products over the samples in single precision on backends that have it (OpenBLAS), faster at large N, values within about 1e-5 relative',
      ),
  }),
  references: [
    {
      title:
        'Meng, Shao, et al., "Foundation Model is Efficient Multimodal Multitask Model Selector", NeurIPS 2023',
      arxiv: '2308.06262',
      repository: 'github.com/OpenGVLab/Multitask-Model-Selector',
    },
  ],
  regime:
    'Any N ≥ 2 and D ≥ 1, including N ≤ D (then the projection is exact and the score is 0). Needs F-labels (or labels for the one-hot stand-in) of one width; compare models on the same data set only.',
  saturation: ({ samples: n, features: d }) =>
    d >= n - 1
      ? `D = ${d} ≥ N − 1 = ${n - 1}: the least squares fits any F-label exactly, so EMMS is 0 for every model; reduce the features (reduce "auto" or "pca:K")`
      : d >= n / 2
        ? `D = ${d} ≥ N/2 = ${n / 2}: the fit approaches interpolation and EMMS rewards wide features; reduce the features (reduce "auto")`
        : undefined,
  docs: emmsDocs,
  compute(inputs, options, context) {
    const flabels = inputs.flabels ?? [];
    if (flabels.length === 0 && !inputs.labels) {
      throw new EmmsError(
        'MISSING_INPUT',
        'metric "emms" needs F-labels (inputs.flabels) or labels (inputs.labels)',
        { input: 'flabels', details: { metric: 'emms' } },
      );
    }
    return emmsCompute(inputs.features!, flabels, {
      ...options,
      labels: inputs.labels,
      backend: context.backend,
      signal: context.signal,
      onProgress: context.onProgress,
    });
  },
  resample(inputs, options, { backend }) {
    const flabels = inputs.flabels ?? [];
    if (flabels.length === 0 && !inputs.labels) {
      throw new EmmsError(
        'MISSING_INPUT',
        'metric "emms" needs F-labels (inputs.flabels) or labels (inputs.labels)',
        {
          input: 'flabels',
          details: { metric: 'emms' },
        },
      );
    }
    const ys = flabels.length > 0 ? flabels : [oneHot(inputs.labels!)];
    const bad = ys.findIndex((y) => y.cols !== ys[0].cols);
    if (bad >= 0) {
      throw new EmmsError(
        'FLABEL_WIDTH_MISMATCH',
        `flabels[${bad}] has ${ys[bad].cols} columns but flabels[0] has ${ys[0].cols}; EMMS stacks F-labels, so they must share one width`,
        { input: `flabels[${bad}]`, details: { expected: ys[0].cols, found: ys[bad].cols } },
      );
    }
    return emmsResampling(inputs.features!, ys, inputs.labels, {
      mode: options.iterations,
      rankTol: options.rankTol,
      tolerance: 1e-8,
      maxRefits: 100,
      backend,
    });
  },
});

/**
 * EMMS of features against F-labels (or the one-hot labels).
 *
 * @param inputs - `features` N×D; `flabels` K matrices N×L (same L), or `labels` N integers.
 * @param options - `iterations` ('one-step' | 'converge'), `rankTol`, `route`, `precision`
 *   ('float64' | 'float32'); and `backend`, `signal`,
 *   `onProgress`, `relabel`.
 * @returns `{ value, details }`: value = −‖Π − T‖²·L/N ≤ 0 (higher fits better), details
 *   {@link EmmsDetails}.
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, FLABEL_WIDTH_MISMATCH, NON_FINITE, INVALID_OPTION.
 * @see arXiv 2308.06262; github.com/OpenGVLab/Multitask-Model-Selector
 * @example
 * ```ts
 * const features = { rows: 4, cols: 2, data: new Float64Array([1, 0, 0, 1, 1, 1, 2, 0]) };
 * const flabels = [{ rows: 4, cols: 1, data: new Float64Array([1, 0, 1, 2]) }];
 * const { value, details } = emmsScore({ features, flabels });
 * console.assert(value <= 0 && details.weights.length === 1);
 * ```
 */
export const emmsScore = scoreFunction(emmsMetric);
