import { type Dense, gramProjector, type LinalgBackend } from '@emms/linalg';
import { type Matrix, progressTracker } from '@emms/tensor-io';
import type { EmmsProblem, GramRoute } from './problem';
import { blockInner, centredGram, columnMeans, TARGET_BLOCK_BYTES } from './standardise';

/**
 * K = 3 mixed route, one row block: rhs = Σ_q w_q ⊙ (Y_q − μ_q) (row-wise, w_q per column) and
 * yg[p,q] += Σ w_pq ⊙ (Y_p − μ_p)(Y_q − μ_q) for the three pairs p < q.
 */
function mixRows3(
  y: readonly (Float32Array | Float64Array)[],
  mean: readonly Float64Array[],
  weight: readonly Float64Array[],
  pairs: readonly { p: number; q: number; w: Float64Array }[],
  r0: number,
  b: number,
  l: number,
  rhs: Float32Array | Float64Array,
  yg: Float64Array,
): void {
  const [y0, y1, y2] = y;
  const [m0, m1, m2] = mean;
  const [w0, w1, w2] = weight;
  const w01 = pairs.find((e) => e.p === 0 && e.q === 1)!.w;
  const w02 = pairs.find((e) => e.p === 0 && e.q === 2)!.w;
  const w12 = pairs.find((e) => e.p === 1 && e.q === 2)!.w;
  let s01 = 0;
  let s02 = 0;
  let s12 = 0;
  for (let i = 0; i < b; i++) {
    const src = (r0 + i) * l;
    const dst = i * l;
    let t01 = 0;
    let t02 = 0;
    let t12 = 0;
    for (let j = 0; j < l; j++) {
      const c0 = y0[src + j] - m0[j];
      const c1 = y1[src + j] - m1[j];
      const c2 = y2[src + j] - m2[j];
      rhs[dst + j] = c0 * w0[j] + c1 * w1[j] + c2 * w2[j];
      t01 += w01[j] * c0 * c1;
      t02 += w02[j] * c0 * c2;
      t12 += w12[j] * c1 * c2;
    }
    s01 += t01;
    s02 += t02;
    s12 += t12;
  }
  yg[1] += s01;
  yg[2] += s02;
  yg[5] += s12;
}

/**
 * K = 3 mixed route, one row block: bk[q] += Σ_ij scale_qj (Y_qij − μ_qj)(pi_ij − offset_j).
 */
function dotRows3(
  y: readonly (Float32Array | Float64Array)[],
  mean: readonly Float64Array[],
  scaling: readonly { scale: Float64Array }[],
  pi: Float32Array | Float64Array,
  offset: Float64Array,
  r0: number,
  b: number,
  l: number,
  bk: Float64Array,
): void {
  const [y0, y1, y2] = y;
  const [m0, m1, m2] = mean;
  const s0 = scaling[0].scale;
  const s1 = scaling[1].scale;
  const s2 = scaling[2].scale;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  for (let i = 0; i < b; i++) {
    const src = (r0 + i) * l;
    const o = i * l;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    for (let j = 0; j < l; j++) {
      const p = pi[o + j] - offset[j];
      t0 += s0[j] * (y0[src + j] - m0[j]) * p;
      t1 += s1[j] * (y1[src + j] - m1[j]) * p;
      t2 += s2[j] * (y2[src + j] - m2[j]) * p;
    }
    a0 += t0;
    a1 += t1;
    a2 += t2;
  }
  bk[0] += a0;
  bk[1] += a1;
  bk[2] += a2;
}

/** The smallest rank tolerance of the single-precision products (see EmmsOptions.precision). */
export const F32_RANK_TOL = 1e-5;
/** Most rows a float32 product sums before its block is added in float64. */
const SINGLE_BLOCK_ROWS = 4096;

/**
 * The feature route: the D×D Gram XsᵀXs, one rank-revealing factorisation, cross products XsᵀY,
 * all accumulated over row blocks of the raw data. The choice for N ≥ D.
 */
