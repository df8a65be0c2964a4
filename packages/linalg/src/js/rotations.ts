/**
 * Applies long lists of plane rotations (the QL method's) to the rows of a matrix in
 * WebAssembly SIMD. The matrix is stored in column blocks of {@link BLOCK} values: block b holds
 * columns 16b..16b+15 of every row (two 64-byte lines), so a block of a few thousand rows sits
 * in the L2 cache while every rotation of a batch passes over it.
 *
 * Consecutive rotations of one QL sweep act on rows (i, i+1), then (i−1, i), …; the row they
 * share stays in registers ("carry"), so each rotation loads one row and stores one. A rotation
 * (c, s) of rows x = row i+1 and y = row i gives x' = c·x + s·y and y' = c·y − s·x, which is the
 * complex product (c − i·s)(x + i·y) and is formed with three multiplications:
 * k = c·(x + y), x' = k − (c − s)·y, y' = k − (c + s)·x.
 * The same module holds two small row-dot-product kernels (dots, axpys) for the panel corrections
 * of eigh's tridiagonal reduction. Where WebAssembly SIMD is missing {@link rotationKernel}
 * returns null and the callers run plain JavaScript.
 */

import {
  ADD,
  BLOCK_OP,
  br,
  brIf,
  END,
  F64_ADD,
  F64_STORE,
  F64X2_ADD,
  F64X2_MUL,
  F64X2_SPLAT,
  F64X2_SUB,
  GE_S,
  get,
  HEADER,
  IF,
  i32,
  LOOP,
  name,
  SHL,
  section,
  set,
  tee,
  uleb,
  V128_ZERO,
  vec,
} from './wasm-asm';
import { wasmKernelsEnabled } from './wasm-switch';

/** Columns per block. */
export const BLOCK = 16;
/** Vectors (two values each) per block row, and log2 of a block row's bytes. */
const VECTORS = BLOCK / 2;
const ROW_SHIFT = Math.log2(BLOCK * 8);

const NE = [0x47];
const I32_LOAD = [0x28, 2, 0];
const f64Load = (off: number) => [0x2b, 3, ...uleb(off)];
const v128Load = (off: number) => [0xfd, 0x00, 4, ...uleb(off)];
const v128Store = (off: number) => [0xfd, 0x0b, 4, ...uleb(off)];
const LANE0 = [0xfd, 0x21, 0];
const LANE1 = [0xfd, 0x21, 1];

/**
 * rot(rows, coefs, count, mat, n, blocks): for each column block, applies rotation q (row
 * rows[q] as i32, coefficients c, c − s, c + s as f64 at coefs + 24q) to rows (i, i+1) of the
 * blocked matrix at `mat` (n rows per block), in list order. Offsets in bytes.
 */
