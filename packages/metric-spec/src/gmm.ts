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

/**
 * float64 elements of one product block (32 MiB): row blocks of the data are sized so that a
 * block's product with the centres or a whitening factor stays below this.
 */
const BLOCK_ELEMS = 1 << 22;

function sqDist(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/** Squared norm of every row of a row-major n × d matrix. */
function rowNorms(data: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d, e = j + d; j < e; j++) s += data[j] * data[j];
    out[i] = s;
  }
  return out;
}

/** The given rows of a row-major n × d matrix, transposed: d × rows.length. */
function transposedRows(data: Float64Array, d: number, rows: ArrayLike<number>): Dense {
  const m = rows.length;
  const out = new Float64Array(d * m);
  for (let c = 0; c < m; c++) {
    const o = rows[c] * d;
    for (let j = 0; j < d; j++) out[j * m + c] = data[o + j];
  }
  return { rows: d, cols: m, data: out };
}

/**
 * Squared distances from every row of x to each of m points, ‖x‖² + ‖c‖² − 2 x·c with the cross
 * terms as one product X Cᵀ per row block on the backend, clamped at 0. Calls `visit(i, row)`
 * with row i's m distances (a view valid during the call only).
 */
function forEachDistanceRow(
  backend: LinalgBackend,
  x: Dense,
  xNorms: Float64Array,
  centresT: Dense,
  centreNorms: Float64Array,
  visit: (i: number, row: Float64Array, offset: number) => void,
): void {
  const { rows: n, cols: d, data } = x;
  const m = centresT.cols;
  const rb = Math.max(1, Math.min(n, Math.floor(BLOCK_ELEMS / Math.max(1, m, d))));
  for (let r0 = 0; r0 < n; r0 += rb) {
    const nb = Math.min(rb, n - r0);
    const g = backend.matmul(
      { rows: nb, cols: d, data: data.subarray(r0 * d, (r0 + nb) * d) },
      centresT,
    ).data;
    for (let i = 0; i < nb; i++) {
      const o = i * m;
      const xi = xNorms[r0 + i];
      for (let c = 0; c < m; c++) {
        const v = xi + centreNorms[c] - 2 * g[o + c];
        g[o + c] = Math.max(v, 0);
      }
      visit(r0 + i, g, o);
    }
  }
}

/**
 * k-means++ seeding (greedy, 2 + ⌊ln K⌋ candidates per centre) followed by Lloyd iterations (stop
 * when no label changes or the centres move by less than 1e-4 × the mean feature variance), as
 * scikit-learn's KMeans with one initialisation, but seeded with this project's generator. The
 * distances of all rows to the candidates or centres are ‖x‖² + ‖c‖² − 2XCᵀ, one product on the
 * backend per step; an emptied cluster takes the row farthest from its centre.
 *
 * @param x - N × d rows (float64).
 * @param k - clusters, 1 ≤ k ≤ N.
 * @param seed - seed of the k-means++ draws; equal seeds give equal labels.
 * @param maxIter - Lloyd iterations at most (default 300).
 * @param backend - linear-algebra backend (default: the current one).
 * @returns the cluster (0..k−1) of every row, length N.
 * @see Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
 * @example
 * ```ts
 * const labels = kmeans({ rows: 4, cols: 1, data: Float64Array.of(0, 0.1, 5, 5.1) }, 2, 0);
 * // labels[0] === labels[1], labels[2] === labels[3], labels[0] !== labels[2]
 * ```
 */
export function kmeans(
  x: Dense,
  k: number,
  seed: number,
  maxIter = 300,
  backend?: LinalgBackend,
): Int32Array {
  const la = backend ?? getBackend();
  const { rows: n, cols: d, data } = x;
  const rand = seededRandom(seed);
  const xNorms = rowNorms(data, n, d);
  const centers = new Float64Array(k * d);
  const first = Math.min(n - 1, Math.floor(rand() * n));
  centers.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = sqDist(data, i * d, centers, 0, d);
  const trials = 2 + Math.floor(Math.log(k));
  const cum = new Float64Array(n);
  const candPot = new Float64Array(trials);
  const candIds = new Int32Array(trials);
  const candDist = new Float64Array(n * trials);
  for (let c = 1; c < k; c++) {
    let pot = 0;
    for (let i = 0; i < n; i++) {
      pot += closest[i];
      cum[i] = pot;
    }
    for (let t = 0; t < trials; t++) {
      const r = rand() * pot;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < r) lo = mid + 1;
        else hi = mid;
      }
      candIds[t] = lo;
    }
    // Potential of each candidate: Σ_i min(closest_i, ‖x_i − x_cand‖²), all candidates in one product.
    const candNorms = Float64Array.from(candIds, (id) => xNorms[id]);
    candPot.fill(0);
    forEachDistanceRow(la, x, xNorms, transposedRows(data, d, candIds), candNorms, (i, row, o) => {
      const ci = closest[i];
      for (let t = 0; t < trials; t++) {
        const v = row[o + t];
        const m = Math.min(v, ci);
        candDist[i * trials + t] = m;
        candPot[t] += m;
      }
    });
    let bestPot = Number.POSITIVE_INFINITY;
    let best = 0;
    for (let t = 0; t < trials; t++) {
      if (candPot[t] < bestPot) {
        bestPot = candPot[t];
        best = t;
      }
    }
    const bestId = candIds[best];
    centers.set(data.subarray(bestId * d, bestId * d + d), c * d);
    for (let i = 0; i < n; i++) closest[i] = candDist[i * trials + best];
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
  const all = Int32Array.from({ length: k }, (_, c) => c);
  /** Nearest centre of every row (ties: lowest index) into `assign`, its squared distance into dist; returns how many changed. */
  const assign = (into: Int32Array): number => {
    const centreNorms = rowNorms(centers, k, d);
    let changed = 0;
    forEachDistanceRow(la, x, xNorms, transposedRows(centers, d, all), centreNorms, (i, row, o) => {
      let bl = 0;
      let bd = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        if (row[o + c] < bd) {
          bd = row[o + c];
          bl = c;
        }
      }
      dist[i] = bd;
      if (into[i] !== bl) changed++;
      into[i] = bl;
    });
    return changed;
  };
  for (let it = 0; it < maxIter; it++) {
    if (assign(labels) === 0) break;
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
      assign(labels);
      break;
    }
  }
  return labels;
}

