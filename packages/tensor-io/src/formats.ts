import { EmmsError } from './errors';
import { type ByteOrder, decodeNpyData, type NpyHeader, parseNpyHeader } from './npy';
import { type NpzReadOptions, openNpz } from './npz';
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
 * An array file held in memory, opened without decoding anything: the names are known at once,
 * each array is decoded (for .npz: inflated) only when asked for.
 */
export interface ArrayFile {
  readonly source: string;
  readonly format: ArrayFormat;
  /** Array names in file order (the file stem for .npy). */
  readonly names: readonly string[];
  /**
   * Checks what can be checked without decoding data: every .npz entry's .npy header and size
   * against its directory and the size limit. Throws as {@link ArrayFile.read} would.
   */
  checkAll(): void;
  /** One array, decoded. */
  read(name: string): Tensor;
  /** One array's inspection (decodes it; nothing is kept). */
  inspect(name: string): ArrayInspection;
}

const ONE_BYTE = new Set(['BOOL', 'U8', 'I8']);

/**
 * Opens an array file of any supported format held in memory (see {@link ArrayFile}). A .npy
 * file holds one array named by the file stem of `source`.
 *
 * @param opts `maxEntryBytes` for .npz archives (see {@link NpzReadOptions}).
 * @throws EmmsError the format's codes (NPY_*, ZIP_CORRUPT, SAFETENSORS_BAD_HEADER…);
 *   `read`/`inspect` throw ARRAY_NOT_FOUND for an unknown name.
 */
export function openArrays(
  bytes: Uint8Array,
  source: string,
  format = requireArrayFormat(source),
  opts: NpzReadOptions = {},
): ArrayFile {
  const notFound = (name: string, names: readonly string[]): never => {
    throw new EmmsError('ARRAY_NOT_FOUND', `${source}: has no array '${name}'.`, {
      input: source,
      details: { arrays: [...names] },
    });
  };
  if (format === 'npy') {
    const header = parseNpyHeader(bytes, source);
    const stem = fileStem(source);
    const read = (name: string) => {
      if (name !== stem) notFound(name, [stem]);
      return decodeNpyData(header, bytes.subarray(header.dataOffset), source);
    };
    return {
      source,
      format,
      names: [stem],
      checkAll: () => undefined,
      read,
      inspect: (name) => inspectNpy(name, header, read(name)),
    };
  }
  if (format === 'npz') {
    const archive = openNpz(bytes, source, opts);
    return {
      source,
      format,
      names: archive.names,
      checkAll: () => {
        for (const name of archive.names) archive.header(name);
      },
      read: (name) => archive.entry(name).tensor,
      inspect: (name) => {
        const { header, tensor } = archive.entry(name);
        return inspectNpy(name, header, tensor);
      },
    };
  }
  const header = parseSafetensorsHeader(bytes, source);
  const entries = new Map(header.entries.map((e) => [e.name, e]));
  const decode = (name: string) => {
    const entry = entries.get(name) ?? notFound(name, [...entries.keys()]);
    const data = bytes.subarray(header.dataOffset + entry.begin, header.dataOffset + entry.end);
    return { entry, tensor: decodeSafetensorsEntry(entry, data) };
  };
  return {
    source,
    format,
    names: header.entries.map((e) => e.name),
    checkAll: () => undefined,
    read: (name) => decode(name).tensor,
    inspect: (name) => {
      const { entry, tensor } = decode(name);
      return {
        name,
        ...summarize(tensor),
        storedDtype: safetensorsStoredDtype(entry.storedDtype),
        byteOrder: ONE_BYTE.has(entry.storedDtype) ? 'none' : 'little',
        fortranOrder: false,
      };
    },
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
  opts: NpzReadOptions = {},
): Record<string, Tensor> {
  const file = openArrays(bytes, source, format, opts);
  file.checkAll();
  const out: Record<string, Tensor> = {};
  for (const name of file.names) setOwn(out, name, file.read(name));
  return out;
}

/**
 * Shapes, dtypes, byte orders and value statistics of every array in an in-memory file. Every
 * header is checked before any array is decoded; arrays are decoded one at a time.
 */
export function inspectArrays(
  bytes: Uint8Array,
  source: string,
  format = requireArrayFormat(source),
  opts: NpzReadOptions = {},
): FileInspection {
  const file = openArrays(bytes, source, format, opts);
  file.checkAll();
  return { path: source, format, arrays: file.names.map((name) => file.inspect(name)) };
}
