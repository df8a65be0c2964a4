import type { Dense, LinalgBackend } from '@emms/linalg';
import { BLOCK_ELEMS, rowNorms } from './kmeans';

/**
 * One component's covariance as the M-step leaves it: the full d × d matrix, or, when at most half
 * as many rows as dimensions carry the component's weight, the factor A (m × d, stored
 * transposed as `at`, d × m) with Σ = AᵀA + reg·I. The factored form is what makes mixtures of many
 * components affordable: NLEEP's 5·C components on a few thousand rows hold a handful of rows each.
 */
export type CovarianceFactor =
  | { readonly kind: 'full'; readonly cov: Dense }
  | { readonly kind: 'lowRank'; readonly at: Dense; readonly reg: number };

/** One component's inverse covariance, in the form the E-step uses. */
export type Precision =
  | {
      readonly kind: 'full';
      /** L⁻ᵀ (upper triangular, row-major): (x − μ)ᵀL⁻ᵀ is the whitened residual as a row. */
      readonly linvT: Dense;
      readonly logDet: number;
    }
  | {
      readonly kind: 'lowRank';
      /** Wᵀ (d × m) with W = L_G⁻¹A, L_G the Cholesky factor of reg·I + AAᵀ: the bulk E-step. */
      readonly wT: Dense;
      /** Orthonormal rows (r × d) spanning A's rows: the exact E-step near each row's best components. */
      readonly basis: Dense;
      /** L_B⁻¹ (r × r, lower triangular) for L_B L_Bᵀ = QAᵀAQᵀ + reg·I, Q = basis. */
      readonly spanInv: Dense;
      readonly logDet: number;
      readonly invReg: number;
    };

type LowRankPrecision = Extract<Precision, { kind: 'lowRank' }>;

/**
 * The factored route needs reg above the rounding level of AAᵀ: below 1e4·ε·trace(AAᵀ) the full
 * covariance is numerically singular, and the full route's Cholesky decides (and reports) it.
 */
const LOW_RANK_MARGIN = 1e4 * Number.EPSILON;

/** Order at or below which {@link invertLower} works row by row instead of splitting. */
const INVERT_LEAF = 160;

/** Rows r0..r0+m, columns c0..c0+w of a row-major matrix with rows of length ld, as a copy. */
function subBlock(a: Float64Array, ld: number, r0: number, m: number, c0: number, w: number): Float64Array {
  const out = new Float64Array(m * w);
  for (let i = 0; i < m; i++) out.set(a.subarray((r0 + i) * ld + c0, (r0 + i) * ld + c0 + w), i * w);
  return out;
}

/**
 * Inverse of a lower-triangular d × d matrix (row-major). Split L = [A 0; B C]: then
 * L⁻¹ = [A⁻¹ 0; −C⁻¹ B A⁻¹  C⁻¹], the off-diagonal block as two products on the backend, the
 * diagonal blocks recursively; blocks of order ≤ {@link INVERT_LEAF} row by row.
 */
function invertLower(backend: LinalgBackend, a: Float64Array, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  if (d <= INVERT_LEAF) {
    for (let i = 0; i < d; i++) {
      // row i of L⁻¹: −(Σ_{t<i} L[i,t] · row t of L⁻¹) / L[i,i], then 1/L[i,i] on the diagonal.
      const ri = i * d;
      for (let t = 0; t < i; t++) {
        const f = a[ri + t];
        if (f === 0) continue;
        const rt = t * d;
        for (let j = 0; j <= t; j++) inv[ri + j] += f * inv[rt + j];
      }
      const di = a[ri + i];
      for (let j = 0; j < i; j++) inv[ri + j] = -inv[ri + j] / di;
      inv[ri + i] = 1 / di;
    }
    return inv;
  }
  const h = d >> 1;
  const r = d - h;
  const ai = invertLower(backend, subBlock(a, d, 0, h, 0, h), h);
  const ci = invertLower(backend, subBlock(a, d, h, r, h, r), r);
  const bai = backend.matmul(
    { rows: r, cols: h, data: subBlock(a, d, h, r, 0, h) },
    { rows: h, cols: h, data: ai },
  );
  const low = backend.matmul({ rows: r, cols: r, data: ci }, bai).data;
  for (let i = 0; i < h; i++) inv.set(ai.subarray(i * h, i * h + h), i * d);
  for (let i = 0; i < r; i++) {
    const o = (h + i) * d;
    for (let j = 0; j < h; j++) inv[o + j] = -low[i * h + j];
    inv.set(ci.subarray(i * r, i * r + r), o + h);
  }
  return inv;
}

