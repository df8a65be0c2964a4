// Node entry: file reading and writing on top of the browser-safe parsers.

import { constants as bufferConstants } from 'node:buffer';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, rename, stat, unlink } from 'node:fs/promises';
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { toLabels, toMatrix } from './convert';
import { allocate, dtypeInfo, HOST_LITTLE_ENDIAN, swapBytesInPlace, widenHalf } from './dtype';
import { EmmsError } from './errors';
import {
  ARRAY_EXTENSIONS,
  type ArrayFile,
  type ArrayFormat,
  extensionOf,
  type FileInspection,
  fileStem,
  inspectNpy,
  openArrays,
  requireArrayFormat,
} from './formats';
import {
  type ParsedLabels,
  parseClassNames,
  parseLabelsCsv,
  parseLabelsJson,
  parseLabelsText,
} from './labels';
import { encodeNpyHeader, type NpyHeader, type NpyWriteOptions, parseNpyHeader, reorder } from './npy';
import { encodeNpz, type RawInflater } from './npz';
import { type ProgressListener, progressTracker } from './progress';
import { encodeSafetensors } from './safetensors';
import type { Matrix, Tensor, TypedArray } from './tensor';
import { checkTensor, setOwn } from './tensor-check';

export type { ArrayFile, ArrayFormat, ArrayInspection, FileInspection } from './formats';

/** Bytes read per system call; large files are filled in pieces of this size. */
const CHUNK = 64 * 1024 * 1024;
/** The longest Uint8Array V8 makes; files read whole must fit in one. */
const MAX_WHOLE_FILE = 2 ** 32;

/** Options of the readers. */
export interface ReadOptions {
  /** Progress in bytes while a large .npy is read. */
  onProgress?: ProgressListener;
  /** Bytes per read call (default 64 MiB). */
  chunkBytes?: number;
  /**
   * The most bytes one compressed .npz entry may unpack to (default 512 MiB), checked against the
   * archive's headers before inflating; above it the read fails with ZIP_ENTRY_TOO_LARGE. Only
   * the entries asked for are inflated. See NpzReadOptions.
   */
  maxEntryBytes?: number;
}

/** Options of {@link readTensorFile}. */
export interface ReadTensorOptions extends ReadOptions {
  /** For .npz/.safetensors holding several arrays: the one to return. */
  array?: string;
}

function writeError(path: string, e: unknown): never {
  const code = (e as { code?: string })?.code;
  const why =
    code === 'ENOENT' ? 'its folder does not exist' : (code ?? (e instanceof Error ? e.message : String(e)));
  throw new EmmsError('FILE_UNWRITABLE', `${path}: cannot be written (${why}).`, { input: path, cause: e });
}

function fsError(path: string, e: unknown): never {
  const code = (e as { code?: string })?.code;
  if (code === 'ENOENT') {
    throw new EmmsError('FILE_NOT_FOUND', `${path}: file not found. Check the path.`, {
      input: path,
      cause: e,
    });
  }
  if (code === 'EISDIR') {
    throw new EmmsError('FILE_UNREADABLE', `${path}: is a folder, not a file.`, { input: path, cause: e });
  }
  throw new EmmsError(
    'FILE_UNREADABLE',
    `${path}: cannot be read (${code ?? (e instanceof Error ? e.message : String(e))}).`,
    { input: path, cause: e },
  );
}

/** What the readers ask for, for messages about a path that is not a regular file. */
const ARRAY_FILE = `an array file (${ARRAY_EXTENSIONS.join(', ')})`;
const LABEL_FILE = 'a label file (.npy, .npz, .safetensors, .txt, .csv or .json)';
const A_FILE = 'a regular file';

/** The kind of a path that is not a regular file, or undefined for a regular file. */
function specialKind(st: Stats): 'folder' | 'fifo' | 'socket' | 'device' | 'special file' | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'folder';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device';
  return 'special file';
}

function refuseSpecial(path: string, st: Stats, what: string): void {
  const kind = specialKind(st);
  if (kind === undefined) return;
  const message =
    kind === 'folder'
      ? `${path}: is a folder, not a file; give ${what}.`
      : `${path}: is a ${kind === 'fifo' ? 'named pipe (FIFO)' : kind}, not a regular file, and reading it could ` +
        `block or never end; save the data to a file and give ${what}.`;
  throw new EmmsError('NOT_A_FILE', message, { input: path, details: { kind } });
}

