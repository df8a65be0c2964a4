// Zip archives (.npz) read entry by entry: the central directory is parsed by hand (zip64
// included), and an entry is inflated only when asked for, into a buffer of the size the
// directory records and never past it, so neither an unread entry nor a lying header costs
// memory or time. CRC-32 is checked here too (fflate does not check it; numpy does).
import { Inflate } from 'fflate';
import { EmmsError } from './errors';

/** One file of a zip archive as its central directory describes it. */
export interface ZipEntry {
  /** The name as stored (UTF-8 when the archive says so, else Latin-1). */
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  /** General-purpose flags (bit 0: encrypted). */
  readonly flags: number;
  /** The CRC-32 the directory records for the unpacked bytes. */
  readonly crc: number;
  /** Bytes of the entry's data in the archive. */
  readonly compressedSize: number;
  /** Bytes the entry unpacks to, as the directory records it. */
  readonly size: number;
  /** Where the entry's local header starts. */
  readonly localHeaderOffset: number;
}

/** Most compressed bytes handed to the inflater at a time. */
const INFLATE_STEP = 64 * 1024;
/** Deflate's largest expansion: one packed byte unpacks to at most ~1032 bytes. */
const DEFLATE_MAX_RATIO = 1032;

/**
 * Compressed bytes to hand on next when `room` output bytes remain: a step can unpack to about
 * 1032× its size, so near the end steps shrink and a lying entry overshoots by at most ~0.5 MiB.
 */
function stepFor(room: number): number {
  return Math.min(INFLATE_STEP, 512 + Math.ceil(room / DEFLATE_MAX_RATIO));
}

function corrupt(source: string, problem: string, details?: Record<string, unknown>, cause?: unknown): never {
  throw new EmmsError('ZIP_CORRUPT', `${source}: the .npz (zip) archive is damaged: ${problem}.`, {
    input: source,
    details,
    cause,
  });
}

/** Slicing-by-4 tables of the reflected CRC-32 polynomial 0xEDB88320 (zip, gzip, PNG). */
const TABLES: Uint32Array[] = (() => {
  const t = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 4; s++) t[s][n] = (t[s - 1][n] >>> 8) ^ t[0][t[s - 1][n] & 0xff];
  }
  return t;
})();

/**
 * CRC-32 (the zip/gzip checksum) of `bytes`, as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  const [t0, t1, t2, t3] = TABLES;
  let c = 0xffffffff;
  let i = 0;
  const n4 = bytes.length - (bytes.length % 4);
  for (; i < n4; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < bytes.length; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The end-of-central-directory facts: where the directory is and how many entries it lists. */
function findDirectory(bytes: Uint8Array, view: DataView, source: string): { offset: number; count: number } {
  // End of central directory: 22 bytes plus a comment of at most 65535 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    corrupt(source, 'its end-of-directory record is missing (the file is cut short or not a zip)');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (
    (count === 0xffff || offset === 0xffffffff) &&
    eocd >= 20 &&
    view.getUint32(eocd - 20, true) === 0x07064b50
  ) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== 0x06064b50) {
      corrupt(source, 'its zip64 end-of-directory record is missing');
    }
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  if (!Number.isSafeInteger(offset) || offset > bytes.length)
    corrupt(source, 'its directory lies past its end');
  if (!Number.isSafeInteger(count) || count > (bytes.length - offset) / 46) {
    corrupt(source, 'the directory lists more entries than the file can hold');
  }
  return { offset, count };
}

/**
 * Lists the entries of a zip archive from its central directory, without unpacking anything.
 * Handles zip64 archives (numpy writes them for entries past 2 GiB).
 *
 * @throws EmmsError ZIP_CORRUPT when the directory is missing, cut short or impossible.
 */
