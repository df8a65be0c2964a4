import { EmmsError, type Matrix } from '@emms/tensor-io';
import type { Dense, EighResult } from '../backend';
import { assertFiniteLower, assertSquare, assertSystem, LINALG_ERRORS } from '../checks';
import { gemmNT } from './gemm';
import { BLOCK, rotationKernel } from './rotations';
import { type WasmTiles, wasmTiles } from './wasm-tiles';

/**
 * Symmetric eigendecomposition: blocked Householder reduction to tridiagonal form (as LAPACK
 * dsytrd), blocked accumulation of the orthogonal factor (compact WY, as dorgtr), then the
 * implicit QL method with shifts on the tridiagonal matrix. Eigenvectors are kept as rows
 * during the rotations; with WebAssembly the rotations are logged and applied in batches by the
 * kernel in rotations.ts (column-blocked copy, one sweep's shared row kept in registers).
 * Only the lower triangle of `a` is read.
 */
export function eigh(a: Dense): EighResult {
  const n = a.rows;
  assertSquare(a, 'a', 'eigh');
  assertFiniteLower(a, 'a', 'eigh');
  if (n === 0)
    return { values: new Float64Array(0), vectors: { rows: 0, cols: 0, data: new Float64Array(0) } };
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const { hv, tau } = reduce(a, d, e);
  const qt = accumulateQt(hv, tau, n);
  implicitQl(d, e, qt, n, n);
  // Sort ascending; column j of the result is row order[j] of qt.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j];
    values[j] = d[src];
    const row = src * n;
    for (let r = 0; r < n; r++) vectors[r * n + j] = qt[row + r];
  }
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/**
 * Eigenvalues (ascending) of a symmetric matrix and Vᵀ b for its eigenvectors V, without
 * forming V: the Householder reflectors and the QL rotations are applied to the m columns of b
 * directly, so the cost beyond the tridiagonal reduction is O(n²·m) instead of O(n³).
 * Row j of `projected` belongs to values[j]. Only the lower triangle of `a` is read.
 */
export function eighProject(a: Dense, b: Matrix): { values: Float64Array; projected: Dense } {
  const n = a.rows;
  assertSystem(a, 'a', b, 'b', 'eighProject');
  assertFiniteLower(a, 'a', 'eighProject');
  const m = b.cols;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, projected: { rows: 0, cols: m, data: new Float64Array(0) } };
  const { hv, tau } = reduce(a, d, e);
  // c = Qᵀ b = H_{n-3} ⋯ H_0 b, a panel of reflectors at a time on cᵀ (m × n), whose rows
  // give both tiled products contiguous operands: cᵀ ← cᵀ − (cᵀ V) T Vᵀ per panel.
  const ct = new Float64Array(m * n);
  const bd = b.data;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) ct[j * n + i] = bd[i * m + j];
  const steps = n - 2;
  if (steps > 0) {
    const vp = new Float64Array(n * PANEL);
    const yt = new Float64Array(m * PANEL);
    const zt = new Float64Array(m * PANEL);
    const t = new Float64Array(PANEL * PANEL);
    const scratch = new Float64Array(PANEL * PANEL);
    for (let k0 = 0; k0 < steps; k0 += PANEL) {
      const kb = Math.min(PANEL, steps - k0);
      const lo = k0 + 1;
      panelFactor(hv, tau, n, k0, kb, PANEL, t, scratch, vp);
      // Yᵀ = cᵀ[:, lo..] V (m × kb).
      yt.fill(0);
      gemmNT(1, ct, lo, n, hv, k0 * n + lo, n, m, kb, n - lo, yt, 0, PANEL);
      // Zᵀ = Yᵀ T.
      for (let j = 0; j < m; j++) {
        const ry = j * PANEL;
        for (let s2 = 0; s2 < kb; s2++) {
          let acc = 0;
          for (let c2 = 0; c2 <= s2; c2++) acc += yt[ry + c2] * t[c2 * PANEL + s2];
          zt[ry + s2] = acc;
        }
      }
      // cᵀ[:, lo..] −= Zᵀ Vᵀ.
      gemmNT(-1, zt, 0, PANEL, vp, lo * PANEL, PANEL, m, n - lo, kb, ct, lo, n);
    }
  }
  const c = new Float64Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) c[i * m + j] = ct[j * n + i];
  implicitQl(d, e, c, n, m);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n);
  const projected = new Float64Array(n * m);
  for (let j = 0; j < n; j++) {
    values[j] = d[order[j]];
    projected.set(c.subarray(order[j] * m, order[j] * m + m), j * m);
  }
  return { values, projected: { rows: n, cols: m, data: projected } };
}