/**
 * Checks that `path` is a regular file (following symbolic links) without opening it, so that a
 * named pipe, a socket or a device is refused before anything can block on it.
 *
 * @param path the file.
 * @param what what the caller reads, for the message ("a spec file (.json)").
 * @throws EmmsError FILE_NOT_FOUND, NOT_A_FILE (details.kind: folder, fifo, socket, device), FILE_UNREADABLE.
 * @example
 * ```ts
 * await requireRegularFile('bench.json', 'a bench spec (.json)');
 * ```
 */
export async function requireRegularFile(path: string, what = A_FILE): Promise<void> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    fsError(path, e);
  }
  refuseSpecial(path, st, what);
}

/**
 * Refuses a path that exists and is not a regular file, before its extension is looked at (a
 * folder named "feats" is a folder, not an unknown file type); a missing path is left for the
 * reader to report, after the extension.
 */
async function refuseIfSpecial(path: string, what: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st) refuseSpecial(path, st, what);
}

async function openForRead(path: string, what = A_FILE): Promise<{ fh: FileHandle; size: number }> {
  await requireRegularFile(path, what);
  let fh: FileHandle;
  try {
    // Non-blocking: should the path have become a pipe since the check, opening it cannot hang.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    fsError(path, e);
  }
  try {
    const st = await fh.stat();
    refuseSpecial(path, st, what);
    if (st.size === 0) throw new EmmsError('FILE_EMPTY', `${path}: file is empty.`, { input: path });
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** A run of bytes in memory; may be longer than one Uint8Array can span (2^32 bytes). */
interface ByteRegion {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** Views of `region` of at most `chunk` bytes each, in order. */
function* chunksOf(region: ByteRegion, chunk = CHUNK): Generator<Uint8Array> {
  for (let done = 0; done < region.byteLength; done += chunk) {
    yield new Uint8Array(region.buffer, region.byteOffset + done, Math.min(chunk, region.byteLength - done));
  }
}

/** Reverses the bytes of every element of `region` in place (chunk by chunk). */
function swapRegion(region: ByteRegion, itemSize: number): void {
  for (const view of chunksOf(region)) swapBytesInPlace(view, itemSize);
}

/** Fills `into` from file `position` on, in chunks; FILE_TRUNCATED when the file ends first. */
async function readInto(
  fh: FileHandle,
  path: string,
  into: ByteRegion,
  position: number,
  onChunk?: (bytes: number) => void,
  chunk = CHUNK,
): Promise<void> {
  let at = position;
  for (const view of chunksOf(into, chunk)) {
    for (let done = 0; done < view.length; ) {
      const { bytesRead } = await fh.read(view, done, view.length - done, at);
      if (bytesRead === 0) {
        throw new EmmsError('FILE_TRUNCATED', `${path}: file ended after ${at} bytes while reading.`, {
          input: path,
        });
      }
      done += bytesRead;
      at += bytesRead;
      onChunk?.(bytesRead);
    }
  }
}

function allocateOrFail<T>(path: string, bytes: number, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new EmmsError(
        'FILE_TOO_LARGE',
        `${path}: needs ${(bytes / 2 ** 30).toFixed(2)} GiB of memory, which could not be allocated.`,
        { input: path, cause: e },
      );
    }
    throw e;
  }
}

/**
 * The whole file as bytes, read in chunks (works past Node's 2 GiB readFile limit). Folders,
 * named pipes, sockets and devices are refused before opening (NOT_A_FILE).
 */
export async function readFileBytes(path: string, what = A_FILE): Promise<Uint8Array> {
  const { fh, size } = await openForRead(path, what);
  try {
    if (size > MAX_WHOLE_FILE) {
      throw new EmmsError(
        'FILE_TOO_LARGE',
        `${path}: is ${(size / 2 ** 30).toFixed(2)} GiB; .npz, .safetensors and text files are read whole and must stay ` +
          'under 4 GiB. Save large feature matrices as .npy, which is read in chunks.',
        { input: path },
      );
    }
    const bytes = allocateOrFail(path, size, () => new Uint8Array(size));
    await readInto(fh, path, bytes, 0);
    return bytes;
  } finally {
    await fh.close();
  }
}

async function readText(path: string, code = 'LABELS_PARSE', what = LABEL_FILE): Promise<string> {
  const bytes = await readFileBytes(path, what);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EmmsError(code, `${path}: is not UTF-8 text.`, { input: path });
  }
}

