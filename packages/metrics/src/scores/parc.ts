import { getBackend, type LinalgBackend, pca } from '@emms/linalg';
import { defineMetric, degenerate, scoreFunction, z } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { checkAbort, classCounts, numClasses, selectRows, standardise } from '../util';
import { parcDocs } from './docs/parc';

/** PARC with its diagnostics. */
export interface ParcResult {
  readonly value: number;
  /** Dimensions kept by the PCA: min(32, n, D). */
  readonly pcaDims: number;
  /** True when more than `maxSamples` samples were given and a stratified subsample was scored. */
  readonly subsampled: boolean;
  /** Number of samples scored. */
  readonly used: number;
  /** Set when the value is a documented stand-in (constant features: 0). */
  readonly warning?: string;
}

/** Options of {@link parcCompute}. */
export interface ParcOptions {
  /** PCA dimensions before capping at min(N, D) (default 32). */
  readonly dims?: number;
  /** Largest N scored in full (default 3000); above it a class-stratified subsample of this size. */
  readonly maxSamples?: number;
  readonly backend?: LinalgBackend;
  /** Checked every 256 rows of the N² pair loop. */
  readonly signal?: AbortSignal;
}

/**
 * A deterministic class-stratified subsample of `m` indices: class c gets its share of `m` by largest
 * remainder (at least one sample), taken evenly spaced in the order the samples were given.
 *
 * @param labels - N integer labels in [0, C).
 * @param m - the subsample size wanted.
 * @returns the chosen row indices, increasing.
 * @example
 * ```ts
 * const idx = stratifiedSubsample(Int32Array.from([0, 0, 0, 0, 1, 1]), 3);
 * console.assert(idx.length === 3 && idx[2] >= 4); // two of class 0, one of class 1
 * ```
 */
export function stratifiedSubsample(labels: Int32Array, m: number): Int32Array {
  const n = labels.length;
  const c = numClasses(labels);
  const counts = classCounts(labels, c);
  const quota = new Float64Array(c);
  const rem: [number, number][] = [];
  let taken = 0;
  for (let k = 0; k < c; k++) {
    if (counts[k] === 0) continue;
    const exact = (counts[k] * m) / n;
    quota[k] = Math.min(counts[k], Math.max(1, Math.floor(exact)));
    taken += quota[k];
    rem.push([exact - Math.floor(exact), k]);
  }
  rem.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = 0; taken < m && r < rem.length; r++) {
    const k = rem[r][1];
    if (quota[k] < counts[k]) {
      quota[k]++;
      taken++;
    }
  }
  const byClass: number[][] = Array.from({ length: c }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]].push(i);
  const out: number[] = [];
  for (let k = 0; k < c; k++) {
    const idx = byClass[k];
    for (let t = 0; t < quota[k]; t++) out.push(idx[Math.floor((t * idx.length) / quota[k])]);
  }
  out.sort((a, b) => a - b);
  return Int32Array.from(out);
}

/**
 * PARC (Bolya et al., NeurIPS 2021) as google-research stable_transfer: PCA to min(32, N, D) dimensions
 * (exact, centred, each component's largest loading positive), standardise, RDM_f = 1 − corr between
 * samples, RDM_y = 1 − corr between one-hot label rows, score = 100 × Spearman correlation of the
 * upper triangles. Memory grows as N²; above `maxSamples` a deterministic stratified subsample is scored.
 */
export function parcCompute(features: Matrix, labels: Int32Array, options: ParcOptions = {}): ParcResult {
  const backend = options.backend ?? getBackend();
  const maxSamples = options.maxSamples ?? 3000;
  let x: Matrix = features;
  let y = labels;
  const subsampled = features.rows > maxSamples;
  if (subsampled) {
    const idx = stratifiedSubsample(labels, maxSamples);
    x = selectRows(features, idx);
    y = Int32Array.from(idx, (i) => labels[i]);
  }
  const n = x.rows;
  const k = Math.min(options.dims ?? 32, n, x.cols);
  const f = standardise(pca(x, { components: k, backend }).projected);
  // Rows centred and scaled to unit norm, so corr(i, j) is a dot product. A constant row has no
  // correlation with anything: it is left at zero (corr 0).
  const d = f.cols;
  const u = f.data;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let m = 0;
    for (let j = 0; j < d; j++) m += u[o + j];
    m /= d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      u[o + j] -= m;
      s += u[o + j] * u[o + j];
    }
    const norm = Math.sqrt(s);
    for (let j = 0; j < d; j++) u[o + j] = norm > 0 ? u[o + j] / norm : 0;
  }
  // Label RDM takes two values: 0 within a class, 1 + 1/(C − 1) across. Split the feature RDM's upper
  // triangle by that and rank the union.
  let same = 0;
  const counts = classCounts(y, numClasses(y));
  for (const c of counts) same += (c * (c - 1)) / 2;
  const total = (n * (n - 1)) / 2;
  const within = new Float64Array(same);
  const across = new Float64Array(total - same);
  let wi = 0;
  let ai = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) checkAbort(options.signal);
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += u[oi + t] * u[oj + t];
      const dist = 1 - s;
      if (y[i] === y[j]) within[wi++] = dist;
      else across[ai++] = dist;
    }
  }
  if (within.length === 0 || across.length === 0) {
    throw degenerate(
      'parc',
      'labels',
      within.length === 0
        ? `have one sample per class among the ${n} scored, so no pair shares a class`
        : `put all ${n} samples scored in one class`,
      'give at least two samples of some class and two classes (or raise parc.maxSamples)',
      { used: n },
    );
  }
  const rho = spearmanWithBinary(within, across);
  if (rho === undefined) {
    return {
      value: 0,
      pcaDims: d,
      subsampled,
      used: n,
      warning: 'the features give every pair the same dissimilarity (constant features): PARC is 0',
    };
  }
  return { value: 100 * rho, pcaDims: d, subsampled, used: n };
}

