import { didYouMean, EmmsError } from '@emms/tensor-io';
import type { Metric, MetricPlugin } from './metric';
import { adaptV1Metric, isV1Metric } from './plugin-v1';
import { emmsMetric } from './scores/emms';
import { gbcMetric } from './scores/gbc';
import { hscoreMetric } from './scores/hscore';
import { leepMetric } from './scores/leep';
import { logmeMetric } from './scores/logme';
import { nceMetric } from './scores/nce';
import { nleepMetric } from './scores/nleep';
import { parcMetric } from './scores/parc';
import { sfdaMetric } from './scores/sfda';
import { transrateMetric } from './scores/transrate';

/** A set of metrics addressable by id (matched case-insensitively). */
export interface MetricRegistry {
  /**
   * Adds a metric made with `defineMetric`; throws PLUGIN_LOAD for anything else and INVALID_OPTION
   * when its id is already taken, ignoring case (unless `replace`).
   */
  register(metric: Metric, options?: { replace?: boolean }): void;
  /**
   * The metric with this id, matched case-insensitively; throws UNKNOWN_METRIC naming the known ids
   * and the nearest one (`details.suggestion`) when absent.
   */
  get(id: string): Metric;
  /** Whether a metric with this id (ignoring case) is registered. */
  has(id: string): boolean;
  /** Every registered metric, in registration order. */
  list(): Metric[];
}

const ID_PATTERN = /^[a-z][a-z0-9_-]*$/;

/**
 * Throws PLUGIN_LOAD unless `m` is a metric of specification v2 (made with `defineMetric`).
 *
 * @param m - anything a plugin exported as a metric.
 * @param source - where it came from, for the message (a package name or path).
 * @throws EmmsError PLUGIN_LOAD naming `source` and what is wrong.
 * @example
 * ```ts
 * assertMetric(builtinMetrics[0], 'built-in'); // passes
 * ```
 */
export function assertMetric(m: unknown, source: string): asserts m is Metric {
  const bad = (why: string): never => {
    throw new EmmsError('PLUGIN_LOAD', `${source}: not a valid metric (${why})`, { input: source });
  };
  if (typeof m !== 'object' || m === null) bad('expected an object');
  const o = m as Record<string, unknown>;
  if (o.specificationVersion !== 'v2') {
    bad(
      `specificationVersion is ${JSON.stringify(o.specificationVersion)}; define it with defineMetric of @emms/metric-spec (specification "v2")`,
    );
  }
  if (typeof o.id !== 'string' || !ID_PATTERN.test(o.id))
    bad(`id must be lower case letters, digits, - or _`);
  for (const f of ['compute', 'parseOptions', 'saturation'] as const) {
    if (typeof o[f] !== 'function')
      bad(`metric "${String(o.id)}" has no ${f} function; define it with defineMetric`);
  }
  const inputs = o.inputs as { required?: unknown } | undefined;
  if (!inputs || !Array.isArray(inputs.required)) bad(`metric "${String(o.id)}" has no inputs.required list`);
  if (!Array.isArray(o.options)) bad(`metric "${String(o.id)}" has no options list`);
  if (typeof o.presets !== 'object' || o.presets === null || typeof o.docs !== 'object' || o.docs === null) {
    bad(`metric "${String(o.id)}" has no presets or docs; define it with defineMetric`);
  }
}

/**
 * A new registry holding `metrics` (none by default).
 *
 * @param metrics - metrics made with `defineMetric`.
 * @returns a registry whose ids match case-insensitively.
 * @throws EmmsError PLUGIN_LOAD for something that is not a metric, INVALID_OPTION for a duplicate id.
 * @example
 * ```ts
 * const registry = createRegistry(builtinMetrics);
 * console.assert(registry.get('LogME').id === 'logme');
 * ```
 */
export function createRegistry(metrics: readonly Metric[] = []): MetricRegistry {
  const byId = new Map<string, Metric>();
  const registry: MetricRegistry = {
    register(metric, options = {}) {
      assertMetric(metric, `metric ${String((metric as { id?: unknown })?.id)}`);
      const key = metric.id.toLowerCase();
      if (byId.has(key) && !options.replace) {
        throw new EmmsError('INVALID_OPTION', `a metric with id "${metric.id}" is already registered`, {
          input: metric.id,
        });
      }
      byId.set(key, metric);
    },
    get(id) {
      const m = typeof id === 'string' ? byId.get(id.trim().toLowerCase()) : undefined;
      if (!m) {
        const known = [...byId.values()].map((x) => x.id);
        const suggestion = didYouMean(String(id), known);
        throw new EmmsError(
          'UNKNOWN_METRIC',
          `unknown metric "${id}"${suggestion ? `; did you mean "${suggestion}"?` : ''} Known metrics: ${known.join(', ')}`,
          { input: String(id), details: { known, ...(suggestion ? { suggestion } : {}) } },
        );
      }
      return m;
    },
    has: (id) => typeof id === 'string' && byId.has(id.trim().toLowerCase()),
    list: () => [...byId.values()],
  };
  for (const m of metrics) registry.register(m);
  return registry;
}

