import {
  assertFiniteLower,
  assertFloat32,
  assertMatrix,
  assertMultipliable,
  assertSameRows,
  assertSquare,
  assertSystem,
  type Dense,
  type EighResult,
  kernelsOf,
  LINALG_ERRORS,
  type LinalgBackend,
  notPositiveDefinite,
  type PivotedCholeskyResult,
} from '@emms/linalg';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import {
  CblasLeft,
  CblasLower,
  CblasNonUnit,
  CblasNoTrans,
  CblasRowMajor,
  CblasTrans,
  CblasUpper,
  type NativeBlas,
} from './library';

/**
 * float64 elements per converted block of a float32 input (16 MiB). Large enough that each
 * BLAS call runs near full speed, small enough that a huge float32 matrix is never widened whole.
 */
const BLOCK_ELEMS = 1 << 21;

function dense(data: Float64Array, rows: number, cols: number): Dense {
  return { rows, cols, data };
}

/**
 * Rows r0..r0+nb of a row-major matrix (row length `cols`) as float64: a view of float64 data, or
 * a copy into `buf` (given exactly when the data is not float64).
 */
function rowBlock(
  data: Float32Array | Float64Array,
  buf: Float64Array | null,
  r0: number,
  nb: number,
  cols: number,
): Float64Array {
  const rows = data.subarray(r0 * cols, (r0 + nb) * cols);
  if (!buf) return rows as Float64Array;
  buf.set(rows);
  return buf;
}

/** Tile edge of {@link mirrorUpper}: a 64×64 tile of doubles (32 KiB) stays in cache. */
const MIRROR_TILE = 64;

/** Copy the upper triangle of a row-major n×n matrix onto its lower triangle, tile by tile. */
function mirrorUpper(c: Float64Array, n: number): void {
  for (let i0 = 0; i0 < n; i0 += MIRROR_TILE) {
    const i1 = Math.min(n, i0 + MIRROR_TILE);
    for (let j0 = i0; j0 < n; j0 += MIRROR_TILE) {
      const j1 = Math.min(n, j0 + MIRROR_TILE);
      for (let j = j0; j < j1; j++) {
        const row = j * n;
        const iEnd = Math.min(i1, j);
        for (let i = i0; i < iEnd; i++) c[row + i] = c[i * n + j];
      }
    }
  }
}

/** One-element int32 cells for LAPACK's by-pointer scalars. */
function int(v: number): Int32Array {
  return Int32Array.of(v);
}

/** Cholesky in place on a row-major copy; returns LAPACK's info (0 = success). */
function potrfLowerRowMajor(blas: NativeBlas, c: Float64Array, n: number): number {
  // Row-major lower = column-major upper, so LAPACK's "U" factor U (A = UᵀU) lands as L = Uᵀ.
  const info = int(0);
  blas.dpotrf('U', int(n), c, int(n), info, 1);
  return info[0]!;
}

/** Options of {@link createOpenblasBackend}. */
export interface OpenblasBackendOptions {
  /** float64 elements per converted block of a float32 input (default 2^21 = 16 MiB). */
  readonly blockElems?: number;
}