/** log det(LLᵀ) of a lower Cholesky factor. */
function logDetOf(l: Dense): number {
  let s = 0;
  for (let i = 0; i < l.rows; i++) s += 2 * Math.log(l.data[i * l.cols + i]);
  return s;
}

/** (L⁻¹)ᵀ of a lower Cholesky factor (n × n), and log det(LLᵀ). */
function inverseFactorT(backend: LinalgBackend, l: Dense): { t: Float64Array; logDet: number } {
  const n = l.rows;
  const logDet = logDetOf(l);
  const inv = invertLower(backend, l.data, n);
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) t[j * n + i] = inv[i * n + j];
  return { t, logDet };
}

/** The d × d covariance of a component, symmetric to the last bit (built from A when factored). */
export function covarianceOf(backend: LinalgBackend, f: CovarianceFactor): Dense {
  if (f.kind === 'full') return f.cov;
  const { rows: d, cols: m, data: at } = f.at;
  const a = new Float64Array(m * d);
  for (let j = 0; j < d; j++) for (let p = 0; p < m; p++) a[p * d + j] = at[j * m + p];
  const cov = m > 0 ? backend.gram({ rows: m, cols: d, data: a }).data : new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (cov[i * d + j] + cov[j * d + i]);
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
    cov[i * d + i] += f.reg;
  }
  return { rows: d, cols: d, data: cov };
}

function fullPrecision(backend: LinalgBackend, cov: Dense): Precision | null {
  const l = backend.cholesky(cov);
  if (!l) return null;
  const { t, logDet } = inverseFactorT(backend, l);
  return { kind: 'full', linvT: { rows: cov.rows, cols: cov.rows, data: t }, logDet };
}

/**
 * Orthonormal rows Q spanning the rows of a (m × d), and the coefficients R (Q's rows × m) with
 * a ≈ RᵀQ: Gram–Schmidt applied twice (orthogonal to rounding), a row whose remainder falls below
 * 1e-10 of its norm counted as dependent and dropped.
 */