/** Every built-in score. */
export const builtinMetrics: readonly Metric[] = [
  emmsMetric,
  logmeMetric,
  leepMetric,
  nceMetric,
  nleepMetric,
  sfdaMetric,
  transrateMetric,
  hscoreMetric,
  gbcMetric,
  parcMetric,
];

/** The registry the CLI and {@link scoreMetrics} use unless given another: the built-in scores. */
export const defaultRegistry: MetricRegistry = createRegistry(builtinMetrics);

/**
 * Validates a loaded plugin module (`await import(name)`) and returns its {@link MetricPlugin}.
 * Accepts the plugin as the default export, as a named `plugin` export, or a named `metrics` array.
 * This is the plugin-loading boundary and the one place that still accepts plugins written against
 * specification v1 (the first docs page taught it): their metrics are adapted to v2 here.
 *
 * @param mod - the imported module.
 * @param source - the package name or path, for messages.
 * @returns the plugin (specification v2), its metrics ready to register.
 * @throws EmmsError PLUGIN_LOAD, naming `source`, when none is found or its specificationVersion is unknown.
 * @example
 * ```ts
 * const plugin = loadPlugin({ metrics: [builtinMetrics[0]] }, 'inline');
 * console.assert(plugin.metrics.length === 1);
 * ```
 */
export function loadPlugin(mod: unknown, source: string): MetricPlugin {
  if (typeof mod !== 'object' || mod === null) {
    throw new EmmsError('PLUGIN_LOAD', `${source}: the module exported nothing usable`, { input: source });
  }
  const m = mod as Record<string, unknown>;
  let candidate: unknown = m.default ?? m.plugin;
  // A CommonJS module imported from ESM may nest its exports under default.
  if (candidate && typeof candidate === 'object' && !('metrics' in candidate) && 'plugin' in candidate) {
    candidate = (candidate as Record<string, unknown>).plugin;
  }
  if (
    (!candidate || typeof candidate !== 'object' || !('metrics' in candidate)) &&
    Array.isArray(m.metrics)
  ) {
    candidate = { specificationVersion: 'v2', name: source, metrics: m.metrics };
  }
  if (!candidate || typeof candidate !== 'object' || !Array.isArray((candidate as MetricPlugin).metrics)) {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `${source}: no metric plugin found; export a MetricPlugin as default or as "plugin", or a "metrics" array`,
      { input: source },
    );
  }
  const plugin = candidate as { specificationVersion: unknown; name?: unknown; metrics: readonly unknown[] };
  if (plugin.specificationVersion !== 'v1' && plugin.specificationVersion !== 'v2') {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `${source}: plugin specificationVersion is ${JSON.stringify(plugin.specificationVersion)}; this version of @emms/metrics supports "v1" and "v2"`,
      { input: source },
    );
  }
  const metrics = (plugin.metrics as readonly unknown[]).map((metric) => {
    if (isV1Metric(metric)) {
      assertV1Shape(metric as unknown as Record<string, unknown>, source);
      return adaptV1Metric(metric, source);
    }
    assertMetric(metric, source);
    return metric;
  });
  return {
    specificationVersion: 'v2',
    name: typeof plugin.name === 'string' ? plugin.name : source,
    metrics,
  };
}

/** The fields a v1 metric must have before it is adapted. */
function assertV1Shape(m: Record<string, unknown>, source: string): void {
  const bad = (why: string): never => {
    throw new EmmsError('PLUGIN_LOAD', `${source}: not a valid metric (${why})`, { input: source });
  };
  if (typeof m.id !== 'string' || !ID_PATTERN.test(m.id))
    bad('id must be lower case letters, digits, - or _');
  if (typeof m.compute !== 'function') bad(`metric "${String(m.id)}" has no compute function`);
  const inputs = m.inputs as { required?: unknown } | undefined;
  if (!inputs || !Array.isArray(inputs.required)) bad(`metric "${String(m.id)}" has no inputs.required list`);
  if (!Array.isArray(m.options)) bad(`metric "${String(m.id)}" has no options list`);
}
