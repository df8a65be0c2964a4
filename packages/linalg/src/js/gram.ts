import type { Matrix } from '@emms/tensor-io';
import type { Dense } from '../backend';
import { assertMatrix, assertSameRows } from '../checks';
import { pack4, packColumns } from './pack';
import { tile4x4 } from './tile';
import { wasmTiles } from './wasm-tiles';

/** Rows per packed panel: a 2048-column panel is then 1 MiB and stays in L2. */
const ROW_BLOCK = 64;

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
  assertMatrix(a, 'a', 'gram');
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
      for (let k = j; k < dp; k += 4)
        tile4x4(1, panel, j * rb, rb, panel, k * rb, rb, rb, acc, j * dp + k, dp);
    }
  }
  mirror(acc, dp);
  return unpad(acc, dp, d, d);
}

/** AᵀB in float64 for a and b with the same rows. */
export function crossProduct(a: Matrix, b: Matrix): Dense {
  assertSameRows(a, b, 'crossProduct');
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
      for (let k = 0; k < db; k += 4) tile4x4(1, pa, j * rb, rb, pb, k * rb, rb, rb, acc, j * db + k, db);
    }
  }
  return unpad(acc, db, a.cols, b.cols);
}