/** Order at or below which {@link invertLower} works row by row instead of splitting. */
const INVERT_LEAF = 160;

/** Rows r0..r0+m, columns c0..c0+w of a row-major matrix with rows of length ld, as a copy. */
function subBlock(a: Float64Array, ld: number, r0: number, m: number, c0: number, w: number): Float64Array {
  const out = new Float64Array(m * w);
  for (let i = 0; i < m; i++) out.set(a.subarray((r0 + i) * ld + c0, (r0 + i) * ld + c0 + w), i * w);
  return out;
}

/**
 * Inverse of a lower-triangular d × d matrix (row-major). Split L = [A 0; B C]: then
 * L⁻¹ = [A⁻¹ 0; −C⁻¹ B A⁻¹  C⁻¹], the off-diagonal block as two products on the backend, the
 * diagonal blocks recursively; blocks of order ≤ {@link INVERT_LEAF} row by row.
 */
function invertLower(backend: LinalgBackend, a: Float64Array, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  if (d <= INVERT_LEAF) {
    for (let i = 0; i < d; i++) {
      // row i of L⁻¹: −(Σ_{t<i} L[i,t] · row t of L⁻¹) / L[i,i], then 1/L[i,i] on the diagonal.
      const ri = i * d;
      for (let t = 0; t < i; t++) {
        const f = a[ri + t];
        if (f === 0) continue;
        const rt = t * d;
        for (let j = 0; j <= t; j++) inv[ri + j] += f * inv[rt + j];
      }
      const di = a[ri + i];
      for (let j = 0; j < i; j++) inv[ri + j] = -inv[ri + j] / di;
      inv[ri + i] = 1 / di;
    }
    return inv;
  }
  const h = d >> 1;
  const r = d - h;
  const ai = invertLower(backend, subBlock(a, d, 0, h, 0, h), h);
  const ci = invertLower(backend, subBlock(a, d, h, r, h, r), r);
  const bai = backend.matmul(
    { rows: r, cols: h, data: subBlock(a, d, h, r, 0, h) },
    { rows: h, cols: h, data: ai },
  );
  const low = backend.matmul({ rows: r, cols: r, data: ci }, bai).data;
  for (let i = 0; i < h; i++) inv.set(ai.subarray(i * h, i * h + h), i * d);
  for (let i = 0; i < r; i++) {
    const o = (h + i) * d;
    for (let j = 0; j < h; j++) inv[o + j] = -low[i * h + j];
    inv.set(ci.subarray(i * r, i * r + r), o + h);
  }
  return inv;
}

interface Precision {
  /** L⁻ᵀ (upper triangular, row-major): (x − μ)ᵀL⁻ᵀ is the whitened residual as a row. */
  readonly linvT: Dense;
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
  const inv = invertLower(backend, l.data, d);
  const t = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) t[j * d + i] = inv[i * d + j];
  return { linvT: { rows: d, cols: d, data: t }, logDet };
}

/** Column blocks of the triangular E-step product: 1 below 96 dimensions, up to 4 above. */
function triangularBlocks(d: number): number[] {
  const blocks = Math.max(1, Math.min(4, Math.floor(d / 48)));
  return Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * d) / blocks));
}

