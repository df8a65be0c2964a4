import { EmmsError } from '@emms/tensor-io';
import type { Metric, MetricPlugin } from './metric';
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

/** A set of metrics addressable by id. */
export interface MetricRegistry {
  /** Adds a metric; throws INVALID_OPTION when its id is already taken (unless `replace`). */
  register(metric: Metric, options?: { replace?: boolean }): void;
  /** The metric with this id; throws UNKNOWN_METRIC naming the known ids when absent. */
  get(id: string): Metric;
  /** Whether a metric with this id is registered. */
  has(id: string): boolean;
  /** Every registered metric, in registration order. */
  list(): Metric[];
}

const ID_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** Throws PLUGIN_LOAD unless `m` looks like a {@link Metric} of a specification version we know. */
export function assertMetric(m: unknown, source: string): asserts m is Metric {
  const bad = (why: string): never => {
    throw new EmmsError('PLUGIN_LOAD', `${source}: not a valid metric (${why})`, { input: source });
  };
  if (typeof m !== 'object' || m === null) bad('expected an object');
  const o = m as Record<string, unknown>;
  if (o.specificationVersion !== 'v1') {
    bad(
      `specificationVersion is ${JSON.stringify(o.specificationVersion)}, this version of @emms/metrics supports "v1"`,
    );
  }
  if (typeof o.id !== 'string' || !ID_PATTERN.test(o.id))
    bad(`id must be lower case letters, digits, - or _`);
  if (typeof o.compute !== 'function') bad(`metric "${String(o.id)}" has no compute function`);
  const inputs = o.inputs as { required?: unknown } | undefined;
  if (!inputs || !Array.isArray(inputs.required)) bad(`metric "${String(o.id)}" has no inputs.required list`);
  if (!Array.isArray(o.options)) bad(`metric "${String(o.id)}" has no options list`);
}

/** A new registry holding `metrics` (none by default). */
export function createRegistry(metrics: readonly Metric[] = []): MetricRegistry {
  const byId = new Map<string, Metric>();
  const registry: MetricRegistry = {
    register(metric, options = {}) {
      assertMetric(metric, `metric ${String((metric as { id?: unknown })?.id)}`);
      if (byId.has(metric.id) && !options.replace) {
        throw new EmmsError('INVALID_OPTION', `a metric with id "${metric.id}" is already registered`, {
          input: metric.id,
        });
      }
      byId.set(metric.id, metric);
    },
    get(id) {
      const m = byId.get(id);
      if (!m) {
        throw new EmmsError(
          'UNKNOWN_METRIC',
          `unknown metric "${id}"; known metrics: ${[...byId.keys()].join(', ')}`,
          { input: id, details: { known: [...byId.keys()] } },
        );
      }
      return m;
    },
    has: (id) => byId.has(id),
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
 * Throws PLUGIN_LOAD, naming `source`, when none is found or its specificationVersion is unknown.
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
    candidate = { specificationVersion: 'v1', name: source, metrics: m.metrics };
  }
  if (!candidate || typeof candidate !== 'object' || !Array.isArray((candidate as MetricPlugin).metrics)) {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `${source}: no metric plugin found; export a MetricPlugin as default or as "plugin", or a "metrics" array`,
      { input: source },
    );
  }
  const plugin = candidate as MetricPlugin;
  if (plugin.specificationVersion !== 'v1') {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `${source}: plugin specificationVersion is ${JSON.stringify(plugin.specificationVersion)}; this version of @emms/metrics supports "v1"`,
      { input: source },
    );
  }
  for (const metric of plugin.metrics) assertMetric(metric, source);
  return {
    specificationVersion: 'v1',
    name: typeof plugin.name === 'string' ? plugin.name : source,
    metrics: plugin.metrics,
  };
}