/** Steps per panel of the blocked reduction. */
const PANEL = 32;
/** Reflectors per block when forming Qᵀ. */
const Q_PANEL = 64;

/**
 * Reduces a to T = Qᵀ a Q (diagonal d, sub-diagonal e[i] between i and i+1). Returns the
 * Householder vectors (row k holds step k's vector in entries k+1..n-1) and their τ.
 *
 * Blocked as LAPACK dsytrd: within a panel of PANEL steps the trailing matrix is left as it was
 * and each step corrects for the pending rank-2 updates A − V Wᵀ − W Vᵀ; at the end of the panel
 * those updates are applied at once with the tiled product kernel. Each step then costs one
 * read-only pass over the lower triangle (the symmetric matrix-vector product).
 */
function reduce(a: Dense, d: Float64Array, e: Float64Array): { hv: Float64Array; tau: Float64Array } {
  const n = a.rows;
  // With WebAssembly the working matrix lives in its memory ([w | v | p], reserved) so that the
  // symmetric matrix-vector product of each step runs there; scratch for the panel updates is
  // grown beforehand (≤ 96n + 2336 values), so nothing detaches the view.
  const wasm = n >= 64 ? wasmTiles() : null;
  if (!wasm) return reduceWith(a, d, e, new Float64Array(n * n), null);
  try {
    const arena = wasm.reserve(n * n + 2 * n, 128 * n + 8192);
    arena.fill(0);
    return reduceWith(a, d, e, arena, wasm);
  } finally {
    wasm.release();
  }
}

