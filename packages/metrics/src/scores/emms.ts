import {
  type Dense,
  eighProject,
  getBackend,
  gramProjector,
  type LinalgBackend,
  symmetricPinv,
} from '@emms/linalg';
import { EmmsError, type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';
import type { Metric } from '../metric';
import { sparsemax } from '../sparsemax';
import { matVec } from '../util';
import { assertFiniteMatrix } from '../validate';

/** Options of {@link emmsScore}. */
export interface EmmsOptions {
  /**
   * 'one-step' (default): the published code, one weight update (sparsemax of the unconstrained
   * least-squares weights). 'converge': the paper's alternating minimisation of
   * ‖X W − Σ λ_k Y_k‖² over W and λ in the simplex, each half-step exact (the λ-step is the
   * simplex-constrained least squares, so the residual never grows), refitting until
   * max|Δλ| ≤ `tolerance` or `maxRefits` refits. Its score is never below the one-step score.
   */
  readonly iterations?: 'one-step' | 'converge';
  /** Convergence threshold on max|Δλ| for 'converge' (default 1e-8). */
  readonly tolerance?: number;
  /** Most refits for 'converge' (default 100). */
  readonly maxRefits?: number;
  /**
   * Relative pivot threshold of the rank-revealing factorisation of the standardised XᵀX
   * (default 1e-10): a feature column whose part outside the span of the others has squared
   * norm ≤ rankTol × N counts as dependent.
   */
  readonly rankTol?: number;
  /** Labels whose one-hot matrix stands in as the single F-label when `flabels` is empty. */
  readonly labels?: Int32Array;
  /** Linear-algebra backend (default: the current one). */
  readonly backend?: LinalgBackend;
  /** Checked between blocks; aborts with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Which Gram matrix carries the projection: 'features' (D×D XsᵀXs with a rank-revealing
   * Cholesky) or 'samples' (N×N Xs Xsᵀ with an eigendecomposition). Default: the cheaper one,
   * 'samples' only when N is well below D. Both give the same score.
   */
  readonly route?: 'features' | 'samples';
  /** Progress over the row blocks ("score:emms", counted in rows). */
  readonly onProgress?: ProgressListener;
}

/** Diagnostics of {@link emmsScore}. */
export type EmmsDetails = {
  /** Final weight of each F-label (sparsemax output, sums to 1), in the order given. */
  readonly weights: number[];
  /** The last unconstrained least-squares weights λ' before sparsemax. */
  readonly unconstrainedWeights: number[];
  /** Weight updates performed (1 for one-step). */
  readonly iterations: number;
  /** 'converge' only: whether max|Δλ| reached the tolerance. */
  readonly converged?: boolean;
  readonly mode: 'one-step' | 'converge';
  /** Where the F-labels came from. */
  readonly flabels: 'given' | 'one-hot';
  /** Numerical rank of the standardised features. */
  readonly rank: number;
  /** Feature columns that were constant (standardised to zero). */
  readonly constantColumns: number;
};

/** Rows standardised per block: keeps memory bounded for tall inputs. */
const TARGET_BLOCK_BYTES = 32 * 1024 * 1024;

/**
 * Per column mean, 1/(std + 1e-8) (population std; 0 for constant columns) and the sum of
 * squared deviations.
 */
function columnScaling(
  m: Matrix,
  input: string,
): { mean: Float64Array; scale: Float64Array; ss: Float64Array; constant: number } {
  const { rows, cols, data } = m;
  const mean = columnSums(m);
  for (let j = 0; j < cols; j++) {
    if (!Number.isFinite(mean[j])) assertFiniteMatrix(m, input);
    mean[j] /= rows;
  }
  const ss = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j] - mean[j];
      ss[j] += v * v;
    }
  }
  const constantColumn = constantColumns(m);
  const scale = new Float64Array(cols);
  let constant = 0;
  for (let j = 0; j < cols; j++) {
    if (constantColumn[j]) {
      constant++;
      continue; // exactly zero after centring
    }
    scale[j] = 1 / (Math.sqrt(ss[j] / rows) + 1e-8);
  }
  return { mean, scale, ss, constant };
}

