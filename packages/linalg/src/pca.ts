import { EmmsError, type Matrix } from '@emms/tensor-io';
import type { Dense, LinalgBackend } from './backend';
import { getBackend } from './registry';

/** Options of {@link pca}. Give at most one of `components` and `varianceRatio`. */
export interface PcaOptions {
  /** Number of leading components to keep (clamped to min(N, D)). Default: min(N, D). */
  readonly components?: number;
  /**
   * Keep the fewest leading components whose cumulative explained-variance ratio is greater
   * than this value (scikit-learn's `n_components=0.8` rule, as NLEEP uses).
   */
  readonly varianceRatio?: number;
  readonly backend?: LinalgBackend;
}

/** Result of {@link pca}. */
export interface PcaResult {
  /** N×k centred data projected on the components. */
  readonly projected: Dense;
  /** k×D, one unit-norm principal axis per row, largest variance first. */
  readonly components: Dense;
  /** Variance along each component (divided by N − 1, as scikit-learn). */
  readonly explainedVariance: Float64Array;
  /** explainedVariance divided by the total variance. */
  readonly explainedVarianceRatio: Float64Array;
  /** Column means that were subtracted. */
  readonly mean: Float64Array;
}

/** Rows per block when centring, so no full float64 copy of a tall matrix is made. */
const BLOCK_ROWS = 2048;

/** Rows r0..r1-1 of x minus the mean, as a float64 matrix. */
function centredBlock(x: Matrix, mean: Float64Array, r0: number, r1: number): Dense {
  const d = x.cols;
  const out = new Float64Array((r1 - r0) * d);
  const src = x.data;
  for (let i = r0; i < r1; i++) {
    const s = i * d;
    const o = (i - r0) * d;
    for (let j = 0; j < d; j++) out[o + j] = src[s + j] - mean[j];
  }
  return { rows: r1 - r0, cols: d, data: out };
}

/**
 * Exact PCA of x (centred, not scaled) through the eigendecomposition of the smaller Gram
 * matrix: the D×D scatter when N > D, else the N×N Gram of the centred rows. Each component's
 * entry of largest magnitude is made positive (first such entry on ties), so results are
 * deterministic. Directions with zero variance give zero components and zero projections.
 */
export function pca(x: Matrix, opts: PcaOptions = {}): PcaResult {
  const backend = opts.backend ?? getBackend();
  const n = x.rows;
  const d = x.cols;
  if (opts.components !== undefined && opts.varianceRatio !== undefined) {
    throw new EmmsError(
      'INVALID_OPTION',
      'pca: give either the components option or varianceRatio, not both',
      {
        input: 'components',
      },
    );
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const s = i * d;
    for (let j = 0; j < d; j++) mean[j] += x.data[s + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const full = Math.min(n, d);
  const denom = Math.max(n - 1, 1);

  // Eigenvalues (descending) of the scatter and the matching D-dimensional axes.
  let eigenvalues: Float64Array;
  let axes: (k: number) => Float64Array; // unit axis of the k-th largest eigenvalue
  if (n > d) {
    let scatter: Dense | null = null;
    for (let r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
      const g = backend.gram(centredBlock(x, mean, r0, Math.min(n, r0 + BLOCK_ROWS)));
      if (!scatter) scatter = g;
      else for (let i = 0; i < g.data.length; i++) scatter.data[i] += g.data[i];
    }
    const { values, vectors } = backend.eigh(scatter as Dense);
    eigenvalues = new Float64Array(d);
    for (let k = 0; k < d; k++) eigenvalues[k] = Math.max(values[d - 1 - k], 0);
    axes = (k) => {
      const col = d - 1 - k;
      const v = new Float64Array(d);
      for (let j = 0; j < d; j++) v[j] = vectors.data[j * d + col];
      return v;
    };
  } else {
    // Centred rows transposed (D×N), so that gram() gives the N×N Gram of the rows.
    const t = new Float64Array(d * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) t[j * n + i] = x.data[i * d + j] - mean[j];
    }
    const xt: Dense = { rows: d, cols: n, data: t };
    const { values, vectors } = backend.eigh(backend.gram(xt));
    eigenvalues = new Float64Array(n);
    for (let k = 0; k < n; k++) eigenvalues[k] = Math.max(values[n - 1 - k], 0);
    const top = eigenvalues[0];
    axes = (k) => {
      // v = Xcᵀ u / s, with s = √λ; zero for (numerically) null directions.
      const v = new Float64Array(d);
      const lambda = eigenvalues[k];
      if (!(lambda > 1e-12 * top)) return v;
      const col = n - 1 - k;
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += t[j * n + i] * vectors.data[i * n + col];
        v[j] = s;
      }
      const inv = 1 / Math.sqrt(lambda);
      for (let j = 0; j < d; j++) v[j] *= inv;
      return v;
    };
  }

  let total = 0;
  for (let k = 0; k < eigenvalues.length; k++) total += eigenvalues[k];
  let k = full;
  if (opts.components !== undefined) {
    if (!Number.isInteger(opts.components) || opts.components < 1) {
      throw new EmmsError(
        'INVALID_OPTION',
        `pca: the components option must be a positive integer, got ${opts.components}`,
        { input: 'components' },
      );
    }
    k = Math.min(opts.components, full);
  } else if (opts.varianceRatio !== undefined) {
    const target = opts.varianceRatio;
    if (!(target > 0 && target < 1))
      throw new EmmsError(
        'INVALID_OPTION',
        `pca: the varianceRatio option must be strictly between 0 and 1, got ${target}`,
        { input: 'varianceRatio' },
      );
    let cumulative = 0;
    k = full;
    for (let i = 0; i < full; i++) {
      cumulative += total > 0 ? eigenvalues[i] / total : 0;
      if (cumulative > target) {
        k = i + 1;
        break;
      }
    }
  }

  const components = new Float64Array(k * d);
  const explainedVariance = new Float64Array(k);
  const explainedVarianceRatio = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const v = axes(c);
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    const sign = v[big] < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = sign * v[j];
    explainedVariance[c] = eigenvalues[c] / denom;
    explainedVarianceRatio[c] = total > 0 ? eigenvalues[c] / total : 0;
  }
  // projected = Xc · componentsᵀ, block by block.
  const comp: Dense = { rows: k, cols: d, data: components };
  const compT = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) compT[j * k + c] = components[c * d + j];
  const ct: Dense = { rows: d, cols: k, data: compT };
  const projected = new Float64Array(n * k);
  for (let r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
    const r1 = Math.min(n, r0 + BLOCK_ROWS);
    const p = backend.matmul(centredBlock(x, mean, r0, r1), ct);
    projected.set(p.data, r0 * k);
  }
  return {
    projected: { rows: n, cols: k, data: projected },
    components: comp,
    explainedVariance,
    explainedVarianceRatio,
    mean,
  };
}
