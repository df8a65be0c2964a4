import { type Zippable, zipSync } from 'fflate';
import { EmmsError } from './errors';
import { decodeNpyData, encodeNpy, type NpyHeader, parseNpyHeader } from './npy';
import type { Tensor } from './tensor';
import { setOwn } from './tensor-check';
import {
  entryBytes,
  entryPrefix,
  type RawInflater,
  readZipDirectory,
  unpackEntry,
  type ZipEntry,
} from './zip';

export type { RawInflater } from './zip';

/** Options for {@link encodeNpz}. */
export interface NpzWriteOptions {
  /** Deflate the entries, as numpy.savez_compressed does; default false (stored, as numpy.savez). */
  compress?: boolean;
}

/** Options of the .npz readers. */
export interface NpzReadOptions {
  /**
   * The most bytes one compressed (deflated) entry may unpack to, default
   * {@link DEFAULT_MAX_ENTRY_BYTES} (512 MiB). Checked against the sizes the archive's directory and
   * the entry's .npy header declare before anything is inflated, and enforced while inflating, so
   * a small archive cannot unpack into gigabytes (a "zip bomb"). Stored entries (numpy.savez) are
   * not inflated and cost what the file costs, so the limit does not apply to them.
   */
  maxEntryBytes?: number;
  /**
   * Unpacks raw deflate data, returning null as soon as the output would pass its `limit`
   * argument. Default: fflate, in steps that stop at the declared size. The Node readers pass
   * one on node:zlib, which is several times faster.
   */
  inflateRaw?: RawInflater;
}

/** Default of {@link NpzReadOptions.maxEntryBytes}: 512 MiB. */
export const DEFAULT_MAX_ENTRY_BYTES = 512 * 2 ** 20;

/** Deflate cannot expand data by more than about 1032:1; larger claims mean a damaged archive. */
const MAX_DEFLATE_RATIO = 1032;
/** Bytes inflated first to read an entry's .npy header (numpy's headers are 128 bytes). */
const HEADER_PREFIX = 4096;
/** The longest .npy header we inflate to read (numpy caps headers far below this). */
const MAX_HEADER = 16 * 2 ** 20;

function corrupt(source: string, problem: string): never {
  throw new EmmsError('ZIP_CORRUPT', `${source}: the .npz (zip) archive is damaged: ${problem}.`, {
    input: source,
  });
}

