import { EmmsError } from './errors';
import type { Matrix, Tensor } from './tensor';
import { checkTensor } from './tensor-check';

/** Bounds of the int32 labels are held in. */
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * Views a tensor as a row-major matrix. 2-D float32/float64 data is used as is (no copy); a 1-D
 * tensor of length N becomes N×1. Integer dtypes are converted to Float64Array (every int32 and
 * smaller value is exact; an int64 value that float64 cannot hold exactly is refused). Bool, 0-d and 3-D+ tensors are
 * refused.
 */
export function toMatrix(t: Tensor, name: string): Matrix {
  checkTensor(t, name);
  if (t.shape.length === 0 || t.shape.length > 2) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${name}: expected a 2-D array (samples × features), got shape ${shapeText(t.shape)}. ` +
        (t.shape.length > 2
          ? `Reshape it to 2-D first, e.g. arr.reshape(${t.shape[0]}, -1) in numpy.`
          : 'A single number is not a matrix.'),
      { input: name, details: { shape: [...t.shape] } },
    );
  }
  const rows = t.shape[0];
  const cols = t.shape.length === 2 ? t.shape[1] : 1;
  if (t.dtype === 'float32' || t.dtype === 'float64') {
    return { rows, cols, data: t.data as Float32Array | Float64Array };
  }
  if (t.dtype === 'bool') {
    throw new EmmsError(
      'UNSUPPORTED_DTYPE',
      `${name}: is a bool array; a matrix needs numbers. Convert it with arr.astype(np.float32) if that is what you mean.`,
      { input: name },
    );
  }
  const out = new Float64Array(t.data.length);
  if (t.dtype === 'int64') {
    const src = t.data as BigInt64Array;
    for (let i = 0; i < src.length; i++) {
      const v = Number(src[i]);
      if (BigInt(v) !== src[i]) {
        throw new EmmsError(
          'VALUE_OUT_OF_RANGE',
          `${name}: int64 value ${src[i]} at index ${i} cannot be held exactly as a float64; convert the array to floats yourself.`,
          { input: name, details: { index: i } },
        );
      }
      out[i] = v;
    }
  } else {
    out.set(t.data as ArrayLike<number>);
  }
  return { rows, cols, data: out };
}

/**
 * Reads class labels from a tensor of shape (N,) or (N, 1). Integer dtypes and bool (as 0/1) are
 * taken as they are; float arrays only when every value is an exact integer (else
 * LABEL_NOT_INTEGER). Values must fit in int32 (else LABEL_OUT_OF_RANGE). Range checks against the
 * class count are {@link checkLabels}' job.
 */
export function toLabels(t: Tensor, name: string): Int32Array {
  checkTensor(t, name);
  if (!(t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1))) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${name}: labels must be a 1-D array (N,) or a column (N, 1), got shape ${shapeText(t.shape)}. ` +
        'For one-hot or score matrices, take argmax over classes first.',
      { input: name, details: { shape: [...t.shape] } },
    );
  }
  const n = t.data.length;
  const out = new Int32Array(n);
  const outOfRange = (i: number, v: unknown): never => {
    throw new EmmsError(
      'LABEL_OUT_OF_RANGE',
      `${name}: label ${String(v)} at index ${i} is outside the int32 range class indices must lie in.`,
      { input: name, details: { index: i, value: String(v) } },
    );
  };
  if (t.dtype === 'int64') {
    const src = t.data as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) outOfRange(i, v);
      out[i] = Number(v);
    }
    return out;
  }
  const src = t.data as ArrayLike<number>;
  if (t.dtype === 'float32' || t.dtype === 'float64') {
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (!Number.isInteger(v)) {
        throw new EmmsError(
          'LABEL_NOT_INTEGER',
          `${name}: labels must be whole numbers, but the value at index ${i} is ${v}. ` +
            'Store class indices as integers (e.g. np.int64).',
          { input: name, details: { index: i, value: v } },
        );
      }
      if (v < INT32_MIN || v > INT32_MAX) outOfRange(i, v);
      out[i] = v;
    }
    return out;
  }
  if (t.dtype === 'uint32') {
    for (let i = 0; i < n; i++) {
      if (src[i] > INT32_MAX) outOfRange(i, src[i]);
      out[i] = src[i];
    }
    return out;
  }
  // int8/16/32, uint8/16 and bool all fit int32 exactly
  out.set(src);
  return out;
}