function reduceWith(
  a: Dense,
  d: Float64Array,
  e: Float64Array,
  w: Float64Array, // lower triangle of the working matrix (upper part unused), then v, p
  wasm: WasmTiles | null,
): { hv: Float64Array; tau: Float64Array } {
  const n = a.rows;
  const vOff = n * n;
  const pOff = vOff + n;
  const src = a.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) w[i * n + j] = src[i * n + j];
  }
  const hv = new Float64Array(n * n);
  const tau = new Float64Array(n);
  const p = new Float64Array(n);
  const x = new Float64Array(n);
  // The panel's vectors, interleaved: row i holds v_0[i], w_0[i], v_1[i], w_1[i], … (stride
  // 2·PANEL), so that each correction below is one dot product per row. With WebAssembly these
  // (and the small vectors the corrections use) live in the rotation kernel's memory.
  const kernel = wasm ? rotationKernel() : null;
  const ld = 2 * PANEL;
  const sizes = [n * ld, ld, ld, n, n];
  const total = sizes.reduce((acc, v) => acc + v, 0);
  const buffer = kernel ? kernel.ensure(total * 8) : new ArrayBuffer(total * 8);
  const views: Float64Array[] = [];
  let at = 0;
  for (const size of sizes) {
    views.push(new Float64Array(buffer, at * 8, size));
    at += size;
  }
  const [vw, u, c2, vk, out] = views;
  const wv = new Float64Array(n * ld); // vw with each (v, w) pair swapped, for the update
  const dots = (lo: number, len: number): void => {
    // out[i] = Σ_{j<len} vw[i·ld + j]·u[j] for i ≥ lo.
    if (kernel)
      kernel.dots(vw.byteOffset + lo * ld * 8, ld, n - lo, u.byteOffset, len, out.byteOffset + lo * 8);
    else
      for (let i = lo; i < n; i++) {
        const ri = i * ld;
        let acc = 0;
        for (let j = 0; j < len; j++) acc += vw[ri + j] * u[j];
        out[i] = acc;
      }
  };
  for (let k0 = 0; k0 < n - 2; k0 += PANEL) {
    const kb = Math.min(PANEL, n - 2 - k0);
    vw.fill(0);
    for (let s = 0; s < kb; s++) {
      const k = k0 + s;
      const k1 = k + 1;
      const len = 2 * s;
      const rk = k * ld;
      // Diagonal entry and column k below it, with the panel's pending updates:
      // A[i][k] − Σ_t v_t[i]·w_t[k] + w_t[i]·v_t[k].
      let dk = w[k * n + k];
      for (let t = 0; t < len; t += 2) dk -= 2 * vw[rk + t] * vw[rk + t + 1];
      d[k] = dk;
      if (s > 0) {
        for (let t = 0; t < len; t += 2) {
          u[t] = vw[rk + t + 1];
          u[t + 1] = vw[rk + t];
        }
        dots(k1, len);
      }
      let sigma = 0;
      for (let i = k1; i < n; i++) {
        const v = s > 0 ? w[i * n + k] - out[i] : w[i * n + k];
        x[i] = v;
        if (i > k1) sigma += v * v;
      }
      const x0 = x[k1];
      if (sigma === 0) {
        tau[k] = 0;
        e[k] = x0;
        continue; // V and W columns stay zero
      }
      const mu = Math.sqrt(x0 * x0 + sigma);
      const beta = x0 <= 0 ? mu : -mu;
      const t0 = (beta - x0) / beta;
      const scale = 1 / (x0 - beta);
      tau[k] = t0;
      e[k] = beta;
      const vrow = k * n;
      hv[vrow + k1] = 1;
      for (let i = k1 + 1; i < n; i++) hv[vrow + i] = x[i] * scale;
      for (let i = k1; i < n; i++) vw[i * ld + 2 * s] = hv[vrow + i];
      // p = A v on the trailing block, from the stored lower triangle (one pass).
      p.fill(0, k1, n);
      if (wasm) {
        w.set(hv.subarray(vrow + k1, vrow + n), vOff + k1);
        w.fill(0, pOff + k1, pOff + n);
        wasm.symv(0, n, k1, n, vOff * 8, pOff * 8);
        p.set(w.subarray(pOff + k1, pOff + n), k1);
      } else {
        for (let i = k1; i < n; i++) {
          const row = i * n;
          const vi = hv[vrow + i];
          let acc = 0;
          for (let j = k1; j < i; j++) {
            const aij = w[row + j];
            acc += aij * hv[vrow + j];
            p[j] += aij * vi;
          }
          p[i] += acc + w[row + i] * vi;
        }
      }
      // Pending updates: p −= V (Wᵀ v) + W (Vᵀ v). c2 = [Vᵀv, Wᵀv] interleaved, then u swaps
      // each pair so that the row dot products give v_t[i]·(w_tᵀv) + w_t[i]·(v_tᵀv).
      if (s > 0) {
        c2.fill(0, 0, len);
        if (kernel) {
          vk.set(hv.subarray(vrow + k1, vrow + n), k1);
          kernel.axpys(vw.byteOffset + k1 * ld * 8, ld, n - k1, vk.byteOffset + k1 * 8, len, c2.byteOffset);
        } else {
          for (let i = k1; i < n; i++) {
            const vi = hv[vrow + i];
            const ri = i * ld;
            for (let t = 0; t < len; t++) c2[t] += vw[ri + t] * vi;
          }
        }
        for (let t = 0; t < len; t += 2) {
          u[t] = c2[t + 1];
          u[t + 1] = c2[t];
        }
        dots(k1, len);
        for (let i = k1; i < n; i++) p[i] -= out[i];
      }
      let pv = 0;
      for (let i = k1; i < n; i++) {
        p[i] *= t0;
        pv += p[i] * hv[vrow + i];
      }
      const c = 0.5 * t0 * pv;
      for (let i = k1; i < n; i++) vw[i * ld + 2 * s + 1] = p[i] - c * hv[vrow + i];
    }
    // Apply the panel's updates A −= Σ_t v_t w_tᵀ + w_t v_tᵀ to the trailing lower triangle, one
    // row block at a time, as one product of inner length 2·kb.
    const c0 = k0 + kb;
    const k2 = 2 * kb;
    for (let i = c0; i < n; i++) {
      const ri = i * ld;
      for (let t = 0; t < k2; t += 2) {
        wv[ri + t] = vw[ri + t + 1];
        wv[ri + t + 1] = vw[ri + t];
      }
    }
    for (let r0 = c0; r0 < n; r0 += 64) {
      const r1 = Math.min(n, r0 + 64);
      gemmNT(-1, vw, r0 * ld, ld, wv, c0 * ld, ld, r1 - r0, r1 - c0, k2, w, r0 * n + c0, n);
    }
    if (w.length === 0) throw new Error('eigh: internal error, WebAssembly memory grew during the reduction');
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2];
    e[n - 2] = w[(n - 1) * n + n - 2];
  }
  d[n - 1] = w[(n - 1) * n + n - 1];
  e[n - 1] = 0;
  return { hv, tau };
}

