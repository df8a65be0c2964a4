// The runner's preprocessing stage: the same feature reduction before every score.
import { getBackend, type LinalgBackend, pca } from '@emms/linalg';
import { assertFiniteMatrix, assertNoOverflow } from '@emms/metric-spec';
import { EmmsError, type Matrix } from '@emms/tensor-io';

/** `none`, `auto`, or `pca:K` with K a positive integer. */
export type ReduceOption = 'none' | 'auto' | `pca:${number}`;

/** A parsed {@link ReduceOption}. */
export type ReduceSpec =
  | { readonly mode: 'none' }
  | { readonly mode: 'auto' }
  | { readonly mode: 'pca'; readonly k: number };

/** What the reduction did, recorded in every score's details and in reports. */
export interface ReduceInfo {
  /** The option as given. */
  readonly reduce: string;
  /** 'none' when the features were used as given, 'pca' when projected. */
  readonly applied: 'none' | 'pca';
  /** Feature dimension before. */
  readonly from: number;
  /** Feature dimension after. */
  readonly to: number;
  /** Fraction of the total variance the kept components explain (1 when not reduced). */
  readonly explainedVariance: number;
  /** Why `auto` chose this dimension. */
  readonly rule?: string;
}

/** The largest dimension `auto` keeps. */
export const AUTO_MAX_COMPONENTS = 64;

/**
 * Parses a `reduce` option value. Throws INVALID_OPTION (input `reduce`) for anything but `none`, `auto`
 * or `pca:K` with K a positive integer.
 *
 * @example
 * ```ts
 * parseReduce('pca:32'); // { mode: 'pca', k: 32 }
 * ```
 */
export function parseReduce(value: string): ReduceSpec {
  const v = String(value).trim().toLowerCase();
  if (v === 'none' || v === 'auto') return { mode: v };
  const m = /^pca:(.*)$/.exec(v);
  if (m) {
    const k = Number(m[1]);
    if (m[1] !== '' && Number.isInteger(k) && k > 0) return { mode: 'pca', k };
    throw new EmmsError(
      'INVALID_OPTION',
      `option reduce: "${value}" needs a positive integer number of components after "pca:", e.g. "pca:64"`,
      { input: 'reduce', details: { value } },
    );
  }
  throw new EmmsError('INVALID_OPTION', `option reduce must be "none", "auto" or "pca:K", got "${value}"`, {
    input: 'reduce',
    details: { value },
  });
}

/**
 * The dimension `reduce: 'auto'` keeps for N samples, D features and C classes:
 * K = min(D, 64, max(C, ⌊N/16⌋)). Keeping K ≤ N/16 leaves the regression-based scores (EMMS, LogME,
 * H-score, SFDA) far from the D ≥ N regime where they fit any target perfectly; K ≥ C leaves room for
 * C class directions; 64 caps the cost for large N. Chosen on the offline MNIST benchmark (10 real models,
 * 500 training digits, linear-probe ground truth): EMMS ranked with weighted τ 0.60 on raw features,
 * 0.84 with 32 components and 0.80 with 64.
 * Throws DEGENERATE_INPUT when N < 3·C: too few samples per class for any score to rank reliably.
 *
 * @example
 * ```ts
 * autoComponents(500, 1280, 10); // 31
 * autoComponents(2000, 1280, 10); // 64
 * ```
 */
export function autoComponents(n: number, d: number, classes: number): number {
  if (classes > 0 && n < 3 * classes) {
    throw new EmmsError(
      'DEGENERATE_INPUT',
      `reduce "auto": ${n} samples for ${classes} classes is fewer than 3 per class, too few for any score to rank models reliably; give at least ${3 * classes} samples, or reduce "none" to compute the published values anyway`,
      { input: 'features', details: { samples: n, classes } },
    );
  }
  return Math.max(1, Math.min(d, AUTO_MAX_COMPONENTS, Math.max(classes, Math.floor(n / 16))));
}

/**
 * Applies a `reduce` option (text or already parsed) to N×D features: `none` returns them unchanged; `pca:K` projects them on
 * their K leading principal components (exact, centred, each component's largest loading positive, so
 * the result is deterministic); `auto` does the same with K from {@link autoComponents}, and leaves
 * features with D ≤ K unchanged. `classes` is C (0 when unknown).
 *
 * @throws INVALID_OPTION for a malformed option or K > min(N, D); DEGENERATE_INPUT for `auto` with N < 3·C;
 *   NON_FINITE or VALUE_OVERFLOW (input `features`) when the features hold NaN/±Infinity or values
 *   whose squares overflow, before any projection is computed.
 *
 * @example
 * ```ts
 * const x = { rows: 4, cols: 3, data: new Float64Array([1, 0, 2, 0, 1, 1, 2, 2, 0, 1, 1, 1]) };
 * const { features, info } = reduceFeatures(x, 'pca:2', { classes: 2 });
 * console.assert(features.cols === 2 && info.to === 2 && info.applied === 'pca');
 * ```
 */
export function reduceFeatures(
  x: Matrix,
  reduce: string | ReduceSpec,
  opts: { readonly classes?: number; readonly backend?: LinalgBackend } = {},
): { features: Matrix; info: ReduceInfo } {
  const spec = typeof reduce === 'string' ? parseReduce(reduce) : reduce;
  if (typeof reduce !== 'string') reduce = spec.mode === 'pca' ? `pca:${spec.k}` : spec.mode;
  const n = x.rows;
  const d = x.cols;
  const unchanged = (rule?: string) => ({
    features: x,
    info: { reduce, applied: 'none' as const, from: d, to: d, explainedVariance: 1, rule },
  });
  if (spec.mode === 'none') return unchanged();
  let k: number;
  let rule: string | undefined;
  if (spec.mode === 'pca') {
    k = spec.k;
    if (k > Math.min(n, d)) {
      throw new EmmsError(
        'INVALID_OPTION',
        `option reduce: "pca:${k}" keeps more components than min(samples, features) = min(${n}, ${d}); give at most pca:${Math.min(n, d)}`,
        { input: 'reduce', details: { k, samples: n, features: d } },
      );
    }
  } else {
    k = autoComponents(n, d, opts.classes ?? 0);
    rule = `K = min(D, ${AUTO_MAX_COMPONENTS}, max(C, floor(N/16))) = min(${d}, ${AUTO_MAX_COMPONENTS}, max(${opts.classes ?? 0}, ${Math.floor(n / 16)})) = ${k}`;
    if (d <= k) return unchanged(`${rule}; D ≤ K, features used as given`);
  }
  // The covariance of NaN or huge values is garbage: say which input is at fault instead.
  assertFiniteMatrix(x, 'features');
  assertNoOverflow(x, 'features');
  const p = pca(x, { components: k, backend: opts.backend ?? getBackend() });
  let kept = 0;
  for (const r of p.explainedVarianceRatio) kept += r;
  return {
    features: p.projected,
    info: { reduce, applied: 'pca', from: d, to: p.projected.cols, explainedVariance: kept, rule },
  };
}
