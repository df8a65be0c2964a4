import { getBackend, type LinalgBackend } from '@emms/linalg';
import { checkInputTypes, METRIC_ERROR_CODES } from '@emms/metric-spec';
import {
  EmmsError,
  type ErrorCode,
  isEmmsError,
  type ProgressListener,
  progressTracker,
} from '@emms/tensor-io';
import type { Metric, MetricInputs } from './metric';
import type { Preset } from './presets';
import { type ReduceInfo, reduceFeatures } from './reduce';
import { defaultRegistry, type MetricRegistry } from './registry';
import { givenOptions, type RunSettings, resolveRunSettings, settingsOrLoose } from './settings';

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
   * `published` (default): every score as its reference implementation computes it. `rank`: reduce
   * `auto` and the rank options each metric declares (e.g. LogME's corrected evidence); explicit `reduce` and per-metric options still win. See
   * {@link PRESETS}.
   */
  readonly preset?: Preset;
  /**
   * The run settings already resolved with {@link resolveRunSettings}, instead of `preset`,
   * `reduce`, `options` and `relabel` (give one or the other).
   */
  readonly settings?: RunSettings;
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

/** What {@link reduceInputs} returns: the inputs after the run's reduce stage, for any number of scores. */
export interface ReducedInputs {
  /** The inputs with the features replaced by their reduction (the same object when not reduced). */
  readonly inputs: MetricInputs;
  /** What the reduce stage did (absent when there were no features). */
  readonly reduce?: ReduceInfo;
  /** The settings the reduction followed; the scores run with the same ones. */
  readonly settings: RunSettings;
}

/** Options of {@link scoreReduced}. */
export interface ScoreReducedOptions {
  /** Where metric ids are looked up (default: the built-in scores). */
  readonly registry?: MetricRegistry;
  /** Linear-algebra backend (default: the current one from `@emms/linalg`). */
  readonly backend?: LinalgBackend;
  /**
   * Settings to score with instead of the reduction's own, e.g. with other per-metric options; they
   * must ask for the same reduce stage (INVALID_OPTION otherwise).
   */
  readonly settings?: RunSettings;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
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
 * The run's reduce stage, computed once for one candidate's inputs: the features are reduced as
 * `settings.reduce` says (PCA computed here, once), and every score of the candidate then runs on
 * the result through {@link scoreReduced}.
 *
 * @param inputs - the candidate's inputs (features N×D, labels …).
 * @param settings - from {@link resolveRunSettings}.
 * @param opts - `backend` of the projection.
 * @returns the reduced inputs, what the reduction did, and the settings.
 * @throws EmmsError INVALID_INPUT for inputs of the wrong type; INVALID_OPTION (`reduce`, K > min(N, D));
 *   DEGENERATE_INPUT (`auto` with fewer than 3 samples per class); NON_FINITE or VALUE_OVERFLOW
 *   naming `features` when a projection is asked for on NaN or overflowing values.
 * @example
 * ```ts
 * const features = { rows: 4, cols: 3, data: new Float64Array([1, 0, 2, 0, 1, 1, 2, 2, 0, 1, 1, 1]) };
 * const reduced = reduceInputs({ features }, resolveRunSettings({ reduce: 'pca:2' }));
 * console.assert(reduced.inputs.features?.cols === 2 && reduced.reduce?.applied === 'pca');
 * ```
 */
export function reduceInputs(
  inputs: MetricInputs,
  settings: RunSettings,
  opts: { readonly backend?: LinalgBackend } = {},
): ReducedInputs {
  checkInputTypes(inputs);
  if (!inputs.features) return Object.freeze({ inputs, settings });
  const classes = inputs.labels ? countClasses(inputs.labels) : 0;
  const r = reduceFeatures(inputs.features, settings.reduce.spec, {
    classes,
    backend: opts.backend ?? getBackend(),
  });
  const info = { ...r.info, reduce: settings.reduce.text };
  return Object.freeze({
    inputs: r.features === inputs.features ? inputs : { ...inputs, features: r.features },
    reduce: info,
    settings,
  });
}

/**
 * Scores inputs already through the reduce stage ({@link reduceInputs}) with each metric in
 * `metricIds`, with the settings the reduction followed; see {@link scoreMetrics}, which is
 * `reduceInputs` then this.
 *
 * @param reduced - from {@link reduceInputs}.
 * @param metricIds - ids such as `['emms', 'logme']`.
 * @param opts - registry, backend, settings (other per-metric options, same reduce), onProgress, signal.
 * @returns the report, as {@link scoreMetrics}.
 * @throws EmmsError UNKNOWN_METRIC before anything runs; the signal's reason when aborted.
 * @example
 * ```ts
 * const features = { rows: 4, cols: 2, data: new Float64Array([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]) };
 * const reduced = reduceInputs({ features, labels: Int32Array.from([0, 0, 1, 1]) }, resolveRunSettings());
 * const report = await scoreReduced(reduced, ['logme', 'sfda']);
 * console.assert(Number.isFinite(report.scores.logme));
 * ```
 */
export async function scoreReduced(
  reduced: ReducedInputs,
  metricIds: readonly string[],
  opts: ScoreReducedOptions = {},
): Promise<ScoreReport> {
  const registry = opts.registry ?? defaultRegistry;
  const backend = opts.backend ?? getBackend();
  const { reduce } = reduced;
  const settings = opts.settings ?? reduced.settings;
  if (settings.reduce.text !== reduced.settings.reduce.text) {
    throw new EmmsError(
      'INVALID_OPTION',
      `the settings ask for reduce "${settings.reduce.text}" but the inputs were reduced with "${reduced.settings.reduce.text}"; reduce them again with reduceInputs`,
      { input: 'settings' },
    );
  }
  const run = reduced.inputs;
  const metrics = metricIds.map((id) => registry.get(id));
  const report: ScoreReport = {
    scores: {},
    seconds: {},
    details: {},
    errors: {},
    backend: backend.name,
    preset: settings.preset,
    ...(reduce ? { reduce } : {}),
  };
  const progress = progressTracker('score', metrics.length, opts.onProgress);
  for (const metric of metrics) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const t0 = performance.now();
    try {
      const given = givenOptions(settings, metric);
      const result = await metric.compute(run, given, {
        backend,
        signal: opts.signal,
        onProgress: opts.onProgress,
        relabel: settings.relabel,
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

/**
 * Scores `inputs` with each metric in `metricIds` (matched case-insensitively), in order. Unknown ids
 * throw UNKNOWN_METRIC (with the nearest known id and the list) before anything runs. The run
 * settings are resolved once ({@link resolveRunSettings}) and the features reduced once for every
 * metric ({@link reduceInputs}). A metric whose options or inputs are invalid, whose inputs are
 * degenerate for it, or which produces a non-finite value (NON_FINITE_SCORE, plugins included) is
 * reported in `errors` with its typed code; the others still run. Every number in `scores` is
 * finite. Each metric is timed separately.
 *
 * @param inputs - features N×D, labels N, flabels K × (N×L), probs N×Cs, targets N×T (as each metric needs).
 * @param metricIds - ids such as `['emms', 'logme']`.
 * @param opts - registry, backend, the run settings (preset, reduce, per-metric options, relabel;
 *   or `settings` already resolved), onProgress, signal.
 * @returns `{ scores, seconds, details, errors, backend }`, records keyed by the registered ids.
 * @throws EmmsError INVALID_INPUT (inputs of the wrong type, naming the input); UNKNOWN_METRIC;
 *   INVALID_OPTION naming `preset`, `reduce`, `relabel` or `options`; the reduce stage's errors
 *   (see {@link reduceInputs}); the signal's reason when aborted; non-EmmsError exceptions of a
 *   metric (bugs) are rethrown.
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
  options: ScoreOptions = {},
): Promise<ScoreReport> {
  const opts = options ?? {};
  const registry = opts.registry ?? defaultRegistry;
  checkInputTypes(inputs);
  if (!Array.isArray(metricIds)) {
    throw new EmmsError(
      'INVALID_OPTION',
      'metricIds must be an array of metric ids, e.g. ["emms", "logme"]',
      {
        input: 'metrics',
      },
    );
  }
  settingsOrLoose(opts);
  const settings =
    opts.settings ??
    resolveRunSettings(
      { preset: opts.preset, reduce: opts.reduce, options: opts.options, relabel: opts.relabel },
      registry,
    );
  for (const id of metricIds) registry.get(id);
  const backend = opts.backend ?? getBackend();
  const reduced = reduceInputs(inputs, settings, { backend });
  return scoreReduced(reduced, metricIds, {
    registry,
    backend,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
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
  const own = typeof details.warning === 'string' ? details.warning : undefined;
  const shape = {
    samples: run.features.rows,
    features: run.features.cols,
    classes: run.labels ? countClasses(run.labels) : 0,
  };
  const regime = metric.saturation(shape, given);
  const warning = [own, regime === own ? undefined : regime].filter(Boolean).join('; ');
  return { ...details, ...(reduce?.applied === 'pca' ? { reduce } : {}), ...(warning ? { warning } : {}) };
}