function orthonormalRows(a: Float64Array, m: number, d: number): { basis: Dense; coef: Float64Array } {
  const q = new Float64Array(m * d);
  const coef = new Float64Array(m * m);
  let r = 0;
  const v = new Float64Array(d);
  for (let p = 0; p < m; p++) {
    v.set(a.subarray(p * d, p * d + d));
    let norm0 = 0;
    for (let j = 0; j < d; j++) norm0 += v[j] * v[j];
    for (let pass = 0; pass < 2; pass++) {
      for (let t = 0; t < r; t++) {
        const o = t * d;
        let c = 0;
        for (let j = 0; j < d; j++) c += q[o + j] * v[j];
        for (let j = 0; j < d; j++) v[j] -= c * q[o + j];
        coef[t * m + p] += c;
      }
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += v[j] * v[j];
    if (!(norm > 1e-20 * norm0)) continue;
    const len = Math.sqrt(norm);
    for (let j = 0; j < d; j++) q[r * d + j] = v[j] / len;
    coef[r * m + p] = len;
    r++;
  }
  return { basis: { rows: r, cols: d, data: q.slice(0, r * d) }, coef: coef.slice(0, r * m) };
}

/**
 * The precision of a component. Factored (Σ = AᵀA + reg·I, A m × d): by Woodbury,
 * Σ⁻¹ = (I − Aᵀ(reg·I + AAᵀ)⁻¹A)/reg, so with L_G L_Gᵀ = reg·I + AAᵀ (m × m) and W = L_G⁻¹A,
 * (x − μ)ᵀΣ⁻¹(x − μ) = (‖x − μ‖² − ‖W(x − μ)‖²)/reg: O(m²d) work instead of O(d³), and an
 * E-step of O(md) per row instead of O(d²). With Q (r × d) orthonormal rows spanning A's rows and
 * L_B L_Bᵀ = QAᵀAQᵀ + reg·I, the same form is ‖(I − QᵀQ)(x − μ)‖²/reg + ‖L_B⁻¹Q(x − μ)‖², free of
 * the cancellation, and log det Σ = (d − r)·log reg + log det(L_B L_Bᵀ). Null when the covariance
 * is not (numerically) positive definite.
 */
export function precisionOf(backend: LinalgBackend, f: CovarianceFactor): Precision | null {
  if (f.kind === 'full') return fullPrecision(backend, f.cov);
  const { rows: d, cols: m } = f.at;
  const reg = f.reg;
  const empty: Dense = { rows: 0, cols: d, data: new Float64Array(0) };
  if (m === 0) {
    const none: Dense = { rows: 0, cols: 0, data: new Float64Array(0) };
    return {
      kind: 'lowRank',
      wT: f.at,
      basis: empty,
      spanInv: none,
      logDet: d * Math.log(reg),
      invReg: 1 / reg,
    };
  }
  const g = backend.gram(f.at);
  let trace = 0;
  for (let i = 0; i < m; i++) trace += g.data[i * m + i];
  if (!(reg > LOW_RANK_MARGIN * trace)) return fullPrecision(backend, covarianceOf(backend, f));
  for (let i = 0; i < m; i++) g.data[i * m + i] += reg;
  const lg = backend.cholesky(g);
  if (!lg) return fullPrecision(backend, covarianceOf(backend, f));
  const wT = backend.matmul(f.at, { rows: m, cols: m, data: inverseFactorT(backend, lg).t });
  // A's rows (m × d), their orthonormal basis Q and coefficients R = QAᵀ (r × m)
  const a = new Float64Array(m * d);
  for (let j = 0; j < d; j++) for (let p = 0; p < m; p++) a[p * d + j] = f.at.data[j * m + p];
  const { basis, coef } = orthonormalRows(a, m, d);
  const r = basis.rows;
  const b = new Float64Array(r * r);
  for (let s = 0; s < r; s++) {
    for (let t = 0; t <= s; t++) {
      let v = 0;
      for (let p = 0; p < m; p++) v += coef[s * m + p] * coef[t * m + p];
      b[s * r + t] = v;
      b[t * r + s] = v;
    }
    b[s * r + s] += reg;
  }
  const lb = backend.cholesky({ rows: r, cols: r, data: b });
  if (!lb) return fullPrecision(backend, covarianceOf(backend, f));
  return {
    kind: 'lowRank',
    wT,
    basis,
    spanInv: { rows: r, cols: r, data: invertLower(backend, lb.data, r) },
    logDet: logDetOf(lb) + (d - r) * Math.log(reg),
    invReg: 1 / reg,
  };
}

/** Column blocks of the triangular E-step product: 1 below 96 dimensions, up to 4 above. */
function triangularBlocks(d: number): number[] {
  const blocks = Math.max(1, Math.min(4, Math.floor(d / 48)));
  return Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * d) / blocks));
}

/**
 * Adds ‖(x_i − μ_c)L_c⁻¹‖² to out[i, c] for the full components `ids`, for the rows of the block
 * whose transpose is `xt` (d × nb, rows r0…). The whitened residual is xL⁻ᵀ − μL⁻ᵀ (as scikit-learn
 * computes it), so the data enters the products uncentred and several components share one
 * product: column block [j0, j1) of xL⁻ᵀ needs only the first j1 coordinates (L⁻ᵀ is upper
 * triangular), a contiguous row prefix of Xᵀ; its product with [L₁⁻ᵀ[0..j1, j0..j1] | L₂⁻ᵀ[…] | …]
 * gives that column block for a group of components at once. Skipping the zero triangle saves
 * about 3/8 of the work at 4 column blocks.
 */
function fullQuadratic(
  backend: LinalgBackend,
  xt: Float64Array,
  nb: number,
  r0: number,
  d: number,
  mu: Float64Array,
  prec: readonly Precision[],
  ids: readonly number[],
  out: Float64Array,
  k: number,
): void {
  const bounds = triangularBlocks(d);
  for (let b = 0; b + 1 < bounds.length; b++) {
    const j0 = bounds[b];
    const j1 = bounds[b + 1];
    const w = j1 - j0;
    const group = Math.max(1, Math.min(ids.length, Math.floor(BLOCK_ELEMS / (Math.max(nb, j1) * w))));
    const prefix: Dense = { rows: j1, cols: nb, data: xt.subarray(0, j1 * nb) };
    for (let g0 = 0; g0 < ids.length; g0 += group) {
      const g = Math.min(group, ids.length - g0);
      const gw = g * w;
      // [L⁻ᵀ_c[0..j1, j0..j1]] side by side, and the shifts μ_c L⁻ᵀ_c[·, j0..j1]
      const rhs = new Float64Array(j1 * gw);
      const shift = new Float64Array(gw);
      for (let gi = 0; gi < g; gi++) {
        const p = prec[ids[g0 + gi]];
        if (p.kind !== 'full') continue;
        const a = p.linvT.data;
        const mo = ids[g0 + gi] * d;
        for (let t = 0; t < j1; t++) {
          const src = a.subarray(t * d + j0, t * d + j1);
          rhs.set(src, t * gw + gi * w);
          const m = mu[mo + t];
          for (let jj = 0; jj < w; jj++) shift[gi * w + jj] += m * src[jj];
        }
      }
      const u = backend.crossProduct(prefix, { rows: j1, cols: gw, data: rhs }).data;
      for (let i = 0; i < nb; i++) {
        const o = (r0 + i) * k;
        const ui = i * gw;
        for (let gi = 0; gi < g; gi++) {
          let s = 0;
          for (let jj = gi * w, e = jj + w; jj < e; jj++) {
            const v = u[ui + jj] - shift[jj];
            s += v * v;
          }
          out[o + ids[g0 + gi]] += s;
        }
      }
    }
  }
}

