import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import {
  type CovarianceFactor,
  covarianceOf,
  type Precision,
  precisionOf,
  weightedLogProb,
} from './gmm-components';
import { kmeans } from './kmeans';
import { checkAbort, toDense } from './util';

/** Options of {@link fitGaussianMixture}. */
export interface GaussianMixtureOptions {
  /** Number of mixture components K (≤ number of rows). */
  readonly components: number;
  /** Seed of the k-means++ initialisation (default 0); equal seeds give equal fits. */
  readonly seed?: number;
  /** Added to every covariance diagonal (default 1e-6). */
  readonly reg?: number;
  /** EM stops when the mean log-likelihood changes by less than this (default 1e-3). */
  readonly tol?: number;
  /** Most EM steps (default 100). */
  readonly maxIter?: number;
  readonly backend?: LinalgBackend;
  /** Checked before every EM step; aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called after every EM step with the step number and the mean log-likelihood. */
  readonly onIteration?: (iteration: number, logLikelihood: number) => void;
}

/** A fitted full-covariance Gaussian mixture. */
export interface GaussianMixture {
  /** Mixing weights (K), summing to 1. */
  readonly weights: Float64Array;
  /** Component means, K × d. */
  readonly means: Dense;
  /**
   * Component covariances, K matrices d × d (regularised); built on first access from the factors
   * the fit keeps (a component with few rows is held as Σ = AᵀA + reg·I).
   */
  readonly covariances: readonly Dense[];
  /** EM steps run. */
  readonly iterations: number;
  /** Whether EM met `tol` before `maxIter`. */
  readonly converged: boolean;
  /** Mean log-likelihood per sample at the last E-step. */
  readonly logLikelihood: number;
  /** Posterior p(component | x) for each row of `x` (rows × K). */
  posterior(x: Matrix): Dense;
}

/** Turns weighted log-probabilities into responsibilities in place; returns the mean log-likelihood. */
function normaliseLog(lp: Dense): number {
  const { rows: n, cols: k, data } = lp;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let mx = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) if (data[o + c] > mx) mx = data[o + c];
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(data[o + c] - mx);
      data[o + c] = e;
      s += e;
    }
    total += mx + Math.log(s);
    const inv = 1 / s;
    for (let c = 0; c < k; c++) data[o + c] *= inv;
  }
  return total / n;
}

/**
 * M-step from responsibilities `r` (n × K): weights ∝ n_k, means Σ_i r_ik x_i / n_k (one product
 * RᵀX, or a sum over the nonzero responsibilities when at most 1 in 8 is nonzero, as after hard
 * assignments), and each covariance from the rows with r_ik > 0: A = rows √(r_ik/n_k)(x_i − μ_k),
 * Σ_k = AᵀA + reg·I, kept factored when there are at most d/2 such rows (and reg > 0), else
 * formed as a Gram matrix.
 */
