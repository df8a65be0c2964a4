import { toMetric } from '@emms/metric-spec';
import { EmmsError } from '@emms/tensor-io';
import type { AnyMetric, Metric, MetricPlugin } from './metric';
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
   * Adds a metric (v1 metrics are adapted to v2 with `fromV1Metric`); throws INVALID_OPTION when its
   * id is already taken, ignoring case (unless `replace`).
   */
  register(metric: AnyMetric, options?: { replace?: boolean }): void;
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
 * Throws PLUGIN_LOAD unless `m` looks like a metric of a specification version we know (v1 or v2).
 *
 * @param m - anything a plugin exported as a metric.
 * @param source - where it came from, for the message (a package name or path).
 * @throws EmmsError PLUGIN_LOAD naming `source` and what is wrong.
 * @example
 * ```ts
 * assertMetric(builtinMetrics[0], 'built-in'); // passes
 * ```
 */
export function assertMetric(m: unknown, source: string): asserts m is AnyMetric {
  const bad = (why: string): never => {
    throw new EmmsError('PLUGIN_LOAD', `${source}: not a valid metric (${why})`, { input: source });
  };
  if (typeof m !== 'object' || m === null) bad('expected an object');
  const o = m as Record<string, unknown>;
  if (o.specificationVersion !== 'v1' && o.specificationVersion !== 'v2') {
    bad(
      `specificationVersion is ${JSON.stringify(o.specificationVersion)}, this version of @emms/metrics supports "v1" and "v2"`,
    );
  }
  if (typeof o.id !== 'string' || !ID_PATTERN.test(o.id))
    bad(`id must be lower case letters, digits, - or _`);
  if (typeof o.compute !== 'function') bad(`metric "${String(o.id)}" has no compute function`);
  const inputs = o.inputs as { required?: unknown } | undefined;
  if (!inputs || !Array.isArray(inputs.required)) bad(`metric "${String(o.id)}" has no inputs.required list`);
  if (!Array.isArray(o.options)) bad(`metric "${String(o.id)}" has no options list`);
  if (o.specificationVersion === 'v2' && typeof o.parseOptions !== 'function') {
    bad(`metric "${String(o.id)}" is v2 but has no parseOptions; define it with defineMetric`);
  }
}

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/**
 * The known id nearest to `id` by edit distance (ignoring case), when within a third of its length
 * (at least 2 edits), else undefined.
 */
function nearestId(id: string, known: readonly string[]): string | undefined {
  const wanted = id.trim().toLowerCase();
  let best: { id: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(wanted, k.toLowerCase());
    if (!best || d < best.d) best = { id: k, d };
  }
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return best && best.d <= limit ? best.id : undefined;
}

/**
 * A new registry holding `metrics` (none by default); v1 metrics are adapted to v2.
 *
 * @param metrics - metrics of either specification version.
 * @returns a registry whose ids match case-insensitively.
 * @throws EmmsError PLUGIN_LOAD for something that is not a metric, INVALID_OPTION for a duplicate id.
 * @example
 * ```ts
 * const registry = createRegistry(builtinMetrics);
 * console.assert(registry.get('LogME').id === 'logme');
 * ```
 */
export function createRegistry(metrics: readonly AnyMetric[] = []): MetricRegistry {
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
      byId.set(key, toMetric(metric));
    },
    get(id) {
      const m = typeof id === 'string' ? byId.get(id.trim().toLowerCase()) : undefined;
      if (!m) {
        const known = [...byId.values()].map((x) => x.id);
        const suggestion = nearestId(String(id), known);
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
 * Accepts the plugin as the default export, as a named `plugin` export, or a named `metrics` array;
 * plugins of specification v1 and v2 (metrics of either version).
 *
 * @param mod - the imported module.
 * @param source - the package name or path, for messages.
 * @returns the plugin, its metrics as given (register them to adapt v1 ones).
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
  const plugin = candidate as MetricPlugin;
  if (plugin.specificationVersion !== 'v1' && plugin.specificationVersion !== 'v2') {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `${source}: plugin specificationVersion is ${JSON.stringify(plugin.specificationVersion)}; this version of @emms/metrics supports "v1" and "v2"`,
      { input: source },
    );
  }
  for (const metric of plugin.metrics) assertMetric(metric, source);
  return {
    specificationVersion: plugin.specificationVersion,
    name: typeof plugin.name === 'string' ? plugin.name : source,
    metrics: plugin.metrics,
  };
}