/** Factored components side by side: [W₁ᵀ | W₂ᵀ | … | μ₁ᵀ μ₂ᵀ …] (d × width) and the shifts μ_c W_cᵀ. */
interface LowRankGroup {
  readonly ids: number[];
  /** Column of W_cᵀ's first column in rhs, per component of the group. */
  readonly offsets: number[];
  readonly rhs: Dense;
  readonly shift: Float64Array;
}

function lowRankGroups(
  d: number,
  nb: number,
  mu: Float64Array,
  prec: readonly Precision[],
  ids: readonly number[],
): LowRankGroup[] {
  const cap = Math.max(1, Math.floor(BLOCK_ELEMS / Math.max(nb, d)));
  // columns of a component in rhs: its m columns of Wᵀ and its mean
  const columns = (c: number) => (prec[c] as LowRankPrecision).wT.cols + 1;
  const groups: LowRankGroup[] = [];
  let start = 0;
  while (start < ids.length) {
    let end = start + 1;
    let width = columns(ids[start]);
    while (end < ids.length && width + columns(ids[end]) <= cap) width += columns(ids[end++]);
    const part = ids.slice(start, end);
    const g = part.length;
    const rhs = new Float64Array(d * width);
    const shift = new Float64Array(width - g);
    const offsets: number[] = [];
    let off = 0;
    for (let gi = 0; gi < g; gi++) {
      const c = part[gi];
      const p = prec[c] as LowRankPrecision;
      const m = p.wT.cols;
      const w = p.wT.data;
      offsets.push(off);
      for (let j = 0; j < d; j++) {
        const mj = mu[c * d + j];
        const row = j * width;
        for (let q = 0; q < m; q++) {
          const v = w[j * m + q];
          rhs[row + off + q] = v;
          shift[off + q] += mj * v;
        }
        rhs[row + width - g + gi] = mj;
      }
      off += m;
    }
    groups.push({ ids: part, offsets, rhs: { rows: d, cols: width, data: rhs }, shift });
    start = end;
  }
  return groups;
}

/**
 * log(w_k) + log N(x_i | μ_k, Σ_k) for every row and component (rows × K), the quadratic forms
 * of full components by {@link fullQuadratic}, those of factored ones as
 * (‖x‖² − 2x·μ + ‖μ‖² − ‖xWᵀ − μWᵀ‖²)/reg with x·μ and xWᵀ from one product per group.
 */
