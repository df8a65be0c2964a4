import { type Dense, eighProject, getBackend, type LinalgBackend } from '@emms/linalg';
import { defineMetric, degenerate, type MetricResampling, scoreFunction, z } from '@emms/metric-spec';
import { EmmsError, type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';
import { notTall, requireEveryClass, resampleMoments, tooWide } from '../resample-rows';
import { logmeDocs } from './docs/logme';
import { columnEvidence, LOGME_VARIANTS, type LogmeVariant } from './logme-evidence';
import { keptSpectrum } from './logme-spectrum';

/** Options of {@link logmeCompute}. */
export interface LogmeOptions {
  /** Linear-algebra backend (default: the current one). */
  readonly backend?: LinalgBackend;
  readonly signal?: AbortSignal;
  /** Progress in two steps ("score:logme"): spectrum, then evidence. */
  readonly onProgress?: ProgressListener;
  /** Evidence maximisation (default `fixed-point`, thuml's published code); see {@link columnEvidence}. */
  readonly variant?: LogmeVariant;
}

/** Diagnostics of {@link logmeCompute}. */
export type LogmeDetails = {
  readonly mode: 'classification' | 'regression';
  /** Evidence per class (classification) or per target column (regression). */
  readonly evidence: number[];
  /** Fixed-point iterations used per column (at most 11). */
  readonly iterations: number[];
  /** Number of spectrum values used (k). */
  readonly rank: number;
  /** The evidence maximisation used. */
  readonly variant: LogmeVariant;
  /** Set when the published variant is in the regime where it stops measuring transferability. */
  readonly warning?: string;
};

/** The spectrum the evidence needs: σ (k values) and the projections x = Uᵀt for every column. */
interface Spectrum {
  readonly sigma: Float64Array;
  /** cols × k, row j = Uᵀ t_j. */
  readonly proj: Float64Array;
}

/**
 * The N > D spectrum from XᵀX and TᵀX (columns × D): XᵀX = V diag(σ) Vᵀ, u_i = X v_i / √σ_i, so
 * Uᵀt = diag(1/√σ) Vᵀ (Xᵀt), the projection of Xᵀt on the eigenvectors.
 */
function gramSpectrum(gram: Dense, txt: Dense, backend: LinalgBackend): Spectrum {
  const d = gram.rows;
  const columns = txt.rows;
  const xt = new Float64Array(d * columns);
  for (let c = 0; c < columns; c++) for (let j = 0; j < d; j++) xt[j * columns + c] = txt.data[c * d + j];
  const { values, projected } = eighProject(gram, { rows: d, cols: columns, data: xt }, { backend });
  const { kept, sigma } = keptSpectrum(values, true);
  const k = kept.length;
  const proj = new Float64Array(columns * k);
  for (let a = 0; a < k; a++) {
    const inv = 1 / Math.sqrt(sigma[a]);
    const row = kept[a] * columns;
    for (let c = 0; c < columns; c++) proj[c * k + a] = projected.data[row + c] * inv;
  }
  return { sigma, proj };
}

/**
 * Spectrum of X and Uᵀt for all columns of T at once. `transposedTimes(M)` gives TᵀM and
 * `targetMatrix()` T itself (N × columns).
 */
function spectrum(
  x: Matrix,
  columns: number,
  transposedTimes: (m: Matrix) => Dense,
  targetMatrix: () => Matrix,
  backend: LinalgBackend,
): Spectrum {
  const n = x.rows;
  const d = x.cols;
  if (n > d) return gramSpectrum(backend.gram(x), transposedTimes(x), backend);
  // Thin SVD through X Xᵀ = U diag(s²) Uᵀ (N×N), keeping all N values; Uᵀt directly.
  const xt = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xt[j * n + i] = x.data[i * d + j];
  const { values, projected } = eighProject(backend.gram({ rows: d, cols: n, data: xt }), targetMatrix(), {
    backend,
  });
  const { kept: order, sigma } = keptSpectrum(values, false);
  const proj = new Float64Array(columns * n);
  for (let a = 0; a < n; a++) {
    const row = order[a] * columns;
    for (let c = 0; c < columns; c++) proj[c * n + a] = projected.data[row + c];
  }
  return { sigma, proj };
}

/**
 * LogME (You et al., ICML 2021), thuml's fixed-point version: the mean over target columns of
 * the log marginal evidence of Bayesian linear regression of each column on the features.
 * Classification (`labels`): one 0/1 indicator column per class 0..C−1. Regression
 * (`targets`): each column of the target matrix (e.g. an F-label). Features and targets are used
 * as given (no centring or scaling). The spectrum comes from one symmetric eigendecomposition
 * of the smaller Gram matrix (XᵀX when N > D, keeping √σ > 1e-10; else XXᵀ, keeping all N), and
 * Uᵀt for every column is one matrix product.
 */
export function logmeCompute(
  features: Matrix,
  target: { readonly labels: Int32Array } | { readonly targets: Matrix },
  opts: LogmeOptions = {},
): { value: number; details: LogmeDetails } {
  const backend = opts.backend ?? getBackend();
  const variant = opts.variant ?? 'fixed-point';
  const n = features.rows;
  const d = features.cols;
  let columns: number;
  let norms: Float64Array;
  let transposedTimes: (m: Matrix) => Dense;
  let targetMatrix: () => Matrix;
  let mode: 'classification' | 'regression';
  if ('labels' in target && target.labels) {
    const y = target.labels;
    if (y.length !== n) {
      throw new EmmsError('ROW_MISMATCH', `labels has ${y.length} entries but features has ${n} rows`, {
        input: 'labels',
        details: { expected: n, found: y.length },
      });
    }
    mode = 'classification';
    columns = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(y[i]) || y[i] < 0) {
        throw new EmmsError('LABEL_OUT_OF_RANGE', `labels[${i}] is ${y[i]}; labels must be integers ≥ 0`, {
          input: 'labels',
        });
      }
      columns = Math.max(columns, y[i] + 1);
    }
    const c = columns;
    norms = new Float64Array(c);
    for (let i = 0; i < n; i++) norms[y[i]]++;
    // Tᵀ M for the indicator matrix T: per-class sums of the rows of M.
    transposedTimes = (m) => {
      const w = m.cols;
      const out = new Float64Array(c * w);
      for (let i = 0; i < n; i++) {
        const o = y[i] * w;
        const s = i * w;
        for (let j = 0; j < w; j++) out[o + j] += m.data[s + j];
      }
      return { rows: c, cols: w, data: out };
    };
    targetMatrix = () => {
      const t = new Float64Array(n * c);
      for (let i = 0; i < n; i++) t[i * c + y[i]] = 1;
      return { rows: n, cols: c, data: t };
    };
  } else {
    const t = (target as { targets: Matrix }).targets;
    if (t.rows !== n) {
      throw new EmmsError('ROW_MISMATCH', `targets has ${t.rows} rows but features has ${n}`, {
        input: 'targets',
        details: { expected: n, found: t.rows },
      });
    }
    mode = 'regression';
    columns = t.cols;
    norms = new Float64Array(columns);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < columns; j++) {
        const v = t.data[i * columns + j];
        norms[j] += v * v;
      }
    }
    transposedTimes = (m) => backend.crossProduct(t, m);
    targetMatrix = () => t;
  }
  opts.signal?.throwIfAborted();
  const progress = progressTracker('score:logme', 2, opts.onProgress);
  const spec = spectrum(features, columns, transposedTimes, targetMatrix, backend);
  progress.advance(1, 'spectrum');
  opts.signal?.throwIfAborted();
  const { sum, evidence, iterations } = evidenceOf(spec, norms, n, d, variant);
  progress.advance(1, 'evidence');
  const warning = variant === 'fixed-point' && d > n ? fixedPointWarning(d, n) : undefined;
  return {
    value: sum / columns,
    details: {
      mode,
      evidence,
      iterations,
      rank: spec.sigma.length,
      variant,
      ...(warning ? { warning } : {}),
    },
  };
}