function rotBody(): number[] {
  const [ROWS, COEFS, COUNT, MAT, N, BLOCKS] = [0, 1, 2, 3, 4, 5];
  const [B, BASE, Q, I, PREV, RA, CA, YA] = [6, 7, 8, 9, 10, 11, 12, 13];
  const [X0, Y, K, C, CMS, CPS] = [14, 14 + VECTORS, 15 + VECTORS, 16 + VECTORS, 17 + VECTORS, 18 + VECTORS];
  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const p of parts) code.push(...p);
  };
  const rowAddr = (local: number) => [get(BASE), get(local), i32(ROW_SHIFT), SHL, ADD].flat();
  emit(i32(0), set(B), get(MAT), set(BASE));
  emit(BLOCK_OP, LOOP, get(B), get(BLOCKS), GE_S, brIf(1));
  emit(i32(-1), set(PREV), get(ROWS), set(RA), get(COEFS), set(CA), i32(0), set(Q));
  emit(BLOCK_OP, LOOP, get(Q), get(COUNT), GE_S, brIf(1));
  emit(get(RA), I32_LOAD, set(I));
  // A new sweep: store the carried row, load row i+1 as the carry.
  emit(get(I), i32(1), ADD, get(PREV), NE, IF);
  emit(get(PREV), i32(0), GE_S, IF);
  for (let v = 0; v < VECTORS; v++) emit(rowAddr(PREV), get(X0 + v), v128Store(16 * v));
  emit(END);
  for (let v = 0; v < VECTORS; v++) emit(rowAddr(I), v128Load(BLOCK * 8 + 16 * v), set(X0 + v));
  emit(END);
  emit(get(CA), f64Load(0), F64X2_SPLAT, set(C));
  emit(get(CA), f64Load(8), F64X2_SPLAT, set(CMS));
  emit(get(CA), f64Load(16), F64X2_SPLAT, set(CPS));
  emit(rowAddr(I), set(YA));
  for (let v = 0; v < VECTORS; v++) {
    const x = X0 + v;
    emit(get(YA), v128Load(16 * v), tee(Y));
    emit(get(x), F64X2_ADD, get(C), F64X2_MUL, set(K));
    // Row i+1 ← k − (c − s)·y.
    emit(get(YA), get(K), get(CMS), get(Y), F64X2_MUL, F64X2_SUB, v128Store(BLOCK * 8 + 16 * v));
    // Carry (row i) ← k − (c + s)·x.
    emit(get(K), get(CPS), get(x), F64X2_MUL, F64X2_SUB, set(x));
  }
  emit(get(I), set(PREV));
  emit(get(RA), i32(4), ADD, set(RA), get(CA), i32(24), ADD, set(CA));
  emit(get(Q), i32(1), ADD, set(Q), br(0), END, END);
  emit(get(PREV), i32(0), GE_S, IF);
  for (let v = 0; v < VECTORS; v++) emit(rowAddr(PREV), get(X0 + v), v128Store(16 * v));
  emit(END);
  emit(get(BASE), get(N), i32(ROW_SHIFT), SHL, ADD, set(BASE));
  emit(get(B), i32(1), ADD, set(B), br(0), END, END);
  emit(END);
  return code;
}

/**
 * dots(a, lda, rows, u, len, out): out[i] = Σ_{j<len} a[i·lda + j]·u[j] for i < rows (len even;
 * a, u, out byte offsets, lda in values).
 */
function dotsBody(): number[] {
  const [A, LDA, ROWS, U, LEN, OUT] = [0, 1, 2, 3, 4, 5];
  const [I, RA, LENB, J] = [6, 7, 8, 9];
  const ACC = 10;
  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const p of parts) code.push(...p);
  };
  emit(get(LEN), i32(3), SHL, set(LENB), get(A), set(RA), i32(0), set(I));
  emit(BLOCK_OP, LOOP, get(I), get(ROWS), GE_S, brIf(1));
  emit(V128_ZERO, set(ACC), i32(0), set(J));
  emit(BLOCK_OP, LOOP, get(J), get(LENB), GE_S, brIf(1));
  emit(
    get(ACC),
    get(RA),
    get(J),
    ADD,
    v128Load(0),
    get(U),
    get(J),
    ADD,
    v128Load(0),
    F64X2_MUL,
    F64X2_ADD,
    set(ACC),
  );
  emit(get(J), i32(16), ADD, set(J), br(0), END, END);
  emit(get(OUT), get(I), i32(3), SHL, ADD, get(ACC), LANE0, get(ACC), LANE1, F64_ADD, F64_STORE);
  emit(get(RA), get(LDA), i32(3), SHL, ADD, set(RA));
  emit(get(I), i32(1), ADD, set(I), br(0), END, END);
  emit(END);
  return code;
}

/**
 * axpys(a, lda, rows, x, len, c): c[j] += Σ_{i<rows} a[i·lda + j]·x[i] for j < len (len even;
 * a, x, c byte offsets, lda in values).
 */
