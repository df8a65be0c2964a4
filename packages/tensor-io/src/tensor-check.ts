import { dtypeOfArray, isDType } from './dtype';
import { EmmsError } from './errors';
import type { Tensor } from './tensor';

const ARRAY_NAME: Record<string, string> = {
  float32: 'Float32Array',
  float64: 'Float64Array',
  int8: 'Int8Array',
  int16: 'Int16Array',
  int32: 'Int32Array',
  int64: 'BigInt64Array',
  uint8: 'Uint8Array',
  uint16: 'Uint16Array',
  uint32: 'Uint32Array',
};

/**
 * Checks that `t` is a well-formed tensor: a known dtype, the typed array that dtype uses, a
 * shape of non-negative integers, and as many values as the shape calls for.
 */
export function checkTensor(t: Tensor, name: string): void {
  if (typeof t !== 'object' || t === null || !isDType(t.dtype)) {
    throw new EmmsError(
      'UNSUPPORTED_DTYPE',
      `${name}: not a tensor with a supported dtype (got ${String(t?.dtype)})`,
      {
        input: name,
      },
    );
  }
  const expected = t.dtype === 'bool' ? 'uint8' : t.dtype;
  if (dtypeOfArray(t.data) !== expected) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${name}: dtype ${t.dtype} needs its data in a ${ARRAY_NAME[expected]}, got ${t.data?.constructor?.name ?? typeof t.data}`,
      { input: name },
    );
  }
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new EmmsError('SHAPE_MISMATCH', `${name}: shape must be a list of non-negative integers`, {
      input: name,
    });
  }
  let n = 1;
  for (const d of t.shape) n *= d;
  if (n !== t.data.length) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${name}: shape (${t.shape.join(', ')}) holds ${n} values but the data has ${t.data.length}`,
      { input: name, details: { shape: [...t.shape], length: t.data.length } },
    );
  }
}

/** Sets an own enumerable property, even for names such as '__proto__'. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