/**
 * For reflectors k0..k0+kb−1 (vectors in rows of hv): the upper-triangular T with
 * H_k0 ⋯ H_k0+kb−1 = I − V T Vᵀ (LAPACK dlarft, forward, columnwise; row length ldp) and the
 * vectors as columns of vp (n × ldp). The vectors' Gram matrix is formed first with the tiled
 * product, in `gram` (at least kb × ldp values).
 */
function panelFactor(
  hv: Float64Array,
  tau: Float64Array,
  n: number,
  k0: number,
  kb: number,
  ldp: number,
  t: Float64Array,
  gram: Float64Array,
  vp: Float64Array,
): void {
  // gram[r][s] = v_r · v_s (each vector is zero before its first entry).
  gram.fill(0, 0, kb * ldp);
  gemmNT(1, hv, k0 * n + k0, n, hv, k0 * n + k0, n, kb, kb, n - k0, gram, 0, ldp);
  t.fill(0);
  for (let s = 0; s < kb; s++) {
    const ts = tau[k0 + s];
    t[s * ldp + s] = ts;
    if (ts === 0) continue;
    for (let r = 0; r < s; r++) {
      let acc = 0;
      for (let c = r; c < s; c++) acc += t[r * ldp + c] * gram[c * ldp + s];
      t[r * ldp + s] = -ts * acc;
    }
  }
  vp.fill(0);
  for (let s = 0; s < kb; s++) {
    const rs = (k0 + s) * n;
    for (let i = k0 + s + 1; i < n; i++) vp[i * ldp + s] = hv[rs + i];
  }
}

/**
 * Qᵀ (row-major n×n) for Q = H_0 H_1 … H_{n-3}, accumulated backwards a panel at a time:
 * the panel's reflectors form I − V T Vᵀ (T upper triangular, as LAPACK dlarft), and
 * Qᵀ ← Qᵀ − (Qᵀ V) Tᵀ Vᵀ is two tiled products.
 */
function accumulateQt(hv: Float64Array, tau: Float64Array, n: number): Float64Array {
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  const steps = n - 2;
  if (steps <= 0) return qt;
  const P = Q_PANEL;
  const vp = new Float64Array(n * P); // row i: entries i of the panel's vectors
  const y = new Float64Array(n * P);
  const z = new Float64Array(n * P);
  const t = new Float64Array(P * P);
  const gram = new Float64Array(P * P);
  const lastStart = Math.floor((steps - 1) / P) * P;
  for (let k0 = lastStart; k0 >= 0; k0 -= P) {
    const kb = Math.min(P, steps - k0);
    const lo = k0 + 1; // first index any reflector of the panel touches
    const m = n - lo;
    panelFactor(hv, tau, n, k0, kb, P, t, gram, vp);
    // Y = Qᵀ[lo.., lo..] V  (m × kb), rows of Qᵀ against rows of hv.
    y.fill(0);
    gemmNT(1, qt, lo * n + lo, n, hv, k0 * n + lo, n, m, kb, m, y, lo * P, P);
    // Z = Y Tᵀ (rows of T are the second operand's rows).
    z.fill(0, lo * P);
    gemmNT(1, y, lo * P, P, t, 0, P, m, kb, kb, z, lo * P, P);
    // Qᵀ[lo.., lo..] −= Z Vᵀ.
    gemmNT(-1, z, lo * P, P, vp, lo * P, P, m, m, kb, qt, lo * n + lo, n);
  }
  return qt;
}

