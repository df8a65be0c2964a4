// Rank agreement between a transferability score and a ground truth (METRICS-SPEC, "Rank agreement").
// Browser-safe: no Node imports, no dependencies beyond tensor-io's main entry (errors, seeded random).
// The browser entry also carries the published ground-truth tables and the truth-table parser.
import { EmmsError } from '@emms/tensor-io';
import { TRUTH_CODES } from './truth-codes';

export {
  drawCounts,
  type ItemTruth,
  type ItemTruthEvaluator,
  itemTruthEvaluator,
  quantileSorted,
} from './item-truth';
export {
  type ParseTruthOptions,
  PUBLISHED_TRUTH_IDS,
  type PublishedTruth,
  type PublishedTruthId,
  parseTruthTable,
  publishedTruth,
  type TruthTable,
  truthForDataset,
} from './published-truth';
export { TRUTH_CODES } from './truth-codes';

/** Numbers a correlation accepts: a plain array or any typed array. */
export type NumberList = ArrayLike<number>;

function checkPair(x: NumberList, y: NumberList, what: string): number {
  if (x.length !== y.length) {
    throw new EmmsError('SHAPE_MISMATCH', `${what}: x has ${x.length} values but y has ${y.length}`, {
      input: 'y',
      details: { x: x.length, y: y.length },
    });
  }
  for (const [name, v] of [
    ['x', x],
    ['y', y],
  ] as const) {
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) {
        throw new EmmsError('NON_FINITE', `${what}: ${name}[${i}] is ${v[i]}; give finite numbers`, {
          input: name,
          details: { index: i },
        });
      }
    }
  }
  return x.length;
}

function isConstant(v: NumberList): boolean {
  for (let i = 1; i < v.length; i++) if (v[i] !== v[0]) return false;
  return true;
}

/**
 * One direction of Vigna's weighted τ with the hyperbolic weigher and additive pair weights:
 * the importance rank of element i is its position when the elements are sorted by decreasing
 * `x`, ties in `x` by decreasing `y`, remaining ties by decreasing index (scipy's lexsort order,
 * reversed). The pair (i, j) weighs 1/(r_i+1) + 1/(r_j+1). Returns null when x or y is constant.
 */
function weightedTauOneWay(x: NumberList, y: NumberList): number | null {
  const n = x.length;
  if (isConstant(x) || isConstant(y)) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || y[a] - y[b] || a - b);
  const w = new Float64Array(n);
  for (let p = 0; p < n; p++) w[order[p]] = 1 / (n - 1 - p + 1);
  let sumW = 0;
  for (let i = 0; i < n; i++) sumW += w[i];
  const total = sumW * (n - 1);
  let tiesX = 0;
  let tiesY = 0;
  let tiesBoth = 0;
  let discordant = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const pair = w[i] + w[j];
      const ex = x[i] === x[j];
      const ey = y[i] === y[j];
      if (ex) tiesX += pair;
      if (ey) tiesY += pair;
      if (ex && ey) tiesBoth += pair;
      if ((x[i] < x[j] && y[i] > y[j]) || (x[i] > x[j] && y[i] < y[j])) discordant += pair;
    }
  }
  const tau =
    (total - (tiesY + tiesX - tiesBoth) - 2 * discordant) /
    Math.sqrt(total - tiesX) /
    Math.sqrt(total - tiesY);
  return Math.min(1, Math.max(-1, tau));
}

/**
 * Weighted Kendall τ exactly as `scipy.stats.weightedtau(x, y)` computes it with its defaults
 * (rank=True, hyperbolic weigher 1/(r+1), additive=True): the mean of the two weighted τ's whose
 * importance ranks come from decreasing `x` and from decreasing `y`, ties handled as in Vigna,
 * "A weighted correlation index for rankings with ties" (WWW 2015). Pairs are enumerated directly
 * (O(n²)), which for model rankings (tens of models) is cheaper than the merge-sort formulation
 * and gives the same sums.
 *
 * Where scipy returns NaN (x or y constant, or fewer than two values) this returns 0: a ranking
 * with no order agrees with nothing, and NaN never leaves the library.
 *
 * @param x - n values (e.g. a score per model; higher = ranked first).
 * @param y - n values (e.g. the ground truth per model).
 * @returns τ_w in [−1, 1]; 0 when either input is constant.
 * @throws EmmsError `SHAPE_MISMATCH` when the lengths differ, `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * weightedTau([0.1, 0.4, 0.35, 0.8], [70, 82, 75, 91]); // 1 (same order)
 * weightedTau([1, 2, 3], [3, 2, 1]); // -1
 * ```
 */