export function featureRoute(p: EmmsProblem): GramRoute {
  const { features, ys, ysc, mode, n, d, k, l, kl, lambda0, relTol, backend } = p;
  const opts = p;
  // Column means of X (and which columns are constant).
  const { mean: xMean, constant: xConstant } = columnMeans(features, 'features');
  // Single precision (option precision 'float32', on a backend with the float32 kernels): one
  // pass over centred float32 row blocks gives both XcᵀXc and XcᵀY (float32 within a block,
  // float64 across blocks), and the second pass uses Xc W'.
  const single = singleKernels(p);
  let constantColumns = 0;
  for (let j = 0; j < d; j++) constantColumns += xConstant[j];
  const da = d - constantColumns;
  // Raw XᵀX in one backend call (float32 read directly, no copy), then centred and scaled:
  // XsᵀXs = S⁻¹ (XᵀX − N μ μᵀ) S⁻¹. The centred diagonal gives the population variances. The
  // subtraction loses about log10(μ²/σ²) of the 16 digits.
  let graw = single ? new Float64Array(d * d) : backend.gram(features).data;
  let centred = !!single;
  // When some column's mean dwarfs its spread (μ² > 10⁶ σ²), that subtraction would cost more
  // than six digits: recompute the Gram from centred row blocks instead.
  for (let j = 0; j < d && !centred; j++) {
    if (xConstant[j]) continue;
    const variance = graw[j * d + j] / n - xMean[j] * xMean[j];
    if (!(variance * 1e6 > xMean[j] * xMean[j])) {
      graw = centredGram(features, xMean, backend);
      centred = true;
    }
  }
  // Two routes with the same result. Stacked (converge mode, or K ≤ 2): C_k = XsᵀYks for
  // every k; all later steps are K×K. Mixed (one step with K ≥ 3): C0 = XsᵀT0, one solve, then
  // a second pass for ⟨Yks, Xs W0⟩: 2·N·D·L multiply-adds instead of K·N·D·L. Because every
  // Yks and T0 is centred, XsᵀY = S⁻¹ XᵀY: the cross products use raw rows of X (views, no copy).
  const stacked = mode === 'converge' || k <= 2;
  const cw = stacked ? kl : l;
  const progress = progressTracker('score:emms', n * (stacked ? 1 : 2), opts.onProgress);
  const craw = new Float64Array(d * cw);
  // float32 blocks of at most SINGLE_BLOCK_ROWS rows (the float32 sums' length), else 32 MiB of rhs
  const blockRows = single
    ? Math.max(64, Math.min(n, SINGLE_BLOCK_ROWS, Math.floor(TARGET_BLOCK_BYTES / (4 * Math.max(1, d, cw)))))
    : Math.max(64, Math.min(n, Math.floor(TARGET_BLOCK_BYTES / (8 * Math.max(1, kl + l)))));
  const xRows = (r0: number, b: number): Matrix => ({
    rows: b,
    cols: d,
    data: features.data.subarray(r0 * d, (r0 + b) * d),
  });
  // ⟨Yps, Yqs⟩: the diagonal from the column statistics, p < q from the raw F-labels with a
  // per-column mean correction, weighted by scale_p · scale_q per column.
  const yg = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    const { scale, ss } = ysc[p];
    let sum = 0;
    for (let j = 0; j < l; j++) sum += scale[j] * scale[j] * ss[j];
    yg[p * k + p] = sum;
  }
  const pairs: { p: number; q: number; w: Float64Array }[] = [];
  for (let p = 0; p < k; p++) {
    for (let q = p + 1; q < k; q++) {
      const w = new Float64Array(l);
      for (let j = 0; j < l; j++) w[j] = ysc[p].scale[j] * ysc[q].scale[j];
      pairs.push({ p, q, w });
    }
  }
  const yData = ys.map((y) => y.data);
  const yMean = ysc.map((c) => c.mean);
  // Per-column factor taking a centred F-label value to its share of the right-hand side:
  // scale_q (stacked) or λ0_q · scale_q (the mix T0).
  const yWeight = ysc.map((c, q) => {
    const w = new Float64Array(l);
    for (let j = 0; j < l; j++) w[j] = stacked ? c.scale[j] : lambda0[q] * c.scale[j];
    return w;
  });
  const rhs = single ? new Float32Array(blockRows * cw) : new Float64Array(blockRows * cw);
  const xc = single ? new Float32Array(blockRows * d) : null;
  for (let r0 = 0; r0 < n; r0 += blockRows) {
    opts.signal?.throwIfAborted();
    const b = Math.min(n, r0 + blockRows) - r0;
    if (!stacked && k === 3) {
      // The published K = 3 case, fused: each F-label value read once.
      mixRows3(yData, yMean, yWeight, pairs, r0, b, l, rhs, yg);
    } else
      for (let i = 0; i < b; i++) {
        const src = (r0 + i) * l;
        // Right-hand side row: every standardised F-label side by side, or their λ0-mix T0.
        for (let q = 0; q < k; q++) {
          const yd = yData[q];
          const mu = yMean[q];
          const w = yWeight[q];
          if (stacked) {
            const dst = i * kl + q * l;
            for (let j = 0; j < l; j++) rhs[dst + j] = (yd[src + j] - mu[j]) * w[j];
          } else if (q === 0) {
            const dst = i * l;
            for (let j = 0; j < l; j++) rhs[dst + j] = (yd[src + j] - mu[j]) * w[j];
          } else {
            const dst = i * l;
            for (let j = 0; j < l; j++) rhs[dst + j] += (yd[src + j] - mu[j]) * w[j];
          }
        }
        for (const { p, q, w } of pairs) {
          const yp = yData[p];
          const yq = yData[q];
          const mp = yMean[p];
          const mq = yMean[q];
          let sum = 0;
          for (let j = 0; j < l; j++) sum += w[j] * (yp[src + j] - mp[j]) * (yq[src + j] - mq[j]);
          yg[p * k + q] += sum;
        }
      }
    if (single && xc) {
      const xb = centredSingle(features, xMean, r0, b, xc);
      single.gramIntoF32(xb, graw);
      single.crossProductIntoF32(
        xb,
        { rows: b, cols: cw, data: rhs.subarray(0, b * cw) as Float32Array },
        craw,
      );
    } else if (da > 0) {
      const rb: Matrix = { rows: b, cols: cw, data: rhs.subarray(0, b * cw) };
      if (backend.crossProductInto) {
        backend.crossProductInto(xRows(r0, b), rb, craw);
      } else {
        const cb = backend.crossProduct(xRows(r0, b), rb).data;
        for (let i = 0; i < cb.length; i++) craw[i] += cb[i];
      }
    }
    progress.advance(b);
  }
  for (let p = 0; p < k; p++) for (let q = 0; q < p; q++) yg[p * k + q] = yg[q * k + p];
  opts.signal?.throwIfAborted();
  const xScale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    if (xConstant[j]) continue;
    const variance = centred ? graw[j * d + j] / n : Math.max(graw[j * d + j] / n - xMean[j] * xMean[j], 0);
    xScale[j] = 1 / (Math.sqrt(variance) + 1e-8);
  }
  // G = S⁻¹ (XᵀX − N μ μᵀ) S⁻¹, written over graw (this function's own array). A constant
  // column has scale 0, so its row and column of G are 0; its diagonal entry is then set to the
  // largest diagonal of the others. That makes it an independent direction orthogonal to every
  // other column: the factorisation of the rest, and which columns count as dependent, are
  // unchanged, and its row of every solution is 0 (its row of C is 0). No compaction needed.
  const g = graw;
  const shift = new Float64Array(d);
  if (!centred) for (let j = 0; j < d; j++) shift[j] = n * xMean[j];
  let maxDiag = 0;
  for (let a = 0; a < d; a++) {
    const fa = xScale[a];
    const ma = shift[a];
    const o = a * d;
    for (let c = 0; c < d; c++) g[o + c] = (g[o + c] - ma * xMean[c]) * fa * xScale[c];
    maxDiag = Math.max(maxDiag, g[o + a]);
  }
  for (let j = 0; j < d; j++) if (xConstant[j]) g[j * d + j] = maxDiag;

  // C = S⁻¹ XᵀY (rows of constant columns 0), in place.
  const c = craw;
  for (let a = 0; a < d; a++) {
    const f = xScale[a];
    const o = a * cw;
    for (let j = 0; j < cw; j++) c[o + j] *= f;
  }

  // One factorisation of G; Π = Xs W with G W = Xsᵀ T.
  const cm: Dense = { rows: d, cols: cw, data: c };
  // Float32 products leave rounding of about 1e-7 relative in G, so in single precision a column
  // counts as dependent below F32_RANK_TOL; when any does, the features are (nearly) rank-deficient
  // at float32 resolution and the float64 route runs instead, with the given tolerance.
  const projector =
    da > 0
      ? gramProjector(
          { rows: d, cols: d, data: g },
          { relTol: single ? Math.max(relTol, F32_RANK_TOL) : relTol, backend },
        )
      : null;
  if (single && projector && projector.rank < d) return featureRoute({ ...p, precision: 'float64' });

  // m (K×K) with M_pq = ⟨Y_p, P_X Y_q⟩ where P_X projects onto col(Xs); the mixed route only
  // knows M λ0 = b and λ0ᵀ M λ0 = ⟨C0, W0⟩, so it stores b in every column (λ0 sums to 1), which
  // gives exactly those two products, all the one step uses.
  const m = new Float64Array(k * k);
  if (stacked) {
    if (projector) {
      const w = projector.solve(cm);
      for (let p = 0; p < k; p++)
        for (let q = 0; q < k; q++) m[p * k + q] = blockInner(cm, p * l, w, q * l, l);
    }
  } else if (projector) {
    // Xs W0 = X W' − 1 (μᵀ W') with W' = S⁻¹ W0, scaled in place (the solve's own array); in
    // single precision Xc W' (no offset).
    const wFull = projector.solve(cm).data;
    const offset = new Float64Array(l);
    for (let a = 0; a < d; a++) {
      const f = xScale[a];
      const mu = single ? 0 : xMean[a];
      const o = a * l;
      for (let j = 0; j < l; j++) {
        const v = wFull[o + j] * f;
        wFull[o + j] = v;
        offset[j] += mu * v;
      }
    }
    const wm: Dense = { rows: d, cols: l, data: wFull };
    const w32 = single ? { rows: d, cols: l, data: Float32Array.from(wFull) } : null;
    // b_q = ⟨Yqs, Xs W0⟩ = Σ_j scale_qj Σ_i (Y_qij − μ_qj)(X W' − 1 offsetᵀ)_ij, read from the
    // raw F-labels.
    const bk = new Float64Array(k);
    for (let r0 = 0; r0 < n; r0 += blockRows) {
      opts.signal?.throwIfAborted();
      const b = Math.min(n, r0 + blockRows) - r0;
      const pi =
        single && xc && w32
          ? single.matmulF32(centredSingle(features, xMean, r0, b, xc), w32).data
          : backend.matmul(xRows(r0, b), wm).data;
      if (k === 3) {
        dotRows3(yData, yMean, ysc, pi, offset, r0, b, l, bk);
        progress.advance(b);
        continue;
      }
      for (let i = 0; i < b; i++) {
        const o = i * l;
        for (let j = 0; j < l; j++) pi[o + j] -= offset[j];
      }
      for (let q = 0; q < k; q++) {
        const yd = yData[q];
        const mu = yMean[q];
        const w = ysc[q].scale;
        let total = 0;
        for (let i = 0; i < b; i++) {
          const o = i * l;
          const src = (r0 + i) * l;
          let sum = 0;
          for (let j = 0; j < l; j++) sum += w[j] * (yd[src + j] - mu[j]) * pi[o + j];
          total += sum;
        }
        bk[q] += total;
      }
      progress.advance(b);
    }
    for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) m[p * k + q] = bk[p];
  }

  // The constant columns' stand-in directions are always kept; they are not part of the rank.
  return {
    yg,
    m,
    rank: projector ? projector.rank - constantColumns : 0,
    constantColumns,
    precision: single ? 'float32' : 'float64',
  };
}

/** The backend's single-precision kernels when the problem asks for float32 and all are there. */
function singleKernels(
  p: EmmsProblem,
): Required<Pick<LinalgBackend, 'gramIntoF32' | 'crossProductIntoF32' | 'matmulF32'>> | null {
  const { gramIntoF32, crossProductIntoF32, matmulF32 } = p.backend;
  if (p.precision !== 'float32' || !gramIntoF32 || !crossProductIntoF32 || !matmulF32) return null;
  return {
    gramIntoF32: gramIntoF32.bind(p.backend),
    crossProductIntoF32: crossProductIntoF32.bind(p.backend),
    matmulF32: matmulF32.bind(p.backend),
  };
}

/** Rows r0..r0+b of x minus the column means, as float32 into `out` (a view of it is returned). */
function centredSingle(
  x: Matrix,
  mean: Float64Array,
  r0: number,
  b: number,
  out: Float32Array,
): Matrix<Float32Array> {
  const d = x.cols;
  const src = x.data;
  for (let i = 0; i < b; i++) {
    const s = (r0 + i) * d;
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = src[s + j] - mean[j];
  }
  return { rows: b, cols: d, data: out.subarray(0, b * d) };
}
