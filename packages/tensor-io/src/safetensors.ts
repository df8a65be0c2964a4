import { dtypeInfo, HOST_LITTLE_ENDIAN, swapBytesInPlace, viewAs, widenBfloat16, widenHalf } from './dtype';
import { EmmsError } from './errors';
import type { DType, Tensor, TypedArray } from './tensor';
import { checkTensor, setOwn } from './tensor-check';

/** safetensors dtype names this package reads, and the dtype each becomes. */
const READ: Record<string, { dtype: DType; itemSize: number; widen?: 'half' | 'bfloat16' }> = {
  F64: { dtype: 'float64', itemSize: 8 },
  F32: { dtype: 'float32', itemSize: 4 },
  F16: { dtype: 'float32', itemSize: 2, widen: 'half' },
  BF16: { dtype: 'float32', itemSize: 2, widen: 'bfloat16' },
  I64: { dtype: 'int64', itemSize: 8 },
  I32: { dtype: 'int32', itemSize: 4 },
  I16: { dtype: 'int16', itemSize: 2 },
  I8: { dtype: 'int8', itemSize: 1 },
  U32: { dtype: 'uint32', itemSize: 4 },
  U16: { dtype: 'uint16', itemSize: 2 },
  U8: { dtype: 'uint8', itemSize: 1 },
  BOOL: { dtype: 'bool', itemSize: 1 },
};

/** The safetensors dtype name each of our dtypes is written as. */
const WRITE: Record<DType, string> = {
  float64: 'F64',
  float32: 'F32',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint32: 'U32',
  uint16: 'U16',
  uint8: 'U8',
  bool: 'BOOL',
};

/** numpy-style name of a safetensors dtype as stored (for `emms inspect`). */
export function safetensorsStoredDtype(name: string): string {
  if (name === 'F16') return 'float16';
  if (name === 'BF16') return 'bfloat16';
  const info = READ[name];
  return info ? info.dtype : name;
}

/** One entry of a safetensors header, checked. */
export interface SafetensorsEntry {
  readonly name: string;
  /** The dtype name as stored, e.g. 'F32' or 'BF16'. */
  readonly storedDtype: string;
  /** The dtype the tensor is read as. */
  readonly dtype: DType;
  readonly shape: number[];
  /** Start and end of the data, relative to the first byte after the header. */
  readonly begin: number;
  readonly end: number;
}

/** A parsed safetensors header. */
export interface SafetensorsHeader {
  readonly entries: SafetensorsEntry[];
  /** The free-form string map under "__metadata__", if any. */
  readonly metadata?: Record<string, string>;
  /** Offset of the data section from the start of the file (8 + header length). */
  readonly dataOffset: number;
}

function bad(source: string, problem: string): never {
  throw new EmmsError(
    'SAFETENSORS_BAD_HEADER',
    `${source}: the .safetensors header is invalid: ${problem}. The file is damaged or not a safetensors file.`,
    { input: source },
  );
}

