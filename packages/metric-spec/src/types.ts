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

/**
 * The plain description of one option of a defined metric, derived from its schema: what
 * `emms metrics NAME` prints and the docs tabulate.
 */
export interface MetricOptionInfo {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'string';
  readonly default: number | boolean | string | undefined;
  readonly description: string;
  /** For string options: the allowed values. */
  readonly choices?: readonly string[];
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

/** The run-level presets: `published` (the reference implementations) and `rank` (reduce "auto" and each metric's declared rank options). */
export type Preset = 'published' | 'rank';

/** The preset names, in the order help texts list them. */
export const PRESET_NAMES: readonly Preset[] = ['published', 'rank'];

/** N, D (after any reduction) and C of a run: what a metric's saturation check looks at. */
export interface RunShape {
  /** Samples N. */
  readonly samples: number;
  /** Feature dimension D as the metric sees it (after the run's reduce stage). */
  readonly features: number;
  /** Classes C = max(label) + 1 (0 without labels). */
  readonly classes: number;
}

/** What the docs show about a metric besides its options, references and regime (Markdown, TeX in `$…$`). */
export interface MetricDocs {
  /** A paragraph introducing the score, shown above its formula. */
  readonly summary?: string;
  /** What is computed, step by step. */
  readonly formula?: string;
  /** The cost in N, D and C. */
  readonly cost?: string;
  /** Further sections of the metric's page, in order. */
  readonly notes?: readonly { readonly title: string; readonly body: string }[];
}

/**
 * A metric of specification v2, made by {@link defineMetric}. Its `compute` checks the options and
 * validates the inputs itself, so no caller can reach the computation with unchecked values. Every
 * fact the runner, the CLI and the docs need about it lives here, so a plugin carries the same
 * facts as a built-in score.
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
   * Options each run-level preset sets for this metric unless the caller sets them, e.g.
   * `{ rank: { variant: 'corrected' } }` (checked against the option schema when defined).
   */
  readonly presets: Readonly<Partial<Record<Preset, Readonly<Record<string, unknown>>>>>;
  /** Formula, cost and notes for the docs. */
  readonly docs: MetricDocs;
  /**
   * Whether a run of this shape is in a regime where the score saturates or stops measuring
   * transferability: a one-line warning (the runner adds it to `details.warning`), else undefined.
   * `options` are the metric's options as given (checked and completed here).
   */
  saturation(shape: RunShape, options?: Readonly<Record<string, unknown>>): string | undefined;
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

/**
 * What a metric plugin package exports (as `default`, as `plugin`, or as a named `metrics` array):
 * metrics made with {@link defineMetric}.
 */
export interface MetricPlugin {
  readonly specificationVersion: 'v2';
  readonly name: string;
  readonly metrics: readonly Metric[];
}
