import { EmmsError } from './errors';
import { type ByteOrder, decodeNpyData, type NpyHeader, parseNpyHeader } from './npy';
import { parseNpzEntries } from './npz';
import { decodeSafetensorsEntry, parseSafetensorsHeader, safetensorsStoredDtype } from './safetensors';
import { summarize, type TensorSummary } from './summary';
import type { Tensor } from './tensor';
import { setOwn } from './tensor-check';

/** The array file formats this package reads and writes. */
export type ArrayFormat = 'npy' | 'npz' | 'safetensors';

/** File extensions of the array formats, for messages. */
export const ARRAY_EXTENSIONS = ['.npy', '.npz', '.safetensors'] as const;

/** The last path component, for both '/' and '\' separators. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(i + 1);
}

/** The lower-cased extension of a path including the dot ('' when there is none). */
export function extensionOf(path: string): string {
  const base = baseName(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** A path's file name without its extension ('features' for 'out/features.npy'). */
export function fileStem(path: string): string {
  const base = baseName(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The array format a path's extension names, or undefined. */
export function arrayFormatOf(path: string): ArrayFormat | undefined {
  const ext = extensionOf(path);
  if (ext === '.npy') return 'npy';
  if (ext === '.npz') return 'npz';
  if (ext === '.safetensors') return 'safetensors';
  return undefined;
}

/** The array format of `path`, or UNSUPPORTED_FORMAT naming the supported extensions. */
export function requireArrayFormat(path: string): ArrayFormat {
  const format = arrayFormatOf(path);
  if (!format) {
    throw new EmmsError(
      'UNSUPPORTED_FORMAT',
      `${path}: unsupported file type '${extensionOf(path) || '(no extension)'}'; array files must be ${ARRAY_EXTENSIONS.join(', ')}.`,
      { input: path },
    );
  }
  return format;
}

/** One array of a file as `emms inspect` reports it. */
export interface ArrayInspection extends TensorSummary {
  /** Array name (the file stem for .npy). */
  readonly name: string;
  /** numpy-style name of the type as stored ('float16' or 'bfloat16' when read as float32). */
  readonly storedDtype: string;
  /** Byte order as stored. */
  readonly byteOrder: ByteOrder;
  /** True when stored column-major (.npy/.npz only). */
  readonly fortranOrder: boolean;
  /** .npy format version (.npy/.npz only). */
  readonly npyVersion?: 1 | 2 | 3;
}

/** What `emms inspect` reports for a file. */
export interface FileInspection {
  readonly path: string;
  readonly format: ArrayFormat;
  readonly arrays: ArrayInspection[];
}

/** The inspection of one .npy array from its header and decoded tensor. */
export function inspectNpy(name: string, header: NpyHeader, tensor: Tensor): ArrayInspection {
  return {
    name,
    ...summarize(tensor),
    storedDtype: header.storedDtype,
    byteOrder: header.byteOrder,
    fortranOrder: header.fortranOrder,
    npyVersion: header.version,
  };
}

/**
 * Parses an array file of any supported format held in memory. A .npy file yields one entry
 * keyed by the file stem of `source`.
 */
export function parseArrays(
  bytes: Uint8Array,
  source: string,
  format = requireArrayFormat(source),
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const { name, tensor } of readAll(bytes, source, format)) setOwn(out, name, tensor);
  return out;
}

/** Shapes, dtypes, byte orders and value statistics of every array in an in-memory file. */
export function inspectArrays(
  bytes: Uint8Array,
  source: string,
  format = requireArrayFormat(source),
): FileInspection {
  return { path: source, format, arrays: readAll(bytes, source, format).map((a) => a.inspection()) };
}

const ONE_BYTE = new Set(['BOOL', 'U8', 'I8']);

function readAll(
  bytes: Uint8Array,
  source: string,
  format: ArrayFormat,
): { name: string; tensor: Tensor; inspection: () => ArrayInspection }[] {
  if (format === 'npy') {
    const header = parseNpyHeader(bytes, source);
    const tensor = decodeNpyData(header, bytes.subarray(header.dataOffset), source);
    const name = fileStem(source);
    return [{ name, tensor, inspection: () => inspectNpy(name, header, tensor) }];
  }
  if (format === 'npz') {
    return parseNpzEntries(bytes, source).map(({ name, header, tensor }) => ({
      name,
      tensor,
      inspection: () => inspectNpy(name, header, tensor),
    }));
  }
  const header = parseSafetensorsHeader(bytes, source);
  return header.entries.map((entry) => {
    const data = bytes.subarray(header.dataOffset + entry.begin, header.dataOffset + entry.end);
    const tensor = decodeSafetensorsEntry(entry, data);
    return {
      name: entry.name,
      tensor,
      inspection: () => ({
        name: entry.name,
        ...summarize(tensor),
        storedDtype: safetensorsStoredDtype(entry.storedDtype),
        byteOrder: ONE_BYTE.has(entry.storedDtype) ? 'none' : 'little',
        fortranOrder: false,
      }),
    };
  });
}
