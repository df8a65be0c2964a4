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
      const a1 = a0 + lda;
      const a2 = a1 + lda;
      const a3 = a2 + lda;
      for (let j = 0; j < p4; j += 4) {
        const b0 = bOff + j * ldb + k0;
        const b1 = b0 + ldb;
        const b2 = b1 + ldb;
        const b3 = b2 + ldb;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0;
        let s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        let s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0;
        let s30 = 0,
          s31 = 0,
          s32 = 0,
          s33 = 0;
        for (let k = 0; k < kb; k++) {
          const y0 = b[b0 + k];
          const y1 = b[b1 + k];
          const y2 = b[b2 + k];
          const y3 = b[b3 + k];
          const x0 = a[a0 + k];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s02 += x0 * y2;
          s03 += x0 * y3;
          const x1 = a[a1 + k];
          s10 += x1 * y0;
          s11 += x1 * y1;
          s12 += x1 * y2;
          s13 += x1 * y3;
          const x2 = a[a2 + k];
          s20 += x2 * y0;
          s21 += x2 * y1;
          s22 += x2 * y2;
          s23 += x2 * y3;
          const x3 = a[a3 + k];
          s30 += x3 * y0;
          s31 += x3 * y1;
          s32 += x3 * y2;
          s33 += x3 * y3;
        }
        let o = outOff + i * ldo + j;
        out[o] += alpha * s00;
        out[o + 1] += alpha * s01;
        out[o + 2] += alpha * s02;
        out[o + 3] += alpha * s03;
        o += ldo;
        out[o] += alpha * s10;
        out[o + 1] += alpha * s11;
        out[o + 2] += alpha * s12;
        out[o + 3] += alpha * s13;
        o += ldo;
        out[o] += alpha * s20;
        out[o + 1] += alpha * s21;
        out[o + 2] += alpha * s22;
        out[o + 3] += alpha * s23;
        o += ldo;
        out[o] += alpha * s30;
        out[o + 1] += alpha * s31;
        out[o + 2] += alpha * s32;
        out[o + 3] += alpha * s33;
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
  for (let i = 0; i < np; i++) {
    const dst = aStart + i * kp;
    if (i < n) {
      view.set(a.subarray(aOff + i * lda, aOff + i * lda + kLen), dst);
      if (kp > kLen) view[dst + kLen] = 0;
    } else {
      view.fill(0, dst, dst + kp);
    }
  }
  for (let j = 0; j < pp; j++) {
    const dst = bStart + j * kp;
    if (j < p) {
      view.set(b.subarray(bOff + j * ldb, bOff + j * ldb + kLen), dst);
      if (kp > kLen) view[dst + kLen] = 0;
    } else {
      view.fill(0, dst, dst + kp);
    }
  }
  const base = w.base;
  w.tiles(base + aStart * 8, base + bStart * 8, np, pp, kp, base, pp, 0);
  for (let i = 0; i < n; i++) {
    const o = outOff + i * ldo;
    const src = i * pp;
    for (let j = 0; j < p; j++) out[o + j] += alpha * view[src + j];
  }
}