/**
 * Reads a UTF-8 text file (a spec, a table) with the same guards as the array readers: folders,
 * named pipes, sockets and devices are refused before opening, so nothing blocks.
 *
 * @param path the file.
 * @param what what the caller reads, for the message ("a bench spec (.json)").
 * @throws EmmsError FILE_NOT_FOUND, NOT_A_FILE, FILE_EMPTY, FILE_TOO_LARGE, FILE_UNREADABLE (also
 *   for text that is not UTF-8).
 * @example
 * ```ts
 * const spec = JSON.parse(await readTextFile('bench.json', 'a bench spec (.json)'));
 * ```
 */
export async function readTextFile(path: string, what = 'a text file'): Promise<string> {
  return readText(path, 'FILE_UNREADABLE', what);
}

/** Reads the header of a .npy file without reading its data. */
async function readNpyHeaderFrom(fh: FileHandle, path: string, size: number): Promise<NpyHeader> {
  let prefix = new Uint8Array(Math.min(size, 4096));
  await readInto(fh, path, prefix, 0);
  try {
    return parseNpyHeader(prefix, path);
  } catch (e) {
    if (
      !(e instanceof EmmsError) ||
      e.code !== 'FILE_TRUNCATED' ||
      prefix.length === size ||
      prefix.length < 12
    ) {
      throw e;
    }
  }
  // a header longer than the first read: its length field says how much to read
  const view = new DataView(prefix.buffer);
  const end = prefix[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
  prefix = new Uint8Array(Math.min(size, end));
  await readInto(fh, path, prefix, 0);
  return parseNpyHeader(prefix, path);
}

/**
 * Reads a .npy file. The data goes in chunks from the file straight into the destination typed
 * array (the file is never held twice); big-endian data is swapped in place. Fortran-order
 * arrays need one extra buffer for the transpose, and float16 files one for the widening.
 */
export async function readNpyFile(
  path: string,
  opts: ReadOptions = {},
): Promise<{ header: NpyHeader; tensor: Tensor }> {
  const { fh, size } = await openForRead(path, ARRAY_FILE);
  try {
    const header = await readNpyHeaderFrom(fh, path, size);
    const available = size - header.dataOffset;
    if (available < header.dataLength) {
      throw new EmmsError(
        'FILE_TRUNCATED',
        `${path}: file is truncated: shape (${header.shape.join(', ')}) of ${header.storedDtype} needs ` +
          `${header.dataLength} data bytes, found ${available}. Write the file again.`,
        { input: path },
      );
    }
    if (available > header.dataLength) {
      throw new EmmsError(
        'SHAPE_MISMATCH',
        `${path}: shape (${header.shape.join(', ')}) of ${header.storedDtype} needs ${header.dataLength} data bytes but ` +
          `the file holds ${available}; the header and the data disagree.`,
        { input: path },
      );
    }
    const count = header.dataLength / header.itemSize;
    const half = header.storedDtype === 'float16';
    let values: TypedArray = allocateOrFail(path, header.dataLength, () =>
      half ? new Uint16Array(count) : allocate(header.dtype, count),
    );
    const progress = progressTracker(`read:${fileStem(path)}`, header.dataLength, opts.onProgress);
    const chunk = opts.chunkBytes !== undefined && opts.chunkBytes > 0 ? Math.floor(opts.chunkBytes) : CHUNK;
    await readInto(fh, path, values, header.dataOffset, (n) => progress.advance(n), chunk);
    if (header.byteOrder === (HOST_LITTLE_ENDIAN ? 'big' : 'little')) swapRegion(values, header.itemSize);
    if (half) values = widenHalf(values as Uint16Array);
    if (header.fortranOrder && header.shape.length > 1) {
      values = allocateOrFail(path, values.byteLength, () => reorder(values, header.shape, 'fortranToC'));
    }
    return { header, tensor: { dtype: header.dtype, shape: [...header.shape], data: values } as Tensor };
  } finally {
    await fh.close();
  }
}

/** A file path with an optional selector: `file.npz:name` or `labels.csv:column`. */
export interface FileSelection {
  /** The file to read. */
  readonly path: string;
  /** The part after the ':' (an array name, a CSV column), when there was one. */
  readonly selector?: string;
}

/** True when `path` exists and is not a folder (a pipe or device counts, so its reader can refuse it by name). */
async function isFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Splits `file.npz:name` into the file and the selector. A suffix counts only when the part
 * before its ':' is an existing file (or pipe, socket, device: refused later by the readers, by
 * name) and the whole string is not: so a file whose own name holds
 * ':' is read as it is, array names may hold ':' (`a.npz:block:0` picks 'block:0' when a.npz
 * exists), and a Windows drive (`C:\data\x.npz`) is never taken for a selector.
 *
 * @param spec a path, possibly followed by ':' and a selector.
 * @returns the path to read and the selector, if any. Nothing is read but file metadata.
 * @example
 * ```ts
 * await splitFileSelector('features.npz:layer4'); // { path: 'features.npz', selector: 'layer4' }
 * await splitFileSelector('C:\\data\\x.npz');      // { path: 'C:\\data\\x.npz' }
 * ```
 */
export async function splitFileSelector(spec: string): Promise<FileSelection> {
  if (!spec.includes(':') || (await isFile(spec))) return { path: spec };
  for (let i = spec.lastIndexOf(':'); i > 0; i = spec.lastIndexOf(':', i - 1)) {
    const path = spec.slice(0, i);
    const selector = spec.slice(i + 1);
    if (selector === '') continue;
    // 'C:\x' or 'C:/x': a drive letter, not a file called 'C'.
    if (i === 1 && /^[A-Za-z]$/.test(path) && /^[\\/]/.test(selector)) continue;
    if (await isFile(path)) return { path, selector };
  }
  return { path: spec };
}

/**
 * {@link splitFileSelector}, and FILE_NOT_FOUND naming the whole `spec` when it holds a ':' but
 * neither it nor any part before a ':' exists (rather than a confusing extension complaint).
 */
async function selectFile(spec: string): Promise<FileSelection> {
  const sel = await splitFileSelector(spec);
  if (sel.selector === undefined && spec.includes(':')) {
    try {
      await stat(spec);
    } catch (e) {
      const at = spec.lastIndexOf(':');
      throw new EmmsError(
        'FILE_NOT_FOUND',
        `${spec}: file not found, and '${spec.slice(0, at)}' is not a file to pick '${spec.slice(at + 1)}' from (path:name). Check the path.`,
        { input: spec, cause: e },
      );
    }
  }
  return sel;
}

/** The selector of `spec` merged with an explicit option; INVALID_OPTION when they disagree. */
function mergeSelector(
  spec: string,
  sel: FileSelection,
  option: string | number | undefined,
  optionName: string,
): string | number | undefined {
  if (sel.selector === undefined) return option;
  if (option !== undefined && String(option) !== sel.selector) {
    throw new EmmsError(
      'INVALID_OPTION',
      `${spec}: names '${sel.selector}' after ':' but the ${optionName} option says '${option}'; give one of them.`,
      { input: optionName, details: { selector: sel.selector, [optionName]: option } },
    );
  }
  return sel.selector;
}

/** The name of the one array to read from `file`: `wanted`, or the only one there is. */
function pickOne(path: string, file: Pick<ArrayFile, 'names'>, wanted?: string): string {
  const names = file.names;
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new EmmsError(
        'ARRAY_NOT_FOUND',
        `${path}: has no array '${wanted}'; it holds ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'none'}.`,
        { input: path, details: { arrays: [...names] } },
      );
    }
    return wanted;
  }
  if (names.length === 1) return names[0];
  if (names.length === 0) {
    throw new EmmsError('ARRAY_NOT_FOUND', `${path}: holds no arrays.`, { input: path });
  }
  throw new EmmsError(
    'AMBIGUOUS_ARRAY',
    `${path}: holds ${names.length} arrays (${names.map((n) => `'${n}'`).join(', ')}); pick one as ` +
      `'${path}:${names[0]}' (path:name) or with the array option.`,
    { input: path, details: { arrays: names } },
  );
}

