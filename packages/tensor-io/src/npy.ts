import { allocate, dtypeInfo, HOST_LITTLE_ENDIAN, swapBytesInPlace, viewAs, widenHalf } from './dtype';
import { EmmsError } from './errors';
import { PyLiteralError, type PyValue, parsePyLiteral } from './pyliteral';
import type { DType, Tensor, TypedArray } from './tensor';
import { checkTensor } from './tensor-check';

/** How multi-byte values are laid out in a file; 'none' for one-byte dtypes. */
export type ByteOrder = 'little' | 'big' | 'none';

/** Everything a .npy header says, plus where the data starts. */
export interface NpyHeader {
  /** Format major version (the minor version is always 0). */
  readonly version: 1 | 2 | 3;
  /** The numpy type string as stored, e.g. '<f4' or '>i8'. */
  readonly descr: string;
  /** The dtype of the tensor {@link parseNpy} returns (half precision is widened to float32). */
  readonly dtype: DType;
  /** numpy's name for the stored type, e.g. 'float16' when `dtype` is the widened 'float32'. */
  readonly storedDtype: string;
  /** Bytes per stored element. */
  readonly itemSize: number;
  /** Byte order as stored. */
  readonly byteOrder: ByteOrder;
  /** True when the data is stored column-major (readers transpose it to row-major). */
  readonly fortranOrder: boolean;
  /** The array's shape ([] for a 0-d array). */
  readonly shape: number[];
  /** Length in bytes of the header text (the dict and its padding), as the length field says. */
  readonly headerLength: number;
  /** Offset of the first data byte from the start of the file. */
  readonly dataOffset: number;
  /** Number of data bytes the shape and dtype call for. */
  readonly dataLength: number;
}

/** Options for {@link encodeNpy}. */
export interface NpyWriteOptions {
  /** Format version; default 1, or 2 when the header would not fit version 1's 64 KiB. */
  version?: 1 | 2 | 3;
  /** Store column-major (numpy's fortran_order); default false. */
  fortranOrder?: boolean;
  /** Byte order of stored values; default 'little'. */
  byteOrder?: 'little' | 'big';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy pads headers so that data starts on a multiple of this. */
const ALIGN = 64;
/** numpy reserves header space so the growth axis can reach this many digits in place. */
const GROWTH_AXIS_DIGITS = 21;

interface DescrInfo {
  dtype: DType;
  storedDtype: string;
  itemSize: number;
  byteOrder: ByteOrder;
  widenHalf: boolean;
}

const SUPPORTED_NPY =
  'float16 (read as float32), float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, bool';

function unsupported(source: string, descr: string, what: string): never {
  throw new EmmsError(
    'UNSUPPORTED_DTYPE',
    `${source}: dtype '${descr}' (${what}) is not supported. Supported: ${SUPPORTED_NPY}. ` +
      `Convert it in numpy, e.g. np.save(path, arr.astype(np.float32)).`,
    { input: source, details: { descr } },
  );
}

/** True when a (possibly structured) descr mentions the object kind anywhere. */
function mentionsObject(value: PyValue): boolean {
  if (typeof value === 'string') return /^[<>|=]?O\d*$/.test(value);
  if (Array.isArray(value)) return value.some(mentionsObject);
  return false;
}

function refuseObject(source: string): never {
  throw new EmmsError(
    'OBJECT_ARRAY',
    `${source}: holds a numpy object array (descr 'O'), which numpy stores as a Python pickle. ` +
      'Pickles are never loaded. Save a numeric array instead, e.g. np.save(path, np.asarray(x, dtype=np.float32)).',
    { input: source },
  );
}

/** Interprets a numpy type string such as '<f4'. */
function parseDescr(descr: string, source: string): DescrInfo {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)$/.exec(descr);
  if (!m) unsupported(source, descr, 'not a simple numpy type string');
  const [, order, kind, sizeText] = m;
  if (kind === 'O') refuseObject(source);
  const size = sizeText === '' ? (kind === '?' ? 1 : 0) : Number(sizeText);
  let dtype: DType | undefined;
  let storedDtype = '';
  let widen = false;
  switch (kind) {
    case 'f':
      if (size === 2) {
        dtype = 'float32';
        storedDtype = 'float16';
        widen = true;
      } else if (size === 4) dtype = 'float32';
      else if (size === 8) dtype = 'float64';
      else unsupported(source, descr, `float${size * 8}`);
      break;
    case 'i':
      if (size === 1) dtype = 'int8';
      else if (size === 2) dtype = 'int16';
      else if (size === 4) dtype = 'int32';
      else if (size === 8) dtype = 'int64';
      else unsupported(source, descr, `int${size * 8}`);
      break;
    case 'u':
      if (size === 1) dtype = 'uint8';
      else if (size === 2) dtype = 'uint16';
      else if (size === 4) dtype = 'uint32';
      else unsupported(source, descr, `uint${size * 8}; cast to int64 if the values fit`);
      break;
    case 'b':
    case '?':
      if (size === 1) dtype = 'bool';
      else unsupported(source, descr, 'bool of unusual size');
      break;
    case 'c':
      unsupported(source, descr, `complex${size * 8}`);
      break;
    case 'U':
    case 'S':
    case 'a':
      unsupported(source, descr, 'strings');
      break;
    case 'V':
      unsupported(source, descr, 'raw void records');
      break;
    case 'M':
    case 'm':
      unsupported(source, descr, 'dates and times');
      break;
    default:
      unsupported(source, descr, `unknown kind '${kind}'`);
  }
  const itemSize = size;
  const byteOrder: ByteOrder =
    itemSize === 1
      ? 'none'
      : order === '>' || ((order === '=' || order === '|' || order === '') && !HOST_LITTLE_ENDIAN)
        ? 'big'
        : 'little';
  return { dtype: dtype!, storedDtype: storedDtype || dtype!, itemSize, byteOrder, widenHalf: widen };
}

