import { type UnzipFileInfo, unzipSync, type Zippable, zipSync } from 'fflate';
import { EmmsError, isEmmsError } from './errors';
import { decodeNpyData, encodeNpy, type NpyHeader, parseNpyHeader } from './npy';
import type { Tensor } from './tensor';
import { setOwn } from './tensor-check';
import { centralDirectoryCrcs, crc32 } from './zip-directory';

/** Options for {@link encodeNpz}. */
export interface NpzWriteOptions {
  /** Deflate the entries, as numpy.savez_compressed does; default false (stored, as numpy.savez). */
  compress?: boolean;
}

/** Deflate cannot expand data by more than about 1032:1; larger claims mean a damaged archive. */
const MAX_DEFLATE_RATIO = 1032;

function corrupt(source: string, problem: string, cause?: unknown): never {
  throw new EmmsError('ZIP_CORRUPT', `${source}: the .npz (zip) archive is damaged: ${problem}.`, {
    input: source,
    cause,
  });
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** One array of a .npz archive with its .npy header. */
export interface NpzEntry {
  /** Entry name without the '.npy' suffix. */
  readonly name: string;
  readonly header: NpyHeader;
  readonly tensor: Tensor;
}

/**
 * Opens a .npz archive and parses every entry, keeping each entry's .npy header (byte order and
 * layout as stored). Entries come in archive order. Each entry's CRC-32 is checked against the
 * one the archive's directory records, as numpy does.
 *
 * @param bytes the whole archive.
 * @param source the file name or input name used in error messages.
 * @throws EmmsError FILE_EMPTY; ZIP_CORRUPT (not a zip, bad sizes, a CRC-32 mismatch naming the
 *   entry); ZIP_ENTRY_NOT_NPY; and the .npy codes of each entry (NPY_BAD_HEADER, UNSUPPORTED_DTYPE…).
 * @example
 * ```ts
 * const [first] = parseNpzEntries(bytes, 'features.npz');
 * first.name; // 'features'
 * ```
 */
export function parseNpzEntries(bytes: Uint8Array, source = 'input'): NpzEntry[] {
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
  let entries = 0;
  const names = new Set<string>();
  const filter = (file: UnzipFileInfo): boolean => {
    entries++;
    if (entries > bytes.length / 46)
      corrupt(source, 'the directory lists more entries than the file can hold');
    if (file.name.endsWith('/')) return false; // a folder entry carries no data
    if (!file.name.endsWith('.npy')) {
      throw new EmmsError(
        'ZIP_ENTRY_NOT_NPY',
        `${source}: entry '${file.name}' is not a .npy array; a .npz must hold only .npy files (numpy.savez writes them).`,
        { input: source, details: { entry: file.name } },
      );
    }
    if (names.has(file.name)) corrupt(source, `entry '${file.name}' appears twice`);
    names.add(file.name);
    if (file.compression !== 0 && file.compression !== 8) {
      corrupt(
        source,
        `entry '${file.name}' uses compression method ${file.compression} (only stored and deflate are read)`,
      );
    }
    const { size, originalSize } = file;
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(originalSize) || size < 0 || originalSize < 0) {
      corrupt(source, `entry '${file.name}' has impossible sizes`);
    }
    if (file.compression === 0 && size !== originalSize) {
      corrupt(source, `stored entry '${file.name}' has different packed and unpacked sizes`);
    }
    if (file.compression === 8 && originalSize > size * MAX_DEFLATE_RATIO + 1024) {
      corrupt(source, `entry '${file.name}' claims to unpack ${size} bytes into ${originalSize}`);
    }
    if (size > bytes.length) corrupt(source, `entry '${file.name}' is larger than the archive`);
    return true;
  };
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter });
  } catch (e) {
    if (isEmmsError(e)) throw e;
    corrupt(source, e instanceof Error ? e.message : String(e), e);
  }
  const crcs = centralDirectoryCrcs(bytes);
  const out: NpzEntry[] = [];
  for (const [entryName, data] of Object.entries(files)) {
    const name = entryName.slice(0, -'.npy'.length);
    const recorded = crcs?.get(entryName);
    if (recorded === undefined) corrupt(source, `entry '${entryName}' is missing from the central directory`);
    const computed = crc32(data);
    if (computed !== recorded) {
      throw new EmmsError(
        'ZIP_CORRUPT',
        `${source}: entry '${entryName}' fails its CRC-32 check (recorded ${hex(recorded)}, computed ${hex(computed)}); the archive is damaged. Write it again.`,
        { input: source, details: { entry: entryName, recorded, computed } },
      );
    }
    const where = `${source}:${entryName}`;
    const header = parseNpyHeader(data, where);
    out.push({ name, header, tensor: decodeNpyData(header, data.subarray(header.dataOffset), where) });
  }
  return out;
}

/**
 * Opens a .npz archive (stored or deflated, as numpy.savez and numpy.savez_compressed write it)
 * and parses every entry. Keys are the entry names without the '.npy' suffix.
 */
export function parseNpz(bytes: Uint8Array, source = 'input'): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const entry of parseNpzEntries(bytes, source)) setOwn(out, entry.name, entry.tensor);
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
