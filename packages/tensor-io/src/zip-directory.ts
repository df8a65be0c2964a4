// The CRC-32 of zip entries: fflate unpacks .npz archives but does not check the checksums the
// central directory records, so a flipped bit in a stored entry would pass unnoticed. numpy
// (through Python's zipfile) refuses such an entry; so do we.

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

/**
 * The CRC-32 the central directory records for each entry name, or null when the directory
 * cannot be located (the caller's unzip reports that damage). Handles zip64 archives (numpy
 * writes them for entries past 2 GiB).
 */
export function centralDirectoryCrcs(bytes: Uint8Array): Map<string, number> | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes plus a comment of at most 65535 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (
    (count === 0xffff || offset === 0xffffffff) &&
    eocd >= 20 &&
    view.getUint32(eocd - 20, true) === 0x07064b50
  ) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== 0x06064b50) return null;
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const out = new Map<string, number>();
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) return null;
    const flags = view.getUint16(p + 8, true);
    const crc = view.getUint32(p + 16, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (p + 46 + nameLength > bytes.length) return null;
    const raw = bytes.subarray(p + 46, p + 46 + nameLength);
    out.set((flags & 0x800 ? utf8 : latin1).decode(raw), crc);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