export function weightedTau(x: NumberList, y: NumberList): number {
  checkPair(x, y, 'weightedTau');
  const a = weightedTauOneWay(x, y);
  const b = weightedTauOneWay(y, x);
  if (a === null || b === null) return 0;
  return (a + b) / 2;
}

/**
 * Kendall's τ-b (as `scipy.stats.kendalltau(x, y)` with its defaults): (concordant − discordant)
 * over √((n₀ − tiesₓ)(n₀ − tiesᵧ)), n₀ = n(n−1)/2.
 *
 * @param x - n values.
 * @param y - n values.
 * @returns τ-b in [−1, 1]; 0 when either input is constant (scipy: NaN).
 * @throws EmmsError `SHAPE_MISMATCH`, `NON_FINITE`.
 * @example
 * ```ts
 * kendallTauB([1, 2, 3, 4], [1, 3, 2, 4]); // 0.6666…
 * ```
 */
export function kendallTauB(x: NumberList, y: NumberList): number {
  const n = checkPair(x, y, 'kendallTauB');
  if (isConstant(x) || isConstant(y)) return 0;
  let tiesX = 0;
  let tiesY = 0;
  let tiesBoth = 0;
  let discordant = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const ex = x[i] === x[j];
      const ey = y[i] === y[j];
      if (ex) tiesX++;
      if (ey) tiesY++;
      if (ex && ey) tiesBoth++;
      if ((x[i] < x[j] && y[i] > y[j]) || (x[i] > x[j] && y[i] < y[j])) discordant++;
    }
  }
  const total = (n * (n - 1)) / 2;
  const tau =
    (total - tiesX - tiesY + tiesBoth - 2 * discordant) / Math.sqrt((total - tiesX) * (total - tiesY));
  return Math.min(1, Math.max(-1, tau));
}

function weightedCorrelation(xIn: NumberList, yIn: NumberList, w: NumberList): number {
  const n = xIn.length;
  // correlation is scale-free: dividing by the largest magnitude keeps values near 1e308 from overflowing
  const x = scaledToUnit(xIn);
  const y = scaledToUnit(yIn);
  let sw = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i];
    mx += w[i] * x[i];
    my += w[i] * y[i];
  }
  mx /= sw;
  my /= sw;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += w[i] * dx * dy;
    sxx += w[i] * dx * dx;
    syy += w[i] * dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return 0;
  return Math.min(1, Math.max(-1, sxy / Math.sqrt(sxx * syy)));
}

/** The values divided by their largest magnitude (a power of two, so exact), or as they are when that is 0. */
function scaledToUnit(v: NumberList): Float64Array {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  const out = Float64Array.from(v);
  if (!(m > 0)) return out;
  // two powers of two, each within float64's range even for subnormal or near-overflow magnitudes
  const e = Math.ceil(Math.log2(m));
  const a = 2 ** -Math.trunc(e / 2);
  const b = 2 ** -(e - Math.trunc(e / 2));
  for (let i = 0; i < out.length; i++) out[i] = out[i] * a * b;
  return out;
}

/**
 * Pearson's correlation coefficient.
 *
 * @param x - n values.
 * @param y - n values.
 * @returns r in [−1, 1]; 0 when either input is constant (scipy: NaN).
 * @throws EmmsError `SHAPE_MISMATCH`, `NON_FINITE`.
 * @example
 * ```ts
 * pearson([1, 2, 3], [2, 4, 7]); // 0.9933…
 * ```
 */
export function pearson(x: NumberList, y: NumberList): number {
  checkPair(x, y, 'pearson');
  if (isConstant(x) || isConstant(y)) return 0;
  return weightedCorrelation(x, y, new Float64Array(x.length).fill(1));
}

/**
 * Ranks 1..n with tied values given the mean of the ranks they span (scipy's `rankdata`
 * 'average' method).
 *
 * @param v - n values.
 * @returns n float ranks (smallest value has rank 1).
 * @example
 * ```ts
 * averageRanks([10, 20, 10, 30]); // Float64Array [1.5, 3, 1.5, 4]
 * ```
 */
export function averageRanks(v: NumberList): Float64Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b] || a - b);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && v[order[end]] === v[order[start]]) end++;
    const mean = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = mean;
    start = end;
  }
  return ranks;
}

/**
 * Spearman's ρ: Pearson's correlation of the average ranks (as `scipy.stats.spearmanr`).
 *
 * @param x - n values.
 * @param y - n values.
 * @returns ρ in [−1, 1]; 0 when either input is constant (scipy: NaN).
 * @throws EmmsError `SHAPE_MISMATCH`, `NON_FINITE`.
 * @example
 * ```ts
 * spearman([1, 2, 3, 4], [10, 30, 20, 40]); // 0.8
 * ```
 */
