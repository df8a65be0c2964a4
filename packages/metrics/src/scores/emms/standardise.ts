import type { Dense, LinalgBackend } from '@emms/linalg';
import { assertFiniteMatrix } from '@emms/metric-spec';
import { EmmsError, type Matrix } from '@emms/tensor-io';

// Standardisation of the features and F-labels: per-column means and scales, constant columns,
// and the helpers that read standardised rows block by block.

/** Rows standardised per block: keeps memory bounded for tall inputs. */
export const TARGET_BLOCK_BYTES = 32 * 1024 * 1024;

/**
 * Per column mean, 1/(std + 1e-8) (population std; 0 for constant columns) and the sum of
 * squared deviations.
 */
export function columnScaling(
  m: Matrix,
  input: string,
): { mean: Float64Array; scale: Float64Array; ss: Float64Array; constant: number } {
  const { rows, cols, data } = m;
  const mean = columnSums(m);
  for (let j = 0; j < cols; j++) {
    if (!Number.isFinite(mean[j])) assertFiniteMatrix(m, input);
    mean[j] /= rows;
  }
  const ss = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j] - mean[j];
      ss[j] += v * v;
    }
  }
  const constantColumn = constantColumns(m);
  const scale = new Float64Array(cols);
  let constant = 0;
  for (let j = 0; j < cols; j++) {
    if (constantColumn[j]) {
      constant++;
      continue; // exactly zero after centring
    }
    scale[j] = 1 / (Math.sqrt(ss[j] / rows) + 1e-8);
  }
  return { mean, scale, ss, constant };
}

/** Per column sum, in row order. */
export function columnSums(m: Matrix): Float64Array {
  const { rows, cols, data } = m;
  const sum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) sum[j] += data[o + j];
  }
  return sum;
}

/**
 * 1 for the columns holding one value only. Each column is scanned down until a value differs
 * from its first row, which for a varying column is usually the second row.
 */
export function constantColumns(m: Matrix): Uint8Array {
  const { rows, cols, data } = m;
  const out = new Uint8Array(cols);
  for (let j = 0; j < cols; j++) {
    const first = data[j];
    let i = 1;
    while (i < rows && data[i * cols + j] === first) i++;
    out[j] = i === rows ? 1 : 0;
  }
  return out;
}

/** (X − 1μᵀ)ᵀ(X − 1μᵀ) accumulated over centred float64 row blocks. */
export function centredGram(x: Matrix, mean: Float64Array, backend: LinalgBackend): Float64Array {
  const { rows, cols, data } = x;
  const out = new Float64Array(cols * cols);
  const blockRows = Math.max(64, Math.floor(TARGET_BLOCK_BYTES / (8 * Math.max(1, cols))));
  const ones = new Float64Array(cols).fill(1);
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const b = Math.min(rows, r0 + blockRows) - r0;
    const block = new Float64Array(b * cols);
    standardiseRows(data, r0 * cols, b, cols, mean, ones, block);
    const g = backend.gram({ rows: b, cols, data: block }).data;
    for (let i = 0; i < g.length; i++) out[i] += g[i];
  }
  return out;
}

/** Rows r0/cols..+b of a row-major matrix (offset `start`, width l), standardised, into out. */
export function standardiseRows(
  data: Float32Array | Float64Array,
  start: number,
  b: number,
  l: number,
  mean: Float64Array,
  scale: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < b; i++) {
    const src = start + i * l;
    const dst = i * l;
    for (let j = 0; j < l; j++) out[dst + j] = (data[src + j] - mean[j]) * scale[j];
  }
}

/** Column means and which columns hold one value only (NON_FINITE on NaN/Inf). */
export function columnMeans(m: Matrix, input: string): { mean: Float64Array; constant: Uint8Array } {
  const { rows, cols } = m;
  const mean = columnSums(m);
  for (let j = 0; j < cols; j++) {
    if (!Number.isFinite(mean[j])) assertFiniteMatrix(m, input);
    mean[j] /= rows;
  }
  return { mean, constant: constantColumns(m) };
}

/**
 * The N×C one-hot matrix of integer labels (C = max + 1): EMMS's stand-in F-label when none is given.
 *
 * @param labels - N integers ≥ 0.
 * @returns an N×C float64 matrix with one 1 per row.
 * @throws EmmsError LABEL_OUT_OF_RANGE for a negative label.
 * @example
 * ```ts
 * const y = oneHot(Int32Array.from([1, 0]));
 * console.assert(y.cols === 2 && y.data[1] === 1 && y.data[2] === 1);
 * ```
 */
export function oneHot(labels: Int32Array): Matrix<Float64Array> {
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) {
      throw new EmmsError('LABEL_OUT_OF_RANGE', `labels[${i}] is ${y}; labels must be integers ≥ 0`, {
        input: 'labels',
      });
    }
    if (y + 1 > c) c = y + 1;
  }
  const data = new Float64Array(labels.length * c);
  for (let i = 0; i < labels.length; i++) data[i * c + labels[i]] = 1;
  return { rows: labels.length, cols: c, data };
}

/** Frobenius inner product of the column blocks [a0, a0+w) of a and [b0, b0+w) of b (same rows). */
export function blockInner(a: Dense, a0: number, b: Dense, b0: number, w: number): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) {
    const ao = i * a.cols + a0;
    const bo = i * b.cols + b0;
    for (let j = 0; j < w; j++) s += a.data[ao + j] * b.data[bo + j];
  }
  return s;
}
