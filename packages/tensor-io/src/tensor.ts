/** Element types a tensor can hold; names follow numpy. */
export type DType =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'bool';

/**
 * The typed array that backs each dtype. There is no float16 dtype: readers widen half and bfloat16
 * values to float32 (exactly; every half value is a float32 value).
 */
export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  bool: Uint8Array;
}

export type TypedArray = DTypeArrayMap[DType];

/**
 * An n-dimensional array: a typed array plus a row-major (C order) shape.
 * `data.length` equals the product of `shape` (1 for a 0-d tensor).
 */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DTypeArrayMap[D];
}

/** Floating-point data the scores accept without conversion. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A dense row-major matrix of floats: element (i, j) is `data[i * cols + j]`.
 * This is what every score takes for features, F-labels, probabilities and targets.
 */
export interface Matrix<A extends FloatArray = FloatArray> {
  readonly rows: number;
  readonly cols: number;
  readonly data: A;
}

/** Number of elements of a shape (1 for the 0-d shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** A matrix over existing data, no copy. Throws RangeError when the sizes disagree. */
export function matrix<A extends FloatArray>(data: A, rows: number, cols: number): Matrix<A> {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`matrix: rows and cols must be non-negative integers, got ${rows}×${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix: ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  return { rows, cols, data };
}
