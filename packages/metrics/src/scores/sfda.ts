import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import { defineMetric, degenerate, type MetricResampling, scoreFunction } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { solveSpdSafe } from '../kernels';
import {
  type KeptRows,
  requireEveryClass,
  resampleMoments,
  scaledRows,
  tooWide,
  weightedClassMeans,
} from '../resample-rows';
import {
  classCounts,
  classMeans,
  classResiduals,
  matVec,
  numClasses,
  selectRows,
  softmaxRows,
  toDense,
} from '../util';
import { sfdaDocs } from './docs/sfda';

/** SFDA with its diagnostics. */
export interface SfdaResult {
  readonly value: number;
  /** The shrinkage s = max(exp(−5 λ̂), 1e-10) of the first fit, reused by the refit. */
  readonly shrinkage: number;
  /** λ̂: the power-iteration estimate of the largest eigenvalue of S_w. */
  readonly largestEigenvalue: number;
}

/**
 * Row weights of a resample over the rows of the matrix in use (all of them, each with its count),
 * or undefined for the plain computation.
 */
type Weights = KeptRows | undefined;

/** Class means, weighted when `w` is given. */
function meansOf(x: Dense, y: Int32Array, c: number, w: Weights): Dense {
  return w ? weightedClassMeans(x, y, c, w).means : classMeans(x, y, c);
}

/**
 * Within-class scatter S_w = Σ_c π_c Cov_c (population covariances) = (X − M[y])ᵀ(X − M[y]) / N
 * (with weights: Σ w (x − μ_y)(x − μ_y)ᵀ / Σ w).
 */
function withinScatter(backend: LinalgBackend, x: Dense, y: Int32Array, means: Dense, w: Weights): Dense {
  const n = w ? w.total : x.rows;
  const s = backend.gram(w ? scaledRows(x, w, means.data, y) : classResiduals(x, y, means));
  for (let i = 0; i < s.data.length; i++) s.data[i] /= n;
  return s;
}

function normalised(v: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** λ̂ from three power steps starting at the row sums of `a`, as the SFDA reference (iterative_A). */
function largestEigenvalueEstimate(a: Dense, steps = 3): number {
  const n = a.rows;
  let x: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) x[i] += a.data[i * n + j];
  let y = x;
  for (let s = 0; s < steps; s++) {
    y = normalised(matVec(a, x));
    x = normalised(matVec(a, y));
  }
  const ay = matVec(a, y);
  let v = 0;
  for (let i = 0; i < n; i++) v += x[i] * ay[i];
  return v;
}

/**
 * The regularised discriminant posterior p(c | x_i): coef = M S_w,s⁻¹ with
 * S_w,s = (1 − s) S_w + s (tr S_w / D) I, logits = coef x − ½ diag(M coefᵀ) + log π, row softmax.
 */
function fdaPosterior(
  backend: LinalgBackend,
  x: Dense,
  y: Int32Array,
  c: number,
  priors: Float64Array,
  s: number,
  w: Weights,
  fitted?: { readonly means: Dense; readonly sw: Dense },
) {
  const d = x.cols;
  const means = fitted?.means ?? meansOf(x, y, c, w);
  const sw = fitted?.sw ?? withinScatter(backend, x, y, means, w);
  let tr = 0;
  for (let i = 0; i < d; i++) tr += sw.data[i * d + i];
  for (let i = 0; i < sw.data.length; i++) sw.data[i] *= 1 - s;
  for (let i = 0; i < d; i++) sw.data[i * d + i] += (s * tr) / d;
  const coefT = solveSpdSafe(backend, sw, transposeSmall(means)); // D×C = S⁻¹ Mᵀ
  const logits = backend.matmul(x, coefT); // N×C
  const inter = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += means.data[k * d + j] * coefT.data[j * c + k];
    inter[k] = -0.5 * q + Math.log(priors[k]);
  }
  for (let i = 0; i < x.rows; i++) for (let k = 0; k < c; k++) logits.data[i * c + k] += inter[k];
  return softmaxRows(logits);
}

function transposeSmall(m: Dense): Dense {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return { rows: m.cols, cols: m.rows, data: out };
}

/**
 * SFDA (Shao et al., ECCV 2022) exactly as the TencentARC/SFDA code computes it: a regularised FDA
 * fit with self-tuned shrinkage, the posterior softened by a second softmax (a quirk of the reference),
 * ConfMix (each x_i pulled toward the mean of the other classes' means by 1 − p'_{i,y_i}), a refit with
 * the same shrinkage, and score = mean_i p(y_i | x_i).
 */
export function sfdaCompute(
  features: Matrix,
  labels: Int32Array,
  options: { backend?: LinalgBackend } = {},
): SfdaResult {
  return sfdaOn(toDense(features), labels, numClasses(labels), options.backend ?? getBackend(), undefined);
}

