// Interop with the `ndarray` package's objects (scijs), duck-typed: nothing here imports it.
import { EmmsError } from './errors';
import type { Matrix } from './tensor';

/**
 * What an `ndarray` object carries (the fields read here): a flat store, a shape, a stride per
 * dimension (elements, may be negative) and the offset of element [0, 0]. Any object with these
 * fields works, not only the `ndarray` package's.
 */
export interface NdarrayLike {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly offset: number;
}

/** Result of {@link fromNdarray}. */
export interface FromNdarrayResult {
  /** The row-major matrix: a view of the ndarray's store when `copied` is false. */
  readonly matrix: Matrix;
  /** True when the values had to be copied (then writes to one do not reach the other). */
  readonly copied: boolean;
  /** Why a copy was made, when it was: the layout or the element type. */
  readonly reason?: string;
}

/** Options of {@link fromNdarray}. */
export interface FromNdarrayOptions {
  /** The input's name in error messages (default "array"). */
  readonly name?: string;
}

function isIntegerList(v: unknown, length: number): v is number[] {
  return Array.isArray(v) && v.length === length && v.every((x) => Number.isInteger(x));
}

/**
 * A {@link Matrix} over an `ndarray` object (1-D as N×1, 2-D as rows×cols), without a copy when
 * the layout allows it: float32 or float64 data in row-major order with unit column stride (any
 * offset) becomes a `subarray` of the same memory. Transposed (column-major) views, stepped or
 * reversed views, and stores of other element types (integers, plain arrays) are copied into a
 * row-major float64 (or float32) array; the result says so, and why.
 *
 * @param array an ndarray (or any object with `data`, `shape`, `stride`, `offset`), 1-D or 2-D.
 * @param options `name`: the input's name in error messages.
 * @returns `{ matrix, copied, reason? }`.
 * @throws EmmsError SHAPE_MISMATCH when the array is not 1-D or 2-D, or its shape, strides or
 *   offset are not integers or reach outside its data; NON_FINITE is not checked here (the scores
 *   validate their inputs).
 * @example
 * ```ts
 * import ndarray from "ndarray";
 * const x = ndarray(new Float32Array(6), [2, 3]);
 * fromNdarray(x).copied;              // false: a view of x's memory
 * fromNdarray(x.transpose(1, 0));     // { copied: true, reason: 'column-major or strided layout …' }
 * ```
 */
export function fromNdarray(array: NdarrayLike, options: FromNdarrayOptions = {}): FromNdarrayResult {
  const name = options.name ?? 'array';
  const bad = (problem: string): never => {
    throw new EmmsError('SHAPE_MISMATCH', `${name}: ${problem}`, { input: name });
  };
  if (array === null || typeof array !== 'object' || !('data' in array) || !('shape' in array)) {
    bad('expected an ndarray (an object with data, shape, stride and offset)');
  }
  const dims = array.shape?.length;
  if (dims !== 1 && dims !== 2) {
    bad(
      `has ${dims} dimensions (shape [${array.shape}]); give a 2-D array (samples × features) or a 1-D one`,
    );
  }
  if (!isIntegerList(array.shape, dims) || array.shape.some((s) => s < 0)) {
    bad(`shape [${array.shape}] must hold non-negative integers`);
  }
  if (!isIntegerList(array.stride, dims)) bad(`stride [${array.stride}] must hold ${dims} integers`);
  if (!Number.isInteger(array.offset)) bad(`offset ${array.offset} must be an integer`);
  const data = array.data;
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    bad('data must be an array or typed array');
  }
  const rows = array.shape[0];
  const cols = dims === 2 ? array.shape[1] : 1;
  const rs = array.stride[0];
  const cs = dims === 2 ? array.stride[1] : 1;
  const offset = array.offset;
  const count = rows * cols;
  if (count > 0) {
    // The extreme elements reached: every one must lie inside the store.
    const lo = offset + Math.min(0, (rows - 1) * rs) + Math.min(0, (cols - 1) * cs);
    const hi = offset + Math.max(0, (rows - 1) * rs) + Math.max(0, (cols - 1) * cs);
    if (lo < 0 || hi >= data.length) {
      bad(
        `shape [${array.shape}], stride [${array.stride}] and offset ${offset} reach elements ${lo}..${hi} ` +
          `but the data holds ${data.length}`,
      );
    }
  }
  const float = data instanceof Float32Array || data instanceof Float64Array;
  // Row-major with unit column stride; a stride does not matter along a dimension of length ≤ 1.
  const rowMajor = (cols <= 1 || cs === 1) && (rows <= 1 || rs === cols);
  if (float && rowMajor) {
    const start = count === 0 ? 0 : offset;
    return { matrix: { rows, cols, data: data.subarray(start, start + count) }, copied: false };
  }
  const out = data instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < rows; i++) {
    const base = offset + i * rs;
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[row + j] = data[base + j * cs];
  }
  const reason = float
    ? `column-major or strided layout (stride [${array.stride}] for shape [${array.shape}]); copied to row-major`
    : `element type ${data.constructor?.name ?? typeof data} is not float32 or float64; copied to float64`;
  return { matrix: { rows, cols, data: out }, copied: true, reason };
}

/** A constructor with the `ndarray` package's signature: `ndarray(data, shape, stride, offset)`. */
export type NdarrayFactory<T> = (
  data: Float32Array | Float64Array,
  shape: number[],
  stride: number[],
  offset: number,
) => T;

/**
 * The matrix as an ndarray over the same memory (never a copy): shape [rows, cols], stride
 * [cols, 1], offset 0. Pass the `ndarray` function to get a real `ndarray` object (with its
 * methods); without it, a plain object with the same fields that {@link fromNdarray} and
 * ndarray-aware code read.
 *
 * @param m a row-major matrix.
 * @param create the `ndarray` package's default export, or any function of that signature.
 * @throws EmmsError SHAPE_MISMATCH when `m.data` does not hold rows×cols values.
 * @example
 * ```ts
 * import ndarray from "ndarray";
 * const nd = toNdarray(matrix(Float64Array.of(1, 2, 3, 4), 2, 2), ndarray);
 * nd.get(1, 0); // 3
 * ```
 */
export function toNdarray(m: Matrix): NdarrayLike & { readonly dtype: 'float32' | 'float64' };
export function toNdarray<T>(m: Matrix, create: NdarrayFactory<T>): T;
export function toNdarray<T>(
  m: Matrix,
  create?: NdarrayFactory<T>,
): T | (NdarrayLike & { readonly dtype: 'float32' | 'float64' }) {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.data.length !== m.rows * m.cols) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `matrix: claims ${m.rows}×${m.cols} but holds ${m.data.length} values; build it with matrix(data, rows, cols)`,
      { input: 'matrix' },
    );
  }
  const shape = [m.rows, m.cols];
  const stride = [m.cols, 1];
  if (create) return create(m.data, shape, stride, 0);
  return {
    data: m.data,
    shape,
    stride,
    offset: 0,
    dtype: m.data instanceof Float32Array ? 'float32' : 'float64',
  };
}
