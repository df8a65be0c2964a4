/**
 * PACTran-Dirichlet and PACTran-Gamma on soft "source" assignments S (N×K, rows are
 * probabilities over K latent source classes z): Ding et al., "PACTran", ECCV 2022, §4.1–4.2,
 * as google-research/pactran_metrics computes them (`calculate_pac_dir`, `calculate_pac_gamma`).
 *
 * Both bound the risk of a classifier p(y | x) = Σ_z q(z | x) p(y | z) whose per-z label
 * parameters get a conjugate prior (Dirichlet or Gamma) centred on the class frequencies. A few
 * mean-field updates fit q(z | x_i, y_i); the value is the resulting bound per label entry
 * (divided by N·C). Lower is better.
 */
import type { Matrix } from '@emms/metric-spec';
import { digamma, logGamma, logSumExp } from './special';

/** Options shared by {@link pactranDirichlet} and {@link pactranGamma}. */
export interface DiscretePactranOptions {
  /** Prior strength: a0_c = alpha · n_c / N + 1e-10 (default 1, the reference's value). */
  readonly alpha?: number;
  /** Mean-field updates of q (default 10, fixed in the reference). */
  readonly iterations?: number;
}

/** Value and intermediate quantities of a discrete PACTran score. */
export interface DiscretePactranResult {
  /** The bound per label entry (lower is better). */
  readonly value: number;
  /** Prior parameters a0 (length C). */
  readonly priorConcentration: Float64Array;
  /** Posterior parameters a_w (C×K, row-major) from the last update. */
  readonly posteriorConcentration: Float64Array;
  /** Σ_i KL(q_i ‖ s_i) at the end. */
  readonly klDivergence: number;
}

interface Prepared {
  n: number;
  k: number;
  c: number;
  logS: Float64Array;
  q: Float64Array;
  logQ: Float64Array;
  a0: Float64Array;
  aw: Float64Array;
  iterations: number;
}

/** Checks the options (defaults filled in) and the labels, and sets up q = s, log s and a0. */
function prepare(
  source: Matrix,
  labels: Int32Array,
  classes: number,
  options: DiscretePactranOptions,
): Prepared {
  const alpha = options.alpha ?? 1;
  const iterations = options.iterations ?? 10;
  checkOptions(alpha, iterations);
  const n = source.rows;
  const k = source.cols;
  if (labels.length !== n) {
    throw new RangeError(`pactran: ${labels.length} labels for ${n} rows of source probabilities`);
  }
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const a0 = new Float64Array(classes);
  for (let c = 0; c < classes; c++) a0[c] = (alpha * counts[c]) / n + 1e-10;
  const logS = new Float64Array(n * k);
  const q = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) {
    q[i] = source.data[i];
    logS[i] = Math.log(source.data[i] + 1e-10);
  }
  const aw = new Float64Array(classes * k);
  return { n, k, c: classes, logS, q, logQ: new Float64Array(n * k), a0, aw, iterations };
}

/** a_w[c, z] = a0_c + Σ_{i: y_i = c} q_iz. */
function updateConcentration(p: Prepared, labels: Int32Array): void {
  const { n, k, c, q, a0, aw } = p;
  for (let y = 0; y < c; y++) aw.fill(a0[y], y * k, (y + 1) * k);
  for (let i = 0; i < n; i++) {
    const row = labels[i] * k;
    for (let z = 0; z < k; z++) aw[row + z] += q[i * k + z];
  }
}

/** out[z] = Σ_c a_w[c, z]. */
function columnSums(p: Prepared, out: Float64Array): void {
  const { k, c, aw } = p;
  for (let z = 0; z < k; z++) {
    let sum = 0;
    for (let y = 0; y < c; y++) sum += aw[y * k + z];
    out[z] = sum;
  }
}

/** q_i = softmax(logits_i); logQ keeps the exact log-softmax. */
function softmaxRows(p: Prepared, logits: Float64Array): void {
  const { n, k, q, logQ } = p;
  for (let i = 0; i < n; i++) {
    const lse = logSumExp(logits, i * k, k);
    for (let z = 0; z < k; z++) {
      const v = logits[i * k + z] - lse;
      logQ[i * k + z] = v;
      q[i * k + z] = Math.exp(v);
    }
  }
}

/** Σ_i Σ_z q_iz (log q_iz − log s_iz). */
function klSum(p: Prepared): number {
  let kl = 0;
  for (let i = 0; i < p.q.length; i++) kl += p.q[i] * (p.logQ[i] - p.logS[i]);
  return kl;
}

function checkOptions(alpha: number, iterations: number): void {
  if (!(alpha > 0) || !Number.isFinite(alpha))
    throw new RangeError(`pactran: alpha must be > 0, got ${alpha}`);
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(`pactran: iterations must be an integer ≥ 1, got ${iterations}`);
  }
}