function mStep(backend: LinalgBackend, x: Dense, r: Dense, reg: number) {
  const { rows: n, cols: d } = x;
  const k = r.cols;
  const rd = r.data;
  const xd = x.data;
  const nk = new Float64Array(k);
  const support = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const v = rd[i * k + c];
      nk[c] += v;
      if (v !== 0) support[c]++;
    }
  }
  for (let c = 0; c < k; c++) nk[c] += 10 * Number.EPSILON;
  let nonzero = 0;
  for (let c = 0; c < k; c++) nonzero += support[c];
  let means: Float64Array;
  if (nonzero * 8 <= n * k) {
    means = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let c = 0; c < k; c++) {
        const v = rd[i * k + c];
        if (v === 0) continue;
        const mo = c * d;
        for (let j = 0; j < d; j++) means[mo + j] += v * xd[o + j];
      }
    }
  } else {
    means = backend.crossProduct(r, x).data.slice();
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];
  const factors: CovarianceFactor[] = [];
  // √r-weighted residual rows of a full component (allocated when one needs it)
  let rows: Float64Array | null = null;
  for (let c = 0; c < k; c++) {
    const mo = c * d;
    const m = support[c];
    if (reg > 0 && 2 * m <= d) {
      // A transposed (d × m), scaled by 1/√n_k so that Σ = AᵀA + reg·I
      const at = new Float64Array(d * m);
      const inv = 1 / nk[c];
      let p = 0;
      for (let i = 0; i < n && p < m; i++) {
        const w = rd[i * k + c];
        if (w === 0) continue;
        const s = Math.sqrt(w * inv);
        const o = i * d;
        for (let j = 0; j < d; j++) at[j * m + p] = s * (xd[o + j] - means[mo + j]);
        p++;
      }
      factors.push({ kind: 'lowRank', at: { rows: d, cols: m, data: at }, reg });
      continue;
    }
    rows ??= new Float64Array(n * d);
    let used = 0;
    for (let i = 0; i < n; i++) {
      const w = rd[i * k + c];
      if (w === 0) continue;
      const s = Math.sqrt(w);
      const o = i * d;
      const p = used * d;
      for (let j = 0; j < d; j++) rows[p + j] = s * (xd[o + j] - means[mo + j]);
      used++;
    }
    const cov =
      used > 0
        ? backend.gram({ rows: used, cols: d, data: rows.subarray(0, used * d) }).data
        : new Float64Array(d * d);
    const inv = 1 / nk[c];
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) {
        // symmetric to the last bit: the mean of the two triangles' values
        const v = 0.5 * (cov[a * d + b] + cov[b * d + a]) * inv;
        cov[a * d + b] = v;
        cov[b * d + a] = v;
      }
      cov[a * d + a] = cov[a * d + a] * inv + reg;
    }
    factors.push({ kind: 'full', cov: { rows: d, cols: d, data: cov } });
  }
  let sum = 0;
  for (let c = 0; c < k; c++) sum += nk[c];
  const weights = nk.map((v) => v / sum);
  return { weights, means: { rows: k, cols: d, data: means } as Dense, factors };
}

/** Every component's precision; a singular covariance is an INVALID_OPTION naming reg. */
function precisions(backend: LinalgBackend, factors: readonly CovarianceFactor[]): Precision[] {
  return factors.map((f, component) => {
    const p = precisionOf(backend, f);
    if (!p) {
      throw new EmmsError(
        'INVALID_OPTION',
        `Gaussian mixture component ${component} has a singular covariance; increase option reg or reduce the number of components`,
        { input: 'reg' },
      );
    }
    return p;
  });
}

/**
 * Fits a full-covariance Gaussian mixture by EM as scikit-learn's GaussianMixture does (k-means
 * initialisation, reg added to each covariance diagonal, stop when the mean log-likelihood changes by
 * less than tol), but seeded with a platform-independent PRNG so equal seeds give equal fits.
 */
export function fitGaussianMixture(x: Matrix, options: GaussianMixtureOptions): GaussianMixture {
  const backend = options.backend ?? getBackend();
  const k = options.components;
  const reg = options.reg ?? 1e-6;
  const tol = options.tol ?? 1e-3;
  const maxIter = options.maxIter ?? 100;
  const xd = toDense(x);
  const n = xd.rows;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new EmmsError(
      'INVALID_OPTION',
      `a mixture of ${k} components needs between 1 and ${n} (the rows) components`,
      {
        input: 'components',
      },
    );
  }
  const labels = kmeans(xd, k, options.seed ?? 0, 300, backend);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  let params = mStep(backend, xd, { rows: n, cols: k, data: resp }, reg);
  let prec = precisions(backend, params.factors);
  let lower = Number.NEGATIVE_INFINITY;
  let converged = false;
  let iterations = 0;
  for (let it = 1; it <= maxIter; it++) {
    checkAbort(options.signal);
    iterations = it;
    const prev = lower;
    const r = weightedLogProb(backend, xd, params.weights, params.means, prec);
    lower = normaliseLog(r);
    params = mStep(backend, xd, r, reg);
    prec = precisions(backend, params.factors);
    options.onIteration?.(it, lower);
    if (Math.abs(lower - prev) < tol) {
      converged = true;
      break;
    }
  }
  const final = params;
  const finalPrec = prec;
  let covariances: Dense[] | undefined;
  return {
    weights: final.weights,
    means: final.means,
    get covariances(): Dense[] {
      covariances ??= final.factors.map((f) => covarianceOf(backend, f));
      return covariances;
    },
    iterations,
    converged,
    logLikelihood: lower,
    posterior(q: Matrix): Dense {
      const lp = weightedLogProb(backend, toDense(q), final.weights, final.means, finalPrec);
      normaliseLog(lp);
      return lp;
    },
  };
}