/**
 * Implicit QL iterations on the symmetric tridiagonal (d, e); each rotation of columns i, i+1 of
 * the eigenvector matrix is applied to rows i, i+1 of `vt` (rows of length `width`), which holds
 * Vᵀ times whatever it started as. Leaves eigenvalues in d.
 */
function implicitQl(d: Float64Array, e: Float64Array, vt: Float64Array, n: number, width: number): void {
  // Where WebAssembly SIMD is available the rotations are logged in batches and applied there to
  // a copy of vt stored in column blocks (see rotations.ts): memory [blocks | rows | coefs].
  const kernel = width >= BLOCK && n >= 2 && wasmTiles() ? rotationKernel() : null;
  const blocks = Math.ceil(width / BLOCK);
  const matrixBytes = blocks * n * BLOCK * 8;
  const rowsOff = matrixBytes;
  const coefsOff = rowsOff + 4 * ROTATION_BATCH;
  let blocked = new Float64Array(0);
  let rowLog = new Int32Array(0);
  let coefLog = new Float64Array(0);
  if (kernel) {
    const buffer = kernel.ensure(coefsOff + 24 * ROTATION_BATCH);
    blocked = new Float64Array(buffer, 0, matrixBytes / 8);
    rowLog = new Int32Array(buffer, rowsOff, ROTATION_BATCH);
    coefLog = new Float64Array(buffer, coefsOff, 3 * ROTATION_BATCH);
    blocked.fill(0);
    for (let b = 0; b < blocks; b++) {
      const k0 = b * BLOCK;
      const len = Math.min(BLOCK, width - k0);
      for (let i = 0; i < n; i++) {
        const src = i * width + k0;
        const dst = (b * n + i) * BLOCK;
        for (let k = 0; k < len; k++) blocked[dst + k] = vt[src + k];
      }
    }
  }
  let logged = 0;
  const flush = (): void => {
    if (kernel && logged > 0) kernel.rot(rowsOff, coefsOff, logged, 0, n, blocks);
    logged = 0;
  };
  const eps = 2 ** -52;
  let shiftSum = 0;
  let norm = 0;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * norm) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 60)
          throw new EmmsError(
            LINALG_ERRORS.NO_CONVERGENCE,
            'eigh: the QL iterations did not converge in 60 steps',
            { input: 'a' },
          );
        // Shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        shiftSum += h;
        // Chase the bulge from m-1 up to l with plane rotations.
        p = d[m];
        let c = 1;
        let c2 = 1;
        let c3 = 1;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = norm2(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (kernel) {
            rowLog[logged] = i;
            const at = 3 * logged;
            coefLog[at] = c;
            coefLog[at + 1] = c - s;
            coefLog[at + 2] = c + s;
            if (++logged === ROTATION_BATCH) flush();
          } else {
            // The kernel's three-multiplication form, so both give the same values.
            const ri = i * width;
            const rj = ri + width;
            const cms = c - s;
            const cps = c + s;
            for (let k = 0; k < width; k++) {
              const x = vt[rj + k];
              const y = vt[ri + k];
              const q = (x + y) * c;
              vt[rj + k] = q - cms * y;
              vt[ri + k] = q - cps * x;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * norm);
    }
    d[l] += shiftSum;
    e[l] = 0;
  }
  flush();
  if (kernel) {
    for (let b = 0; b < blocks; b++) {
      const k0 = b * BLOCK;
      const len = Math.min(BLOCK, width - k0);
      for (let i = 0; i < n; i++) {
        const dst = i * width + k0;
        const src = (b * n + i) * BLOCK;
        for (let k = 0; k < len; k++) vt[dst + k] = blocked[src + k];
      }
    }
  }
}

/** √(x² + y²), by the plain formula unless it could overflow or underflow. */
function norm2(x: number, y: number): number {
  const q = x * x + y * y;
  return q > 1e-290 && q < 1e290 ? Math.sqrt(q) : Math.hypot(x, y);
}

/** Rotations logged before they are applied (28 bytes each). */
const ROTATION_BATCH = 1 << 15;