/** Per column sum, in row order. */
function columnSums(m: Matrix): Float64Array {
  const { rows, cols, data } = m;
  const sum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) sum[j] += data[o + j];
  }
  return sum;
}

/**
 * 1 for the columns holding one value only. Each column is scanned down until a value differs
 * from its first row, which for a varying column is usually the second row.
 */
function constantColumns(m: Matrix): Uint8Array {
  const { rows, cols, data } = m;
  const out = new Uint8Array(cols);
  for (let j = 0; j < cols; j++) {
    const first = data[j];
    let i = 1;
    while (i < rows && data[i * cols + j] === first) i++;
    out[j] = i === rows ? 1 : 0;
  }
  return out;
}

/** (X − 1μᵀ)ᵀ(X − 1μᵀ) accumulated over centred float64 row blocks. */
function centredGram(x: Matrix, mean: Float64Array, backend: LinalgBackend): Float64Array {
  const { rows, cols, data } = x;
  const out = new Float64Array(cols * cols);
  const blockRows = Math.max(64, Math.floor(TARGET_BLOCK_BYTES / (8 * Math.max(1, cols))));
  const ones = new Float64Array(cols).fill(1);
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const b = Math.min(rows, r0 + blockRows) - r0;
    const block = new Float64Array(b * cols);
    standardiseRows(data, r0 * cols, b, cols, mean, ones, block);
    const g = backend.gram({ rows: b, cols, data: block }).data;
    for (let i = 0; i < g.length; i++) out[i] += g[i];
  }
  return out;
}

/** What either computation route hands the weight updates. */
interface GramRoute {
  /** K×K ⟨Yps, Yqs⟩. */
  readonly yg: Float64Array;
  /** K×K ⟨Yps, P_X Yqs⟩ (or, on the mixed one-step route, b in every column; see there). */
  readonly m: Float64Array;
  readonly rank: number;
  readonly constantColumns: number;
}

/** Rows r0/cols..+b of a row-major matrix (offset `start`, width l), standardised, into out. */
function standardiseRows(
  data: Float32Array | Float64Array,
  start: number,
  b: number,
  l: number,
  mean: Float64Array,
  scale: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < b; i++) {
    const src = start + i * l;
    const dst = i * l;
    for (let j = 0; j < l; j++) out[dst + j] = (data[src + j] - mean[j]) * scale[j];
  }
}

/** Column means and which columns hold one value only (NON_FINITE on NaN/Inf). */
function columnMeans(m: Matrix, input: string): { mean: Float64Array; constant: Uint8Array } {
  const { rows, cols } = m;
  const mean = columnSums(m);
  for (let j = 0; j < cols; j++) {
    if (!Number.isFinite(mean[j])) assertFiniteMatrix(m, input);
    mean[j] /= rows;
  }
  return { mean, constant: constantColumns(m) };
}

/** The N×C one-hot matrix of integer labels (C = max + 1). */
export function oneHot(labels: Int32Array): Matrix<Float64Array> {
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) {
      throw new EmmsError('LABEL_OUT_OF_RANGE', `labels[${i}] is ${y}; labels must be integers ≥ 0`, {
        input: 'labels',
      });
    }
    if (y + 1 > c) c = y + 1;
  }
  const data = new Float64Array(labels.length * c);
  for (let i = 0; i < labels.length; i++) data[i * c + labels[i]] = 1;
  return { rows: labels.length, cols: c, data };
}

/** Frobenius inner product of the column blocks [a0, a0+w) of a and [b0, b0+w) of b (same rows). */
function blockInner(a: Dense, a0: number, b: Dense, b0: number, w: number): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) {
    const ao = i * a.cols + a0;
    const bo = i * b.cols + b0;
    for (let j = 0; j < w; j++) s += a.data[ao + j] * b.data[bo + j];
  }
  return s;
}

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
  rhs: Float64Array,
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
  pi: Float64Array,
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

/**
 * argmin over the probability simplex of λᵀGλ − 2bᵀλ (G the K×K Gram of the F-labels): projected
 * gradient with step 1/trace(G) and sparsemax as the projection, to machine precision.
 */