/** Bytes as people read them: 1.5 GiB, 300 MiB, 12 KiB, 100 bytes. */
export function byteSize(n: number): string {
  const units: [number, string][] = [
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toPrecision(3))} ${unit}`;
  }
  return `${n} bytes`;
}

/** One array of a .npz archive with its .npy header. */
export interface NpzEntry {
  /** Entry name without the '.npy' suffix. */
  readonly name: string;
  readonly header: NpyHeader;
  readonly tensor: Tensor;
}

/**
 * A .npz archive opened from its directory: names are known at once, each entry is inflated only
 * when {@link NpzArchive.header} (its first bytes) or {@link NpzArchive.entry} (all of it) asks.
 */
export interface NpzArchive {
  /** The file or input name used in messages. */
  readonly source: string;
  /** Array names (entry names without '.npy'), in archive order. */
  readonly names: readonly string[];
  /**
   * The .npy header of one array, from the first bytes of its entry. Also checks the sizes the
   * header and the directory declare against each other and against `maxEntryBytes`.
   */
  header(name: string): NpyHeader;
  /** One array: inflated (never past its declared size), CRC-checked and decoded. */
  entry(name: string): NpzEntry;
}

function checkLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_MAX_ENTRY_BYTES;
  if (typeof limit !== 'number' || !(limit > 0)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `maxEntryBytes must be a positive number of bytes, got ${String(limit)}`,
      { input: 'maxEntryBytes' },
    );
  }
  return limit;
}

/** Checks one directory entry the way numpy's reader would accept it; false for folder entries. */
function checkEntry(file: ZipEntry, seen: Set<string>, fileLength: number, source: string): boolean {
  if (file.name.endsWith('/')) return false; // a folder entry carries no data
  if (!file.name.endsWith('.npy')) {
    throw new EmmsError(
      'ZIP_ENTRY_NOT_NPY',
      `${source}: entry '${file.name}' is not a .npy array; a .npz must hold only .npy files (numpy.savez writes them).`,
      { input: source, details: { entry: file.name } },
    );
  }
  if (seen.has(file.name)) corrupt(source, `entry '${file.name}' appears twice`);
  seen.add(file.name);
  if (file.flags & 1) corrupt(source, `entry '${file.name}' is encrypted`);
  if (file.method !== 0 && file.method !== 8) {
    corrupt(
      source,
      `entry '${file.name}' uses compression method ${file.method} (only stored and deflate are read)`,
    );
  }
  const { compressedSize, size } = file;
  if (file.method === 0 && compressedSize !== size) {
    corrupt(source, `stored entry '${file.name}' has different packed and unpacked sizes`);
  }
  if (file.method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
    corrupt(source, `entry '${file.name}' claims to unpack ${compressedSize} bytes into ${size}`);
  }
  if (compressedSize > fileLength) corrupt(source, `entry '${file.name}' is larger than the archive`);
  return true;
}

/**
 * Opens a .npz archive held in memory. Only the directory is read here; see {@link NpzArchive}.
 *
 * @param bytes the whole archive.
 * @param source the file name or input name used in error messages.
 * @param opts {@link NpzReadOptions}.
 * @throws EmmsError FILE_EMPTY; ZIP_CORRUPT (not a zip, a damaged directory, impossible sizes);
 *   ZIP_ENTRY_NOT_NPY; INVALID_OPTION for a bad `maxEntryBytes`. The archive's methods throw
 *   ARRAY_NOT_FOUND for an unknown name, ZIP_ENTRY_TOO_LARGE above `maxEntryBytes`, ZIP_CORRUPT
 *   (CRC-32 mismatch, a size the data does not match) and the .npy codes of the entry.
 * @example
 * ```ts
 * const archive = openNpz(bytes, 'run.npz');
 * archive.names; // ['features', 'labels']
 * const { tensor } = archive.entry('labels'); // only this entry is inflated
 * ```
 */
export function openNpz(bytes: Uint8Array, source = 'input', opts: NpzReadOptions = {}): NpzArchive {
  const limit = checkLimit(opts.maxEntryBytes);
  if (bytes.length === 0) {
    throw new EmmsError('FILE_EMPTY', `${source}: file is empty; expected a .npz archive.`, {
      input: source,
    });
  }
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    if (bytes[0] === 0x93 && bytes[1] === 0x4e) {
      throw new EmmsError(
        'ZIP_CORRUPT',
        `${source}: is a single .npy array, not a .npz archive; read it as .npy.`,
        {
          input: source,
        },
      );
    }
    corrupt(source, 'it does not start with a zip signature');
  }
  const seen = new Set<string>();
  const files = new Map<string, ZipEntry>();
  for (const file of readZipDirectory(bytes, source)) {
    if (checkEntry(file, seen, bytes.length, source)) files.set(file.name.slice(0, -'.npy'.length), file);
  }
  const headers = new Map<string, NpyHeader>();
  const fileOf = (name: string): ZipEntry => {
    const file = files.get(name);
    if (file === undefined) {
      throw new EmmsError('ARRAY_NOT_FOUND', `${source}: has no array '${name}'.`, {
        input: source,
        details: { arrays: [...files.keys()] },
      });
    }
    return file;
  };
  const header = (name: string): NpyHeader => {
    const known = headers.get(name);
    if (known) return known;
    const file = fileOf(name);
    const where = `${source}:${file.name}`;
    const packed = entryBytes(bytes, file, source);
    let prefix = entryPrefix(packed, file, HEADER_PREFIX, source);
    let h: NpyHeader;
    try {
      h = parseNpyHeader(prefix, where);
    } catch (e) {
      // a header longer than the first bytes inflated: its length field says how much to inflate
      if (prefix.length < HEADER_PREFIX || (e as EmmsError).code !== 'FILE_TRUNCATED') throw e;
      const view = new DataView(prefix.buffer, prefix.byteOffset);
      const end = prefix[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
      if (end > MAX_HEADER) corrupt(source, `entry '${file.name}' has a ${end}-byte .npy header`);
      prefix = entryPrefix(packed, file, end, source);
      h = parseNpyHeader(prefix, where);
    }
    const needed = h.dataOffset + h.dataLength;
    const shape = `shape (${h.shape.join(', ')}) of ${h.storedDtype}`;
    if (needed > file.size) {
      throw new EmmsError(
        'FILE_TRUNCATED',
        `${where}: file is truncated: ${shape} needs ${h.dataLength} data bytes, found ${Math.max(0, file.size - h.dataOffset)}. Write the file again.`,
        { input: where },
      );
    }
    if (needed < file.size) {
      throw new EmmsError(
        'SHAPE_MISMATCH',
        `${where}: ${shape} needs ${h.dataLength} data bytes but the entry holds ${file.size - h.dataOffset}; the header and the data disagree.`,
        { input: where, details: { expectedBytes: h.dataLength, foundBytes: file.size - h.dataOffset } },
      );
    }
    if (file.method !== 0 && file.size > limit) {
      throw new EmmsError(
        'ZIP_ENTRY_TOO_LARGE',
        `${source}: entry '${file.name}' (${shape}) unpacks to ${byteSize(file.size)} (${file.size} bytes) from ` +
          `${byteSize(file.compressedSize)}, above the ${byteSize(limit)} limit for a compressed entry. If you trust ` +
          'the file, raise the limit (the maxEntryBytes read option), or save the array uncompressed (np.savez or np.save).',
        {
          input: source,
          details: {
            entry: file.name,
            bytes: file.size,
            compressedBytes: file.compressedSize,
            limit,
            option: 'maxEntryBytes',
          },
        },
      );
    }
    headers.set(name, h);
    return h;
  };
  return {
    source,
    names: [...files.keys()],
    header,
    entry(name) {
      const h = header(name);
      const file = fileOf(name);
      const data = unpackEntry(entryBytes(bytes, file, source), file, source, opts.inflateRaw);
      const where = `${source}:${file.name}`;
      return { name, header: h, tensor: decodeNpyData(h, data.subarray(h.dataOffset), where) };
    },
  };
}

/**
 * Opens a .npz archive (stored or deflated, as numpy.savez and numpy.savez_compressed write it)
 * and parses every entry, keeping each entry's .npy header (byte order and layout as stored).
 * Entries come in archive order; every entry's header and size are checked before any is
 * inflated. Each entry's CRC-32 is checked against the one the archive's directory records, as
 * numpy does. To read one entry only, use {@link openNpz}.
 *
 * @param bytes the whole archive.
 * @param source the file name or input name used in error messages.
 * @throws EmmsError as {@link openNpz} and its methods.
 * @example
 * ```ts
 * const [first] = parseNpzEntries(bytes, 'features.npz');
 * first.name; // 'features'
 * ```
 */
export function parseNpzEntries(bytes: Uint8Array, source = 'input', opts: NpzReadOptions = {}): NpzEntry[] {
  const archive = openNpz(bytes, source, opts);
  for (const name of archive.names) archive.header(name);
  return archive.names.map((name) => archive.entry(name));
}

/**
 * Opens a .npz archive (stored or deflated) and parses every entry (see {@link parseNpzEntries}).
 * Keys are the entry names without the '.npy' suffix.
 */
export function parseNpz(
  bytes: Uint8Array,
  source = 'input',
  opts: NpzReadOptions = {},
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const entry of parseNpzEntries(bytes, source, opts)) setOwn(out, entry.name, entry.tensor);
  return out;
}

/**
 * Writes arrays as a .npz archive that numpy.load opens; each key becomes '<key>.npy'.
 * Entries are stored by default, deflated with `compress: true`.
 */
export function encodeNpz(arrays: Record<string, Tensor>, opts: NpzWriteOptions = {}): Uint8Array {
  const zippable: Zippable = {};
  for (const [key, t] of Object.entries(arrays)) {
    if (key === '' || key.includes('\0')) {
      throw new EmmsError('INVALID_OPTION', `array names in a .npz must be non-empty text, got '${key}'`, {
        input: key,
      });
    }
    zippable[`${key}.npy`] = [encodeNpy(t), { level: opts.compress ? 6 : 0 }];
  }
  return zipSync(zippable);
}
