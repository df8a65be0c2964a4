/**
 * An optional WebAssembly SIMD version of the 4×2 register-tile kernel used by gram and
 * crossProduct: two f64 lanes per instruction where the JavaScript kernel has one. The module
 * (under 1 KiB) is assembled here from its opcodes, so nothing is fetched; where WebAssembly
 * SIMD is missing (or compiling fails) {@link wasmTiles} returns null and the JavaScript
 * kernel runs instead, with the same results.
 */

import {
  ADD,
  BLOCK_OP as BLOCK,
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
  lane,
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

// Opcodes used only here.
const MUL = [0x6c];
const SELECT = [0x1b];
const V128_LOAD = [0xfd, 0x00, 3, 0];
const F64_LOAD = [0x2b, 3, 0];
const F64_SUB = [0xa1];
const F64_MUL = [0xa2];
const V128_STORE = [0xfd, 0x0b, 3, 0];
const LT_S = [0x48];
const AND = [0x71];
const SUB = [0x6b];
const TRUNC = [0xaa];

// Parameters (i32): panel P, panel Q (byte offsets), rows of P, rows of Q, r count, output
// (byte offset), output row length, symmetric flag.
const [P, Q, NP, NQ, RB, OUT, LDO, SYM] = [0, 1, 2, 3, 4, 5, 6, 7];
// i32 locals.
const [J, K, RR, PA0, QB0, RBB, O, LDOB, ADDR] = [8, 9, 10, 11, 15, 17, 18, 19, 20];
// v128 locals.
const [A, B0, ACC0] = [21, 22, 24];

function tilesBody(): number[] {
  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const p of parts) code.push(...p);
  };
  emit(get(RB), i32(3), SHL, set(RBB), get(LDO), i32(3), SHL, set(LDOB), i32(0), set(J));
  emit(BLOCK, LOOP, get(J), get(NP), GE_S, brIf(1));
  emit(get(J), i32(0), get(SYM), SELECT, set(K));
  emit(BLOCK, LOOP, get(K), get(NQ), GE_S, brIf(1));
  for (let t = 0; t < 8; t++) emit(V128_ZERO, set(ACC0 + t));
  // Row addresses of the four P rows and the two Q rows.
  emit(get(P), get(J), get(RBB), MUL, ADD, tee(PA0));
  for (let a = 1; a < 4; a++) emit(get(RBB), ADD, a < 3 ? tee(PA0 + a) : set(PA0 + a));
  emit(get(Q), get(K), get(RBB), MUL, ADD, tee(QB0), get(RBB), ADD, set(QB0 + 1));
  emit(i32(0), set(RR));
  emit(BLOCK, LOOP, get(RR), get(RBB), GE_S, brIf(1));
  emit(get(QB0), get(RR), ADD, V128_LOAD, set(B0));
  emit(get(QB0 + 1), get(RR), ADD, V128_LOAD, set(B0 + 1));
  for (let a = 0; a < 4; a++) {
    emit(get(PA0 + a), get(RR), ADD, V128_LOAD, set(A));
    for (let b = 0; b < 2; b++) {
      const acc = ACC0 + a * 2 + b;
      emit(get(acc), get(A), get(B0 + b), F64X2_MUL, F64X2_ADD, set(acc));
    }
  }
  emit(get(RR), i32(16), ADD, set(RR), br(0), END, END);
  // out[j + a][k + b] += both lanes.
  emit(get(OUT), get(J), get(LDOB), MUL, ADD, get(K), i32(3), SHL, ADD, set(O));
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 2; b++) {
      const acc = ACC0 + a * 2 + b;
      emit(get(O));
      if (a > 0) emit(get(LDOB), i32(a), MUL, ADD);
      if (b > 0) emit(i32(8), ADD);
      emit(tee(ADDR), get(ADDR), F64_LOAD, get(acc), lane(0), get(acc), lane(1), F64_ADD, F64_ADD, F64_STORE);
    }
  }
  emit(get(K), i32(2), ADD, set(K), br(0), END, END);
  emit(get(J), i32(4), ADD, set(J), br(0), END, END);
  emit(END);
  return code;
}

/**
 * symv(w, ld, k1, n, v, p): p[j] += Σ_i A[i][j]·v[i] over the symmetric block k1..n−1 of A
 * whose lower triangle is stored at byte offset w (row length ld); v and p are byte offsets of
 * vectors indexed like the rows.
 */
