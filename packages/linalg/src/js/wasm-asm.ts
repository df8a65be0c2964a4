/**
 * A few helpers for writing small WebAssembly modules as bytes: LEB128 numbers, sections and the
 * opcodes the SIMD kernels use. Shared by the tile kernels (wasm-tiles.ts) and the rotation
 * kernels (rotations.ts).
 */

/** Unsigned LEB128. */
export function uleb(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  do {
    let byte = x & 0x7f;
    x >>>= 7;
    if (x !== 0) byte |= 0x80;
    out.push(byte);
  } while (x !== 0);
  return out;
}

/** Signed LEB128 for small constants. */
export function sleb(v: number): number[] {
  const out: number[] = [];
  let x = v | 0;
  for (;;) {
    const byte = x & 0x7f;
    x >>= 7;
    const done = (x === 0 && (byte & 0x40) === 0) || (x === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A module section: id, byte length, body. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
/** A vector: count, then the items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A name: byte length, then its characters. */
export const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
/** The module header (magic and version 1). */
export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

// Opcodes shared by the kernels.
export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const tee = (i: number) => [0x22, ...uleb(i)];
export const i32 = (v: number) => [0x41, ...sleb(v)];
export const brIf = (d: number) => [0x0d, d];
export const br = (d: number) => [0x0c, d];
export const lane = (l: number) => [0xfd, 0x21, l];
export const ADD = [0x6a];
export const SHL = [0x74];
export const GE_S = [0x4e];
export const BLOCK_OP = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const IF = [0x04, 0x40];
export const END = [0x0b];
export const F64_ADD = [0xa0];
export const F64_STORE = [0x39, 3, 0];
export const F64X2_SPLAT = [0xfd, 0x14];
export const F64X2_ADD = [0xfd, 0xf0, 0x01];
export const F64X2_SUB = [0xfd, 0xf1, 0x01];
export const F64X2_MUL = [0xfd, 0xf2, 0x01];
export const V128_ZERO = [0xfd, 0x0c, ...new Array(16).fill(0)];