/** The evidence of every target column from the spectrum; DEGENERATE_INPUT for a useless spectrum. */
function evidenceOf(
  { sigma, proj }: Spectrum,
  norms: Float64Array,
  n: number,
  d: number,
  variant: LogmeVariant,
): { sum: number; evidence: number[]; iterations: number[] } {
  const columns = norms.length;
  const k = sigma.length;
  if (k === 0 || !(sigma[0] > 0) || !Number.isFinite(sigma[0])) {
    throw degenerate(
      'logme',
      'features',
      k === 0
        ? 'have no singular value above 1e-10 (they are all zero or scaled close to zero)'
        : 'are too large for the evidence (their Gram matrix overflows)',
      'rescale the features (e.g. standardise them) before scoring',
    );
  }
  const evidence: number[] = [];
  const iterations: number[] = [];
  let sum = 0;
  for (let c = 0; c < columns; c++) {
    const e = columnEvidence(sigma, proj, c * k, norms[c], n, d, variant);
    evidence.push(e.evidence);
    iterations.push(e.iterations);
    sum += e.evidence;
  }
  if (!Number.isFinite(sum)) {
    throw degenerate(
      'logme',
      'features',
      'give a non-finite evidence (their scale is extreme for the fixed-point iteration)',
      'rescale the features (e.g. standardise them) before scoring',
    );
  }
  return { sum, evidence, iterations };
}

/**
 * LogME (classification) under row multiplicities: XᵀWX from the weighted scatter and mean, the
 * class columns' Xᵀt and ‖t‖² from weighted class sums and counts, N = Σ counts; then the same
 * spectrum and evidence as {@link logmeCompute} on the materialised rows (the N > D route).
 */