/**
 * Reads one tensor: a .npy file, or a .npz/.safetensors file that holds exactly one array, or the
 * array named as `file.npz:name` (see {@link splitFileSelector}) or by `opts.array`.
 *
 * @param spec a path, optionally followed by ':' and an array name.
 * @throws EmmsError FILE_NOT_FOUND, FILE_UNREADABLE, FILE_EMPTY, UNSUPPORTED_FORMAT, the format's
 *   codes (NPY_*, ZIP_CORRUPT, SAFETENSORS_BAD_HEADER…), AMBIGUOUS_ARRAY when several arrays and
 *   none named, ARRAY_NOT_FOUND when the named one is absent, INVALID_OPTION when `path:name` and
 *   `opts.array` disagree.
 * @example
 * ```ts
 * const t = await readTensorFile('run.npz:features'); // one array of a multi-array .npz
 * ```
 */
export async function readTensorFile(spec: string, opts: ReadTensorOptions = {}): Promise<Tensor> {
  const sel = await selectFile(spec);
  const wanted = mergeSelector(spec, sel, opts.array, 'array') as string | undefined;
  const path = sel.path;
  await refuseIfSpecial(path, ARRAY_FILE);
  const format = requireArrayFormat(path);
  if (format === 'npy' && wanted === undefined) return (await readNpyFile(path, opts)).tensor;
  const file = await openArrayFile(path, format, opts);
  return file.read(pickOne(path, file, wanted));
}