function axpysBody(): number[] {
  const [A, LDA, ROWS, X, LEN, C] = [0, 1, 2, 3, 4, 5];
  const [I, RA, LENB, J] = [6, 7, 8, 9];
  const XI = 10;
  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const p of parts) code.push(...p);
  };
  emit(get(LEN), i32(3), SHL, set(LENB), get(A), set(RA), i32(0), set(I));
  emit(BLOCK_OP, LOOP, get(I), get(ROWS), GE_S, brIf(1));
  emit(get(X), get(I), i32(3), SHL, ADD, f64Load(0), F64X2_SPLAT, set(XI), i32(0), set(J));
  emit(BLOCK_OP, LOOP, get(J), get(LENB), GE_S, brIf(1));
  emit(get(C), get(J), ADD, get(C), get(J), ADD, v128Load(0));
  emit(get(RA), get(J), ADD, v128Load(0), get(XI), F64X2_MUL, F64X2_ADD, v128Store(0));
  emit(get(J), i32(16), ADD, set(J), br(0), END, END);
  emit(get(RA), get(LDA), i32(3), SHL, ADD, set(RA));
  emit(get(I), i32(1), ADD, set(I), br(0), END, END);
  emit(END);
  return code;
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = section(1, vec([[0x60, ...vec(new Array(6).fill([0x7f])), 0]]));
  const func = section(3, vec([[0], [0], [0]]));
  const memory = section(5, vec([[0x00, 1]]));
  const exports = section(
    7,
    vec([
      [...name('rot'), 0x00, 0],
      [...name('dots'), 0x00, 1],
      [...name('axpys'), 0x00, 2],
      [...name('memory'), 0x02, 0],
    ]),
  );
  // Locals: 8 i32 (6..13), then the v128 ones.
  const body = [
    ...vec([
      [...uleb(8), 0x7f],
      [...uleb(VECTORS + 5), 0x7b],
    ]),
    ...rotBody(),
  ];
  const small = (f: () => number[]) => [
    ...vec([
      [...uleb(4), 0x7f],
      [...uleb(1), 0x7b],
    ]),
    ...f(),
  ];
  const dots = small(dotsBody);
  const axpys = small(axpysBody);
  const code = section(
    10,
    vec([
      [...uleb(body.length), ...body],
      [...uleb(dots.length), ...dots],
      [...uleb(axpys.length), ...axpys],
    ]),
  );
  return Uint8Array.from([...HEADER, ...type, ...func, ...memory, ...exports, ...code]);
}

/** The compiled kernels and their memory. */
export interface RotationKernel {
  /** See the module comment; all offsets in bytes into {@link RotationKernel.memory}. */
  rot(rows: number, coefs: number, count: number, mat: number, n: number, blocks: number): void;
  /** out[i] = Σ_{j<len} a[i·lda + j]·u[j] for i < rows; len even, offsets in bytes. */
  dots(a: number, lda: number, rows: number, u: number, len: number, out: number): void;
  /** c[j] += Σ_{i<rows} a[i·lda + j]·x[i] for j < len; len even, offsets in bytes. */
  axpys(a: number, lda: number, rows: number, x: number, len: number, c: number): void;
  /** Grows the memory to at least `bytes`; earlier views are detached when it grows. */
  ensure(bytes: number): ArrayBuffer;
}

let cached: RotationKernel | null | undefined;

/** The WebAssembly rotation kernel, or null where it cannot run. */
export function rotationKernel(): RotationKernel | null {
  if (!wasmKernelsEnabled()) return null;
  if (cached !== undefined) return cached;
  cached = null;
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    cached = {
      rot: instance.exports.rot as RotationKernel['rot'],
      dots: instance.exports.dots as RotationKernel['dots'],
      axpys: instance.exports.axpys as RotationKernel['axpys'],
      ensure(bytes) {
        if (memory.buffer.byteLength < bytes)
          memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
        return memory.buffer;
      },
    };
  } catch {
    cached = null;
  }
  return cached;
}