function badHeader(source: string, problem: string): never {
  throw new EmmsError(
    'NPY_BAD_HEADER',
    `${source}: the .npy header does not parse: ${problem}. The file is damaged or was not written by numpy.save.`,
    { input: source },
  );
}

function truncated(source: string, problem: string): never {
  throw new EmmsError('FILE_TRUNCATED', `${source}: file is truncated: ${problem}. Write the file again.`, {
    input: source,
  });
}

/**
 * Reads the header of a .npy file. `bytes` may be just the start of the file, as long as it
 * holds the whole header.
 */
export function parseNpyHeader(bytes: Uint8Array, source = 'input'): NpyHeader {
  if (bytes.length === 0) {
    throw new EmmsError('FILE_EMPTY', `${source}: file is empty; expected a .npy array.`, { input: source });
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (i >= bytes.length) truncated(source, 'it ends inside the .npy magic string');
    if (bytes[i] !== MAGIC[i]) {
      const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
      throw new EmmsError(
        'NPY_BAD_MAGIC',
        `${source}: not a .npy file (it does not start with \\x93NUMPY)` +
          (zip ? '; it looks like a zip archive, so read it as .npz.' : '.'),
        { input: source },
      );
    }
  }
  if (bytes.length < 10) truncated(source, 'it ends inside the .npy version and header length');
  const major = bytes[6];
  const minor = bytes[7];
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    throw new EmmsError(
      'NPY_UNSUPPORTED_VERSION',
      `${source}: .npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are).`,
      { input: source, details: { major, minor } },
    );
  }
  const version = major as 1 | 2 | 3;
  const lengthBytes = version === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) truncated(source, 'it ends inside the header length');
  const headerLength =
    version === 1
      ? bytes[8] | (bytes[9] << 8)
      : (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
  const headerStart = 8 + lengthBytes;
  const dataOffset = headerStart + headerLength;
  if (bytes.length < dataOffset) {
    truncated(
      source,
      `the header says it is ${headerLength} bytes long but only ${bytes.length - headerStart} follow`,
    );
  }
  const raw = bytes.subarray(headerStart, dataOffset);
  let text: string;
  if (version === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      badHeader(source, 'the version 3.0 header is not valid UTF-8');
    }
  } else {
    text = '';
    for (let i = 0; i < raw.length; i += 8192) {
      text += String.fromCharCode(...raw.subarray(i, Math.min(raw.length, i + 8192)));
    }
  }

  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    if (e instanceof PyLiteralError) badHeader(source, e.message);
    throw e;
  }
  if (!(dict instanceof Map)) badHeader(source, 'it is not a Python dict');
  const keys = [...dict.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    badHeader(source, `expected the keys descr, fortran_order and shape, found ${keys || 'none'}`);
  }
  const descrValue = dict.get('descr')!;
  if (mentionsObject(descrValue)) refuseObject(source);
  if (typeof descrValue !== 'string') {
    if (Array.isArray(descrValue)) {
      throw new EmmsError(
        'UNSUPPORTED_DTYPE',
        `${source}: holds a structured (record) array; only plain numeric arrays are supported. ` +
          `Save each field as its own array.`,
        { input: source },
      );
    }
    badHeader(source, 'descr is not a string');
  }
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') badHeader(source, 'fortran_order is not True or False');
  const shapeValue = dict.get('shape');
  if (!Array.isArray(shapeValue)) badHeader(source, 'shape is not a tuple');
  const shape: number[] = [];
  for (const d of shapeValue) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      badHeader(
        source,
        `shape ${JSON.stringify(shapeValue)} holds something other than non-negative integers`,
      );
    }
    shape.push(d);
  }
  const info = parseDescr(descrValue, source);
  let count = 1;
  for (const d of shape) count *= d;
  const dataLength = count * info.itemSize;
  if (!Number.isSafeInteger(dataLength)) badHeader(source, `shape (${shape.join(', ')}) is impossibly large`);
  return {
    version,
    descr: descrValue,
    dtype: info.dtype,
    storedDtype: info.storedDtype,
    itemSize: info.itemSize,
    byteOrder: info.byteOrder,
    fortranOrder: fortran,
    shape,
    headerLength,
    dataOffset,
    dataLength,
  };
}

