import { resolve } from 'node:path';
import type { LinalgBackend } from '@emms/linalg';
import { EmmsError, type ProgressListener } from '@emms/tensor-io';
import type { Metric, MetricInputs, MetricPlugin } from '../metric';
import { builtinMetrics, createRegistry, loadPlugin, type MetricRegistry } from '../registry';
import { type ScoreReport, scoreMetrics } from '../run';
import { type Environment, type OpenblasImporter, selectBackend } from './backend';
import { type BackendChoiceName, type EmmsConfig, parseEmmsConfig, readEmmsConfig } from './config';
import { importPluginModule } from './plugins';

/** Options of {@link createScorer}. */
export interface CreateScorerOptions {
  /**
   * Metric plugins: a package name, the path of a module file or package folder (relative to
   * `cwd`), or an already imported plugin object. Loaded after the config's plugins.
   */
  readonly plugins?: readonly (string | MetricPlugin)[];
  /** 'auto' (default: OpenBLAS when it loads, else the portable backend), 'js', 'openblas' or a backend object. */
  readonly backend?: BackendChoiceName | LinalgBackend;
  /**
   * An `emms.config.json`: its path, a folder that may hold one, or the config object itself.
   * Omitted: no config is read.
   */
  readonly config?: string | EmmsConfig;
  /** Where relative plugin paths and the node_modules search start (default process.cwd()). */
  readonly cwd?: string;
  /** Environment variables (EMMS_LINALG, EMMS_OPENBLAS_LIB); default process.env. */
  readonly env?: Environment;
  /** Register the built-in scores (default true). */
  readonly builtins?: boolean;
  /** Receives notices such as the fallback to the portable backend (default: process.emitWarning). */
  readonly onNotice?: (message: string) => void;
  /** How the optional native package is imported (tests pass a stand-in). */
  readonly importOpenblas?: OpenblasImporter;
}

/** Options of {@link Scorer.score}. */
export interface ScorerRunOptions {
  /** Per-metric options, e.g. `{ nleep: { seed: 3 } }` (over the config's `options`). */
  readonly options?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Relabel sparse class ids to the classes present instead of failing with MISSING_CLASSES. */
  readonly relabel?: boolean;
  /** Progress of long computations. */
  readonly onProgress?: ProgressListener;
  /** Stops between (and inside) metrics. */
  readonly signal?: AbortSignal;
}

/** A ready scorer: its own registry and backend, nothing global. */
export interface Scorer {
  /** The metrics this scorer knows: the built-in ones and its plugins'. */
  readonly registry: MetricRegistry;
  /** The linear-algebra backend every score of this scorer uses. */
  readonly backend: LinalgBackend;
  /** Why the backend is not the one asked for, when it fell back. */
  readonly notice?: string;
  /** Which plugin brought each plugin metric id. */
  readonly pluginOf: ReadonlyMap<string, string>;
  /** The config in effect (empty when none was read). */
  readonly config: EmmsConfig;
  /**
   * The registered id for `id`, matched case-insensitively.
   * @throws EmmsError UNKNOWN_METRIC listing the known ids and naming the nearest one.
   */
  resolveId(id: string): string;
  /**
   * Scores `inputs` with the metrics `ids` (matched case-insensitively). A metric that fails on
   * its input is in `errors` with its typed code; the others still run.
   * @throws EmmsError UNKNOWN_METRIC before anything runs when an id is unknown.
   */
  score(inputs: MetricInputs, ids: readonly string[], opts?: ScorerRunOptions): Promise<ScoreReport>;
}

