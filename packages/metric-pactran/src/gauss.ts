/**
 * PACTran-Gauss: Ding et al., "PACTran", ECCV 2022, §4.3, as google-research/pactran_metrics
 * computes it (`calculate_pac_gauss`, latest version, which centres the features).
 *
 * A linear softmax classifier θ = (W, b) on the features with a Gaussian prior on W. The score is
 * the regularised empirical risk at its minimum plus a flatness term from the diagonal of the
 * Hessian there:
 *
 *   L(θ)     = (1/N) Σ_i −log softmax(x_i W + b)_{y_i} + ‖W‖²/(2 λN)     (λN = ldaFactor · N)
 *   h        = diag ∇²L without the 1/N of the data term (a quirk of the reference, kept):
 *              h_W[d,k] = Σ_i x_id² p_ik(1 − p_ik) + 1/(λN),  h_b[k] = Σ_i p_ik(1 − p_ik)
 *   σ⁻²      = (Σ h) · λN / (D·C) + 1e-10
 *   value    = L(θ*) + ½ · (D·C)/(λN) · σ² · log σ⁻²,  σ² = s2Factor / D
 *
 * The cross-entropy term also carries the reference's Σ y log(y + 1e-10) = log(1 + 1e-10) per
 * sample. Lower is better.
 */
import {
  type Dense,
  getBackend,
  type LbfgsStop,
  type LinalgBackend,
  type Matrix,
  minimizeLbfgs,
  normalFrom,
  type Objective,
  seededRandom,
} from '@emms/metric-spec';

/** Options of {@link pactranGauss}. */
export interface GaussPactranOptions {
  /** λ: the prior variance of W is λN (default 1). */
  readonly ldaFactor?: number;
  /** σ² = s2Factor / D in the flatness term (default 100 · ldaFactor, the reference's first choice). */
  readonly s2Factor?: number;
  /** Subtract the column means first, as the latest reference does (default true). */
  readonly center?: boolean;
  /** Seed of the random start W ~ N(0, 0.03²) (default 0); b starts at 0. */
  readonly seed?: number;
  /** L-BFGS iterations at most (default 100). */
  readonly maxIterations?: number;
  /** L-BFGS gradient and relative-decrease tolerance (default 1e-6). */
  readonly tolerance?: number;
  /** Backend for the N×D by D×C products (default: the current one of @emms/linalg). */
  readonly backend?: LinalgBackend;
  /** Checked once per optimiser iteration. */
  readonly signal?: AbortSignal;
}

/** Value and diagnostics of {@link pactranGauss}. */
export interface GaussPactranResult {
  /** The PACTran-Gauss bound (lower is better). */
  readonly value: number;
  /** L(θ*): the regularised cross-entropy at the optimum found. */
  readonly pacOpt: number;
  /** σ⁻² computed from the Hessian diagonal. */
  readonly sigma2Inv: number;
  /** The flatness term value − pacOpt. */
  readonly flatness: number;
  readonly ldaFactor: number;
  readonly s2Factor: number;
  /** θ* as a (D+1)×C row-major array: W on the first D rows, b on the last. */
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly stop: LbfgsStop;
}

/** Features as float64, centred by column when asked. */
export function centredCopy(features: Matrix, center: boolean): Dense {
  const { rows, cols, data } = features;
  const out = Float64Array.from(data);
  if (center && rows > 0) {
    const mean = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += out[i * cols + j];
    for (let j = 0; j < cols; j++) mean[j] /= rows;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] -= mean[j];
  }
  return { rows, cols, data: out };
}

/** Class probabilities softmax(XW + b) for θ in the (D+1)×C layout. */
export function gaussProbabilities(
  x: Dense,
  theta: Float64Array,
  classes: number,
  backend: LinalgBackend,
): Dense {
  const d = x.cols;
  const w: Dense = { rows: d, cols: classes, data: theta.subarray(0, d * classes) };
  const logits = backend.matmul(x, w);
  const out = Float64Array.from(logits.data);
  for (let i = 0; i < x.rows; i++)
    for (let k = 0; k < classes; k++) out[i * classes + k] += theta[d * classes + k];
  softmaxMatrix(out, x.rows, classes);
  return { rows: x.rows, cols: classes, data: out };
}

function softmaxMatrix(v: Float64Array, rows: number, c: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * c;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < c; k++) if (v[o + k] > max) max = v[o + k];
    let sum = 0;
    for (let k = 0; k < c; k++) {
      v[o + k] = Math.exp(v[o + k] - max);
      sum += v[o + k];
    }
    for (let k = 0; k < c; k++) v[o + k] /= sum;
  }
}

/**
 * The objective L(θ) and its gradient for features `x` (already centred if wanted), labels in
 * [0, classes) and prior variance `ldas2` = λN. θ has the (D+1)×C row-major layout.
 */
export function gaussObjective(
  x: Dense,
  labels: Int32Array,
  classes: number,
  ldas2: number,
  backend: LinalgBackend,
): Objective {
  const n = x.rows;
  const d = x.cols;
  const c = classes;
  const constant = Math.log1p(1e-10);
  return (theta, gradient) => {
    const w: Dense = { rows: d, cols: c, data: theta.subarray(0, d * c) };
    const logits = Float64Array.from(backend.matmul(x, w).data);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) logits[i * c + k] += theta[d * c + k];
    // Cross-entropy from exact log-sum-exp (no underflow), then probabilities for the gradient.
    let xent = 0;
    for (let i = 0; i < n; i++) {
      const o = i * c;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < c; k++) if (logits[o + k] > max) max = logits[o + k];
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(logits[o + k] - max);
      const lse = max + Math.log(sum);
      xent += constant + lse - logits[o + labels[i]];
      for (let k = 0; k < c; k++) logits[o + k] = Math.exp(logits[o + k] - lse);
    }
    // G = (P − Y)/N, reusing the logits buffer.
    for (let i = 0; i < n; i++) logits[i * c + labels[i]] -= 1;
    for (let j = 0; j < n * c; j++) logits[j] /= n;
    const gw = backend.crossProduct(x, { rows: n, cols: c, data: logits });
    let reg = 0;
    for (let j = 0; j < d * c; j++) {
      reg += theta[j] * theta[j];
      gradient[j] = gw.data[j] + theta[j] / ldas2;
    }
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += logits[i * c + k];
      gradient[d * c + k] = s;
    }
    return xent / n + (0.5 * reg) / ldas2;
  };
}

