import type { LinalgBackend } from '@emms/linalg';
import type { Matrix, ProgressListener } from '@emms/tensor-io';

/** The inputs a score can ask for. */
export type MetricInputName = 'features' | 'labels' | 'flabels' | 'probs' | 'targets';

/**
 * Everything a score may be given. Which fields must be present is declared by each metric's
 * `inputs.required`; a defined metric validates them before its computation runs.
 */
export interface MetricInputs {
  /** N×D features of the candidate model on the target data. */
  readonly features?: Matrix;
  /** N integer labels in [0, C). */
  readonly labels?: Int32Array;
  /** F-labels Y_1..Y_K, each N×L, in the order given. */
  readonly flabels?: readonly Matrix[];
  /** N×Cs source-model class probabilities (rows sum to 1). */
  readonly probs?: Matrix;
  /** N×T regression target (e.g. one F-label for LogME). */
  readonly targets?: Matrix;
}

/** A score's value plus whatever diagnostics are worth showing. */
export interface MetricResult {
  /** The score: always a finite number. */
  readonly value: number;
  /** Diagnostics; `warning` (a string) says when the value saturated or the input was degenerate. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** What the runner hands every compute call besides inputs and options. */
export interface MetricContext {
  /** Linear-algebra backend to use. */
  readonly backend: LinalgBackend;
  /** Abort a long computation; metrics check it between major steps. */
  readonly signal?: AbortSignal;
  /** Progress for long computations. */
  readonly onProgress?: ProgressListener;
  /**
   * Labels with unused class ids (e.g. 0, 2, 5): false (default) fails with MISSING_CLASSES, true
   * maps the classes present to 0..C'−1 before the score runs. A run-level setting, not a metric option.
   */
  readonly relabel?: boolean;
}

/**
 * The score recomputed under row multiplicities: `counts[i]` copies of row i of every per-sample
 * input (non-negative integers; a bootstrap resample has Σ counts = N). Its value equals the score
 * computed on those rows materialised, without materialising them: work that does not depend on
 * the multiplicities (input checks, wide products, factorisations of fixed parts) is done once when
 * the resampler is prepared. Throws EmmsError when a resample is degenerate for the score.
 */
export type MetricResampler = (counts: Float64Array) => number;

/**
 * What preparing a metric for resampling gives: `resample`, or `unavailable` with the reason the
 * score cannot be recomputed cheaply on these inputs (e.g. it refits a mixture on every call).
 */
export type MetricResampling = { readonly resample: MetricResampler } | { readonly unavailable: string };

/** One documented option of a v1 metric (the list form of specification v1). */
export interface MetricOptionSpec {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'string';
  readonly default: number | boolean | string | undefined;
  readonly description: string;
  /** For string options: the allowed values. */
  readonly choices?: readonly string[];
}

/**
 * The plain description of one option of a defined metric, derived from its schema: what
 * `emms metrics NAME` prints and the docs tabulate.
 */
export interface MetricOptionInfo extends MetricOptionSpec {
  /** Smallest allowed value (numbers). */
  readonly min?: number;
  /** Whether `min` itself is excluded. */
  readonly minExclusive?: boolean;
  /** Largest allowed value (numbers). */
  readonly max?: number;
  /** Whether `max` itself is excluded. */
  readonly maxExclusive?: boolean;
  /** The allowed values in words, e.g. "an integer ≥ 1" or "a number in (0, 1]". */
  readonly allowed: string;
}

/** A paper and the reference implementation a metric reproduces. */
export interface MetricReference {
  /** Authors, title and venue. */
  readonly title: string;
  /** arXiv identifier, e.g. "2308.06262". */
  readonly arxiv?: string;
  /** Repository of the reference implementation, e.g. "github.com/thuml/LogME". */
  readonly repository?: string;
  /** The commit of `repository` our numbers are checked against, when known. */
  readonly commit?: string;
}

/** Which inputs a metric needs (`required`) and which it uses when given (`optional`). */
export interface MetricInputSpec {
  readonly required: readonly MetricInputName[];
  readonly optional?: readonly MetricInputName[];
}

/**
 * A metric written against specification v1: options as a {@link MetricOptionSpec} list and a
 * `compute` that receives them unchecked. Registries and plugins still accept it; it is adapted
 * with {@link fromV1Metric} (options checked against the list, inputs validated) on registration.
 */
export interface MetricV1<O extends Record<string, unknown> = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  readonly id: string;
  readonly description: string;
  readonly inputs: MetricInputSpec;
  readonly higherIsBetter: boolean;
  readonly options: readonly MetricOptionSpec[];
  compute(
    inputs: MetricInputs,
    options: Partial<O>,
    context: MetricContext,
  ): MetricResult | Promise<MetricResult>;
}

/**
 * A metric of specification v2, made by {@link defineMetric} (or adapted from v1). Its `compute`
 * checks the options and validates the inputs itself, so no caller can reach the computation with
 * unchecked values.
 */
export interface Metric<
  O extends Record<string, unknown> = Record<string, unknown>,
  R extends MetricResult | Promise<MetricResult> = MetricResult | Promise<MetricResult>,
> {
  readonly specificationVersion: 'v2';
  /** Stable id, lower case, e.g. "logme". Registries match ids case-insensitively. */
  readonly id: string;
  /** One line for `emms metrics`. */
  readonly description: string;
  /** Inputs: `required` must all be present; `optional` are used when given. */
  readonly inputs: MetricInputSpec;
  /** Higher is better (true for every built-in score; false for the PACTran bounds). */
  readonly higherIsBetter: boolean;
  /** Every option with its type, default, range, choices and description (derived from the schema). */
  readonly options: readonly MetricOptionInfo[];
  /** The papers and reference implementations the metric reproduces. */
  readonly references: readonly MetricReference[];
  /** When the score is meaningful (sample sizes, input kinds), in a sentence or two. */
  readonly regime: string;
  /**
   * Checks raw options (INVALID_OPTION naming `<id>.<option>`, the allowed range and the bad value)
   * and returns them completed with defaults.
   */
  parseOptions(options?: Readonly<Record<string, unknown>>): O;
  /**
   * Validates `inputs`, checks `options`, runs the score and checks its value is finite.
   * `context.backend` defaults to the current backend of `@emms/linalg`.
   */
  compute(
    inputs: MetricInputs,
    options?: Readonly<Record<string, unknown>>,
    context?: Partial<MetricContext>,
  ): R;
  /**
   * Optional: validates `inputs` and checks `options` as `compute` does, then prepares the score for
   * many resamples of the rows ({@link MetricResampler}); absent when the metric has no resampling
   * path. Every value a resampler returns is checked finite.
   */
  prepareResampling?(
    inputs: MetricInputs,
    options?: Readonly<Record<string, unknown>>,
    context?: Partial<MetricContext>,
  ): MetricResampling;
}

/** Either specification version: what registries and plugin packages accept. */
export type AnyMetric = Metric | MetricV1;

/**
 * What a metric plugin package exports (as `default`, as `plugin`, or as a named `metrics` array).
 * `specificationVersion` 'v2' plugins may mix v1 and v2 metrics; 'v1' plugins hold v1 metrics.
 */
export interface MetricPlugin {
  readonly specificationVersion: 'v1' | 'v2';
  readonly name: string;
  readonly metrics: readonly AnyMetric[];
}