/**
 * Raw inflate on node:zlib into one buffer of `limit + 1` bytes: zlib stops and throws as soon as
 * the output passes `limit + 1`, so a lying entry costs at most that.
 */
function zlibInflater(path: string): RawInflater {
  return (packed, limit) => {
    if (limit + 1 > bufferConstants.MAX_LENGTH) {
      throw new EmmsError(
        'FILE_TOO_LARGE',
        `${path}: an entry unpacks to ${limit} bytes, more than one buffer holds; save the array as .npy, which is read in chunks.`,
        { input: path },
      );
    }
    try {
      return inflateRawSync(packed, {
        chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, limit + 1),
        maxOutputLength: limit + 1,
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return null;
      throw e;
    }
  };
}

/** Reads a .npz/.safetensors (or .npy) file into memory and opens it without decoding any array. */
async function openArrayFile(path: string, format: ArrayFormat, opts: ReadOptions): Promise<ArrayFile> {
  return openArrays(await readFileBytes(path, ARRAY_FILE), path, format, {
    maxEntryBytes: opts.maxEntryBytes,
    inflateRaw: zlibInflater(path),
  });
}

/**
 * Reads every array of a file of any supported format; a .npy file's key is its file stem. With
 * `file.npz:name`, only that array.
 *
 * @throws EmmsError as {@link readTensorFile}.
 * @example
 * ```ts
 * Object.keys(await readArrays('run.npz')); // ['features', 'labels']
 * ```
 */
export async function readArrays(spec: string, opts: ReadOptions = {}): Promise<Record<string, Tensor>> {
  const sel = await selectFile(spec);
  const path = sel.path;
  await refuseIfSpecial(path, ARRAY_FILE);
  const format: ArrayFormat = requireArrayFormat(path);
  if (format === 'npy' && sel.selector === undefined) {
    const { tensor } = await readNpyFile(path, opts);
    return { [fileStem(path)]: tensor };
  }
  const file = await openArrayFile(path, format, opts);
  const out: Record<string, Tensor> = {};
  if (sel.selector !== undefined) {
    setOwn(out, sel.selector, file.read(pickOne(path, file, sel.selector)));
    return out;
  }
  file.checkAll();
  for (const name of file.names) setOwn(out, name, file.read(name));
  return out;
}

/**
 * Reads a matrix (see {@link toMatrix}: 2-D float data without a copy, 1-D as N×1, integer
 * data converted to float64). `name` labels errors; it defaults to the path. `file.npz:name`
 * picks one array, as in {@link readTensorFile}.
 *
 * @throws EmmsError as {@link readTensorFile}, and SHAPE_MISMATCH for arrays of more than 2 dimensions.
 * @example
 * ```ts
 * const x = await readMatrixFile('features.npy', 'features'); // N×D
 * ```
 */
export async function readMatrixFile(
  path: string,
  name = path,
  opts: ReadTensorOptions = {},
): Promise<Matrix> {
  return toMatrix(await readTensorFile(path, opts), name);
}

/** Options of {@link readLabelsFile}. */
export interface ReadLabelsOptions {
  /** CSV column by header name or 0-based index; may be omitted for one-column files. */
  column?: string | number;
  /** Whether a CSV file has a header row (see parseLabelsCsv). */
  header?: boolean;
  /** Map name labels to this class list (line i = class i) instead of the sorted distinct names. */
  classNames?: readonly string[];
  /** For .npz/.safetensors holding several arrays: the one to use. */
  array?: string;
  /** The most bytes one compressed .npz entry may unpack to (see {@link ReadOptions.maxEntryBytes}). */
  maxEntryBytes?: number;
}

const LABEL_EXTENSIONS = [...ARRAY_EXTENSIONS, '.txt', '.labels', '.csv', '.json'];

/**
 * Reads class labels by extension: integer (or whole-valued float) arrays from .npy/.npz/
 * .safetensors, one label per line from .txt/.labels, a column of a .csv, a JSON array from
 * .json. Name labels come back with their class names. A suffix picks what to read:
 * `run.npz:labels` an array, `labels.csv:species` a column by header name, `labels.csv:2` a
 * column by 0-based index.
 *
 * @param spec a path, optionally followed by ':' and an array name or CSV column.
 * @throws EmmsError FILE_NOT_FOUND, LABELS_PARSE, LABEL_NOT_INTEGER, UNSUPPORTED_FORMAT,
 *   AMBIGUOUS_ARRAY / ARRAY_NOT_FOUND (arrays), INVALID_OPTION (a CSV with several columns and
 *   none named, a selector on a .txt/.json file, a selector that disagrees with an option).
 * @example
 * ```ts
 * const { labels, classNames } = await readLabelsFile('meta.csv:species');
 * ```
 */
export async function readLabelsFile(spec: string, opts: ReadLabelsOptions = {}): Promise<ParsedLabels> {
  const sel = await selectFile(spec);
  const path = sel.path;
  await refuseIfSpecial(path, LABEL_FILE);
  const ext = extensionOf(path);
  const textOpts = { classNames: opts.classNames };
  if (sel.selector !== undefined && !['.npy', '.npz', '.safetensors', '.csv'].includes(ext)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `${spec}: a ${ext || 'plain'} file holds one list of labels; drop ':${sel.selector}' (path:name picks an array of .npz/.safetensors or a column of .csv).`,
      { input: spec },
    );
  }
  switch (ext) {
    case '.npy':
    case '.npz':
    case '.safetensors': {
      const array = mergeSelector(spec, sel, opts.array, 'array') as string | undefined;
      return {
        labels: toLabels(await readTensorFile(path, { array, maxEntryBytes: opts.maxEntryBytes }), path),
      };
    }
    case '.txt':
    case '.labels':
      return parseLabelsText(await readText(path), path, textOpts);
    case '.json':
      return parseLabelsJson(await readText(path), path, textOpts);
    case '.csv': {
      const text = await readText(path);
      let column = mergeSelector(spec, sel, opts.column, 'column');
      // A selector is a header name, or a 0-based index when it is all digits.
      if (sel.selector !== undefined && /^\d+$/.test(sel.selector)) column = Number(sel.selector);
      if (column === undefined) {
        const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
        if (firstLine.includes(',')) {
          throw new EmmsError(
            'INVALID_OPTION',
            `${path}: has several columns (${firstLine}); pick the one holding the labels as ` +
              `'${path}:<column>' (path:column, a header name or 0-based index) or with the column option.`,
            { input: path },
          );
        }
        column = 0;
      }
      return parseLabelsCsv(text, column, path, { header: opts.header, classNames: opts.classNames });
    }
    default:
      throw new EmmsError(
        'UNSUPPORTED_FORMAT',
        `${path}: unsupported label file type '${ext || '(no extension)'}'; use ${LABEL_EXTENSIONS.join(', ')}.`,
        { input: path },
      );
  }
}

