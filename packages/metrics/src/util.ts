import type { Dense } from '@emms/linalg';
import { toDense } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';

export { checkAbort, toDense } from '@emms/metric-spec';

/** Column means of `m`. */
export function columnMeans(m: Matrix): Float64Array {
  const { rows, cols, data } = m;
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** A float64 copy of `m` with each column's mean subtracted. */
export function centred(m: Matrix): Dense {
  const out = toDense(m);
  const mean = columnMeans(m);
  const { rows, cols, data } = out;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) data[o + j] -= mean[j];
  }
  return out;
}

/** Per column (v − mean)/(std + 1e-8) with the population std, as a float64 copy. */
export function standardise(m: Matrix): Dense {
  const out = centred(m);
  const { rows, cols, data } = out;
  const sd = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) sd[j] += data[o + j] * data[o + j];
  }
  for (let j = 0; j < cols; j++) sd[j] = Math.sqrt(sd[j] / rows) + 1e-8;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) data[o + j] /= sd[j];
  }
  return out;
}

/** Number of classes C = max(y) + 1 (labels are validated to be ≥ 0). */
export function numClasses(y: Int32Array): number {
  let c = 0;
  for (let i = 0; i < y.length; i++) if (y[i] + 1 > c) c = y[i] + 1;
  return c;
}

/** Count of samples per class 0..C−1. */
export function classCounts(y: Int32Array, c: number): Float64Array {
  const n = new Float64Array(c);
  for (let i = 0; i < y.length; i++) n[y[i]]++;
  return n;
}

/** Class means (C × D) of the rows of `x`. Empty classes get a zero row. */
export function classMeans(x: Matrix, y: Int32Array, c: number): Dense {
  const { rows, cols, data } = x;
  const m = new Float64Array(c * cols);
  const n = classCounts(y, c);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    const r = y[i] * cols;
    for (let j = 0; j < cols; j++) m[r + j] += data[o + j];
  }
  for (let k = 0; k < c; k++) {
    if (n[k] === 0) continue;
    for (let j = 0; j < cols; j++) m[k * cols + j] /= n[k];
  }
  return { rows: c, cols, data: m };
}

/** Rows of `x` minus the mean of their class: x_i − μ_{y_i} (float64, C × D `means`). */
export function classResiduals(x: Matrix, y: Int32Array, means: Dense): Dense {
  const { rows, cols, data } = x;
  const r = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    const m = y[i] * cols;
    for (let j = 0; j < cols; j++) r[o + j] = data[o + j] - means.data[m + j];
  }
  return { rows, cols, data: r };
}

/** The product a v of a square row-major matrix and a vector. */
export function matVec(a: Dense, v: Float64Array): Float64Array {
  const n = a.rows;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a.data[i * n + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** Row-wise softmax in place (max-shifted). */
export function softmaxRows(m: Dense): Dense {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) if (data[o + j] > mx) mx = data[o + j];
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(data[o + j] - mx);
      data[o + j] = e;
      s += e;
    }
    for (let j = 0; j < cols; j++) data[o + j] /= s;
  }
  return m;
}

/** Rows of `x` selected by `index`, as a float64 matrix. */
export function selectRows(x: Matrix, index: ArrayLike<number>): Dense {
  const { cols, data } = x;
  const out = new Float64Array(index.length * cols);
  for (let k = 0; k < index.length; k++) {
    const o = index[k] * cols;
    for (let j = 0; j < cols; j++) out[k * cols + j] = data[o + j];
  }
  return { rows: index.length, cols, data: out };
}

/** The transpose of `m` as a float64 matrix. */
export function transpose(m: Matrix): Dense {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[o + j];
  }
  return { rows: cols, cols: rows, data: out };
}
