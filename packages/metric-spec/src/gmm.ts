import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { checkAbort, seededRandom, toDense } from './util';

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
  /** Component covariances, K matrices d × d (regularised). */
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

function sqDist(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/**
 * The centre (of k, row-major k × d) nearest to row i of data (ties: lowest index); its squared
 * distance is stored in dist[i].
 */
function nearestCenter(
  data: Float64Array,
  i: number,
  d: number,
  centers: Float64Array,
  k: number,
  dist: Float64Array,
): number {
  let bl = 0;
  let bd = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const q = sqDist(data, i * d, centers, c * d, d);
    if (q < bd) {
      bd = q;
      bl = c;
    }
  }
  dist[i] = bd;
  return bl;
}

/** k-means++ seeding (greedy, 2 + ⌊ln K⌋ candidates per centre) followed by Lloyd iterations. */
export function kmeans(x: Dense, k: number, seed: number, maxIter = 300): Int32Array {
  const { rows: n, cols: d, data } = x;
  const rand = seededRandom(seed);
  const centers = new Float64Array(k * d);
  const first = Math.min(n - 1, Math.floor(rand() * n));
  centers.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = sqDist(data, i * d, centers, 0, d);
  const trials = 2 + Math.floor(Math.log(k));
  const cand = new Float64Array(n);
  const best = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    const cum = new Float64Array(n);
    let pot = 0;
    for (let i = 0; i < n; i++) {
      pot += closest[i];
      cum[i] = pot;
    }
    let bestPot = Number.POSITIVE_INFINITY;
    let bestId = 0;
    for (let t = 0; t < trials; t++) {
      const r = rand() * pot;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < r) lo = mid + 1;
        else hi = mid;
      }
      let candPot = 0;
      for (let i = 0; i < n; i++) {
        cand[i] = Math.min(closest[i], sqDist(data, i * d, data, lo * d, d));
        candPot += cand[i];
      }
      if (candPot < bestPot) {
        bestPot = candPot;
        bestId = lo;
        best.set(cand);
      }
    }
    centers.set(data.subarray(bestId * d, bestId * d + d), c * d);
    closest.set(best);
  }
  // Lloyd: stop when no label changes or the centres move by less than 1e-4 × mean feature variance.
  let meanVar = 0;
  for (let j = 0; j < d; j++) {
    let m = 0;
    let q = 0;
    for (let i = 0; i < n; i++) m += data[i * d + j];
    m /= n;
    for (let i = 0; i < n; i++) q += (data[i * d + j] - m) ** 2;
    meanVar += q / n;
  }
  const tol = (1e-4 * meanVar) / d;
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const bl = nearestCenter(data, i, d, centers, k, dist);
      if (labels[i] !== bl) changed++;
      labels[i] = bl;
    }
    if (changed === 0) break;
    const next = new Float64Array(k * d);
    const count = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      count[labels[i]]++;
      for (let j = 0; j < d; j++) next[labels[i] * d + j] += data[i * d + j];
    }
    // An empty cluster takes the point farthest from its centre (ties: lowest index).
    const taken = new Uint8Array(n);
    for (let c = 0; c < k; c++) {
      if (count[c] > 0) continue;
      let far = -1;
      for (let i = 0; i < n; i++)
        if (!taken[i] && count[labels[i]] > 1 && (far < 0 || dist[i] > dist[far])) far = i;
      if (far < 0) continue;
      taken[far] = 1;
      const old = labels[far];
      count[old]--;
      for (let j = 0; j < d; j++) next[old * d + j] -= data[far * d + j];
      labels[far] = c;
      count[c] = 1;
      for (let j = 0; j < d; j++) next[c * d + j] = data[far * d + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const v = next[c * d + j] / count[c];
        shift += (v - centers[c * d + j]) ** 2;
        centers[c * d + j] = v;
      }
    }
    if (shift <= tol) {
      // final assignment to the last centres
      for (let i = 0; i < n; i++) labels[i] = nearestCenter(data, i, d, centers, k, dist);
      break;
    }
  }
  return labels;
}

/** Lower-triangular inverse of a Cholesky factor (d × d, row-major). */
function invertLower(l: Dense): Dense {
  const d = l.rows;
  const a = l.data;
  const inv = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    inv[j * d + j] = 1 / a[j * d + j];
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let t = j; t < i; t++) s += a[i * d + t] * inv[t * d + j];
      inv[i * d + j] = -s / a[i * d + i];
    }
  }
  return { rows: d, cols: d, data: inv };
}

interface Precision {
  /** L⁻¹ (lower triangular, row-major): L⁻¹(x − μ) is the whitened residual. */
  readonly linv: Dense;
  readonly logDet: number;
}

