// Node file access shared by the readers and writers: guards against paths that are not regular
// files, chunked reads into typed arrays, whole-file reads, atomic writes, and raw inflate on
// node:zlib for .npz entries.
import { constants as bufferConstants } from 'node:buffer';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, rename, stat, unlink } from 'node:fs/promises';
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { swapBytesInPlace } from './dtype';
import { EmmsError } from './errors';
import { ARRAY_EXTENSIONS } from './formats';
import type { RawInflater } from './npz';

/** Bytes read per system call; large files are filled in pieces of this size. */
export const CHUNK = 64 * 1024 * 1024;
/** The longest Uint8Array V8 makes; files read whole must fit in one. */
const MAX_WHOLE_FILE = 2 ** 32;

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
export const ARRAY_FILE = `an array file (${ARRAY_EXTENSIONS.join(', ')})`;
export const LABEL_FILE = 'a label file (.npy, .npz, .safetensors, .txt, .csv or .json)';
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
export async function refuseIfSpecial(path: string, what: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st) refuseSpecial(path, st, what);
}

export async function openForRead(path: string, what = A_FILE): Promise<{ fh: FileHandle; size: number }> {
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
export interface ByteRegion {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** Views of `region` of at most `chunk` bytes each, in order. */
export function* chunksOf(region: ByteRegion, chunk = CHUNK): Generator<Uint8Array> {
  for (let done = 0; done < region.byteLength; done += chunk) {
    yield new Uint8Array(region.buffer, region.byteOffset + done, Math.min(chunk, region.byteLength - done));
  }
}

/** Reverses the bytes of every element of `region` in place (chunk by chunk). */
export function swapRegion(region: ByteRegion, itemSize: number): void {
  for (const view of chunksOf(region)) swapBytesInPlace(view, itemSize);
}

/** Fills `into` from file `position` on, in chunks; FILE_TRUNCATED when the file ends first. */
export async function readInto(
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

export function allocateOrFail<T>(path: string, bytes: number, make: () => T): T {
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

export async function readText(path: string, code = 'LABELS_PARSE', what = LABEL_FILE): Promise<string> {
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

/**
 * Raw inflate on node:zlib into one buffer of `limit + 1` bytes: zlib stops and throws as soon as
 * the output passes `limit + 1`, so a lying entry costs at most that.
 */
export function zlibInflater(path: string): RawInflater {
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

/** Writes `parts` to a temporary file beside `path`, then renames it into place. */
export async function writeAtomically(path: string, parts: ByteRegion[]): Promise<void> {
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