/**
 * log(w_k) + log N(x_i | μ_k, Σ_k) for every row and component (rows × K). The whitened residual
 * of row x for component k is xL⁻ᵀ − μL⁻ᵀ (as scikit-learn computes it), so the data enters the
 * products uncentred and several components share one product: with Xᵀ stored once per row block,
 * column block [j0, j1) of xL⁻ᵀ needs only the first j1 coordinates (L⁻ᵀ is upper triangular), a
 * contiguous row prefix of Xᵀ; its product with [L₁⁻ᵀ[0..j1, j0..j1] | L₂⁻ᵀ[…] | …] gives that
 * column block for a group of components at once. Skipping the zero triangle saves about 3/8 of
 * the work at 4 column blocks.
 */
function weightedLogProb(
  backend: LinalgBackend,
  x: Dense,
  weights: Float64Array,
  means: Dense,
  prec: Precision[],
): Dense {
  const { rows: n, cols: d } = x;
  const k = weights.length;
  const out = new Float64Array(n * k);
  const c0 = d * Math.log(2 * Math.PI);
  const xd = x.data;
  const mu = means.data;
  const rb = Math.max(1, Math.min(n, Math.floor(BLOCK_ELEMS / Math.max(1, d))));
  const bounds = triangularBlocks(d);
  const xt = new Float64Array(d * rb);
  for (let r0 = 0; r0 < n; r0 += rb) {
    const nb = Math.min(rb, n - r0);
    // the row block transposed: d × nb
    for (let i = 0; i < nb; i++) {
      const o = (r0 + i) * d;
      for (let j = 0; j < d; j++) xt[j * nb + i] = xd[o + j];
    }
    for (let b = 0; b + 1 < bounds.length; b++) {
      const j0 = bounds[b];
      const j1 = bounds[b + 1];
      const w = j1 - j0;
      const group = Math.max(1, Math.min(k, Math.floor(BLOCK_ELEMS / (Math.max(nb, j1) * w))));
      const prefix: Dense = { rows: j1, cols: nb, data: xt.subarray(0, j1 * nb) };
      for (let g0 = 0; g0 < k; g0 += group) {
        const g = Math.min(group, k - g0);
        const gw = g * w;
        // [L⁻ᵀ_c[0..j1, j0..j1]] side by side, and the shifts μ_c L⁻ᵀ_c[·, j0..j1]
        const rhs = new Float64Array(j1 * gw);
        const shift = new Float64Array(gw);
        for (let gi = 0; gi < g; gi++) {
          const a = prec[g0 + gi].linvT.data;
          const mo = (g0 + gi) * d;
          for (let t = 0; t < j1; t++) {
            const src = a.subarray(t * d + j0, t * d + j1);
            rhs.set(src, t * gw + gi * w);
            const m = mu[mo + t];
            for (let jj = 0; jj < w; jj++) shift[gi * w + jj] += m * src[jj];
          }
        }
        const u = backend.crossProduct(prefix, { rows: j1, cols: gw, data: rhs }).data;
        for (let i = 0; i < nb; i++) {
          const o = (r0 + i) * k + g0;
          const ui = i * gw;
          for (let gi = 0; gi < g; gi++) {
            let s = 0;
            for (let jj = gi * w, e = jj + w; jj < e; jj++) {
              const v = u[ui + jj] - shift[jj];
              s += v * v;
            }
            out[o + gi] += s;
          }
        }
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const base = Math.log(weights[c]) - 0.5 * (c0 + prec[c].logDet);
    for (let i = 0; i < n; i++) out[i * k + c] = base - 0.5 * out[i * k + c];
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
 * M-step from responsibilities `r` (n × K): weights ∝ n_k, means as one product RᵀX, and each
 * covariance as the Gram matrix of √r_ik (x_i − μ_k) over the rows with r_ik > 0, plus reg·I.
 */
function mStep(backend: LinalgBackend, x: Dense, r: Dense, reg: number) {
  const { rows: n, cols: d } = x;
  const k = r.cols;
  const rd = r.data;
  const nk = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) nk[c] += rd[i * k + c];
  for (let c = 0; c < k; c++) nk[c] += 10 * Number.EPSILON;
  const means = backend.crossProduct(r, x).data.slice();
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];
  const covariances: Dense[] = [];
  const rows = new Float64Array(n * d);
  for (let c = 0; c < k; c++) {
    const mo = c * d;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const w = rd[i * k + c];
      if (w === 0) continue;
      const s = Math.sqrt(w);
      const o = i * d;
      const p = m * d;
      for (let j = 0; j < d; j++) rows[p + j] = s * (x.data[o + j] - means[mo + j]);
      m++;
    }
    const cov =
      m > 0
        ? backend.gram({ rows: m, cols: d, data: rows.subarray(0, m * d) }).data
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
  const labels = kmeans(xd, k, options.seed ?? 0, 300, backend);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  let params = mStep(backend, xd, { rows: n, cols: k, data: resp }, reg);
  let prec = params.covariances.map((c, i) => precisionOf(backend, c, i));
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
      const lp = weightedLogProb(backend, toDense(q), final.weights, final.means, finalPrec);
      normaliseLog(lp);
      return lp;
    },
  };
}
