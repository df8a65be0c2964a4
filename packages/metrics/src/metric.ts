import type { LinalgBackend } from '@emms/linalg';
import type { Matrix, ProgressListener } from '@emms/tensor-io';

/** The inputs a score can ask for. */
export type MetricInputName = 'features' | 'labels' | 'flabels' | 'probs' | 'targets';

/**
 * Everything a score may be given. Which fields must be present is declared by each metric's
 * `inputs.required`; the caller validates before `compute` runs.
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
  readonly value: number;
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
}

/** One documented option of a metric. */
export interface MetricOptionSpec {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'string';
  readonly default: number | boolean | string | undefined;
  readonly description: string;
  /** For string options: the allowed values. */
  readonly choices?: readonly string[];
}

/**
 * The metric interface every score implements, built-in or from a plugin package.
 * `specificationVersion` lets packages written against an older interface keep working.
 */
export interface Metric<O extends Record<string, unknown> = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** Stable id used on the command line, lower case, e.g. "logme". */
  readonly id: string;
  /** One line for `emms metrics`. */
  readonly description: string;
  /** Inputs: `required` must all be present; `optional` are used when given. */
  readonly inputs: {
    readonly required: readonly MetricInputName[];
    readonly optional?: readonly MetricInputName[];
  };
  /** Higher is better (true for every built-in score). */
  readonly higherIsBetter: boolean;
  /** Documented options with defaults. */
  readonly options: readonly MetricOptionSpec[];
  /** Compute the score. Options not given take their defaults. */
  compute(
    inputs: MetricInputs,
    options: Partial<O>,
    context: MetricContext,
  ): MetricResult | Promise<MetricResult>;
}

/**
 * What a metric plugin package exports (as `default` or as named `metrics`): the metrics to register.
 */
export interface MetricPlugin {
  readonly specificationVersion: 'v1';
  readonly name: string;
  readonly metrics: readonly Metric[];
}