export function spearman(x: NumberList, y: NumberList): number {
  checkPair(x, y, 'spearman');
  if (isConstant(x) || isConstant(y)) return 0;
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Weighted Pearson correlation, with weights N − i by the order the values are listed (the first
 * pair weighs N, the last 1), as METRICS-SPEC defines it; `weights` overrides them. The weighted
 * means and (co)variances use the weights as frequency weights, as `numpy.cov(x, y, aweights=w)`
 * does up to a common factor.
 *
 * @param x - n values.
 * @param y - n values.
 * @param weights - n non-negative weights (default N − i, i = 0..N−1).
 * @returns r_w in [−1, 1]; 0 when either input has no weighted spread.
 * @throws EmmsError `SHAPE_MISMATCH`, `NON_FINITE` (also for bad weights).
 * @example
 * ```ts
 * weightedPearson([3, 1, 2], [90, 70, 85]); // weights 3, 2, 1
 * ```
 */
export function weightedPearson(x: NumberList, y: NumberList, weights?: NumberList): number {
  const n = checkPair(x, y, 'weightedPearson');
  const w = weights ?? Float64Array.from({ length: n }, (_, i) => n - i);
  if (w.length !== n) {
    throw new EmmsError('SHAPE_MISMATCH', `weightedPearson: weights has ${w.length} values, x has ${n}`, {
      input: 'weights',
    });
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(w[i]) || w[i] < 0) {
      throw new EmmsError(
        'NON_FINITE',
        `weightedPearson: weights[${i}] is ${w[i]}; give finite weights ≥ 0`,
        {
          input: 'weights',
          details: { index: i },
        },
      );
    }
  }
  return weightedCorrelation(x, y, w);
}

/** Options of {@link agreement}. */
export interface AgreementOptions {
  /** False when a lower score predicts a better model (the scores are negated first). Default true. */
  readonly higherIsBetter?: boolean;
}

/** The rank-agreement figures of one score against one ground truth. */
export interface AgreementFigures {
  /** Weighted τ (scipy defaults). */
  readonly weightedTau: number;
  /** Kendall τ-b. */
  readonly kendallTau: number;
  /** Pearson r between score and ground truth. */
  readonly pearson: number;
  /** Spearman ρ. */
  readonly spearman: number;
  /** Weighted Pearson, weights N − i by the ground-truth table's listing order. */
  readonly weightedPearson: number;
  /** Best ground truth among the top-1 by score ÷ best ground truth overall. */
  readonly rel1: number;
  /** Best ground truth among the top-3 by score ÷ best ground truth overall. */
  readonly rel3: number;
  /** Best ground truth overall − ground truth of the score's top pick (≥ 0, in the truth's unit). */
  readonly regret1: number;
  /** Number of models compared. */
  readonly models: number;
  /** Present when a figure degenerated (constant scores or truth, non-positive truth). */
  readonly warnings?: readonly string[];
}

/**
 * Model → value, as a Map or a plain object. Maps are used throughout, so that any model name works
 * (an object's own `__proto__`, `constructor` or `toString` key is read like any other).
 */
export type ModelValues = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

/**
 * `values` as a Map (an object's own enumerable keys, in order), each value checked finite.
 *
 * @throws EmmsError `NON_FINITE` naming the model and `input`.
 */
export function modelMap(values: ModelValues, input: string): Map<string, number> {
  const map = new Map<string, number>(values instanceof Map ? values : Object.entries(values));
  for (const [model, v] of map) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new EmmsError(
        'NON_FINITE',
        `${input}: the value of model "${model}" is ${v}; give a finite number`,
        {
          input,
          details: { model },
        },
      );
    }
  }
  return map;
}

/** Fewer than two models: no ranking to compare. */
function tooFew(models: readonly string[]): EmmsError {
  return new EmmsError(
    TRUTH_CODES.TOO_FEW_MODELS,
    `scores: ${models.length} model(s) (${models.join(', ') || 'none'}); rank agreement needs at least two`,
    { input: 'scores', details: { models } },
  );
}

/**
 * The models of `scores` in the ground truth's listing order, after checking that there are at
 * least two and that each has a ground-truth value. Models only in `truth` are ignored.
 */
function alignModels(scores: ReadonlyMap<string, number>, truth: ReadonlyMap<string, number>): string[] {
  const scored = [...scores.keys()];
  if (scored.length < 2) throw tooFew(scored);
  const missing = scored.filter((m) => !truth.has(m));
  if (missing.length > 0) {
    throw new EmmsError(
      TRUTH_CODES.MODEL_NOT_IN_TRUTH,
      `truth: no ground-truth value for model(s) ${missing.map((m) => `"${m}"`).join(', ')}; ` +
        `add them to the truth table or leave them out of the scores (truth has: ${[...truth.keys()].join(', ')})`,
      { input: 'truth', details: { missing } },
    );
  }
  return [...truth.keys()].filter((m) => scores.has(m));
}