function logmeResampling(
  features: Matrix,
  labels: Int32Array,
  { variant, backend }: { variant: LogmeVariant; backend: LinalgBackend },
): MetricResampling {
  const why = tooWide(features) ?? notTall(features);
  if (why) return { unavailable: why };
  const d = features.cols;
  let c = 0;
  for (const y of labels) c = Math.max(c, y + 1);
  return {
    resample(counts) {
      const m = resampleMoments(features, labels, c, counts, backend);
      requireEveryClass('logme', m.counts);
      // XᵀWX = scatter + N μμᵀ; Tᵀ W X: the class sums n_c μ_c
      const n = m.rows.total;
      const gram = Float64Array.from(m.scatter.data);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) gram[a * d + b] += n * m.mean[a] * m.mean[b];
      const sums = m.classMeans.data.map((v, k) => v * m.counts[Math.floor(k / d)]);
      const spec = gramSpectrum({ rows: d, cols: d, data: gram }, { rows: c, cols: d, data: sums }, backend);
      return evidenceOf(spec, m.counts, n, d, variant).sum / c;
    },
  };
}

/** What the published fixed-point evidence does for D > N: the warning of its details and its saturation regime. */
function fixedPointWarning(d: number, n: number): string {
  return `D = ${d} > N = ${n}: the published fixed-point evidence leaves out (D − N)/2·log α and grows with D and the feature scale; use variant "corrected" (or reduce the features) to compare models`;
}

/**
 * LogME as a metric (id `logme`): regression on `targets` when given, else classification on
 * labels. Paper: You, Liu, Wang, Long, "LogME: Practical Assessment of Pre-trained Models for
 * Transfer Learning", ICML 2021, arXiv 2102.11005. Reference implementation: github.com/thuml/LogME
 * (LogME.py, the fixed-point version).
 */
export const logmeMetric = defineMetric({
  id: 'logme',
  description:
    'LogME: log marginal evidence of Bayesian linear regression on the features (classification on labels, or regression on targets) (You et al. 2021)',
  inputs: { required: ['features'], optional: ['labels', 'targets'] },
  higherIsBetter: true,
  references: [
    {
      title:
        'You, Liu, Wang, Long, "LogME: Practical Assessment of Pre-trained Models for Transfer Learning", ICML 2021',
      arxiv: '2102.11005',
      repository: 'github.com/thuml/LogME',
    },
  ],
  options: z.object({
    variant: z
      .enum(['fixed-point', 'icml', 'corrected'])
      .default('fixed-point')
      .describe(
        `evidence maximisation: fixed-point (${LOGME_VARIANTS['fixed-point']}); icml (${LOGME_VARIANTS.icml}); corrected (${LOGME_VARIANTS.corrected})`,
      ),
  }),
  regime:
    'fixed-point (published): N > D, features used as given (their scale matters, as in the reference); for D ≥ N it omits (D − N)/2·log α and rewards wide features. corrected: any N and D, invariant to the feature scale.',
  saturation: ({ samples: n, features: d }, { variant }) =>
    variant === 'fixed-point' && d >= n
      ? d > n
        ? fixedPointWarning(d, n) // the computation reports it too: the runner keeps one copy
        : undefined
      : variant !== 'corrected' && d >= n / 2
        ? `D = ${d} ≥ N/2 = ${n / 2}: the published evidence depends on the feature scale and favours wide features here; use variant "corrected" or reduce the features`
        : undefined,
  presets: { rank: { variant: 'corrected' } },
  docs: logmeDocs,
  compute({ features, labels, targets }, options, context) {
    const run = {
      backend: context.backend,
      signal: context.signal,
      onProgress: context.onProgress,
      variant: options.variant,
    };
    if (targets) return logmeCompute(features!, { targets }, run);
    if (labels) return logmeCompute(features!, { labels }, run);
    throw new EmmsError(
      'MISSING_INPUT',
      'metric "logme" needs labels (inputs.labels) or a regression target (inputs.targets)',
      { input: 'labels', details: { metric: 'logme' } },
    );
  },
  resample({ features, labels, targets }, { variant }, { backend }) {
    if (targets || !labels)
      return { unavailable: 'LogME is resampled for class labels only, not regression targets' };
    return logmeResampling(features!, labels, { variant, backend });
  },
});

/**
 * LogME: mean over target columns of the log marginal evidence of Bayesian linear regression.
 *
 * @param inputs - `features` N×D and either `labels` N integers (classification, one indicator
 *   column per class) or `targets` N×T (regression).
 * @param options - `variant` ('fixed-point' default, 'icml', 'corrected'); `backend`, `signal`, `onProgress`, `relabel`.
 * @returns `{ value, details }` with {@link LogmeDetails} (mode, evidence per column, iterations, rank).
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES,
 *   DEGENERATE_INPUT (features all ~0).
 * @see arXiv 2102.11005; github.com/thuml/LogME
 * @example
 * ```ts
 * const features = { rows: 4, cols: 2, data: new Float64Array([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]) };
 * const { value, details } = logmeScore({ features, labels: Int32Array.from([0, 0, 1, 1]) });
 * console.assert(Number.isFinite(value) && details.mode === 'classification');
 * ```
 */
export const logmeScore = scoreFunction(logmeMetric);