/** Reads class names: a JSON array of strings from .json, else one name per line. */
export async function readClassNamesFile(path: string): Promise<string[]> {
  const text = await readText(path, 'LABELS_PARSE', 'a class-name file (.txt or .json)');
  if (extensionOf(path) !== '.json') return parseClassNames(text, path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new EmmsError('LABELS_PARSE', `${path}: is not valid JSON (${(e as Error).message}).`, {
      input: path,
    });
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((v) => typeof v !== 'string' || v.trim() === '')
  ) {
    throw new EmmsError('LABELS_PARSE', `${path}: must hold a JSON array of non-empty class-name strings.`, {
      input: path,
    });
  }
  return value as string[];
}

/** Writes `parts` to a temporary file beside `path`, then renames it into place. */
async function writeAtomically(path: string, parts: ByteRegion[]): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'w');
  } catch (e) {
    writeError(path, e);
  }
  try {
    for (const part of parts) {
      for (const view of chunksOf(part)) {
        for (let done = 0; done < view.length; ) {
          const { bytesWritten } = await fh.write(view, done, view.length - done);
          done += bytesWritten;
        }
      }
    }
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    writeError(path, e);
  }
}

/**
 * Writes a tensor as .npy (see encodeNpy for the options). Little-endian C-order data is written
 * straight from the tensor's memory. The file appears complete or not at all.
 */