/**
 * Turns the data bytes of a .npy file into a row-major tensor. Aligned little-endian C-order
 * data is viewed in place (no copy); anything else is copied once, byte-swapped and transposed.
 */
export function decodeNpyData(header: NpyHeader, data: Uint8Array, source = 'input'): Tensor {
  const { shape, itemSize } = header;
  if (data.length < header.dataLength) {
    truncated(
      source,
      `shape (${shape.join(', ')}) of ${header.storedDtype} needs ${header.dataLength} data bytes, found ${data.length}`,
    );
  }
  if (data.length > header.dataLength) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${source}: shape (${shape.join(', ')}) of ${header.storedDtype} needs ${header.dataLength} data bytes but the ` +
        `file holds ${data.length}; the header and the data disagree.`,
      { input: source, details: { expectedBytes: header.dataLength, foundBytes: data.length } },
    );
  }
  const count = header.dataLength / itemSize;
  const swap = header.byteOrder === (HOST_LITTLE_ENDIAN ? 'big' : 'little');
  let values: TypedArray;
  if (header.storedDtype === 'float16') {
    const raw = alignedCopy(data, swap ? 2 : 0);
    values = widenHalf(new Uint16Array(raw.buffer, 0, count));
  } else if (!swap && data.byteOffset % itemSize === 0) {
    values = viewAs(header.dtype, data.buffer, data.byteOffset, count);
  } else {
    const raw = alignedCopy(data, swap ? itemSize : 0);
    values = viewAs(header.dtype, raw.buffer, 0, count);
  }
  if (header.fortranOrder && shape.length > 1) values = reorder(values, shape, 'fortranToC');
  return { dtype: header.dtype, shape: [...shape], data: values } as Tensor;
}

/** A copy in fresh memory, byte-swapped when `swapSize` > 0. */
function alignedCopy(data: Uint8Array, swapSize: number): Uint8Array {
  const out = new Uint8Array(data.length);
  out.set(data);
  if (swapSize > 1) swapBytesInPlace(out, swapSize);
  return out;
}

/**
 * Converts between row-major (C) and column-major (Fortran) layouts of an array of `shape`.
 * Returns a new array; 0-d and 1-d arrays come back as a copy in the same order.
 */
export function reorder<A extends TypedArray>(
  src: A,
  shape: readonly number[],
  direction: 'fortranToC' | 'cToFortran',
): A {
  const out = new (src.constructor as new (n: number) => A)(src.length);
  const s = src as unknown as number[];
  const o = out as unknown as number[];
  const n = src.length;
  if (n === 0) return out;
  if (shape.length <= 1) {
    out.set(src as never);
    return out;
  }
  const toC = direction === 'fortranToC';
  if (shape.length === 2) {
    const [rows, cols] = shape;
    // C index i*cols + j  <->  Fortran index j*rows + i; blocks keep both sides in cache
    const B = 64;
    for (let i0 = 0; i0 < rows; i0 += B) {
      const i1 = Math.min(rows, i0 + B);
      for (let j0 = 0; j0 < cols; j0 += B) {
        const j1 = Math.min(cols, j0 + B);
        for (let i = i0; i < i1; i++) {
          for (let j = j0; j < j1; j++) {
            if (toC) o[i * cols + j] = s[j * rows + i];
            else o[j * rows + i] = s[i * cols + j];
          }
        }
      }
    }
    return out;
  }
  // general case: walk C order with an odometer and keep the Fortran offset in step
  const nd = shape.length;
  const fStride: number[] = new Array(nd);
  let acc = 1;
  for (let k = 0; k < nd; k++) {
    fStride[k] = acc;
    acc *= shape[k];
  }
  const idx = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < n; c++) {
    if (toC) o[c] = s[f];
    else o[f] = s[c];
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]++;
      f += fStride[k];
      if (idx[k] < shape[k]) break;
      f -= fStride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * Parses a whole .npy file (format 1.0, 2.0 or 3.0). The result is row-major; when the data is
 * aligned little-endian C order it is a view into `bytes`, so changes to one show in the other.
 */
export function parseNpy(bytes: Uint8Array, source = 'input'): Tensor {
  const header = parseNpyHeader(bytes, source);
  return decodeNpyData(header, bytes.subarray(header.dataOffset), source);
}

function descrFor(dtype: DType, byteOrder: 'little' | 'big'): string {
  const info = dtypeInfo(dtype);
  const order = info.itemSize === 1 ? '|' : byteOrder === 'big' ? '>' : '<';
  return `${order}${info.kind}${info.itemSize}`;
}

/**
 * The header bytes numpy would write for `t` (magic, version, length, padded dict), so that
 * the data that follows starts on a 64-byte boundary.
 */
export function encodeNpyHeader(t: Tensor, opts: NpyWriteOptions = {}): Uint8Array {
  const byteOrder = opts.byteOrder ?? 'little';
  if (byteOrder !== 'little' && byteOrder !== 'big') {
    throw new EmmsError('INVALID_OPTION', `byteOrder must be 'little' or 'big', got ${String(byteOrder)}`, {
      input: 'byteOrder',
    });
  }
  const fortran = opts.fortranOrder === true;
  const shapeText = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let dict = `{'descr': '${descrFor(t.dtype, byteOrder)}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  // numpy leaves room for the growth axis (first, or last in Fortran order) to reach 21 digits
  if (t.shape.length > 0) {
    const growth = t.shape[fortran ? t.shape.length - 1 : 0];
    dict += ' '.repeat(Math.max(0, GROWTH_AXIS_DIGITS - String(growth).length));
  }
  const build = (version: 1 | 2 | 3): Uint8Array | undefined => {
    const lengthBytes = version === 1 ? 2 : 4;
    const fixed = MAGIC.length + 2 + lengthBytes;
    const pad = ALIGN - ((fixed + dict.length + 1) % ALIGN);
    const text = dict + ' '.repeat(pad === ALIGN ? 0 : pad) + '\n';
    if (version === 1 && text.length > 0xffff) return undefined;
    const out = new Uint8Array(fixed + text.length);
    out.set(MAGIC, 0);
    out[6] = version;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (version === 1) view.setUint16(8, text.length, true);
    else view.setUint32(8, text.length, true);
    for (let i = 0; i < text.length; i++) out[fixed + i] = text.charCodeAt(i);
    return out;
  };
  const version = opts.version;
  if (version === undefined) return build(1) ?? build(2)!;
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new EmmsError('INVALID_OPTION', `.npy version must be 1, 2 or 3, got ${String(version)}`, {
      input: 'version',
    });
  }
  const out = build(version);
  if (!out) {
    throw new EmmsError(
      'INVALID_OPTION',
      `a ${t.shape.length}-d array's header does not fit .npy version 1.0; use version 2`,
      { input: 'version' },
    );
  }
  return out;
}

