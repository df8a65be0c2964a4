// The LogME evidence of one target column from the spectrum of the features, in three variants.

/** Which evidence maximisation LogME runs; see {@link columnEvidence}. */
export type LogmeVariant = 'fixed-point' | 'icml' | 'corrected';

/** The LogME variants with one line each, for option descriptions and docs. */
export const LOGME_VARIANTS: Readonly<Record<LogmeVariant, string>> = {
  'fixed-point':
    "thuml's fixed-point iteration as published (≤ 11 updates, 1e-5 floors); the log-determinant runs over min(N, D) values only, so for N < D it leaves out (D−N)/2·log α and depends on the feature scale",
  icml: 'the ICML 2021 paper’s Algorithm 1 (MacKay updates, ≤ 11 steps, stop at 1% change of α/β, 1e-5 floors) with the log-determinant over all D eigenvalues',
  corrected:
    'the fixed point iterated to convergence with the log-determinant over all D eigenvalues and no absolute floors: invariant to the scale of the features, meaningful for N < D',
};

/** Evidence of one column and how it was reached. */
export interface ColumnEvidence {
  /** Log evidence divided by N. */
  readonly evidence: number;
  readonly iterations: number;
  readonly alpha: number;
  readonly beta: number;
}

/**
 * The LogME log evidence (÷ N) of one target column t of Bayesian linear regression on N×D features X,
 * given the spectrum of X: `sigma` (k kept eigenvalues of XᵀX, equal to the squared singular values),
 * `proj[offset .. offset + k)` = Uᵀt (U the left singular vectors) and `tNorm2` = ‖t‖².
 * Eigenvalues of XᵀX not in `sigma` are zero; they add log α each to the log-determinant in the `icml`
 * and `corrected` variants (`fixed-point` leaves them out, as thuml's code does).
 *
 * - `fixed-point`: thuml's default: α = β = 1, at most 11 updates α = γ/(m² + 1e-5),
 *   β = (N − γ)/(res² + 1e-5), stop when |α/β − τ|/τ ≤ 1e-3.
 * - `icml`: the paper's Algorithm 1: the same updates, stop at |Δ(α/β)|/(α/β) < 0.01, the 1e-5 floors
 *   kept inside the evidence's quadratic terms, all D log terms.
 * - `corrected`: σ divided by their mean over min(N, D) first (the evidence with all D terms does not change
 *   under X → cX, so this only makes the start scale-free), then the same updates without absolute floors
 *   until |Δ(α/β)| ≤ 1e-10·α/β (at most 1000), evidence at the fixed point with all D terms.
 *
 * Returns a non-finite evidence only when the maths does (β ≤ 0: the target is fitted exactly);
 * callers turn that into DEGENERATE_INPUT.
 *
 * @example
 * ```ts
 * // One feature column with σ = 4, t fully explained: Uᵀt = [2], ‖t‖² = 4, N = 4, D = 1.
 * columnEvidence(Float64Array.of(4), Float64Array.of(2), 0, 4, 4, 1, 'corrected').evidence;
 * ```
 */
export function columnEvidence(
  sigma: Float64Array,
  proj: Float64Array,
  offset: number,
  tNorm2: number,
  n: number,
  d: number,
  variant: LogmeVariant,
): ColumnEvidence {
  const k = sigma.length;
  let scale = 1;
  if (variant === 'corrected') {
    let s = 0;
    for (let i = 0; i < k; i++) s += sigma[i];
    scale = s > 0 ? s / Math.min(n, d) : 1;
  }
  let sumX2 = 0;
  for (let i = 0; i < k; i++) sumX2 += proj[offset + i] * proj[offset + i];
  // thuml's variants keep the residual's rounding as it falls; the corrected one clamps it at 0.
  const r0 = variant === 'corrected' ? Math.max(tNorm2 - sumX2, 0) : tNorm2 - sumX2;
  // γ, m², res² at τ = α/β.
  const moments = (tau: number) => {
    let gamma = 0;
    let m2 = 0;
    let res2 = r0;
    for (let i = 0; i < k; i++) {
      const s = sigma[i] / scale;
      const x2 = proj[offset + i] * proj[offset + i];
      gamma += s / (s + tau);
      m2 += (s * x2) / ((tau + s) * (tau + s));
      const f = 1 + s / tau;
      res2 += x2 / (f * f);
    }
    return { gamma, m2, res2 };
  };
  let alpha = 1;
  let beta = 1;
  let m2 = 0;
  let res2 = 0;
  let iterations = 0;
  let floor = 1e-5;
  if (variant === 'corrected') {
    floor = 0;
    const tiny = 1e-300;
    for (let it = 0; it < 1000; it++) {
      iterations++;
      const tau = alpha / beta;
      const m = moments(tau);
      alpha = m.gamma / Math.max(m.m2, tiny);
      beta = (n - m.gamma) / Math.max(m.res2, tiny);
      if (Math.abs(alpha / beta - tau) <= 1e-10 * tau) break;
    }
    const m = moments(alpha / beta);
    m2 = m.m2;
    res2 = m.res2;
  } else {
    const tol = variant === 'icml' ? 0.01 : 1e-3;
    for (let it = 0; it < 11; it++) {
      iterations++;
      const tau = alpha / beta;
      const m = moments(tau);
      m2 = m.m2;
      res2 = m.res2;
      alpha = m.gamma / (m2 + 1e-5);
      beta = (n - m.gamma) / (res2 + 1e-5);
      const change = Math.abs(alpha / beta - tau) / tau;
      if (variant === 'icml' ? change < tol : change <= tol) break;
    }
    if (variant === 'fixed-point') floor = 0; // thuml's evidence has no floor in its quadratic terms
  }
  let logSum = 0;
  for (let i = 0; i < k; i++) logSum += Math.log(alpha + (beta * sigma[i]) / scale);
  if (variant !== 'fixed-point') logSum += (d - k) * Math.log(alpha);
  const evidence =
    (d / 2) * Math.log(alpha) +
    (n / 2) * Math.log(beta) -
    0.5 * logSum -
    (beta / 2) * (res2 + floor) -
    (alpha / 2) * (m2 + floor) -
    (n / 2) * Math.log(2 * Math.PI);
  return { evidence: evidence / n, iterations, alpha, beta };
}