/** SFDA on the rows of `x` (a copy it may change), weighted by `w` when given. */
function sfdaOn(
  x: Dense,
  labels: Int32Array,
  c: number,
  backend: LinalgBackend,
  w: Weights,
  first?: { readonly counts: Float64Array; readonly means: Dense; readonly sw: Dense },
): SfdaResult {
  const { rows: n, cols: d } = x;
  const counts = first?.counts ?? (w ? weightedClassMeans(x, labels, c, w).counts : classCounts(labels, c));
  const total = w ? w.total : n;
  const priors = counts.map((v) => v / total);

  const means0 = first?.means ?? meansOf(x, labels, c, w);
  const sw0 = first?.sw ?? withinScatter(backend, x, labels, means0, w);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += sw0.data[i * d + i];
  if (!(trace > 0)) {
    throw degenerate(
      'sfda',
      'features',
      'do not vary within any class (the within-class scatter is zero, so the discriminant is undefined)',
      'give features that vary between samples of a class, or more samples per class',
    );
  }
  const lambda = largestEigenvalueEstimate(sw0);
  if (!Number.isFinite(lambda)) {
    throw degenerate(
      'sfda',
      'features',
      'are too large or too small for the power iteration (the within-class scatter overflows or underflows)',
      'rescale the features (e.g. standardise them) before scoring',
      { largestEigenvalue: String(lambda) },
    );
  }
  const s = Math.max(Math.exp(-5 * lambda), 1e-10);

  // the first fit is the one just made (its scatter is not needed after the estimate above)
  const p = fdaPosterior(backend, x, labels, c, priors, s, w, { means: means0, sw: sw0 });
  softmaxRows(p); // the reference's second softmax, of probabilities

  // ConfMix, with every mean taken on the original features.
  const other = new Float64Array(c * d);
  for (let j = 0; j < d; j++) {
    let tot = 0;
    for (let k = 0; k < c; k++) tot += means0.data[k * d + j];
    for (let k = 0; k < c; k++) other[k * d + j] = (tot - means0.data[k * d + j]) / (c - 1);
  }
  for (let i = 0; i < n; i++) {
    const k = labels[i];
    const conf = p.data[i * c + k];
    for (let j = 0; j < d; j++) x.data[i * d + j] = conf * x.data[i * d + j] + (1 - conf) * other[k * d + j];
  }

  const p2 = fdaPosterior(backend, x, labels, c, priors, s, w);
  let value = 0;
  for (let i = 0; i < n; i++) value += (w ? w.weight[i] : 1) * p2.data[i * c + labels[i]];
  return { value: value / total, shrinkage: s, largestEigenvalue: lambda };
}

/**
 * SFDA under row multiplicities: the kept rows with their counts as weights in every class mean,
 * scatter, prior and the final average, equal to {@link sfdaCompute} on the materialised rows.
 */
function sfdaResampling(features: Matrix, labels: Int32Array, backend: LinalgBackend): MetricResampling {
  const why = tooWide(features);
  if (why) return { unavailable: why };
  const c = numClasses(labels);
  return {
    resample(counts) {
      const m = resampleMoments(features, labels, c, counts, backend);
      requireEveryClass('sfda', m.counts);
      const { rows } = m;
      const x = selectRows(features, rows.index);
      const y = Int32Array.from(rows.index, (i) => labels[i]);
      const w = { index: Int32Array.from(y.keys()), weight: rows.weight, total: rows.total };
      // the first fit's within-class scatter Σ_c S_c / N from the shared moments
      const d = features.cols;
      const sw = new Float64Array(d * d);
      for (const sc of m.classScatter) for (let i = 0; i < sw.length; i++) sw[i] += sc[i] / rows.total;
      const first = { counts: m.counts, means: m.classMeans, sw: { rows: d, cols: d, data: sw } };
      return sfdaOn(x, y, c, backend, w, first).value;
    },
  };
}

/**
 * SFDA as a metric (id `sfda`). Paper: Shao, Zhao, Ge, Zhang, Luo, Xu, Shan, "Not All Models Are
 * Equal: Predicting Model Transferability in a Self-challenging Fisher Space", ECCV 2022,
 * arXiv 2207.03036. Reference implementation: github.com/TencentARC/SFDA.
 */
export const sfdaMetric = defineMetric({
  id: 'sfda',
  description: 'SFDA: self-challenging Fisher discriminant analysis with ConfMix (Shao et al. 2022)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  references: [
    {
      title:
        'Shao et al., "Not All Models Are Equal: Predicting Model Transferability in a Self-challenging Fisher Space", ECCV 2022',
      arxiv: '2207.03036',
      repository: 'github.com/TencentARC/SFDA',
    },
  ],
  regime:
    'Features that vary within classes; the shrinkage depends on the feature scale (exp(−5λ̂)), as in the reference. Values in (0, 1].',
  saturation: ({ samples: n, features: d }) =>
    d >= n / 2
      ? `D = ${d} ≥ N/2 = ${n / 2}: the classes become linearly separable on the training samples and SFDA saturates towards 1; reduce the features`
      : undefined,
  docs: sfdaDocs,
  compute({ features, labels }, _options, { backend }) {
    const r = sfdaCompute(features!, labels!, { backend });
    return { value: r.value, details: { shrinkage: r.shrinkage, largestEigenvalue: r.largestEigenvalue } };
  },
  resample: ({ features, labels }, _options, { backend }) => sfdaResampling(features!, labels!, backend),
});

/**
 * SFDA: mean_i p(y_i | x_i) of a regularised Fisher discriminant refit after ConfMix.
 *
 * @param inputs - `features` N×D, `labels` N integers in [0, C).
 * @param options - none of its own; `backend`, `relabel`.
 * @returns `{ value, details: { shrinkage, largestEigenvalue } }`, value in (0, 1] (higher is better).
 * @throws EmmsError DEGENERATE_INPUT (features constant within every class), MISSING_INPUT,
 *   ROW_MISMATCH, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES.
 * @see arXiv 2207.03036; github.com/TencentARC/SFDA
 * @example
 * ```ts
 * const features = { rows: 6, cols: 1, data: new Float64Array([0, 0.2, 0.1, 3, 3.2, 3.1]) };
 * const { value } = sfdaScore({ features, labels: Int32Array.from([0, 0, 0, 1, 1, 1]) });
 * console.assert(value > 0.5 && value <= 1);
 * ```
 */
export const sfdaScore = scoreFunction(sfdaMetric);