export function readZipDirectory(bytes: Uint8Array, source = 'input'): ZipEntry[] {
  if (bytes.length < 22) corrupt(source, 'it is too short to be a zip archive');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { offset, count } = findDirectory(bytes, view, source);
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  const out: ZipEntry[] = [];
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) {
      corrupt(source, `directory entry ${k + 1} of ${count} is missing or damaged`);
    }
    const flags = view.getUint16(p + 8, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const end = p + 46 + nameLength + extraLength;
    if (end > bytes.length) corrupt(source, `directory entry ${k + 1} runs past the end of the file`);
    const name = (flags & 0x800 ? utf8 : latin1).decode(bytes.subarray(p + 46, p + 46 + nameLength));
    let size = view.getUint32(p + 24, true);
    let compressedSize = view.getUint32(p + 20, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    // zip64 extra field (id 1): the 64-bit values of the fields saturated at 0xffffffff, in order.
    for (let x = p + 46 + nameLength; x + 4 <= end; ) {
      const id = view.getUint16(x, true);
      const length = view.getUint16(x + 2, true);
      if (id === 1) {
        let at = x + 4;
        const next = (): number => {
          if (at + 8 > x + 4 + length) corrupt(source, `entry '${name}' has a short zip64 field`);
          const v = Number(view.getBigUint64(at, true));
          at += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      x += 4 + length;
    }
    if (![size, compressedSize, localHeaderOffset].every(Number.isSafeInteger)) {
      corrupt(source, `entry '${name}' has impossible sizes`);
    }
    out.push({
      name,
      method: view.getUint16(p + 10, true),
      flags,
      crc: view.getUint32(p + 16, true),
      compressedSize,
      size,
      localHeaderOffset,
    });
    p = end + commentLength;
  }
  return out;
}

/** The packed bytes of `entry` (after its local header), as a view of `bytes`. */
export function entryBytes(bytes: Uint8Array, entry: ZipEntry, source = 'input'): Uint8Array {
  const at = entry.localHeaderOffset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + 30 > bytes.length || view.getUint32(at, true) !== 0x04034b50) {
    corrupt(source, `the local header of entry '${entry.name}' is missing`);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > bytes.length) {
    corrupt(source, `entry '${entry.name}' runs past the end of the file`);
  }
  return bytes.subarray(start, start + entry.compressedSize);
}

/**
 * Inflates raw deflate data into `out` and stops as soon as `out` is full: with `exact`, more
 * output than `out` holds is ZIP_CORRUPT (the archive lied about the size) and so is less; without
 * it, the first `out.length` bytes are all that is wanted. Returns the bytes written.
 */
function inflateInto(
  packed: Uint8Array,
  out: Uint8Array,
  exact: boolean,
  source: string,
  entry: string,
): number {
  let filled = 0;
  let past = 0;
  const inflater = new Inflate((chunk) => {
    const room = out.length - filled;
    if (chunk.length > room) past += chunk.length - room;
    out.set(chunk.length > room ? chunk.subarray(0, room) : chunk, filled);
    filled += Math.min(room, chunk.length);
  });
  try {
    for (let at = 0; at < packed.length && past === 0 && (exact || filled < out.length); ) {
      const end = Math.min(packed.length, at + stepFor(out.length - filled));
      inflater.push(packed.subarray(at, end), end === packed.length);
      at = end;
    }
  } catch (e) {
    if (!exact && filled === out.length) return filled;
    corrupt(
      source,
      `entry '${entry}' does not inflate (${e instanceof Error ? e.message : String(e)})`,
      { entry },
      e,
    );
  }
  if (exact && past > 0) {
    corrupt(
      source,
      `entry '${entry}' inflates past the ${out.length} bytes its directory records (stopped after ${filled + past})`,
      { entry, declared: out.length, inflated: filled + past },
    );
  }
  if (exact && filled < out.length) {
    corrupt(
      source,
      `entry '${entry}' inflates to ${filled} bytes, not the ${out.length} its directory records`,
      {
        entry,
        declared: out.length,
        inflated: filled,
      },
    );
  }
  return filled;
}

/**
 * The first `n` unpacked bytes of an entry (fewer when the entry is shorter), inflating no more
 * of it than that takes.
 */
export function entryPrefix(packed: Uint8Array, entry: ZipEntry, n: number, source = 'input'): Uint8Array {
  const want = Math.min(n, entry.size);
  if (entry.method === 0) return packed.subarray(0, Math.min(want, packed.length));
  const out = new Uint8Array(want);
  return out.subarray(0, inflateInto(packed, out, false, source, entry.name));
}

/**
 * Unpacks raw deflate data: the bytes, or null as soon as they would exceed `limit` bytes (so it
 * never unpacks much more than `limit`). Throws on data that is not valid deflate.
 */
export type RawInflater = (packed: Uint8Array, limit: number) => Uint8Array | null;

function inflateWith(
  inflate: RawInflater,
  packed: Uint8Array,
  size: number,
  source: string,
  entry: string,
): Uint8Array {
  let data: Uint8Array | null;
  try {
    data = inflate(packed, size);
  } catch (e) {
    if (e instanceof EmmsError) throw e;
    corrupt(
      source,
      `entry '${entry}' does not inflate (${e instanceof Error ? e.message : String(e)})`,
      { entry },
      e,
    );
  }
  if (data === null || data.length > size) {
    corrupt(
      source,
      `entry '${entry}' inflates past the ${size} bytes its directory records (stopped there)`,
      {
        entry,
        declared: size,
      },
    );
  }
  if (data.length < size) {
    corrupt(
      source,
      `entry '${entry}' inflates to ${data.length} bytes, not the ${size} its directory records`,
      {
        entry,
        declared: size,
        inflated: data.length,
      },
    );
  }
  return data;
}

/**
 * The whole unpacked entry, exactly `entry.size` bytes (the caller checks that size against its
 * limits first), its CRC-32 checked. Stored entries are a view of `packed`. Deflated entries are
 * unpacked with `inflate` when given (the Node readers pass one on node:zlib, several times
 * faster), else with fflate, in steps that stop at the declared size.
 *
 * @throws EmmsError ZIP_CORRUPT when the data inflates to another size, fails to inflate or fails
 *   its CRC-32 check.
 */
export function unpackEntry(
  packed: Uint8Array,
  entry: ZipEntry,
  source = 'input',
  inflate?: RawInflater,
): Uint8Array {
  let data: Uint8Array;
  if (entry.method === 0) data = packed;
  else if (inflate) data = inflateWith(inflate, packed, entry.size, source, entry.name);
  else {
    data = new Uint8Array(entry.size);
    inflateInto(packed, data, true, source, entry.name);
  }
  const computed = crc32(data);
  if (computed !== entry.crc) {
    const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
    throw new EmmsError(
      'ZIP_CORRUPT',
      `${source}: entry '${entry.name}' fails its CRC-32 check (recorded ${hex(entry.crc)}, computed ${hex(computed)}); the archive is damaged. Write it again.`,
      { input: source, details: { entry: entry.name, recorded: entry.crc, computed } },
    );
  }
  return data;
}