function simplexLeastSquares(g: Float64Array, b: Float64Array, k: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += g[i * k + i];
  let lambda: Float64Array = new Float64Array(k).fill(1 / k);
  if (!(trace > 0)) return lambda;
  const step = 1 / trace;
  const next = new Float64Array(k);
  for (let it = 0; it < 200_000; it++) {
    for (let i = 0; i < k; i++) {
      let grad = -b[i];
      for (let j = 0; j < k; j++) grad += g[i * k + j] * lambda[j];
      next[i] = lambda[i] - step * grad;
    }
    const projected = sparsemax(next);
    let change = 0;
    for (let i = 0; i < k; i++) change = Math.max(change, Math.abs(projected[i] - lambda[i]));
    lambda = projected;
    if (change <= 1e-15) break;
  }
  return lambda;
}

function quad(m: Float64Array, k: number, u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += u[i] * m[i * k + j] * v[j];
  return s;
}

/**
 * EMMS (Meng et al., "Foundation Model is Efficient Multimodal Multitask Model Selector", 2023)
 * exactly as the authors' code computes it by default:
 * standardise X and each F-label Y_k per column ((v − mean)/(std + 1e-8), population std);
 * λ = 1/K; Π = projection of T0 = Σ λ_k Y_k onto the column space of X; λ' = least squares of
 * Σ λ_k Y_k ≈ Π over the K weights; λ = sparsemax(λ'); T = Σ λ_k Y_k;
 * score = −‖Π − T‖²_F · L / N (the factor L comes from operator precedence in the published
 * code; it is constant within a dataset, so rankings are unaffected).
 *
 * Everything is computed from XᵀX, XᵀY_k and ⟨Y_j, Y_k⟩, accumulated over row blocks of the
 * standardised data, plus one rank-revealing factorisation of XᵀX: no SVD of X and nothing
 * N×N or N×L beyond one block. Rank-deficient X (constant, duplicated columns, N ≤ D) is fine:
 * Π is unique. With no F-labels, `opts.labels` gives the one-hot matrix as the only F-label.
 *
 * Throws FLABEL_WIDTH_MISMATCH when F-labels differ in width, ROW_MISMATCH when row counts
 * disagree, NON_FINITE for NaN/Inf, MISSING_INPUT with neither F-labels nor labels.
 */