export async function writeNpyFile(path: string, t: Tensor, opts: NpyWriteOptions = {}): Promise<void> {
  checkTensor(t, path);
  const header = encodeNpyHeader(t, opts);
  let values: TypedArray = t.data;
  if (opts.fortranOrder && t.shape.length > 1) values = reorder(values, t.shape, 'cToFortran');
  const itemSize = dtypeInfo(t.dtype).itemSize;
  if (itemSize > 1 && (opts.byteOrder === 'big') === HOST_LITTLE_ENDIAN) {
    if (values === t.data) values = values.slice();
    swapRegion(values, itemSize);
  }
  await writeAtomically(path, [header, values]);
}

/** Options of {@link writeArraysFile}. */
export interface WriteArraysOptions {
  /** Deflate .npz entries (numpy.savez_compressed). */
  compress?: boolean;
  /** The "__metadata__" string map of a .safetensors file. */
  metadata?: Record<string, string>;
}

/** Writes several arrays as .npz or .safetensors, chosen by extension (.npy takes exactly one). */
export async function writeArraysFile(
  path: string,
  arrays: Record<string, Tensor>,
  opts: WriteArraysOptions = {},
): Promise<void> {
  const format = requireArrayFormat(path);
  if (format === 'npy') {
    const names = Object.keys(arrays);
    if (names.length !== 1) {
      throw new EmmsError(
        'INVALID_OPTION',
        `${path}: a .npy file holds one array, got ${names.length}; use .npz.`,
        {
          input: path,
        },
      );
    }
    return writeNpyFile(path, arrays[names[0]]);
  }
  const bytes =
    format === 'npz'
      ? encodeNpz(arrays, { compress: opts.compress })
      : encodeSafetensors(arrays, opts.metadata);
  await writeAtomically(path, [bytes]);
}

/**
 * Shape, dtype, byte order as stored, min/max/mean and NaN/Inf count of every array in a file
 * (what `emms inspect` prints). Every .npz entry's header and size are checked (inflating only
 * its first bytes) before any entry is inflated; then entries are inflated one at a time, so
 * memory holds the file and one array.
 *
 * @throws EmmsError as {@link readArrays}, ZIP_ENTRY_TOO_LARGE above `opts.maxEntryBytes`.
 */
export async function inspectFile(path: string, opts: ReadOptions = {}): Promise<FileInspection> {
  await refuseIfSpecial(path, ARRAY_FILE);
  const format = requireArrayFormat(path);
  if (format === 'npy') {
    const { header, tensor } = await readNpyFile(path, opts);
    return { path, format, arrays: [inspectNpy(fileStem(path), header, tensor)] };
  }
  const file = await openArrayFile(path, format, opts);
  file.checkAll();
  return { path, format, arrays: file.names.map((name) => file.inspect(name)) };
}
