import { type Dense, eighProject, getBackend, type LinalgBackend } from '@emms/linalg';
import { EmmsError, type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';
import type { Metric } from '../metric';
import { logmeEvidence } from './logme-spectrum';

/** Options of {@link logmeScore}. */
export interface LogmeOptions {
  /** Linear-algebra backend (default: the current one). */
  readonly backend?: LinalgBackend;
  readonly signal?: AbortSignal;
  /** Progress in two steps ("score:logme"): spectrum, then evidence. */
  readonly onProgress?: ProgressListener;
}

/** Diagnostics of {@link logmeScore}. */
export type LogmeDetails = {
  readonly mode: 'classification' | 'regression';
  /** Evidence per class (classification) or per target column (regression). */
  readonly evidence: number[];
  /** Fixed-point iterations used per column (at most 11). */
  readonly iterations: number[];
  /** Number of spectrum values used (k). */
  readonly rank: number;
};

/** The spectrum the evidence needs: σ (k values) and the projections x = Uᵀt for every column. */
interface Spectrum {
  readonly sigma: Float64Array;
  /** cols × k, row j = Uᵀ t_j. */
  readonly proj: Float64Array;
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
  if (n > d) {
    // XᵀX = V diag(σ) Vᵀ, u_i = X v_i / √σ_i, so Uᵀt = diag(1/√σ) Vᵀ (Xᵀt): one product XᵀT
    // (D × columns), then its projection on the eigenvectors.
    const txt = transposedTimes(x); // columns × D
    const xt = new Float64Array(d * columns);
    for (let c = 0; c < columns; c++) for (let j = 0; j < d; j++) xt[j * columns + c] = txt.data[c * d + j];
    const { values, projected } = eighProject(
      backend.gram(x),
      { rows: d, cols: columns, data: xt },
      { backend },
    );
    let top = 0;
    for (let i = 0; i < d; i++) top = Math.max(top, Math.abs(values[i]));
    // Descending order of |λ|; values below machine precision relative to the largest are taken at
    // ε·σ_max, the level an SVD of XᵀX returns for exact null directions (e.g. a dead column),
    // so that the reference's √σ > 1e-10 test keeps or drops them as it does.
    const order = Array.from({ length: d }, (_, i) => i).sort(
      (a, b) => Math.abs(values[b]) - Math.abs(values[a]),
    );
    const floor = 2 ** -52 * top;
    const kept: number[] = [];
    const sig: number[] = [];
    for (const i of order) {
      const s = Math.max(Math.abs(values[i]), floor);
      if (Math.sqrt(s) > 1e-10) {
        kept.push(i);
        sig.push(s);
      }
    }
    const k = kept.length;
    const proj = new Float64Array(columns * k);
    for (let a = 0; a < k; a++) {
      const inv = 1 / Math.sqrt(sig[a]);
      const row = kept[a] * columns;
      for (let c = 0; c < columns; c++) proj[c * k + a] = projected.data[row + c] * inv;
    }
    return { sigma: Float64Array.from(sig), proj };
  }
  // Thin SVD through X Xᵀ = U diag(s²) Uᵀ (N×N), keeping all N values; Uᵀt directly.
  const xt = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xt[j * n + i] = x.data[i * d + j];
  const { values, projected } = eighProject(backend.gram({ rows: d, cols: n, data: xt }), targetMatrix(), {
    backend,
  });
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => Math.abs(values[b]) - Math.abs(values[a]),
  );
  const sigma = Float64Array.from(order, (i) => Math.abs(values[i]));
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
export function logmeScore(
  features: Matrix,
  target: { readonly labels: Int32Array } | { readonly targets: Matrix },
  opts: LogmeOptions = {},
): { value: number; details: LogmeDetails } {
  const backend = opts.backend ?? getBackend();
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
  const { sigma, proj } = spectrum(features, columns, transposedTimes, targetMatrix, backend);
  progress.advance(1, 'spectrum');
  opts.signal?.throwIfAborted();
  const k = sigma.length;
  const evidence: number[] = [];
  const iterations: number[] = [];
  let sum = 0;
  for (let c = 0; c < columns; c++) {
    const e = logmeEvidence(sigma, proj, c * k, norms[c], n, d);
    evidence.push(e.evidence);
    iterations.push(e.iterations);
    sum += e.evidence;
  }
  progress.advance(1, 'evidence');
  return { value: sum / columns, details: { mode, evidence, iterations, rank: k } };
}

/** LogME as a {@link Metric}: regression on `targets` when given, else classification on labels. */
export const logmeMetric: Metric = {
  specificationVersion: 'v1',
  id: 'logme',
  description:
    'LogME: log marginal evidence of Bayesian linear regression on the features (classification on labels, or regression on --targets) (You et al. 2021)',
  inputs: { required: ['features'], optional: ['labels', 'targets'] },
  higherIsBetter: true,
  options: [],
  compute(inputs, _options, context) {
    if (inputs.targets) {
      return logmeScore(
        inputs.features!,
        { targets: inputs.targets },
        { backend: context.backend, signal: context.signal, onProgress: context.onProgress },
      );
    }
    if (inputs.labels) {
      return logmeScore(
        inputs.features!,
        { labels: inputs.labels },
        { backend: context.backend, signal: context.signal, onProgress: context.onProgress },
      );
    }
    throw new EmmsError(
      'MISSING_INPUT',
      'metric "logme" needs labels (--labels) or a regression target (--targets)',
      {
        input: 'labels',
        details: { metric: 'logme', flag: '--labels' },
      },
    );
  },
};
