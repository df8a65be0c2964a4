import { getBackend, type LinalgBackend } from '@emms/linalg';
import {
  EmmsError,
  type ErrorCode,
  isEmmsError,
  type ProgressListener,
  progressTracker,
} from '@emms/tensor-io';
import type { Metric, MetricInputs } from './metric';
import { defaultRegistry, type MetricRegistry } from './registry';
import { validateInputs } from './validate';

/** Options of {@link scoreMetrics}. */
export interface ScoreOptions {
  /** Where metric ids are looked up (default: the built-in scores). */
  readonly registry?: MetricRegistry;
  /** Linear-algebra backend (default: the current one from `@emms/linalg`). */
  readonly backend?: LinalgBackend;
  /** Per-metric options, e.g. `{ nleep: { seed: 3 } }`. */
  readonly options?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Relabel labels with gaps to the classes present instead of failing with MISSING_CLASSES. */
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
 * Throws INVALID_OPTION when `options` names an option `metric` does not declare or gives one of the
 * wrong type, and returns the options completed with defaults.
 */
export function resolveOptions(
  metric: Metric,
  options: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of metric.options) if (spec.default !== undefined) out[spec.name] = spec.default;
  for (const [name, value] of Object.entries(options)) {
    if (name === 'relabel') continue; // handled by validation
    const spec = metric.options.find((s) => s.name === name);
    if (!spec) {
      const known = metric.options.map((s) => s.name).join(', ') || 'none';
      throw new EmmsError(
        'INVALID_OPTION',
        `metric "${metric.id}" has no option "${name}" (options: ${known})`,
        {
          input: name,
        },
      );
    }
    if (value === undefined) continue;
    const ok =
      spec.type === 'boolean'
        ? typeof value === 'boolean'
        : spec.type === 'string'
          ? typeof value === 'string' && (!spec.choices || spec.choices.includes(value))
          : typeof value === 'number' &&
            Number.isFinite(value) &&
            (spec.type === 'number' || Number.isInteger(value));
    if (!ok) {
      const want = spec.choices ? `one of ${spec.choices.join(', ')}` : `a ${spec.type}`;
      throw new EmmsError(
        'INVALID_OPTION',
        `option "${name}" of metric "${metric.id}" must be ${want}, got ${JSON.stringify(value)}`,
        { input: name },
      );
    }
    out[name] = value;
  }
  return out;
}

/**
 * Scores `inputs` with each metric in `metricIds`, in order. Unknown ids throw UNKNOWN_METRIC (listing the
 * known ones) before anything runs. A metric whose inputs are missing or invalid is reported in
 * `errors` with its typed error code, and the others still run. Each metric is timed separately.
 */
export async function scoreMetrics(
  inputs: MetricInputs,
  metricIds: readonly string[],
  opts: ScoreOptions = {},
): Promise<ScoreReport> {
  const registry = opts.registry ?? defaultRegistry;
  const backend = opts.backend ?? getBackend();
  const metrics = metricIds.map((id) => registry.get(id));
  const report: ScoreReport = { scores: {}, seconds: {}, details: {}, errors: {}, backend: backend.name };
  const progress = progressTracker('score', metrics.length, opts.onProgress);
  for (const metric of metrics) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const t0 = performance.now();
    try {
      const given = opts.options?.[metric.id] ?? {};
      const options = resolveOptions(metric, given);
      const relabel = opts.relabel ?? given.relabel === true;
      const checked = validateInputs(metric, inputs, { relabel });
      const result = await metric.compute(checked, options, {
        backend,
        signal: opts.signal,
        onProgress: opts.onProgress,
      });
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