/**
 * The stored data bytes for `t` under `opts` (layout and byte order). When no conversion is
 * needed this is a view of `t.data`, not a copy.
 */
export function encodeNpyData(t: Tensor, opts: NpyWriteOptions = {}): Uint8Array {
  let values: TypedArray = t.data;
  if (opts.fortranOrder && t.shape.length > 1) values = reorder(values, t.shape, 'cToFortran');
  const itemSize = dtypeInfo(t.dtype).itemSize;
  const wantBig = opts.byteOrder === 'big';
  let bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (itemSize > 1 && wantBig === HOST_LITTLE_ENDIAN) {
    bytes = new Uint8Array(bytes);
    swapBytesInPlace(bytes, itemSize);
  }
  return bytes;
}

/** Encodes a tensor as a .npy file that numpy.load reads back exactly. */
export function encodeNpy(t: Tensor, opts: NpyWriteOptions = {}): Uint8Array {
  checkTensor(t, 'tensor');
  const header = encodeNpyHeader(t, opts);
  const data = encodeNpyData(t, opts);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/** A zero-filled tensor; handy for readers that fill memory in chunks. */
export function emptyTensor<D extends DType>(dtype: D, shape: readonly number[]): Tensor<D> {
  let n = 1;
  for (const d of shape) n *= d;
  return { dtype, shape: [...shape], data: allocate(dtype, n) };
}