export function weightedLogProb(
  backend: LinalgBackend,
  x: Dense,
  weights: Float64Array,
  means: Dense,
  prec: readonly Precision[],
): Dense {
  const { rows: n, cols: d } = x;
  const k = weights.length;
  const out = new Float64Array(n * k);
  const c0 = d * Math.log(2 * Math.PI);
  const xd = x.data;
  const mu = means.data;
  const rb = Math.max(1, Math.min(n, Math.floor(BLOCK_ELEMS / Math.max(1, d))));
  const full: number[] = [];
  const low: number[] = [];
  for (let c = 0; c < k; c++) (prec[c].kind === 'full' ? full : low).push(c);
  const groups = lowRankGroups(d, rb, mu, prec, low);
  const xNorms = low.length > 0 ? rowNorms(xd, n, d) : new Float64Array(0);
  const muNorms = rowNorms(mu, k, d);
  const xt = new Float64Array(d * rb);
  for (let r0 = 0; r0 < n; r0 += rb) {
    const nb = Math.min(rb, n - r0);
    // the row block transposed: d × nb
    for (let i = 0; i < nb; i++) {
      const o = (r0 + i) * d;
      for (let j = 0; j < d; j++) xt[j * nb + i] = xd[o + j];
    }
    if (full.length > 0) fullQuadratic(backend, xt, nb, r0, d, mu, prec, full, out, k);
    const xb: Dense = { rows: d, cols: nb, data: xt.subarray(0, d * nb) };
    for (const grp of groups) {
      const width = grp.rhs.cols;
      const g = grp.ids.length;
      const u = backend.crossProduct(xb, grp.rhs).data;
      for (let i = 0; i < nb; i++) {
        const ui = i * width;
        const o = (r0 + i) * k;
        const xn = xNorms[r0 + i];
        for (let gi = 0; gi < g; gi++) {
          const c = grp.ids[gi];
          const p = prec[c] as LowRankPrecision;
          const off = grp.offsets[gi];
          let y2 = 0;
          for (let q = off, e = off + p.wT.cols; q < e; q++) {
            const v = u[ui + q] - grp.shift[q];
            y2 += v * v;
          }
          const r2 = xn - 2 * u[ui + width - g + gi] + muNorms[c];
          out[o + c] = Math.max(r2 - y2, 0) * p.invReg;
        }
      }
    }
  }
  const base = Float64Array.from(prec, (p, c) => Math.log(weights[c]) - 0.5 * (c0 + p.logDet));
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = base[c] - 0.5 * out[i * k + c];
  if (low.length > 0) refineNearBest(x, mu, prec, low, base, xNorms, muNorms, out);
  return { rows: n, cols: k, data: out };
}

/**
 * Components further than this many nats below a row's best are left with their bulk value: their
 * share of the row's normaliser is below e⁻⁴⁰ ≈ 4e-18, under float64 resolution.
 */
const REFINE_MARGIN = 40;

/**
 * Recomputes exactly the factored components' log-probabilities that can matter for each row: the
 * bulk form's rounding error is at most about (d + 4)·ε·(‖x‖ + ‖μ‖)²/(2·reg), so every factored
 * component whose value plus that bound comes within {@link REFINE_MARGIN} of the row's best value
 * minus its bound gets (x − μ) formed and the cancellation-free form of {@link precisionOf}.
 */
function refineNearBest(
  x: Dense,
  mu: Float64Array,
  prec: readonly Precision[],
  low: readonly number[],
  base: Float64Array,
  xNorms: Float64Array,
  muNorms: Float64Array,
  out: Float64Array,
): void {
  const { rows: n, cols: d } = x;
  const k = prec.length;
  const slack = 0.5 * (d + 4) * Number.EPSILON;
  const bound = new Float64Array(k);
  const muLen = Float64Array.from(muNorms, Math.sqrt);
  const diff = new Float64Array(d);
  const coef = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const xl = Math.sqrt(xNorms[i]);
    let best = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const p = prec[c];
      bound[c] = p.kind === 'lowRank' ? slack * (xl + muLen[c]) ** 2 * p.invReg : 0;
      best = Math.max(best, out[o + c] - bound[c]);
    }
    for (const c of low) {
      if (out[o + c] + bound[c] < best - REFINE_MARGIN) continue;
      const p = prec[c] as LowRankPrecision;
      const q = p.basis.data;
      const r = p.basis.rows;
      const xo = i * d;
      const mo = c * d;
      for (let j = 0; j < d; j++) diff[j] = x.data[xo + j] - mu[mo + j];
      // coefficients on the basis, then the remainder orthogonal to it
      for (let t = 0; t < r; t++) {
        let s = 0;
        for (let j = 0, e = t * d; j < d; j++) s += q[e + j] * diff[j];
        coef[t] = s;
      }
      for (let t = 0; t < r; t++) {
        const s = coef[t];
        for (let j = 0, e = t * d; j < d; j++) diff[j] -= s * q[e + j];
      }
      let perp = 0;
      for (let j = 0; j < d; j++) perp += diff[j] * diff[j];
      let span = 0;
      const li = p.spanInv.data;
      for (let t = 0; t < r; t++) {
        let s = 0;
        for (let u = 0; u <= t; u++) s += li[t * r + u] * coef[u];
        span += s * s;
      }
      out[o + c] = base[c] - 0.5 * (perp * p.invReg + span);
    }
  }
}