/** Build the backend object over bound native functions. */
export function createOpenblasBackend(blas: NativeBlas, options: OpenblasBackendOptions = {}): LinalgBackend {
  const blockElems = options.blockElems ?? BLOCK_ELEMS;
  /** Rows per converted block for a matrix `width` columns wide. */
  const blockRows = (width: number): number => Math.max(1, Math.floor(blockElems / Math.max(1, width)));
  // Two reusable conversion buffers (calls are synchronous and the buffers never escape), so
  // scores that call a kernel once per row block do not allocate and zero 16 MiB each time.
  const scratch: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  const buffer = (slot: 0 | 1, length: number): Float64Array => {
    if (scratch[slot].length < length) scratch[slot] = new Float64Array(length);
    return scratch[slot].subarray(0, length);
  };

  function gram(a: Matrix): Dense {
    assertMatrix(a, 'a', 'gram');
    const n = a.cols;
    const k = a.rows;
    const c = new Float64Array(n * n);
    if (n === 0 || k === 0) return dense(c, n, n);
    if (a.data instanceof Float64Array) {
      blas.cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, n, k, 1, a.data, n, 0, c, n);
    } else {
      const src = a.data;
      const rb = Math.min(k, blockRows(n));
      const buf = buffer(0, rb * n);
      for (let r0 = 0; r0 < k; r0 += rb) {
        const nb = Math.min(rb, k - r0);
        buf.set(src.subarray(r0 * n, (r0 + nb) * n));
        blas.cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, n, nb, 1, buf, n, r0 === 0 ? 0 : 1, c, n);
      }
    }
    mirrorUpper(c, n);
    return dense(c, n, n);
  }

  function crossProduct(a: Matrix, b: Matrix): Dense {
    assertSameRows(a, b, 'crossProduct');
    const c = new Float64Array(a.cols * b.cols);
    crossInto(a, b, c, 0);
    return dense(c, a.cols, b.cols);
  }

  function crossProductInto(a: Matrix, b: Matrix, out: Float64Array): void {
    assertSameRows(a, b, 'crossProductInto');
    if (out.length !== a.cols * b.cols) {
      throw new EmmsError(
        'SHAPE_MISMATCH',
        `crossProductInto: out holds ${out.length} values but AᵀB is ${a.cols}×${b.cols}`,
        { input: 'out', details: { expected: a.cols * b.cols, found: out.length } },
      );
    }
    crossInto(a, b, out, 1);
  }

  /** c = AᵀB + beta·c (beta 0 or 1), float32 inputs widened in row blocks. */
  function crossInto(a: Matrix, b: Matrix, c: Float64Array, beta: 0 | 1): void {
    const m = a.cols;
    const n = b.cols;
    const k = a.rows;
    if (m === 0 || n === 0 || k === 0) return;
    const ad = a.data;
    const bd = b.data;
    if (ad instanceof Float64Array && bd instanceof Float64Array) {
      blas.cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1, ad, m, bd, n, beta, c, n);
      return;
    }
    const rb = Math.min(k, blockRows(Math.max(m, n)));
    const bufA = ad instanceof Float64Array ? null : buffer(0, rb * m);
    const bufB = bd instanceof Float64Array ? null : buffer(1, rb * n);
    for (let r0 = 0; r0 < k; r0 += rb) {
      const nb = Math.min(rb, k - r0);
      const pa = rowBlock(ad, bufA, r0, nb, m);
      const pb = rowBlock(bd, bufB, r0, nb, n);
      blas.cblas_dgemm(
        CblasRowMajor,
        CblasTrans,
        CblasNoTrans,
        m,
        n,
        nb,
        1,
        pa,
        m,
        pb,
        n,
        r0 === 0 ? beta : 1,
        c,
        n,
      );
    }
  }

  function matmul(a: Matrix, b: Matrix): Dense {
    assertMultipliable(a, b, 'matmul');
    const m = a.rows;
    const k = a.cols;
    const n = b.cols;
    const c = new Float64Array(m * n);
    if (m === 0 || n === 0 || k === 0) return dense(c, m, n);
    // b is the small factor in every score (a projection or coefficient matrix): widen it whole.
    const pb = b.data instanceof Float64Array ? b.data : Float64Array.from(b.data);
    const ad = a.data;
    if (ad instanceof Float64Array) {
      blas.cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, ad, k, pb, n, 0, c, n);
      return dense(c, m, n);
    }
    const rb = Math.min(m, blockRows(k));
    const buf = buffer(0, rb * k);
    for (let r0 = 0; r0 < m; r0 += rb) {
      const nb = Math.min(rb, m - r0);
      buf.set(ad.subarray(r0 * k, (r0 + nb) * k));
      blas.cblas_dgemm(
        CblasRowMajor,
        CblasNoTrans,
        CblasNoTrans,
        nb,
        n,
        k,
        1,
        buf,
        k,
        pb,
        n,
        0,
        c.subarray(r0 * n, (r0 + nb) * n),
        n,
      );
    }
    return dense(c, m, n);
  }

  function eigh(a: Dense): EighResult {
    assertSquare(a, 'a', 'eigh');
    assertFiniteLower(a, 'a', 'eigh');
    const n = a.rows;
    if (n === 0) return { values: new Float64Array(0), vectors: dense(new Float64Array(0), 0, 0) };
    // Column-major upper triangle = row-major lower triangle, as the interface promises to read.
    const work = new Float64Array(a.data);
    const w = new Float64Array(n);
    const info = int(0);
    const qWork = new Float64Array(1);
    const qIwork = int(0);
    blas.dsyevd('V', 'U', int(n), work, int(n), w, qWork, int(-1), qIwork, int(-1), info, 1, 1);
    if (info[0] !== 0) throw new Error(`eigh: LAPACK dsyevd workspace query failed (info ${info[0]})`);
    const lwork = Math.max(1, Math.ceil(qWork[0]!));
    const liwork = Math.max(1, qIwork[0]!);
    blas.dsyevd(
      'V',
      'U',
      int(n),
      work,
      int(n),
      w,
      new Float64Array(lwork),
      int(lwork),
      new Int32Array(liwork),
      int(liwork),
      info,
      1,
      1,
    );
    if (info[0]! < 0) throw new Error(`eigh: LAPACK dsyevd rejected argument ${-info[0]!}`);
    if (info[0]! > 0) {
      throw new EmmsError(
        LINALG_ERRORS.NO_CONVERGENCE,
        `eigh: LAPACK dsyevd did not converge (info ${info[0]})`,
        { input: 'a' },
      );
    }
    // LAPACK leaves eigenvector j in column j of a column-major array, i.e. row j of ours.
    const v = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const off = j * n;
      for (let i = 0; i < n; i++) v[i * n + j] = work[off + i]!;
    }
    return { values: w, vectors: dense(v, n, n) };
  }

  function cholesky(a: Dense): Dense | null {
    assertSquare(a, 'a', 'cholesky');
    const n = a.rows;
    const c = new Float64Array(a.data);
    if (n === 0) return dense(c, 0, 0);
    const info = potrfLowerRowMajor(blas, c, n);
    if (info < 0) throw new Error(`cholesky: LAPACK dpotrf rejected argument ${-info}`);
    if (info > 0) return null;
    for (let i = 0; i < n; i++) c.fill(0, i * n + i + 1, (i + 1) * n);
    return dense(c, n, n);
  }

  function solveSpd(a: Dense, b: Dense): Dense {
    assertSystem(a, 'a', b, 'b', 'solveSpd');
    const n = a.rows;
    const m = b.cols;
    if (n === 0 || m === 0) return dense(new Float64Array(n * m), n, m);
    const l = new Float64Array(a.data);
    const info = potrfLowerRowMajor(blas, l, n);
    if (info < 0) throw new Error(`solveSpd: LAPACK dpotrf rejected argument ${-info}`);
    if (info > 0) {
      throw notPositiveDefinite('solveSpd', 'a', ` (leading minor ${info} of ${n} is not positive)`);
    }
    // LAPACK wants b column-major: transpose in, solve, transpose out.
    const bc = new Float64Array(n * m);
    const bd = b.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) bc[j * n + i] = bd[i * m + j]!;
    }
    const info2 = int(0);
    blas.dpotrs('U', int(n), int(m), l, int(n), bc, int(n), info2, 1);
    if (info2[0] !== 0) throw new Error(`solveSpd: LAPACK dpotrs failed (info ${info2[0]})`);
    const x = new Float64Array(n * m);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) x[i * m + j] = bc[j * n + i]!;
    }
    return dense(x, n, m);
  }

  function solveCholesky(l: Dense, b: Dense): Dense {
    assertSystem(l, 'l', b, 'b', 'solveCholesky');
    const n = l.rows;
    const m = b.cols;
    const x = new Float64Array(b.data);
    if (n === 0 || m === 0) return dense(x, n, m);
    // Row-major triangular solves straight on b's layout: L Y = B, then Lᵀ X = Y.
    const solveTriangular = (trans: typeof CblasNoTrans | typeof CblasTrans): void =>
      blas.cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, trans, CblasNonUnit, n, m, 1, l.data, n, x, m);
    solveTriangular(CblasNoTrans);
    solveTriangular(CblasTrans);
    return dense(x, n, m);
  }

  function pivotedCholesky(a: Dense, tol?: number): PivotedCholeskyResult {
    assertSquare(a, 'a', 'pivotedCholesky');
    const n = a.rows;
    if (n === 0) return { factor: dense(new Float64Array(0), 0, 0), perm: new Int32Array(0), rank: 0 };
    // As in cholesky: LAPACK's column-major "U" is our row-major lower triangle, U = Lᵀ.
    const c = new Float64Array(a.data);
    const piv = new Int32Array(n);
    const rankCell = int(0);
    const info = int(0);
    // A negative tolerance asks LAPACK for its default n·ε·max diag, the interface's default too.
    blas.dpstrf(
      'U',
      int(n),
      c,
      int(n),
      piv,
      rankCell,
      Float64Array.of(tol ?? -1),
      new Float64Array(2 * n),
      info,
      1,
    );
    if (info[0]! < 0) throw new Error(`pivotedCholesky: LAPACK dpstrf rejected argument ${-info[0]!}`);
    const rank = rankCell[0]!;
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = piv[i]! - 1;
    const factor = new Float64Array(n * rank);
    for (let i = 0; i < n; i++) {
      const width = Math.min(i + 1, rank);
      for (let k = 0; k < width; k++) factor[i * rank + k] = c[i * n + k]!;
    }
    return { factor: dense(factor, n, rank), perm, rank };
  }

  const ssyrk = blas.cblas_ssyrk;
  const sgemm = blas.cblas_sgemm;
  /** A float32 result buffer, reused between calls (calls are synchronous; it never escapes). */
  let single = new Float32Array(0);
  const singleBuffer = (length: number): Float32Array => {
    if (single.length < length) single = new Float32Array(length);
    return single.subarray(0, length);
  };

  function gramIntoF32(a: Matrix<Float32Array>, out: Float64Array): void {
    assertFloat32(a, 'a', 'gramIntoF32');
    const n = a.cols;
    if (out.length !== n * n) {
      throw new EmmsError(
        'SHAPE_MISMATCH',
        `gramIntoF32: out holds ${out.length} values but AᵀA is ${n}×${n}`,
        {
          input: 'out',
          details: { expected: n * n, found: out.length },
        },
      );
    }
    if (n === 0 || a.rows === 0) return;
    const c = singleBuffer(n * n);
    ssyrk!(CblasRowMajor, CblasUpper, CblasTrans, n, a.rows, 1, a.data, n, 0, c, n);
    for (let i = 0; i < n; i++) {
      const o = i * n;
      for (let j = i; j < n; j++) out[o + j]! += c[o + j]!;
    }
    // the lower triangle from the updated upper one (out was symmetric before)
    mirrorUpper(out, n);
  }

  function crossProductIntoF32(a: Matrix<Float32Array>, b: Matrix<Float32Array>, out: Float64Array): void {
    assertFloat32(a, 'a', 'crossProductIntoF32');
    assertFloat32(b, 'b', 'crossProductIntoF32');
    assertSameRows(a, b, 'crossProductIntoF32');
    const m = a.cols;
    const n = b.cols;
    if (out.length !== m * n) {
      throw new EmmsError(
        'SHAPE_MISMATCH',
        `crossProductIntoF32: out holds ${out.length} values but AᵀB is ${m}×${n}`,
        { input: 'out', details: { expected: m * n, found: out.length } },
      );
    }
    if (m === 0 || n === 0 || a.rows === 0) return;
    const c = singleBuffer(m * n);
    sgemm!(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, a.rows, 1, a.data, m, b.data, n, 0, c, n);
    for (let i = 0; i < c.length; i++) out[i]! += c[i]!;
  }

  function matmulF32(a: Matrix<Float32Array>, b: Matrix<Float32Array>): Matrix<Float32Array> {
    assertFloat32(a, 'a', 'matmulF32');
    assertFloat32(b, 'b', 'matmulF32');
    assertMultipliable(a, b, 'matmulF32');
    const m = a.rows;
    const k = a.cols;
    const n = b.cols;
    const c = new Float32Array(m * n);
    if (m > 0 && n > 0 && k > 0)
      sgemm!(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a.data, k, b.data, n, 0, c, n);
    return { rows: m, cols: n, data: c };
  }

  const kernels = {
    name: 'openblas',
    gram,
    crossProduct,
    crossProductInto,
    matmul,
    eigh,
    cholesky,
    solveSpd,
    solveCholesky,
    pivotedCholesky,
    ...(ssyrk && sgemm ? { gramIntoF32, crossProductIntoF32, matmulF32 } : {}),
  };
  return {
    ...kernels,
    capabilities: {
      kernels: kernelsOf(kernels as unknown as LinalgBackend),
      native: true,
      float32Input: true,
      // OpenBLAS's own count, read when asked (setOpenblasThreads changes it at run time).
      get threads(): number {
        return Math.max(1, blas.getThreads?.() ?? 1);
      },
      browser: false,
    },
  };
}
