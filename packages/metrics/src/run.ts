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
import { PRESET_SETTINGS, type Preset, SATURATION } from './presets';
import { type ReduceInfo, reduceFeatures } from './reduce';
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
  /**
   * The preprocessing applied to the features once, before every score: `none` (default under the
   * `published` preset), `pca:K` or `auto` (default under the `rank` preset); see {@link reduceFeatures}.
   * Recorded in each features-based score's `details.reduce`.
   */
  readonly reduce?: string;
  /**
   * `published` (default): every score as its reference implementation computes it. `rank`: the
   * configuration that ranks models best (reduce `auto`, LogME's corrected evidence); explicit
   * `reduce` and per-metric options still win. See {@link PRESETS}.
   */
  readonly preset?: Preset;
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
  /** The preset used. */
  readonly preset: Preset;
  /** What the reduce stage did (absent when there were no features). */
  readonly reduce?: ReduceInfo;
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
  const preset = opts.preset ?? 'published';
  if (preset !== 'published' && preset !== 'rank') {
    throw new EmmsError(
      'INVALID_OPTION',
      `the preset option of scoreMetrics must be "published" or "rank", got ${JSON.stringify(preset)}`,
      { input: 'preset' },
    );
  }
  const settings = PRESET_SETTINGS[preset];
  const metrics = metricIds.map((id) => registry.get(id));
  let run = inputs;
  let reduce: ReduceInfo | undefined;
  if (inputs.features) {
    const classes = inputs.labels ? countClasses(inputs.labels) : 0;
    const r = reduceFeatures(inputs.features, opts.reduce ?? settings.reduce, { classes, backend });
    reduce = r.info;
    run = { ...inputs, features: r.features };
  }
  const report: ScoreReport = {
    scores: {},
    seconds: {},
    details: {},
    errors: {},
    backend: backend.name,
    preset,
    ...(reduce ? { reduce } : {}),
  };
  const progress = progressTracker('score', metrics.length, opts.onProgress);
  for (const metric of metrics) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const t0 = performance.now();
    try {
      const given = {
        ...(settings.options[metric.id] ?? {}),
        ...(optionsFor(opts.options, metric.id) ?? {}),
      };
      const result = await metric.compute(run, given, {
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
      report.details[metric.id] = withRegime(metric, result.details ?? {}, run, given, reduce);
    } catch (e) {
      if (!isEmmsError(e)) throw e;
      report.errors[metric.id] = { code: e.code, message: e.message, input: e.input };
    }
    report.seconds[metric.id] = (performance.now() - t0) / 1000;
    progress.advance(1, metric.id);
  }
  return report;
}

/** C = max(label) + 1 (0 for no labels). */
function countClasses(labels: Int32Array): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) c = Math.max(c, labels[i] + 1);
  return c;
}

/** A score's details with the reduce record and its saturation warning (joined to its own). */
function withRegime(
  metric: Metric,
  details: Readonly<Record<string, unknown>>,
  run: MetricInputs,
  given: Readonly<Record<string, unknown>>,
  reduce: ReduceInfo | undefined,
): Readonly<Record<string, unknown>> {
  const usesFeatures = [...metric.inputs.required, ...(metric.inputs.optional ?? [])].includes('features');
  if (!usesFeatures || !run.features) return details;
  const check = SATURATION[metric.id];
  const own = typeof details.warning === 'string' ? details.warning : undefined;
  const options = metric.parseOptions(given);
  const shape = {
    samples: run.features.rows,
    features: run.features.cols,
    classes: run.labels ? countClasses(run.labels) : 0,
  };
  const regime = check?.(shape, options);
  const warning = [own, regime].filter(Boolean).join('; ');
  return { ...details, ...(reduce?.applied === 'pca' ? { reduce } : {}), ...(warning ? { warning } : {}) };
}

/** The options given for `id`, found case-insensitively among the keys of `all`. */
function optionsFor(all: ScoreOptions['options'], id: string): Readonly<Record<string, unknown>> | undefined {
  if (!all) return undefined;
  if (all[id]) return all[id];
  const key = Object.keys(all).find((k) => k.toLowerCase() === id.toLowerCase());
  return key ? all[key] : undefined;
}