/**
 * Positions 0..n−1 ordered by decreasing score; ties in the score are broken pessimistically
 * (the model with the lower ground truth first, then the later-listed one), so that a score
 * cannot earn rel@k by failing to separate models.
 */
function topOrder(score: Float64Array, truth: Float64Array): number[] {
  return Array.from({ length: score.length }, (_, i) => i).sort(
    (a, b) => score[b] - score[a] || truth[a] - truth[b] || b - a,
  );
}

/**
 * All rank-agreement figures of one score against one ground truth (METRICS-SPEC, "Rank
 * agreement"): weighted τ, Kendall τ-b, Pearson, Spearman, weighted Pearson, rel@1, rel@3,
 * regret@1. The ground truth is higher-is-better (an accuracy, a caption score).
 *
 * - Models are compared in the ground truth's listing order (the order of `truth`'s keys); models
 *   present only in `truth` are ignored. The weighted Pearson's weights N − i follow that order.
 * - rel@k = best ground truth among the top-k models by score ÷ best ground truth overall; ties
 *   in the score are broken pessimistically (lower ground truth first). When the best ground
 *   truth is not positive the ratio means nothing, so rel@k is then 1 − (best − top-k best) /
 *   (best − worst) instead, with a warning.
 * - regret@1 = best ground truth − ground truth of the score's top pick (0 when it picks the best).
 * - A constant score or ground truth makes the correlations 0 (scipy would give NaN) and adds a
 *   warning.
 *
 * With two models every correlation is ±1 (or 0 when one input is constant), as scipy gives them.
 *
 * @param scores - model name → score value (at least two models), a Map or a plain object.
 * @param truth - model name → ground-truth value; must hold every model of `scores`.
 * @param options - {@link AgreementOptions}: `higherIsBetter` (default true).
 * @returns {@link AgreementFigures}, every figure finite.
 * @throws EmmsError `TOO_FEW_MODELS` (fewer than two scored models), `MODEL_NOT_IN_TRUTH` (names
 * the models), `NON_FINITE` (a NaN or infinite value, naming the model).
 * @example
 * ```ts
 * const figures = agreement(
 *   { resnet50: -0.8, vit_b16: -0.5, mobilenet: -1.2 },
 *   { resnet50: 91.2, vit_b16: 93.5, mobilenet: 88.0 },
 * );
 * figures.weightedTau; // 1
 * figures.regret1; // 0
 * ```
 */
export function agreement(
  scores: ModelValues,
  truth: ModelValues,
  options: AgreementOptions = {},
): AgreementFigures {
  const scoreMap = modelMap(scores, 'scores');
  const truthMap = modelMap(truth, 'truth');
  const models = alignModels(scoreMap, truthMap);
  const sign = options.higherIsBetter === false ? -1 : 1;
  const n = models.length;
  const x = Float64Array.from(models, (m) => sign * scoreMap.get(m)! + 0);
  const y = Float64Array.from(models, (m) => truthMap.get(m)!);
  const warnings: string[] = [];
  if (isConstant(x)) warnings.push('every model has the same score; the correlations are set to 0');
  if (isConstant(y)) warnings.push('every model has the same ground truth; the correlations are set to 0');

  const order = topOrder(x, y);
  let best = Number.NEGATIVE_INFINITY;
  let worst = Number.POSITIVE_INFINITY;
  for (const v of y) {
    best = Math.max(best, v);
    worst = Math.min(worst, v);
  }
  const bestOfTop = (k: number) => {
    let b = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < Math.min(k, n); i++) b = Math.max(b, y[order[i]]);
    return b;
  };
  const rel = (k: number) => {
    const top = bestOfTop(k);
    if (best > 0) return top / best;
    return best === worst ? 1 : 1 - (best - top) / (best - worst);
  };
  if (!(best > 0)) {
    warnings.push(
      `the best ground-truth value is ${best} (not positive): rel@k is range-normalised, 1 − (best − top-k)/(best − worst)`,
    );
  }
  return {
    weightedTau: weightedTau(x, y),
    kendallTau: kendallTauB(x, y),
    pearson: pearson(x, y),
    spearman: spearman(x, y),
    weightedPearson: weightedPearson(x, y),
    rel1: rel(1),
    rel3: rel(3),
    regret1: best - y[order[0]],
    models: n,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

export {
  type BootstrapInput,
  type BootstrapInterval,
  bootstrapWeightedTau,
  intervalsOverlap,
} from './agreement-bootstrap';