/** Edit distance between two short strings. */
function distance(a: string, b: string): number {
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
 * The registered id matching `id` case-insensitively.
 *
 * @param registry - where to look.
 * @param id - an id as a user typed it, e.g. "LogME".
 * @returns the registered id, e.g. "logme".
 * @throws EmmsError UNKNOWN_METRIC with the known ids and, within two edits, a suggestion
 *   (`details.suggestion`).
 * @example
 * ```ts
 * resolveMetricId(createRegistry(builtinMetrics), 'LogME'); // 'logme'
 * ```
 */
export function resolveMetricId(registry: MetricRegistry, id: string): string {
  // A registry may itself match ids loosely (case-insensitively): return the id it registered.
  if (registry.has(id)) return registry.get(id).id;
  const known = registry.list().map((m) => m.id);
  const wanted = id.trim().toLowerCase();
  const same = known.find((k) => k.toLowerCase() === wanted);
  if (same) return same;
  let best: { id: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(wanted, k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { id: k, d };
  }
  throw new EmmsError(
    'UNKNOWN_METRIC',
    `unknown metric "${id}"${best ? `; did you mean "${best.id}"?` : ''} Known metrics: ${known.join(', ')}`,
    { input: id, details: { known, ...(best ? { suggestion: best.id } : {}) } },
  );
}

function defaultNotice(message: string): void {
  process.emitWarning(message, { code: 'EMMS_BACKEND' });
}

/**
 * The front door for Node programs: a scorer with the fastest available backend, the built-in
 * scores, the plugins and the config resolved. Each scorer has its own registry and backend, so
 * two scorers never see each other's plugins or backend, and nothing global changes.
 *
 * @param opts - plugins, backend, config, cwd, env (see {@link CreateScorerOptions}).
 * @returns a {@link Scorer}.
 * @throws EmmsError PLUGIN_LOAD (a plugin did not load or is not a valid plugin), INVALID_OPTION
 *   (bad config or EMMS_LINALG value), BACKEND_UNAVAILABLE ('openblas' asked for but absent),
 *   FILE_NOT_FOUND (a config file path that does not exist).
 * @example
 * ```ts
 * import { createScorer } from '@emms/metrics/node';
 * const scorer = await createScorer({ backend: 'auto' });
 * const report = await scorer.score({ features, labels }, ['emms', 'logme']);
 * console.log(report.scores.logme, report.backend);
 * ```
 */
export async function createScorer(opts: CreateScorerOptions = {}): Promise<Scorer> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  let config: EmmsConfig = {};
  let configDir = cwd;
  if (typeof opts.config === 'string') {
    const loaded = readEmmsConfig(resolve(cwd, opts.config));
    config = loaded.config;
    configDir = loaded.dir;
  } else if (opts.config !== undefined) {
    config = parseEmmsConfig(opts.config);
  }

  const registry = createRegistry(opts.builtins === false ? [] : (builtinMetrics as Metric[]));
  const pluginOf = new Map<string, string>();
  const seen = new Set<string>();
  const add = (plugin: MetricPlugin, source: string) => {
    for (const metric of plugin.metrics) {
      registry.register(metric);
      pluginOf.set(metric.id, source);
    }
  };
  const named: { name: string; from: string }[] = [
    ...(config.plugins ?? []).map((name) => ({ name, from: configDir })),
  ];
  for (const p of opts.plugins ?? []) {
    if (typeof p === 'string') named.push({ name: p, from: cwd });
    else add(loadPlugin(p, p.name ?? 'plugin'), p.name ?? 'plugin');
  }
  for (const { name, from } of named) {
    const key = name.startsWith('.') ? resolve(from, name) : name;
    if (seen.has(key)) continue;
    seen.add(key);
    add(loadPlugin(await importPluginModule(name, from), name), name);
  }

  const choice = opts.backend ?? config.backend ?? 'auto';
  const { backend, notice } = await selectBackend(choice, { env, importOpenblas: opts.importOpenblas });
  if (notice) (opts.onNotice ?? defaultNotice)(notice);

  return {
    registry,
    backend,
    notice,
    pluginOf,
    config,
    resolveId: (id) => resolveMetricId(registry, id),
    async score(inputs, ids, run = {}) {
      const resolved = [...new Set(ids.map((id) => resolveMetricId(registry, id)))];
      const options: Record<string, Record<string, unknown>> = {};
      for (const [id, o] of Object.entries(config.options ?? {}))
        options[resolveMetricId(registry, id)] = { ...o };
      for (const [id, o] of Object.entries(run.options ?? {})) {
        const key = resolveMetricId(registry, id);
        options[key] = { ...options[key], ...o };
      }
      return scoreMetrics(inputs, resolved, {
        registry,
        backend,
        options,
        relabel: run.relabel ?? config.relabel,
        onProgress: run.onProgress,
        signal: run.signal,
      });
    },
  };
}
