import type { Matrix } from '@emms/tensor-io';
import type { Dense } from '../backend';
import { pack4, packColumns } from './pack';
import { wasmTiles } from './wasm-tiles';

/** Rows per packed panel: a 2048-column panel is then 1 MiB and stays in L2. */
const ROW_BLOCK = 64;

/**
 * Accumulates the 4×4 tile out[j..j+3, k..k+3] += Σ_r p[j+a, r]·q[k+b, r] over one packed panel.
 * `out` is row-major with row length `ld`.
 */
function tile4x4(
  p: Float64Array,
  j: number,
  q: Float64Array,
  k: number,
  rb: number,
  out: Float64Array,
  ld: number,
): void {
  const p0 = j * rb;
  const p1 = p0 + rb;
  const p2 = p1 + rb;
  const p3 = p2 + rb;
  const q0 = k * rb;
  const q1 = q0 + rb;
  const q2 = q1 + rb;
  const q3 = q2 + rb;
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
  for (let r = 0; r < rb; r++) {
    const b0 = q[q0 + r];
    const b1 = q[q1 + r];
    const b2 = q[q2 + r];
    const b3 = q[q3 + r];
    const a0 = p[p0 + r];
    s00 += a0 * b0;
    s01 += a0 * b1;
    s02 += a0 * b2;
    s03 += a0 * b3;
    const a1 = p[p1 + r];
    s10 += a1 * b0;
    s11 += a1 * b1;
    s12 += a1 * b2;
    s13 += a1 * b3;
    const a2 = p[p2 + r];
    s20 += a2 * b0;
    s21 += a2 * b1;
    s22 += a2 * b2;
    s23 += a2 * b3;
    const a3 = p[p3 + r];
    s30 += a3 * b0;
    s31 += a3 * b1;
    s32 += a3 * b2;
    s33 += a3 * b3;
  }
  let o = j * ld + k;
  out[o] += s00;
  out[o + 1] += s01;
  out[o + 2] += s02;
  out[o + 3] += s03;
  o += ld;
  out[o] += s10;
  out[o + 1] += s11;
  out[o + 2] += s12;
  out[o + 3] += s13;
  o += ld;
  out[o] += s20;
  out[o + 1] += s21;
  out[o + 2] += s22;
  out[o + 3] += s23;
  o += ld;
  out[o] += s30;
  out[o + 1] += s31;
  out[o + 2] += s32;
  out[o + 3] += s33;
}

/** Copies the upper triangle of tiles (row blocks of 4 and beyond) to the lower one. */
function mirror(acc: Float64Array, dp: number): void {
  for (let i = 0; i < dp; i++) {
    for (let j = (i & ~3) + 4; j < dp; j++) acc[j * dp + i] = acc[i * dp + j];
  }
}

/**
 * The top-left rows×cols of a padded row-major buffer as a Dense; always a fresh copy when
 * `copy` (the buffer is shared WebAssembly memory).
 */
function unpad(buf: Float64Array, ld: number, rows: number, cols: number, copy = false): Dense {
  if (ld === cols) {
    const whole = !copy && buf.length === rows * cols;
    return { rows, cols, data: whole ? buf : buf.slice(0, rows * cols) };
  }
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) data.set(buf.subarray(i * ld, i * ld + cols), i * cols);
  return { rows, cols, data };
}

/** AᵀA in float64: row panels packed per column, 4×4 register tiles, upper triangle then mirrored. */
export function gram(a: Matrix): Dense {
  const d = a.cols;
  const dp = pack4(d);
  const rb = ROW_BLOCK;
  const w = wasmTiles();
  if (w) {
    // Same packing; the 4×2 SIMD tiles run in WebAssembly memory: [out dp×dp | panel dp×rb].
    const view = w.view(dp * dp + dp * rb);
    view.fill(0);
    const panel = view.subarray(dp * dp, dp * dp + dp * rb);
    for (let r0 = 0; r0 < a.rows; r0 += rb) {
      packColumns(a, r0, rb, panel);
      w.tiles(w.base + dp * dp * 8, w.base + dp * dp * 8, dp, dp, rb, w.base, dp, 1);
    }
    mirror(view, dp);
    return unpad(view, dp, d, d, true);
  }
  const panel = new Float64Array(dp * rb);
  const acc = new Float64Array(dp * dp);
  for (let r0 = 0; r0 < a.rows; r0 += rb) {
    packColumns(a, r0, rb, panel);
    for (let j = 0; j < dp; j += 4) {
      for (let k = j; k < dp; k += 4) tile4x4(panel, j, panel, k, rb, acc, dp);
    }
  }
  mirror(acc, dp);
  return unpad(acc, dp, d, d);
}

/** AᵀB in float64 for a and b with the same rows. */
export function crossProduct(a: Matrix, b: Matrix): Dense {
  if (a.rows !== b.rows) {
    throw new RangeError(`crossProduct: a has ${a.rows} rows but b has ${b.rows}`);
  }
  const da = pack4(a.cols);
  const db = pack4(b.cols);
  const rb = ROW_BLOCK;
  const w = wasmTiles();
  if (w) {
    // [out da×db | panel of a da×rb | panel of b db×rb] in WebAssembly memory.
    const outSize = da * db;
    const view = w.view(outSize + (da + db) * rb);
    view.fill(0);
    const pa = view.subarray(outSize, outSize + da * rb);
    const pb = view.subarray(outSize + da * rb, outSize + (da + db) * rb);
    for (let r0 = 0; r0 < a.rows; r0 += rb) {
      packColumns(a, r0, rb, pa);
      packColumns(b, r0, rb, pb);
      w.tiles(w.base + outSize * 8, w.base + (outSize + da * rb) * 8, da, db, rb, w.base, db, 0);
    }
    return unpad(view, db, a.cols, b.cols, true);
  }
  const pa = new Float64Array(da * rb);
  const pb = new Float64Array(db * rb);
  const acc = new Float64Array(da * db);
  for (let r0 = 0; r0 < a.rows; r0 += rb) {
    packColumns(a, r0, rb, pa);
    packColumns(b, r0, rb, pb);
    for (let j = 0; j < da; j += 4) {
      for (let k = 0; k < db; k += 4) tile4x4(pa, j, pb, k, rb, acc, db);
    }
  }
  return unpad(acc, db, a.cols, b.cols);
}