/**
 * Σ of the reference's diagonal "Hessian" h at θ (see the module comment):
 * Σ_i (‖x_i‖² + 1) Σ_k p_ik(1 − p_ik) + D·C/λN.
 */
export function gaussHessianDiagonalSum(
  x: Dense,
  theta: Float64Array,
  classes: number,
  ldas2: number,
  backend: LinalgBackend,
): number {
  const p = gaussProbabilities(x, theta, classes, backend);
  const n = x.rows;
  const d = x.cols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let norm2 = 1;
    for (let j = 0; j < d; j++) norm2 += x.data[i * d + j] * x.data[i * d + j];
    let v = 0;
    for (let k = 0; k < classes; k++) {
      const pk = p.data[i * classes + k];
      v += pk * (1 - pk);
    }
    total += norm2 * v;
  }
  return total + (d * classes) / ldas2;
}

/** σ⁻² and the score from L(θ*) and Σh (the closed-form tail of PACTran-Gauss). */
export function gaussBound(
  pacOpt: number,
  hessianSum: number,
  dims: number,
  classes: number,
  ldas2: number,
  s2Factor: number,
): { value: number; sigma2Inv: number; flatness: number } {
  const kd = dims * classes;
  const sigma2Inv = (hessianSum * ldas2) / kd + 1e-10;
  const s2 = s2Factor / dims;
  const flatness = ((0.5 * kd) / ldas2) * s2 * Math.log(sigma2Inv);
  return { value: pacOpt + flatness, sigma2Inv, flatness };
}

/** The seeded start point: W ~ N(0, 0.03²) in row-major D×C order, b = 0. */
export function gaussStart(dims: number, classes: number, seed: number): Float64Array {
  const theta = new Float64Array((dims + 1) * classes);
  const normal = normalFrom(seededRandom(seed));
  for (let j = 0; j < dims * classes; j++) theta[j] = 0.03 * normal();
  return theta;
}

/**
 * PACTran-Gauss of `features` (N×D) for `labels` in [0, classes). Deterministic for a given seed.
 *
 * @param features - N×D features (centred inside unless `center: false`).
 * @param labels - N integers in [0, classes).
 * @param classes - C.
 * @param options - `ldaFactor` (> 0), `s2Factor` (> 0, default 100·ldaFactor), `center`, `seed`,
 *   `maxIterations`, `tolerance`, `backend`, `signal`.
 * @returns the bound (lower is better) with its parts (pacOpt, flatness, σ⁻²) and the optimiser's report.
 * @throws RangeError for a non-positive ldaFactor or s2Factor or a label count that differs from N
 *   (the metric checks these first and reports INVALID_OPTION / ROW_MISMATCH).
 * @see arXiv 2203.05126; github.com/google-research/pactran_metrics
 * @example
 * ```ts
 * const features = { rows: 4, cols: 1, data: new Float64Array([0, 0.2, 3, 3.2]) };
 * const r = pactranGauss(features, Int32Array.from([0, 0, 1, 1]), 2, {});
 * console.assert(Number.isFinite(r.value) && r.converged);
 * ```
 */
export function pactranGauss(
  features: Matrix,
  labels: Int32Array,
  classes: number,
  options: GaussPactranOptions,
): GaussPactranResult {
  const ldaFactor = options.ldaFactor ?? 1;
  const s2Factor = options.s2Factor ?? 100 * ldaFactor;
  if (!(ldaFactor > 0) || !Number.isFinite(ldaFactor)) {
    throw new RangeError(`pactranGauss: ldaFactor must be > 0, got ${ldaFactor}`);
  }
  if (!(s2Factor > 0) || !Number.isFinite(s2Factor)) {
    throw new RangeError(`pactranGauss: s2Factor must be > 0, got ${s2Factor}`);
  }
  if (labels.length !== features.rows) {
    throw new RangeError(`pactranGauss: ${labels.length} labels for ${features.rows} feature rows`);
  }
  const x = centredCopy(features, options.center ?? true);
  const ldas2 = ldaFactor * x.rows;
  const backend = options.backend ?? getBackend();
  const objective = gaussObjective(x, labels, classes, ldas2, backend);
  const tolerance = options.tolerance ?? 1e-6;
  const result = minimizeLbfgs(objective, gaussStart(x.cols, classes, options.seed ?? 0), {
    maxIterations: options.maxIterations ?? 100,
    gradientTolerance: tolerance,
    functionTolerance: tolerance,
    signal: options.signal,
  });
  const hessianSum = gaussHessianDiagonalSum(x, result.x, classes, ldas2, backend);
  const bound = gaussBound(result.value, hessianSum, x.cols, classes, ldas2, s2Factor);
  return {
    value: bound.value,
    pacOpt: result.value,
    sigma2Inv: bound.sigma2Inv,
    flatness: bound.flatness,
    ldaFactor,
    s2Factor,
    theta: result.x,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
    stop: result.stop,
  };
}