/**
 * PACTran-Dirichlet: p(y | z) ~ Dirichlet(a0) for each source class z.
 *
 * Repeats `iterations` times: a_w[c, z] = a0_c + Σ_{i: y_i = c} q_iz, then
 * q_iz ∝ s_iz · exp(ψ(a_w[y_i, z]) − ψ(Σ_c a_w[c, z])). With log C(a) = log Γ(Σa) − Σ log Γ(a),
 * value = −[K·log C(a0) − Σ_z log C(a_w[·, z]) − Σ_i KL(q_i ‖ s_i)] / (N·C), where a_w is the one
 * computed in the last pass (before the last q update) and q is the last q, as in the reference.
 *
 * `labels` must lie in [0, classes); `source` rows should be probabilities (they are used as
 * given; s is offset by 1e-10 inside the logarithm as in the reference).
 *
 * @param source - N×K soft source assignments s (rows are probabilities).
 * @param labels - N integers in [0, classes).
 * @param classes - C.
 * @param options - `alpha` (prior strength, default 1), `iterations` (mean-field updates, default 10).
 * @returns the bound (lower is better), the prior and posterior concentrations and the KL term.
 * @see arXiv 2203.05126; github.com/google-research/pactran_metrics
 * @example
 * ```ts
 * const source = { rows: 4, cols: 2, data: new Float64Array([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.2, 0.8]) };
 * const r = pactranDirichlet(source, Int32Array.from([0, 0, 1, 1]), 2);
 * console.assert(Number.isFinite(r.value) && r.klDivergence >= 0);
 * ```
 */
export function pactranDirichlet(
  source: Matrix,
  labels: Int32Array,
  classes: number,
  options: DiscretePactranOptions = {},
): DiscretePactranResult {
  const p = prepare(source, labels, classes, options);
  const { n, k, c, aw, a0, logS, iterations } = p;
  const logits = new Float64Array(n * k);
  const psiAw = new Float64Array(c * k);
  const psiColumn = new Float64Array(k);
  const columnSum = new Float64Array(k);
  for (let t = 0; t < iterations; t++) {
    updateConcentration(p, labels);
    columnSums(p, columnSum);
    for (let z = 0; z < k; z++) psiColumn[z] = digamma(columnSum[z]);
    for (let j = 0; j < c * k; j++) psiAw[j] = digamma(aw[j]);
    for (let i = 0; i < n; i++) {
      const row = labels[i] * k;
      for (let z = 0; z < k; z++) logits[i * k + z] = logS[i * k + z] + psiAw[row + z] - psiColumn[z];
    }
    softmaxRows(p, logits);
  }
  let a0Sum = 0;
  let a0LogGammaSum = 0;
  for (let y = 0; y < c; y++) {
    a0Sum += a0[y];
    a0LogGammaSum += logGamma(a0[y]);
  }
  const logC0 = logGamma(a0Sum) - a0LogGammaSum;
  let logCSum = 0;
  for (let z = 0; z < k; z++) {
    let sum = 0;
    let lg = 0;
    for (let y = 0; y < c; y++) {
      sum += aw[y * k + z];
      lg += logGamma(aw[y * k + z]);
    }
    logCSum += logGamma(sum) - lg;
  }
  const kl = klSum(p);
  const bound = k * logC0 - logCSum - kl;
  return {
    value: -bound / (n * c),
    priorConcentration: a0,
    posteriorConcentration: aw,
    klDivergence: kl,
  };
}

/**
 * PACTran-Gamma: unnormalised label weights p(y | z) ~ Gamma(a0_y, β = 1) for each source class z.
 *
 * Repeats `iterations` times: a_w as for Dirichlet, l_i = Σ_z s_iz Σ_c a_w[c, z], and
 * q_iz ∝ s_iz · exp(ψ(a_w[y_i, z])). Then
 * value = [Σ_{c,z} (log Γ(a0_c) − log Γ(a_w[c, z])) + Σ_i (KL(q_i ‖ s_i) + log l_i − 1)] / (N·C) + 1
 * (the β terms vanish with β = 1), with a_w and l from the last pass as in the reference.
 *
 * @param source - N×K soft source assignments s (rows are probabilities).
 * @param labels - N integers in [0, classes).
 * @param classes - C.
 * @param options - `alpha` (default 1), `iterations` (default 10).
 * @returns the bound (lower is better), the concentrations and the KL term.
 * @see arXiv 2203.05126; github.com/google-research/pactran_metrics
 * @example
 * ```ts
 * const source = { rows: 4, cols: 2, data: new Float64Array([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.2, 0.8]) };
 * console.assert(Number.isFinite(pactranGamma(source, Int32Array.from([0, 0, 1, 1]), 2).value));
 * ```
 */
export function pactranGamma(
  source: Matrix,
  labels: Int32Array,
  classes: number,
  options: DiscretePactranOptions = {},
): DiscretePactranResult {
  const p = prepare(source, labels, classes, options);
  const { n, k, c, aw, a0, logS, iterations } = p;
  const s = source.data;
  const logits = new Float64Array(n * k);
  const psiAw = new Float64Array(c * k);
  const columnSum = new Float64Array(k);
  const l = new Float64Array(n);
  for (let t = 0; t < iterations; t++) {
    updateConcentration(p, labels);
    columnSums(p, columnSum);
    for (let i = 0; i < n; i++) {
      let li = 0;
      for (let z = 0; z < k; z++) li += s[i * k + z] * columnSum[z];
      l[i] = li;
    }
    for (let j = 0; j < c * k; j++) psiAw[j] = digamma(aw[j]);
    for (let i = 0; i < n; i++) {
      const row = labels[i] * k;
      for (let z = 0; z < k; z++) logits[i * k + z] = logS[i * k + z] + psiAw[row + z];
    }
    softmaxRows(p, logits);
  }
  let prior = 0;
  for (let y = 0; y < c; y++) {
    const lg0 = logGamma(a0[y]);
    for (let z = 0; z < k; z++) prior += lg0 - logGamma(aw[y * k + z]);
  }
  const kl = klSum(p);
  let logL = 0;
  for (let i = 0; i < n; i++) logL += Math.log(l[i]) - 1;
  return {
    value: (prior + kl + logL) / (n * c) + 1,
    priorConcentration: a0,
    posteriorConcentration: aw,
    klDivergence: kl,
  };
}