/**
 * Reads and checks the header of a .safetensors file. `bytes` may be only the start of the file
 * when `fileLength` gives the whole length.
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  source = 'input',
  fileLength = bytes.length,
): SafetensorsHeader {
  if (fileLength === 0) {
    throw new EmmsError('FILE_EMPTY', `${source}: file is empty; expected a .safetensors file.`, {
      input: source,
    });
  }
  if (bytes.length < 8) {
    throw new EmmsError('FILE_TRUNCATED', `${source}: file is truncated: it ends inside the header length.`, {
      input: source,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(fileLength - 8)) {
    throw new EmmsError(
      'FILE_TRUNCATED',
      `${source}: file is truncated: the header claims ${headerLength} bytes but the file has ${fileLength - 8} after the length.`,
      { input: source },
    );
  }
  const dataOffset = 8 + Number(headerLength);
  if (bytes.length < dataOffset) bad(source, 'the header was not passed in full');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataOffset)));
  } catch (e) {
    bad(source, `the JSON does not parse (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    bad(source, 'the JSON is not an object');
  const dataLength = fileLength - dataOffset;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        bad(source, '__metadata__ is not an object');
      for (const v of Object.values(value))
        if (typeof v !== 'string') bad(source, '__metadata__ values must be strings');
      metadata = value as Record<string, string>;
      continue;
    }
    if (typeof value !== 'object' || value === null) bad(source, `entry '${name}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtype !== 'string') bad(source, `entry '${name}' has no dtype`);
    const info = READ[dtype];
    if (!info) {
      throw new EmmsError(
        'UNSUPPORTED_DTYPE',
        `${source}: tensor '${name}' has dtype ${dtype}, which is not supported (supported: ${Object.keys(READ).join(', ')}). ` +
          'Convert it before saving, e.g. tensor.float().',
        { input: source, details: { tensor: name, dtype } },
      );
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      bad(source, `entry '${name}' has a shape that is not a list of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      offsets.some((d) => !Number.isSafeInteger(d) || d < 0) ||
      offsets[1] < offsets[0]
    ) {
      bad(source, `entry '${name}' has data_offsets that are not [begin, end]`);
    }
    const [begin, end] = offsets as number[];
    let count = 1;
    for (const d of shape as number[]) count *= d;
    if (!Number.isSafeInteger(count * info.itemSize) || end - begin !== count * info.itemSize) {
      throw new EmmsError(
        'SHAPE_MISMATCH',
        `${source}: tensor '${name}' of shape [${(shape as number[]).join(', ')}] ${dtype} needs ` +
          `${count * info.itemSize} bytes but its data_offsets span ${end - begin}.`,
        { input: source, details: { tensor: name } },
      );
    }
    if (end > dataLength) {
      throw new EmmsError(
        'FILE_TRUNCATED',
        `${source}: file is truncated: tensor '${name}' ends at byte ${end} of the data but only ${dataLength} are present.`,
        { input: source },
      );
    }
    entries.push({ name, storedDtype: dtype, dtype: info.dtype, shape: shape as number[], begin, end });
  }
  return { entries, metadata, dataOffset };
}

/** Decodes one entry's bytes (little-endian as the format fixes) into a tensor. */
export function decodeSafetensorsEntry(entry: SafetensorsEntry, data: Uint8Array): Tensor {
  const info = READ[entry.storedDtype];
  const count = (entry.end - entry.begin) / info.itemSize;
  let values: TypedArray;
  if (info.widen) {
    const raw = new Uint8Array(data);
    if (!HOST_LITTLE_ENDIAN) swapBytesInPlace(raw, 2);
    const halves = new Uint16Array(raw.buffer, 0, count);
    values = info.widen === 'half' ? widenHalf(halves) : widenBfloat16(halves);
  } else if (HOST_LITTLE_ENDIAN && data.byteOffset % info.itemSize === 0) {
    values = viewAs(info.dtype, data.buffer, data.byteOffset, count);
  } else {
    const raw = new Uint8Array(data);
    if (!HOST_LITTLE_ENDIAN) swapBytesInPlace(raw, info.itemSize);
    values = viewAs(info.dtype, raw.buffer, 0, count);
  }
  return { dtype: entry.dtype, shape: [...entry.shape], data: values } as Tensor;
}

/**
 * Parses a .safetensors file. F16 and BF16 tensors are widened to float32; the others are
 * views into `bytes` when aligned (no copy).
 */
export function parseSafetensors(bytes: Uint8Array, source = 'input'): Record<string, Tensor> {
  const header = parseSafetensorsHeader(bytes, source);
  const out: Record<string, Tensor> = {};
  for (const entry of header.entries) {
    const start = header.dataOffset + entry.begin;
    setOwn(
      out,
      entry.name,
      decodeSafetensorsEntry(entry, bytes.subarray(start, header.dataOffset + entry.end)),
    );
  }
  return out;
}

/**
 * Writes tensors as a .safetensors file (little-endian, header padded with spaces to 8 bytes,
 * tensors ordered by element size then name so every tensor starts aligned).
 */
export function encodeSafetensors(
  arrays: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(arrays);
  for (const name of names) {
    checkTensor(arrays[name], name);
    if (name === '__metadata__') {
      throw new EmmsError('INVALID_OPTION', `'__metadata__' is reserved and cannot name a tensor`, {
        input: name,
      });
    }
  }
  names.sort((a, b) => {
    const d = dtypeInfo(arrays[b].dtype).itemSize - dtypeInfo(arrays[a].dtype).itemSize;
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = arrays[name];
    const size = t.data.byteLength;
    setOwn(header, name, {
      dtype: WRITE[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + size],
    });
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const d = arrays[name].data;
    const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    out.set(bytes, at);
    if (!HOST_LITTLE_ENDIAN)
      swapBytesInPlace(out.subarray(at, at + bytes.length), dtypeInfo(arrays[name].dtype).itemSize);
    at += bytes.length;
  }
  return out;
}