function symvBody(): number[] {
  const [W, LD, K1, N, V, P2] = [0, 1, 2, 3, 4, 5];
  const [I, ROW, JB, PEND, IB] = [6, 7, 8, 9, 10];
  const [VI, ACCS, AS] = [11, 12, 13];
  const [VI2, ACC, AV] = [14, 15, 16];
  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const p of parts) code.push(...p);
  };
  emit(get(K1), set(I));
  emit(BLOCK, LOOP, get(I), get(N), GE_S, brIf(1));
  emit(get(I), i32(3), SHL, set(IB));
  emit(get(W), get(I), get(LD), MUL, i32(3), SHL, ADD, set(ROW));
  emit(get(V), get(IB), ADD, F64_LOAD, tee(VI), F64X2_SPLAT, set(VI2));
  emit(V128_ZERO, set(ACC));
  emit(get(K1), i32(3), SHL, set(JB));
  // Pairs end: k1 + ((i − k1) & ~1), in bytes.
  emit(get(I), get(K1), SUB, i32(-2), AND, get(K1), ADD, i32(3), SHL, set(PEND));
  emit(BLOCK, LOOP, get(JB), get(PEND), GE_S, brIf(1));
  emit(get(ROW), get(JB), ADD, V128_LOAD, set(AV));
  emit(get(ACC), get(AV), get(V), get(JB), ADD, V128_LOAD, F64X2_MUL, F64X2_ADD, set(ACC));
  emit(
    get(P2),
    get(JB),
    ADD,
    get(P2),
    get(JB),
    ADD,
    V128_LOAD,
    get(AV),
    get(VI2),
    F64X2_MUL,
    F64X2_ADD,
    V128_STORE,
  );
  emit(get(JB), i32(16), ADD, set(JB), br(0), END, END);
  emit(get(ACC), lane(0), get(ACC), lane(1), F64_ADD, set(ACCS));
  // One element left before the diagonal.
  emit(get(JB), get(IB), LT_S, IF);
  emit(get(ROW), get(JB), ADD, F64_LOAD, set(AS));
  emit(get(ACCS), get(AS), get(V), get(JB), ADD, F64_LOAD, F64_MUL, F64_ADD, set(ACCS));
  emit(get(P2), get(JB), ADD, get(P2), get(JB), ADD, F64_LOAD, get(AS), get(VI), F64_MUL, F64_ADD, F64_STORE);
  emit(END);
  // p[i] += acc + A[i][i]·v[i].
  emit(get(P2), get(IB), ADD, get(P2), get(IB), ADD, F64_LOAD, get(ACCS), F64_ADD);
  emit(get(ROW), get(IB), ADD, F64_LOAD, get(VI), F64_MUL, F64_ADD, F64_STORE);
  emit(get(I), i32(1), ADD, set(I), br(0), END, END);
  emit(END);
  return code;
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const i32s = (count: number) => [...uleb(count), 0x7f];
  const type = section(
    1,
    vec([
      [0x60, ...vec(new Array(8).fill([0x7f])), 0],
      [0x60, ...vec(new Array(6).fill([0x7f])), 0],
    ]),
  );
  const func = section(3, vec([[0], [1]]));
  const memory = section(5, vec([[0x00, 1]]));
  const exports = section(
    7,
    vec([
      [...name('tiles'), 0x00, 0],
      [...name('symv'), 0x00, 1],
      [...name('memory'), 0x02, 0],
    ]),
  );
  const tiles = [...vec([i32s(13), [...uleb(11), 0x7b]]), ...tilesBody()];
  const symv = [...vec([i32s(5), [...uleb(3), 0x7c], [...uleb(3), 0x7b]]), ...symvBody()];
  const code = section(
    10,
    vec([
      [...uleb(tiles.length), ...tiles],
      [...uleb(symv.length), ...symv],
    ]),
  );
  return Uint8Array.from([...HEADER, ...type, ...func, ...memory, ...exports, ...code]);
}

/** The compiled kernel and its memory. */
export interface WasmTiles {
  /**
   * out[j+a][k+b] += Σ_r P[j+a][r]·Q[k+b][r] over 4×2 tiles (P rows j < np step 4, Q rows k < nq
   * step 2, from k = j when `sym`); P and Q are packed panels (row length rb, even), all offsets
   * in bytes into `memory`, out row length ldo (elements).
   */
  tiles(
    p: number,
    q: number,
    np: number,
    nq: number,
    rb: number,
    out: number,
    ldo: number,
    sym: number,
  ): void;
  /**
   * p[j] += Σ_i A[i][j]·v[i] over rows/columns k1..n−1 of a symmetric A whose lower triangle is at
   * byte offset w (row length ld); v and p byte offsets.
   */
  symv(w: number, ld: number, k1: number, n: number, v: number, p: number): void;
  /** Byte offset where scratch views start (after any reserved region). */
  readonly base: number;
  /**
   * Float64 view of `elements` values of scratch memory starting at {@link base} (memory is
   * grown as needed, which detaches earlier views).
   */
  view(elements: number): Float64Array;
  /**
   * Keeps `elements` values at offset 0 for the caller (scratch starts after them) and grows the
   * memory now for `scratch` more, so that scratch use up to that size detaches nothing.
   * Returns a view of the reserved values; call `release` when done.
   */
  reserve(elements: number, scratch: number): Float64Array;
  /** Frees the reserved region. */
  release(): void;
}

let cached: WasmTiles | null | undefined;
let enabled = true;

/** Turns the WebAssembly kernel off (or back on); for tests comparing both kernels. */
export function setWasmTilesEnabled(on: boolean): void {
  enabled = on;
}

/** The WebAssembly kernel, or null where it cannot run (then use the JavaScript kernel). */
export function wasmTiles(): WasmTiles | null {
  if (!enabled || !wasmKernelsEnabled()) return null;
  if (cached !== undefined) return cached;
  cached = null;
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    const tiles = instance.exports.tiles as WasmTiles['tiles'];
    const symv = instance.exports.symv as WasmTiles['symv'];
    let reservedElements = 0;
    const ensure = (elements: number): void => {
      const bytes = elements * 8;
      if (memory.buffer.byteLength < bytes)
        memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    };
    cached = {
      tiles,
      symv,
      get base() {
        return reservedElements * 8;
      },
      view(elements) {
        ensure(reservedElements + elements);
        return new Float64Array(memory.buffer, reservedElements * 8, elements);
      },
      reserve(elements, scratch) {
        ensure(elements + scratch);
        reservedElements = elements;
        return new Float64Array(memory.buffer, 0, elements);
      },
      release() {
        reservedElements = 0;
      },
    };
  } catch {
    cached = null;
  }
  return cached;
}