export function emmsScore(
  features: Matrix,
  flabels: readonly Matrix[],
  opts: EmmsOptions = {},
): { value: number; details: EmmsDetails } {
  const backend = opts.backend ?? getBackend();
  const mode = opts.iterations ?? 'one-step';
  if (mode !== 'one-step' && mode !== 'converge') {
    throw new EmmsError(
      'INVALID_OPTION',
      `emms: iterations must be "one-step" or "converge", got "${mode}"`,
      {
        input: 'iterations',
      },
    );
  }
  if (opts.rankTol !== undefined && !(opts.rankTol >= 0 && opts.rankTol < 1)) {
    throw new EmmsError('INVALID_OPTION', `emms: rankTol must be in [0, 1), got ${opts.rankTol}`, {
      input: 'rankTol',
    });
  }
  let source: 'given' | 'one-hot' = 'given';
  let ys = flabels;
  if (ys.length === 0) {
    if (!opts.labels) {
      throw new EmmsError(
        'MISSING_INPUT',
        'emms needs F-labels (--flabels) or labels (--labels) for the one-hot F-label',
        {
          input: 'flabels',
        },
      );
    }
    ys = [oneHot(opts.labels)];
    source = 'one-hot';
  }
  const n = features.rows;
  const d = features.cols;
  const k = ys.length;
  const l = ys[0].cols;
  ys.forEach((y, i) => {
    const name = source === 'given' ? `flabels[${i}]` : 'labels';
    if (y.rows !== n) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `${name} has ${y.rows} rows but features has ${n}; every input needs one row per sample, in the same order`,
        { input: name, details: { expected: n, found: y.rows } },
      );
    }
    if (y.cols !== l) {
      throw new EmmsError(
        'FLABEL_WIDTH_MISMATCH',
        `flabels[${i}] has ${y.cols} columns but flabels[0] has ${l}; EMMS stacks F-labels, so they must share one width (embed every label set to the same dimension)`,
        { input: name, details: { expected: l, found: y.cols } },
      );
    }
  });
  if (n < 1) throw new EmmsError('SHAPE_MISMATCH', 'features has no rows', { input: 'features' });

  // Pass 1: means and 1/(std + 1e-8) of each F-label (two passes, exact).
  const ysc = ys.map((y, i) => columnScaling(y, source === 'given' ? `flabels[${i}]` : 'labels'));
  opts.signal?.throwIfAborted();

  const relTol = opts.rankTol ?? 1e-10;
  const kl = k * l;
  const lambda0 = new Float64Array(k).fill(1 / k);
  const eps = 2 ** -52;

  /** Feature route: D×D Gram XsᵀXs, one rank-revealing factorisation, cross products XsᵀY. */
  const featureRoute = (): GramRoute => {
    // Column means of X (and which columns are constant).
    const { mean: xMean, constant: xConstant } = columnMeans(features, 'features');
    // Raw XᵀX in one backend call (float32 read directly, no copy), then centred and scaled:
    // XsᵀXs = S⁻¹ (XᵀX − N μ μᵀ) S⁻¹. The centred diagonal gives the population variances. The
    // subtraction loses about log10(μ²/σ²) of the 16 digits.
    let graw = backend.gram(features).data;
    let centred = false;
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
    const xScale = new Float64Array(d);
    let constantColumns = 0;
    for (let j = 0; j < d; j++) {
      if (xConstant[j]) {
        constantColumns++;
        continue;
      }
      const variance = centred ? graw[j * d + j] / n : Math.max(graw[j * d + j] / n - xMean[j] * xMean[j], 0);
      xScale[j] = 1 / (Math.sqrt(variance) + 1e-8);
    }
    const da = d - constantColumns;
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

    // Two routes with the same result. Stacked (converge mode, or K ≤ 2): C_k = XsᵀYks for
    // every k; all later steps are K×K. Mixed (one step with K ≥ 3): C0 = XsᵀT0, one solve, then
    // a second pass for ⟨Yks, Xs W0⟩: 2·N·D·L multiply-adds instead of K·N·D·L. Because every
    // Yks and T0 is centred, XsᵀY = S⁻¹ XᵀY: the cross products use raw rows of X (views, no copy).
    const stacked = mode === 'converge' || k <= 2;
    const cw = stacked ? kl : l;
    const progress = progressTracker('score:emms', n * (stacked ? 1 : 2), opts.onProgress);
    const craw = new Float64Array(d * cw);
    const blockRows = Math.max(64, Math.min(n, Math.floor(TARGET_BLOCK_BYTES / (8 * Math.max(1, kl + l)))));
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
    const rhs = new Float64Array(blockRows * cw);
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
      if (da > 0) {
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
    // C = S⁻¹ XᵀY (rows of constant columns 0), in place.
    const c = craw;
    for (let a = 0; a < d; a++) {
      const f = xScale[a];
      const o = a * cw;
      for (let j = 0; j < cw; j++) c[o + j] *= f;
    }

    // One factorisation of G; Π = Xs W with G W = Xsᵀ T.
    const cm: Dense = { rows: d, cols: cw, data: c };
    const projector = da > 0 ? gramProjector({ rows: d, cols: d, data: g }, { relTol, backend }) : null;

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
      // Xs W0 = X W' − 1 (μᵀ W') with W' = S⁻¹ W0, scaled in place (the solve's own array).
      const wFull = projector.solve(cm).data;
      const offset = new Float64Array(l);
      for (let a = 0; a < d; a++) {
        const f = xScale[a];
        const mu = xMean[a];
        const o = a * l;
        for (let j = 0; j < l; j++) {
          const v = wFull[o + j] * f;
          wFull[o + j] = v;
          offset[j] += mu * v;
        }
      }
      const wm: Dense = { rows: d, cols: l, data: wFull };
      // b_q = ⟨Yqs, Xs W0⟩ = Σ_j scale_qj Σ_i (Y_qij − μ_qj)(X W' − 1 offsetᵀ)_ij, read from the
      // raw F-labels.
      const bk = new Float64Array(k);
      for (let r0 = 0; r0 < n; r0 += blockRows) {
        opts.signal?.throwIfAborted();
        const b = Math.min(n, r0 + blockRows) - r0;
        const pi = backend.matmul(xRows(r0, b), wm).data;
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
    return { yg, m, rank: projector ? projector.rank - constantColumns : 0, constantColumns };
  };

  /**
   * Sample route for N much smaller than D: the N×N Gram Xs Xsᵀ, whose range is col(Xs); its
   * eigenvectors with eigenvalue above relTol × max‖column of Xs‖² span that range, and
   * M_pq = ⟨Uᵀ Yp, Uᵀ Yq⟩ over them.
   */
  const sampleRoute = (): GramRoute => {
    const xs = columnScaling(features, 'features');
    const active: number[] = [];
    for (let j = 0; j < d; j++) if (xs.scale[j] !== 0) active.push(j);
    const da = active.length;
    // Xsᵀ (da × N) so that its Gram is Xs Xsᵀ.
    const xt = new Float64Array(da * n);
    let maxNorm = 0;
    for (let a = 0; a < da; a++) {
      const j = active[a];
      const mean = xs.mean[j];
      const scale = xs.scale[j];
      let norm = 0;
      for (let i = 0; i < n; i++) {
        const v = (features.data[i * d + j] - mean) * scale;
        xt[a * n + i] = v;
        norm += v * v;
      }
      maxNorm = Math.max(maxNorm, norm);
    }
    const ystack = new Float64Array(n * kl);
    const row = new Float64Array(l);
    for (let q = 0; q < k; q++) {
      for (let i = 0; i < n; i++) {
        standardiseRows(ys[q].data, i * l, 1, l, ysc[q].mean, ysc[q].scale, row);
        ystack.set(row, i * kl + q * l);
      }
    }
    const ysm: Dense = { rows: n, cols: kl, data: ystack };
    const yg = new Float64Array(k * k);
    for (let p = 0; p < k; p++)
      for (let q = 0; q < k; q++) yg[p * k + q] = blockInner(ysm, p * l, ysm, q * l, l);
    const m = new Float64Array(k * k);
    let rank = 0;
    if (da > 0) {
      const kmat = backend.gram({ rows: da, cols: n, data: xt });
      const { values, projected } = eighProject(kmat, ysm, { backend });
      const tol = relTol * maxNorm;
      const pr = projected.data;
      for (let r = 0; r < n; r++) {
        if (!(values[r] > tol)) continue;
        rank++;
        const o = r * kl;
        for (let p = 0; p < k; p++) {
          for (let q = p; q < k; q++) {
            let sum = 0;
            for (let j = 0; j < l; j++) sum += pr[o + p * l + j] * pr[o + q * l + j];
            m[p * k + q] += sum;
          }
        }
      }
      for (let p = 0; p < k; p++) for (let q = 0; q < p; q++) m[p * k + q] = m[q * k + p];
    }
    opts.signal?.throwIfAborted();
    return { yg, m, rank, constantColumns: xs.constant };
  };

  // Rough multiply-add counts of the two routes (the eigendecomposition weighs ~4n³).
  const featureCost = (n * d * d) / 2 + (d * d * d) / 6 + 2 * n * d * l;
  const sampleCost = (n * n * d) / 2 + 4 * n * n * n + n * n * kl;
  const route = opts.route ?? (sampleCost < featureCost ? 'samples' : 'features');
  if (route !== 'features' && route !== 'samples') {
    throw new EmmsError('INVALID_OPTION', `emms: route must be "features" or "samples", got "${route}"`, {
      input: 'route',
    });
  }
  const { yg, m, rank, constantColumns } = route === 'samples' ? sampleRoute() : featureRoute();
  const ygm: Dense = { rows: k, cols: k, data: yg };
  // Minimum-norm weights as numpy's lstsq on the NL×K matrix: its singular values are √eig(YG).
  const rcond = Math.max((eps * Math.max(n * l, k)) ** 2, 10 * k * eps);
  const ygPinv = symmetricPinv(ygm, { rcond, backend });

  const maxRefits = mode === 'converge' ? (opts.maxRefits ?? 100) : 1;
  const tolerance = opts.tolerance ?? 1e-8;
  let prev: Float64Array = lambda0;
  let lambda: Float64Array = lambda0;
  let raw: Float64Array = lambda0;
  let residual = 0;
  let iterations = 0;
  let converged = false;
  for (let t = 0; t < maxRefits; t++) {
    iterations++;
    // b_p = ⟨Y_p, Π⟩ with Π = P_X T_prev.
    const b = matVec({ rows: k, cols: k, data: m }, prev);
    // Unconstrained least-squares weights G λ' = b, minimum-norm when G is singular.
    raw = matVec(ygPinv, b);
    // Published step: sparsemax of the unconstrained weights. Converge mode: the exact
    // simplex-constrained least squares, so that every half-step lowers ‖X W − T‖².
    lambda = mode === 'one-step' ? sparsemax(raw) : simplexLeastSquares(yg, b, k);
    // ‖Π − T‖² = ‖Π‖² − 2⟨T, Π⟩ + ‖T‖² with T = Σ λ_k Y_k.
    const pp = quad(m, k, prev, prev);
    let tp = 0;
    for (let p = 0; p < k; p++) tp += lambda[p] * b[p];
    const tt = quad(yg, k, lambda, lambda);
    residual = pp - 2 * tp + tt;
    // Below the rounding error of that sum the residual is indistinguishable from zero (e.g.
    // N ≤ D, where Π = T exactly): report 0 rather than noise of either sign.
    if (residual <= 64 * eps * (Math.abs(pp) + 2 * Math.abs(tp) + Math.abs(tt))) residual = 0;
    let delta = 0;
    for (let p = 0; p < k; p++) delta = Math.max(delta, Math.abs(lambda[p] - prev[p]));
    prev = lambda;
    if (delta <= tolerance) {
      converged = true;
      break;
    }
  }
  const value = residual > 0 ? (-residual * l) / n : 0;
  return {
    value,
    details: {
      weights: Array.from(lambda),
      unconstrainedWeights: Array.from(raw),
      iterations,
      ...(mode === 'converge' ? { converged } : {}),
      mode,
      flabels: source,
      rank,
      constantColumns,
    },
  };
}

/** EMMS as a {@link Metric}: F-labels when given, else the one-hot labels. */
export const emmsMetric: Metric = {
  specificationVersion: 'v1',
  id: 'emms',
  description:
    'EMMS: regress the features onto a weighted mix of foundation-model label embeddings (F-labels); higher fits better (Meng et al. 2023)',
  inputs: { required: ['features'], optional: ['flabels', 'labels'] },
  higherIsBetter: true,
  options: [
    {
      name: 'iterations',
      type: 'string',
      default: 'one-step',
      choices: ['one-step', 'converge'],
      description:
        'one-step: the published code (one weight update); converge: alternate until the F-label weights change by ≤ 1e-8 (at most 100 refits)',
    },
    {
      name: 'rankTol',
      type: 'number',
      default: 1e-10,
      description:
        'relative pivot threshold deciding which standardised feature columns are linearly dependent',
    },
    {
      name: 'route',
      type: 'string',
      default: undefined,
      choices: ['features', 'samples'],
      description:
        'which Gram matrix carries the projection: features (D×D) or samples (N×N); default: the cheaper one, same score either way',
    },
  ],
  compute(inputs, options, context) {
    const flabels = inputs.flabels ?? [];
    if (flabels.length === 0 && !inputs.labels) {
      throw new EmmsError('MISSING_INPUT', 'metric "emms" needs F-labels (--flabels) or labels (--labels)', {
        input: 'flabels',
        details: { metric: 'emms', flag: '--flabels' },
      });
    }
    return emmsScore(inputs.features!, flabels, {
      iterations: options.iterations as EmmsOptions['iterations'],
      rankTol: options.rankTol as number | undefined,
      route: options.route as EmmsOptions['route'],
      labels: inputs.labels,
      backend: context.backend,
      signal: context.signal,
      onProgress: context.onProgress,
    });
  },
};