function precisionOf(backend: LinalgBackend, cov: Dense, component: number): Precision {
  const l = backend.cholesky(cov);
  if (!l) {
    throw new EmmsError(
      'INVALID_OPTION',
      `Gaussian mixture component ${component} has a singular covariance; increase option reg or reduce the number of components`,
      { input: 'reg' },
    );
  }
  const d = cov.rows;
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += 2 * Math.log(l.data[i * d + i]);
  return { linv: invertLower(l), logDet };
}

/** log(w_k) + log N(x_i | μ_k, Σ_k) for every row and component (rows × K). */
function weightedLogProb(x: Dense, weights: Float64Array, means: Dense, prec: Precision[]): Dense {
  const { rows: n, cols: d } = x;
  const k = weights.length;
  const out = new Float64Array(n * k);
  const c0 = d * Math.log(2 * Math.PI);
  const xd = x.data;
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    // Whitened residual u = L⁻¹(x − μ), L⁻¹ lower triangular.
    const li = prec[c].linv.data;
    const mo = c * d;
    const base = Math.log(weights[c]) - 0.5 * (c0 + prec[c].logDet);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let j = 0; j < d; j++) diff[j] = xd[o + j] - means.data[mo + j];
      let q = 0;
      for (let j = 0; j < d; j++) {
        let u = 0;
        for (let t = 0, r = j * d; t <= j; t++) u += li[r + t] * diff[t];
        q += u * u;
      }
      out[i * k + c] = base - 0.5 * q;
    }
  }
  return { rows: n, cols: k, data: out };
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
    for (let c = 0; c < k; c++) s += Math.exp(data[o + c] - mx);
    const lse = mx + Math.log(s);
    total += lse;
    for (let c = 0; c < k; c++) data[o + c] = Math.exp(data[o + c] - lse);
  }
  return total / n;
}

/** M-step from responsibilities `r` (n × K): weights ∝ n_k, means, covariances + reg·I. */
function mStep(x: Dense, r: Dense, reg: number) {
  const { rows: n, cols: d } = x;
  const k = r.cols;
  const nk = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) nk[c] += r.data[i * k + c];
  for (let c = 0; c < k; c++) nk[c] += 10 * Number.EPSILON;
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const w = r.data[i * k + c];
      if (w === 0) continue;
      for (let j = 0; j < d; j++) means[c * d + j] += w * x.data[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];
  const covariances: Dense[] = [];
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    // Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ / n_c, lower triangle accumulated then mirrored.
    const cov = new Float64Array(d * d);
    const mo = c * d;
    for (let i = 0; i < n; i++) {
      const w = r.data[i * k + c];
      if (w === 0) continue;
      const o = i * d;
      for (let j = 0; j < d; j++) diff[j] = x.data[o + j] - means[mo + j];
      for (let a = 0; a < d; a++) {
        const wa = w * diff[a];
        const ra = a * d;
        for (let b = 0; b <= a; b++) cov[ra + b] += wa * diff[b];
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const v = cov[a * d + b] / nk[c];
        cov[a * d + b] = v;
        cov[b * d + a] = v;
      }
      cov[a * d + a] += reg;
    }
    covariances.push({ rows: d, cols: d, data: cov });
  }
  let sum = 0;
  for (let c = 0; c < k; c++) sum += nk[c];
  const weights = nk.map((v) => v / sum);
  return { weights, means: { rows: k, cols: d, data: means } as Dense, covariances };
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
  const labels = kmeans(xd, k, options.seed ?? 0);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  let params = mStep(xd, { rows: n, cols: k, data: resp }, reg);
  let prec = params.covariances.map((c, i) => precisionOf(backend, c, i));
  let lower = Number.NEGATIVE_INFINITY;
  let converged = false;
  let iterations = 0;
  for (let it = 1; it <= maxIter; it++) {
    checkAbort(options.signal);
    iterations = it;
    const prev = lower;
    const r = weightedLogProb(xd, params.weights, params.means, prec);
    lower = normaliseLog(r);
    params = mStep(xd, r, reg);
    prec = params.covariances.map((c, i) => precisionOf(backend, c, i));
    options.onIteration?.(it, lower);
    if (Math.abs(lower - prev) < tol) {
      converged = true;
      break;
    }
  }
  const final = params;
  const finalPrec = prec;
  return {
    weights: final.weights,
    means: final.means,
    covariances: final.covariances,
    iterations,
    converged,
    logLikelihood: lower,
    posterior(q: Matrix): Dense {
      const lp = weightedLogProb(toDense(q), final.weights, final.means, finalPrec);
      normaliseLog(lp);
      return lp;
    },
  };
}