/**
 * Spearman correlation between the values in `a` ∪ `b` and a variable that is lower on `a` than on `b`
 * (ties of values get their average rank, as scipy.stats.rankdata). Sorts both arrays in place.
 * Undefined (returns `undefined`) when either variable is constant: all values tied, or `a` or `b` empty.
 */
export function spearmanWithBinary(a: Float64Array, b: Float64Array): number | undefined {
  a.sort();
  b.sort();
  const m = a.length + b.length;
  let ia = 0;
  let ib = 0;
  let pos = 0; // ranks used so far
  let sumB = 0; // Σ rank over b
  let sumSq = 0; // Σ rank² over all
  while (ia < a.length || ib < b.length) {
    const v = ib >= b.length || (ia < a.length && a[ia] <= b[ib]) ? a[ia] : b[ib];
    let na = 0;
    let nb = 0;
    while (ia < a.length && a[ia] === v) {
      ia++;
      na++;
    }
    while (ib < b.length && b[ib] === v) {
      ib++;
      nb++;
    }
    const t = na + nb;
    if (t === 0) break; // NaN: cannot happen (constant rows are zeroed), but never loop on it
    const avg = pos + (t + 1) / 2;
    sumB += nb * avg;
    sumSq += t * avg * avg;
    pos += t;
  }
  const meanR = (m + 1) / 2;
  const p = b.length / m;
  const cov = sumB / m - meanR * p;
  const varR = sumSq / m - meanR * meanR;
  const varB = p * (1 - p);
  // All values tied (varR is then 0 up to rounding): no ranking, no correlation.
  if (!(varR > 1e-12 * meanR * meanR) || !(varB > 0)) return undefined;
  return cov / Math.sqrt(varR * varB);
}

/**
 * PARC as a metric (id `parc`). Paper: Bolya, Mittapalli, Hoffman, "Scalable Diverse Model Selection
 * for Accessible Transfer Learning", NeurIPS 2021, arXiv 2111.06977. Reference implementation:
 * stable_transfer in github.com/google-research/google-research (and github.com/dbolya/parc).
 */
export const parcMetric = defineMetric({
  id: 'parc',
  description:
    'PARC: Spearman correlation of feature and label dissimilarity matrices, ×100 (Bolya et al. 2021)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: z.object({
    dims: z.number().int().min(1).default(32).describe('PCA dimensions, capped at min(N, D)'),
    maxSamples: z
      .number()
      .int()
      .min(2)
      .default(3000)
      .describe(
        'above this many samples, score a deterministic class-stratified subsample of this size (memory is N²)',
      ),
  }),
  references: [
    {
      title:
        'Bolya, Mittapalli, Hoffman, "Scalable Diverse Model Selection for Accessible Transfer Learning", NeurIPS 2021',
      arxiv: '2111.06977',
      repository: 'github.com/google-research/google-research (stable_transfer)',
    },
  ],
  regime:
    'At least two samples of some class; memory and time grow as N², so above maxSamples a stratified subsample is scored. Values in [−100, 100].',
  docs: parcDocs,
  compute({ features, labels }, { dims, maxSamples }, { backend, signal }) {
    const r = parcCompute(features!, labels!, { dims, maxSamples, backend, signal });
    return {
      value: r.value,
      details: {
        pcaDims: r.pcaDims,
        subsampled: r.subsampled,
        used: r.used,
        ...(r.warning ? { warning: r.warning } : {}),
      },
    };
  },
  resample: () => ({
    unavailable:
      'PARC recomputes a PCA and the Spearman correlation of two N×N distance matrices on every call, so each resample would cost a full scoring',
  }),
});

/**
 * PARC: 100 × Spearman correlation between the feature and label dissimilarity matrices.
 *
 * @param inputs - `features` N×D, `labels` N integers in [0, C).
 * @param options - `dims` (integer ≥ 1, default 32), `maxSamples` (integer ≥ 2, default 3000);
 *   `backend`, `signal`, `relabel`.
 * @returns `{ value, details: { pcaDims, subsampled, used, warning? } }`, value in [−100, 100]
 *   (higher is better); 0 with a warning for constant features.
 * @throws EmmsError DEGENERATE_INPUT (no two samples share a class), MISSING_INPUT, ROW_MISMATCH,
 *   NON_FINITE, SINGLE_CLASS, MISSING_CLASSES, INVALID_OPTION.
 * @see arXiv 2111.06977; github.com/google-research/google-research (stable_transfer)
 * @example
 * ```ts
 * const features = { rows: 6, cols: 2, data: new Float64Array([0, 1, 0.1, 1, 0.2, 1.1, 3, 0, 3.1, 0.2, 3.2, 0.1]) };
 * const { value } = parcScore({ features, labels: Int32Array.from([0, 0, 0, 1, 1, 1]) });
 * console.assert(value >= -100 && value <= 100);
 * ```
 */
export const parcScore = scoreFunction(parcMetric);
