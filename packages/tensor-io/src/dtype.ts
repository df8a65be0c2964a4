import type { DType, DTypeArrayMap, TypedArray } from './tensor';

/** Every dtype a tensor can hold, in a fixed order. */
export const DTYPES: readonly DType[] = [
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'bool',
];

/** Facts about one dtype: its element size, its typed array, and whether it holds integers. */
export interface DTypeInfo {
  readonly dtype: DType;
  /** Bytes per element. */
  readonly itemSize: number;
  /** The numpy kind character: 'f' float, 'i' signed, 'u' unsigned, 'b' bool. */
  readonly kind: 'f' | 'i' | 'u' | 'b';
  /** True for the signed and unsigned integer dtypes (not bool). */
  readonly integer: boolean;
}

const INFO: Record<DType, DTypeInfo> = {
  float32: { dtype: 'float32', itemSize: 4, kind: 'f', integer: false },
  float64: { dtype: 'float64', itemSize: 8, kind: 'f', integer: false },
  int8: { dtype: 'int8', itemSize: 1, kind: 'i', integer: true },
  int16: { dtype: 'int16', itemSize: 2, kind: 'i', integer: true },
  int32: { dtype: 'int32', itemSize: 4, kind: 'i', integer: true },
  int64: { dtype: 'int64', itemSize: 8, kind: 'i', integer: true },
  uint8: { dtype: 'uint8', itemSize: 1, kind: 'u', integer: true },
  uint16: { dtype: 'uint16', itemSize: 2, kind: 'u', integer: true },
  uint32: { dtype: 'uint32', itemSize: 4, kind: 'u', integer: true },
  bool: { dtype: 'bool', itemSize: 1, kind: 'b', integer: false },
};

/** Element size, numpy kind and integer-ness of a dtype. */
export function dtypeInfo(dtype: DType): DTypeInfo {
  return INFO[dtype];
}

/** True when `value` names a dtype this package supports. */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(INFO, value);
}

/** A zero-filled typed array of `length` elements for `dtype`. */
export function allocate<D extends DType>(dtype: D, length: number): DTypeArrayMap[D] {
  return viewAs(dtype, new ArrayBuffer(length * INFO[dtype].itemSize), 0, length);
}

/**
 * A typed array of `dtype` over existing memory, no copy. `byteOffset` must be a multiple of the
 * element size (the caller checks).
 */
export function viewAs<D extends DType>(
  dtype: D,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): DTypeArrayMap[D] {
  let out: TypedArray;
  switch (dtype) {
    case 'float32':
      out = new Float32Array(buffer, byteOffset, length);
      break;
    case 'float64':
      out = new Float64Array(buffer, byteOffset, length);
      break;
    case 'int8':
      out = new Int8Array(buffer, byteOffset, length);
      break;
    case 'int16':
      out = new Int16Array(buffer, byteOffset, length);
      break;
    case 'int32':
      out = new Int32Array(buffer, byteOffset, length);
      break;
    case 'int64':
      out = new BigInt64Array(buffer, byteOffset, length);
      break;
    case 'uint8':
    case 'bool':
      out = new Uint8Array(buffer, byteOffset, length);
      break;
    case 'uint16':
      out = new Uint16Array(buffer, byteOffset, length);
      break;
    case 'uint32':
      out = new Uint32Array(buffer, byteOffset, length);
      break;
    default:
      throw new TypeError(`unknown dtype ${String(dtype)}`);
  }
  return out as DTypeArrayMap[D];
}

/** The dtype whose typed array `data` is, or undefined (Uint8Array answers 'uint8'). */
export function dtypeOfArray(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  return undefined;
}

/** True on little-endian hosts (every platform Node and browsers ship on today). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of every `itemSize`-byte element of `bytes`, in place. */
export function swapBytesInPlace(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  const n = bytes.length - (bytes.length % itemSize);
  for (let i = 0; i < n; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** The value of one IEEE 754 half-precision number given as its 16 bits. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Widens little-endian half-precision values to float32. */
export function widenHalf(raw: Uint16Array): Float32Array {
  const out = new Float32Array(raw.length);
  // a table makes the loop one lookup per value
  const table = halfTable();
  for (let i = 0; i < raw.length; i++) out[i] = table[raw[i]];
  return out;
}

let HALF_TABLE: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) HALF_TABLE[b] = halfToFloat(b);
  }
  return HALF_TABLE;
}

/** Widens bfloat16 values (the top 16 bits of a float32) to float32. */
export function widenBfloat16(raw: Uint16Array): Float32Array {
  const bits = new Uint32Array(raw.length);
  for (let i = 0; i < raw.length; i++) bits[i] = raw[i] << 16;
  return new Float32Array(bits.buffer);
}
