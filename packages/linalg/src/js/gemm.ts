import { tile4x4 } from './tile';
import { wasmTiles } from './wasm-tiles';

/** Below this many multiply-adds the copies into WebAssembly memory do not pay. */
const WASM_MIN_WORK = 1 << 16;

/** Inner-dimension block: a 4-row strip of each operand stays in L1. */
const K_BLOCK = 256;

/**
 * out[i, j] += alpha · Σ_k a[i, k] · b[j, k] for i < n, j < p, k < kLen ("A times B-transposed"),
 * all operands float64 row-major given by offset and row stride, so both inner loops run along
 * contiguous memory. 4×4 register tiles; edges fall back to plain dot products.
 */
export function gemmNT(
  alpha: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bOff: number,
  ldb: number,
  n: number,
  p: number,
  kLen: number,
  out: Float64Array,
  outOff: number,
  ldo: number,
): void {
  if (n >= 4 && p >= 2 && kLen >= 8 && n * p * kLen >= WASM_MIN_WORK) {
    const w = wasmTiles();
    if (w) {
      gemmNTWasm(w, alpha, a, aOff, lda, b, bOff, ldb, n, p, kLen, out, outOff, ldo);
      return;
    }
  }
  const n4 = n - (n % 4);
  const p4 = p - (p % 4);
  for (let k0 = 0; k0 < kLen; k0 += K_BLOCK) {
    const kb = Math.min(K_BLOCK, kLen - k0);
    for (let i = 0; i < n4; i += 4) {
      const a0 = aOff + i * lda + k0;
      for (let j = 0; j < p4; j += 4) {
        tile4x4(alpha, a, a0, lda, b, bOff + j * ldb + k0, ldb, kb, out, outOff + i * ldo + j, ldo);
      }
      for (let j = p4; j < p; j++)
        edgeDots(alpha, a, aOff, lda, b, bOff + j * ldb + k0, i, 4, kb, k0, out, outOff + j, ldo);
    }
    for (let i = n4; i < n; i++) {
      const ai = aOff + i * lda + k0;
      const oi = outOff + i * ldo;
      for (let j = 0; j < p; j++) {
        const bj = bOff + j * ldb + k0;
        let s = 0;
        for (let k = 0; k < kb; k++) s += a[ai + k] * b[bj + k];
        out[oi + j] += alpha * s;
      }
    }
  }
}

/** Rows i..i+count-1 of A against one row of B (at bStart), into one output column. */
function edgeDots(
  alpha: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bStart: number,
  i: number,
  count: number,
  kb: number,
  k0: number,
  out: Float64Array,
  outCol: number,
  ldo: number,
): void {
  for (let r = i; r < i + count; r++) {
    const ar = aOff + r * lda + k0;
    let s = 0;
    for (let k = 0; k < kb; k++) s += a[ar + k] * b[bStart + k];
    out[outCol + r * ldo] += alpha * s;
  }
}

/**
 * gemmNT through the WebAssembly SIMD tiles: both operands copied (rows padded to 4, inner
 * length to even) into the module's memory, the product formed there, then added into `out`.
 */
function gemmNTWasm(
  w: NonNullable<ReturnType<typeof wasmTiles>>,
  alpha: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bOff: number,
  ldb: number,
  n: number,
  p: number,
  kLen: number,
  out: Float64Array,
  outOff: number,
  ldo: number,
): void {
  const np = (n + 3) & ~3;
  const pp = (p + 3) & ~3;
  const kp = (kLen + 1) & ~1;
  const outSize = np * pp;
  const aStart = outSize;
  const bStart = aStart + np * kp;
  const view = w.view(bStart + pp * kp);
  view.fill(0, 0, outSize);
  copyPadded(a, aOff, lda, n, np, kLen, kp, view, aStart);
  copyPadded(b, bOff, ldb, p, pp, kLen, kp, view, bStart);
  const base = w.base;
  w.tiles(base + aStart * 8, base + bStart * 8, np, pp, kp, base, pp, 0);
  for (let i = 0; i < n; i++) {
    const o = outOff + i * ldo;
    const src = i * pp;
    for (let j = 0; j < p; j++) out[o + j] += alpha * view[src + j];
  }
}

/**
 * Copies `rows` rows of `len` values (source row stride `ld`) into dst as `rowsPadded` rows of
 * `lenPadded`, zero-filling the padding.
 */
function copyPadded(
  src: Float64Array,
  off: number,
  ld: number,
  rows: number,
  rowsPadded: number,
  len: number,
  lenPadded: number,
  dst: Float64Array,
  dstOff: number,
): void {
  for (let i = 0; i < rowsPadded; i++) {
    const d = dstOff + i * lenPadded;
    if (i < rows) {
      dst.set(src.subarray(off + i * ld, off + i * ld + len), d);
      if (lenPadded > len) dst[d + len] = 0;
    } else {
      dst.fill(0, d, d + lenPadded);
    }
  }
}
