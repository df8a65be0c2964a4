import { getBackend, type LinalgBackend } from '@emms/linalg';
import { METRIC_ERROR_CODES } from '@emms/metric-spec';
import {
  EmmsError,
  type ErrorCode,
  isEmmsError,
  type ProgressListener,
  progressTracker,
} from '@emms/tensor-io';
import type { Metric, MetricInputs } from './metric';
import { defaultRegistry, type MetricRegistry } from './registry';

/** Options of {@link scoreMetrics}. */
export interface ScoreOptions {
  /** Where metric ids are looked up (default: the built-in scores). */
  readonly registry?: MetricRegistry;
  /** Linear-algebra backend (default: the current one from `@emms/linalg`). */
  readonly backend?: LinalgBackend;
  /** Per-metric options, e.g. `{ nleep: { seed: 3 } }`. */
  readonly options?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * Labels with unused class ids (e.g. 0, 2, 5): false (default) reports MISSING_CLASSES, true maps
   * the classes present to 0..C'−1 for every metric. A run-level setting (not a per-metric option);
   * anything but a boolean is INVALID_OPTION.
   */
  readonly relabel?: boolean;
  /** Progress of long computations. */
  readonly onProgress?: ProgressListener;
  /** Stops between (and inside) metrics. */
  readonly signal?: AbortSignal;
}

/** One metric's failure, as reported by {@link scoreMetrics}. */
export interface ScoreError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly input?: string;
}

/** Result of {@link scoreMetrics}: one entry per metric id in each record. */
export interface ScoreReport {
  readonly scores: Record<string, number>;
  readonly seconds: Record<string, number>;
  readonly details: Record<string, unknown>;
  /** Metrics that could not be scored (bad or missing input), with the typed error. */
  readonly errors: Record<string, ScoreError>;
  /** Name of the linear-algebra backend used. */
  readonly backend: string;
}

/**
 * Checks `options` against `metric`'s schema and returns them completed with defaults.
 *
 * @param metric - a registered metric.
 * @param options - raw option values, e.g. `{ seed: 3 }`.
 * @returns the options with defaults filled in.
 * @throws EmmsError INVALID_OPTION naming `<metric>.<option>`, the allowed range and the bad value,
 *   or an unknown option with the known ones.
 * @example
 * ```ts
 * const o = resolveOptions(defaultRegistry.get('nleep'), { seed: 3 });
 * console.assert(o.seed === 3 && o.varianceRatio === 0.8);
 * ```
 */
export function resolveOptions(
  metric: Metric,
  options: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return metric.parseOptions(options);
}

/**
 * Scores `inputs` with each metric in `metricIds` (matched case-insensitively), in order. Unknown ids
 * throw UNKNOWN_METRIC (with the nearest known id and the list) before anything runs. A metric whose
 * options or inputs are invalid, whose inputs are degenerate for it, or which produces a non-finite
 * value (NON_FINITE_SCORE, plugins included) is reported in `errors` with its typed code; the others
 * still run. Every number in `scores` is finite. Each metric is timed separately.
 *
 * @param inputs - features N×D, labels N, flabels K × (N×L), probs N×Cs, targets N×T (as each metric needs).
 * @param metricIds - ids such as `['emms', 'logme']`.
 * @param opts - registry, backend, per-metric options, the run-level relabel, onProgress, signal.
 * @returns `{ scores, seconds, details, errors, backend }`, records keyed by the registered ids.
 * @throws EmmsError UNKNOWN_METRIC; INVALID_OPTION when `relabel` is not a boolean; the signal's
 *   reason when aborted; non-EmmsError exceptions of a metric (bugs) are rethrown.
 * @example
 * ```ts
 * const features = { rows: 4, cols: 2, data: new Float64Array([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]) };
 * const report = await scoreMetrics({ features, labels: Int32Array.from([0, 0, 1, 1]) }, ['LogME', 'leep']);
 * console.assert(Number.isFinite(report.scores.logme) && report.errors.leep.code === 'MISSING_INPUT');
 * ```
 */
export async function scoreMetrics(
  inputs: MetricInputs,
  metricIds: readonly string[],
  opts: ScoreOptions = {},
): Promise<ScoreReport> {
  const registry = opts.registry ?? defaultRegistry;
  const backend = opts.backend ?? getBackend();
  if (opts.relabel !== undefined && typeof opts.relabel !== 'boolean') {
    throw new EmmsError(
      'INVALID_OPTION',
      `the relabel option of scoreMetrics must be true or false, got ${JSON.stringify(opts.relabel)}`,
      { input: 'relabel' },
    );
  }
  const metrics = metricIds.map((id) => registry.get(id));
  const report: ScoreReport = { scores: {}, seconds: {}, details: {}, errors: {}, backend: backend.name };
  const progress = progressTracker('score', metrics.length, opts.onProgress);
  for (const metric of metrics) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const t0 = performance.now();
    try {
      const given = optionsFor(opts.options, metric.id);
      const result = await metric.compute(inputs, given, {
        backend,
        signal: opts.signal,
        onProgress: opts.onProgress,
        relabel: opts.relabel === true,
      });
      // Defined metrics already refuse non-finite values; this also covers anything else registered.
      if (typeof result?.value !== 'number' || !Number.isFinite(result.value)) {
        throw new EmmsError(
          METRIC_ERROR_CODES.NON_FINITE_SCORE,
          `metric "${metric.id}" produced ${String(result?.value)} instead of a finite score`,
          { input: metric.id },
        );
      }
      report.scores[metric.id] = result.value;
      report.details[metric.id] = result.details ?? {};
    } catch (e) {
      if (!isEmmsError(e)) throw e;
      report.errors[metric.id] = { code: e.code, message: e.message, input: e.input };
    }
    report.seconds[metric.id] = (performance.now() - t0) / 1000;
    progress.advance(1, metric.id);
  }
  return report;
}

/** The options given for `id`, found case-insensitively among the keys of `all`. */
function optionsFor(all: ScoreOptions['options'], id: string): Readonly<Record<string, unknown>> | undefined {
  if (!all) return undefined;
  if (all[id]) return all[id];
  const key = Object.keys(all).find((k) => k.toLowerCase() === id.toLowerCase());
  return key ? all[key] : undefined;
}
