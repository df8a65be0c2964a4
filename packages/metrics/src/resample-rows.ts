// Row multiplicities (one bootstrap resample) applied to the inputs of a score without materialising
// the repeated rows: the rows kept, their weights, and weighted means, scatter and class statistics.
import type { Dense, LinalgBackend } from '@emms/linalg';
import { EmmsError, type Matrix } from '@emms/tensor-io';

/** The widest features a score is resampled on: each resample refactors a D×D matrix. */
export const RESAMPLE_MAX_DIM = 256;

/** The rows of a resample with a positive count: their indices, counts and the total N_w. */
export interface KeptRows {
  readonly index: Int32Array;
  readonly weight: Float64Array;
  /** Σ counts: the number of rows the materialised resample would have. */
  readonly total: number;
}

/** The rows with a positive count (counts are checked by the metric wrapper). */
export function keptRows(counts: Float64Array): KeptRows {
  let m = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) m++;
  const index = new Int32Array(m);
  const weight = new Float64Array(m);
  let total = 0;
  let k = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      index[k] = i;
      weight[k++] = counts[i];
      total += counts[i];
    }
  }
  return { index, weight, total };
}

/** Weighted column means Σ w x / Σ w over the kept rows. */
export function weightedMeans(x: Matrix, rows: KeptRows): Float64Array {
  const d = x.cols;
  const mean = new Float64Array(d);
  for (let k = 0; k < rows.index.length; k++) {
    const o = rows.index[k] * d;
    const w = rows.weight[k];
    for (let j = 0; j < d; j++) mean[j] += w * x.data[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= rows.total;
  return mean;
}

/**
 * The kept rows minus `offset` (per class when `labels` and a C×D `offset` are given, else one
 * D-vector), each scaled by √w: their Gram is the weighted scatter Σ w (x − o)(x − o)ᵀ.
 */
export function scaledRows(x: Matrix, rows: KeptRows, offset: Float64Array, labels?: Int32Array): Dense {
  return offsetRows(x, rows, offset, labels, true);
}

/** The kept rows minus the D-vector `offset`, not scaled. */
export function centredRows(x: Matrix, rows: KeptRows, offset: Float64Array): Dense {
  return offsetRows(x, rows, offset, undefined, false);
}

function offsetRows(
  x: Matrix,
  rows: KeptRows,
  offset: Float64Array,
  labels: Int32Array | undefined,
  scaled: boolean,
): Dense {
  const d = x.cols;
  const m = rows.index.length;
  const out = new Float64Array(m * d);
  for (let k = 0; k < m; k++) {
    const i = rows.index[k];
    const s = scaled ? Math.sqrt(rows.weight[k]) : 1;
    const o = labels ? labels[i] * d : 0;
    for (let j = 0; j < d; j++) out[k * d + j] = s * (x.data[i * d + j] - offset[o + j]);
  }
  return { rows: m, cols: d, data: out };
}

/** Weighted class counts and class means (C × D) over the kept rows. */
export function weightedClassMeans(
  x: Matrix,
  labels: Int32Array,
  classes: number,
  rows: KeptRows,
): { counts: Float64Array; means: Dense } {
  const d = x.cols;
  const counts = new Float64Array(classes);
  const means = new Float64Array(classes * d);
  for (let k = 0; k < rows.index.length; k++) {
    const i = rows.index[k];
    const w = rows.weight[k];
    const c = labels[i];
    counts[c] += w;
    for (let j = 0; j < d; j++) means[c * d + j] += w * x.data[i * d + j];
  }
  for (let c = 0; c < classes; c++) {
    if (counts[c] === 0) continue;
    for (let j = 0; j < d; j++) means[c * d + j] /= counts[c];
  }
  return { counts, means: { rows: classes, cols: d, data: means } };
}

/**
 * MISSING_CLASSES when a class has no row in the resample: the materialised rows would have fewer
 * classes than the full set, a different task. Stratified resampling never does this.
 */
export function requireEveryClass(metric: string, counts: Float64Array): void {
  const missing: number[] = [];
  for (let c = 0; c < counts.length; c++) if (counts[c] === 0) missing.push(c);
  if (missing.length > 0) {
    throw new EmmsError(
      'MISSING_CLASSES',
      `resampling ${metric}: class(es) ${missing.join(', ')} have no row in this resample; resample within each class (stratified)`,
      { input: 'counts', details: { metric, missing } },
    );
  }
}

/** The reason a score is not resampled on features wider than {@link RESAMPLE_MAX_DIM}, else undefined. */
export function tooWide(features: Matrix): string | undefined {
  return features.cols > RESAMPLE_MAX_DIM
    ? `the features have D = ${features.cols} > ${RESAMPLE_MAX_DIM} columns, so every resample would refactor a ${features.cols}×${features.cols} matrix; reduce the features first (reduce "auto" or "pca:K")`
    : undefined;
}

/**
 * The reason a score that needs N > D (the D×D Gram route) is not resampled, else undefined.
 */
export function notTall(features: Matrix): string | undefined {
  return features.rows <= features.cols
    ? `N = ${features.rows} ≤ D = ${features.cols}: the score uses its N×N route, which resampled rows would change; reduce the features first (reduce "auto" or "pca:K")`
    : undefined;
}

/** The weighted statistics of one features matrix under one resample, shared by the scores of a model. */
export interface ResampleMoments {
  readonly rows: KeptRows;
  /** Σ counts per class. */
  readonly counts: Float64Array;
  /** Weighted column means (D). */
  readonly mean: Float64Array;
  /** Weighted class means (C×D). */
  readonly classMeans: Dense;
  /** Per class, Σ w (x − μ_c)(x − μ_c)ᵀ (D×D, row-major). */
  readonly classScatter: readonly Float64Array[];
  /** Σ w (x − μ)(x − μ)ᵀ (D×D). */
  readonly scatter: Dense;
  /** The eigendecomposition of `scatter` (ascending), computed on first use. */
  scatterEigen(): { readonly values: Float64Array; readonly vectors: Dense };
}

let last:
  | {
      features: Matrix;
      labels: Int32Array;
      counts: Float64Array;
      backend: LinalgBackend;
      moments: ResampleMoments;
    }
  | undefined;

/**
 * {@link ResampleMoments} of `features` under `counts`, from one pass over the kept rows. The last
 * result is kept: the scores of one model called on the same resample (same features and labels
 * objects, equal counts) share it instead of each forming its own Gram matrix.
 */
export function resampleMoments(
  features: Matrix,
  labels: Int32Array,
  classes: number,
  counts: Float64Array,
  backend: LinalgBackend,
): ResampleMoments {
  if (
    last &&
    last.features === features &&
    last.labels === labels &&
    last.backend === backend &&
    last.counts.length === counts.length &&
    last.counts.every((c, i) => c === counts[i])
  ) {
    return last.moments;
  }
  const d = features.cols;
  const rows = keptRows(counts);
  const { counts: perClass, means } = weightedClassMeans(features, labels, classes, rows);
  const mean = new Float64Array(d);
  for (let c = 0; c < classes; c++)
    for (let j = 0; j < d; j++) mean[j] += perClass[c] * means.data[c * d + j];
  for (let j = 0; j < d; j++) mean[j] /= rows.total;
  const classScatter = Array.from({ length: classes }, () => new Float64Array(d * d));
  const v = new Float64Array(d);
  for (let k = 0; k < rows.index.length; k++) {
    const i = rows.index[k];
    const c = labels[i];
    const w = rows.weight[k];
    const s = classScatter[c];
    for (let j = 0; j < d; j++) v[j] = features.data[i * d + j] - means.data[c * d + j];
    for (let a = 0; a < d; a++) {
      const wa = w * v[a];
      for (let b = a; b < d; b++) s[a * d + b] += wa * v[b];
    }
  }
  const scatter = new Float64Array(d * d);
  for (let c = 0; c < classes; c++) {
    const s = classScatter[c];
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) s[a * d + b] = s[b * d + a];
    for (let j = 0; j < d; j++) v[j] = means.data[c * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) scatter[a * d + b] += s[a * d + b] + perClass[c] * v[a] * v[b];
    }
  }
  let eigen: { values: Float64Array; vectors: Dense } | undefined;
  const scatterDense: Dense = { rows: d, cols: d, data: scatter };
  const moments: ResampleMoments = {
    rows,
    counts: perClass,
    mean,
    classMeans: means,
    classScatter,
    scatter: scatterDense,
    scatterEigen: () => {
      eigen ??= backend.eigh(scatterDense);
      return eigen;
    },
  };
  last = { features, labels, counts: Float64Array.from(counts), backend, moments };
  return moments;
}

/**
 * The lower Cholesky factor of `a` when `a − shift·I` is positive definite (so every eigenvalue of
 * `a` exceeds `shift`), else null. The test is one factorisation of the shifted matrix.
 */
export function choleskyAbove(backend: LinalgBackend, a: Dense, shift: number): Dense | null {
  const d = a.rows;
  const shifted = Float64Array.from(a.data);
  for (let j = 0; j < d; j++) shifted[j * d + j] -= shift;
  if (!backend.cholesky({ rows: d, cols: d, data: shifted })) return null;
  return backend.cholesky(a);
}

/** ‖L⁻¹ b‖² for a lower triangular L (D×D) and a D-vector b (forward substitution). */
export function forwardSquaredNorm(l: Dense, b: ArrayLike<number>): number {
  const d = l.rows;
  const y = new Float64Array(d);
  let s = 0;
  for (let i = 0; i < d; i++) {
    let v = b[i];
    for (let j = 0; j < i; j++) v -= l.data[i * d + j] * y[j];
    y[i] = v / l.data[i * d + i];
    s += y[i] * y[i];
  }
  return s;
}
