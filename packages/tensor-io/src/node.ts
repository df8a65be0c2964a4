// Node entry: file reading and writing on top of the browser-safe parsers.
import type { FileHandle } from 'node:fs/promises';
import { toLabels, toMatrix } from './convert';
import { allocate, dtypeInfo, HOST_LITTLE_ENDIAN, widenHalf } from './dtype';
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
import {
  ARRAY_FILE,
  allocateOrFail,
  CHUNK,
  LABEL_FILE,
  openForRead,
  readFileBytes,
  readInto,
  readText,
  refuseIfSpecial,
  swapRegion,
  writeAtomically,
  zlibInflater,
} from './node-io';
import { mergeSelector, selectFile } from './node-select';
import { encodeNpyHeader, type NpyHeader, type NpyWriteOptions, parseNpyHeader, reorder } from './npy';
import { encodeNpz } from './npz';
import { type ProgressListener, progressTracker } from './progress';
import { encodeSafetensors } from './safetensors';
import type { Matrix, Tensor, TypedArray } from './tensor';
import { checkTensor, setOwn } from './tensor-check';

export type { ArrayFile, ArrayFormat, ArrayInspection, FileInspection } from './formats';
export { readFileBytes, readTextFile, requireRegularFile } from './node-io';
export { type FileSelection, splitFileSelector } from './node-select';

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
