import { resolve } from 'node:path';
import { type LinalgBackend, setWasmKernels } from '@emms/linalg';
import { type Environment, type RuntimeConfig, readRuntimeConfig } from '@emms/runtime';
import { didYouMean, EmmsError, type ProgressListener } from '@emms/tensor-io';
import type { Metric, MetricInputs, MetricPlugin } from '../metric';
import type { Preset } from '../presets';
import { builtinMetrics, createRegistry, loadPlugin, type MetricRegistry } from '../registry';
import { type ScoreReport, scoreMetrics } from '../run';
import { type RunSettings, resolveRunSettings, settingsOrLoose } from '../settings';
import { type OpenblasImporter, selectBackend } from './backend';
import { type BackendChoiceName, type EmmsConfig, parseEmmsConfig, readEmmsConfig } from './config';
import { importPluginModule } from './plugins';

/** Options of {@link createScorer}. */
export interface CreateScorerOptions {
  /**
   * Metric plugins: a package name, the path of a module file or package folder (relative to
   * `cwd`), or an already imported plugin object. Loaded after the config's plugins.
   */
  readonly plugins?: readonly (string | MetricPlugin)[];
  /**
   * 'auto' (default: OpenBLAS when it loads, else the portable backend; EMMS_LINALG refines it),
   * 'js', 'openblas' or a backend object. Wins over the config's `backend`.
   */
  readonly backend?: BackendChoiceName | LinalgBackend;
  /**
   * An OpenBLAS library file to use instead of the system search (default: EMMS_OPENBLAS_LIB). When
   * given, it must load: otherwise createScorer fails with BACKEND_UNAVAILABLE naming it.
   */
  readonly openblasLibrary?: string;
  /**
   * The WebAssembly kernels of the portable backend (default: EMMS_LINALG_WASM, else on). A
   * process-wide switch: set only when given.
   */
  readonly wasm?: boolean;
  /**
   * The run-time configuration a front door already read with `readRuntimeConfig` of
   * @emms/runtime (the CLI does); then `env` is not read. `backend`, `openblasLibrary` and `wasm`
   * given here still win.
   */
  readonly runtime?: RuntimeConfig;
  /**
   * An `emms.config.json`: its path, a folder that may hold one, or the config object itself.
   * Omitted: no config is read.
   */
  readonly config?: string | EmmsConfig;
  /** Where relative plugin paths and the node_modules search start (default process.cwd()). */
  readonly cwd?: string;
  /**
   * Environment variables, read once into the run-time configuration (EMMS_LINALG,
   * EMMS_OPENBLAS_LIB, EMMS_LINALG_WASM; see `RUNTIME_ENV` of @emms/runtime); default process.env.
   */
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
  /** The settings already resolved with {@link Scorer.settings}, instead of preset/reduce/options/relabel. */
  readonly settings?: RunSettings;
  /** Relabel sparse class ids to the classes present instead of failing with MISSING_CLASSES. */
  readonly relabel?: boolean;
  /** Feature preprocessing before every score: `none`, `pca:K` or `auto` (default: the preset's). */
  readonly reduce?: string;
  /** `published` (default, the reference implementations exactly) or `rank` (reduce "auto" and each metric's rank options). */
  readonly preset?: Preset;
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
  /** The run-time configuration the scorer was made with (backend settings and where they came from). */
  readonly runtime: RuntimeConfig;
  /**
   * The run settings of a scoring call, resolved once with this scorer's registry, over the
   * config's default `options` and `relabel` (see `resolveRunSettings`).
   * @throws EmmsError INVALID_OPTION, UNKNOWN_METRIC as `resolveRunSettings`.
   */
  settings(run?: Omit<ScorerRunOptions, 'onProgress' | 'signal' | 'settings'>): RunSettings;
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
  const wanted = String(id).trim().toLowerCase();
  const same = known.find((k) => k.toLowerCase() === wanted);
  if (same) return same;
  const best = didYouMean(id, known);
  throw new EmmsError(
    'UNKNOWN_METRIC',
    `unknown metric "${id}"${best ? `; did you mean "${best}"?` : ''} Known metrics: ${known.join(', ')}`,
    { input: String(id), details: { known, ...(best ? { suggestion: best } : {}) } },
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
 * @param opts - plugins, backend, openblasLibrary, wasm, config, cwd, runtime or env (see
 *   {@link CreateScorerOptions}).
 * @returns a {@link Scorer}.
 * @throws EmmsError PLUGIN_LOAD (a plugin did not load or is not a valid plugin), INVALID_OPTION
 *   (bad config, or an environment variable such as EMMS_LINALG with a value not allowed),
 *   BACKEND_UNAVAILABLE ('openblas' asked for, or an OpenBLAS library given, that does not load;
 *   naming the setting), FILE_NOT_FOUND (a config file path that does not exist).
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

  const runtime = runtimeOf(opts, config);
  if (runtime.sources.wasm !== undefined) setWasmKernels(runtime.wasm);
  const { backend, notice } =
    typeof opts.backend === 'object'
      ? { backend: opts.backend, notice: undefined }
      : await selectBackend(runtime, { importOpenblas: opts.importOpenblas });
  if (notice) (opts.onNotice ?? defaultNotice)(notice);
  const settings: Scorer['settings'] = (run = {}) => {
    const options: Record<string, Record<string, unknown>> = {};
    for (const [id, o] of Object.entries(config.options ?? {}))
      options[resolveMetricId(registry, id)] = { ...o };
    for (const [id, o] of Object.entries(run.options ?? {})) {
      const key = resolveMetricId(registry, id);
      options[key] = { ...options[key], ...o };
    }
    return resolveRunSettings(
      { preset: run.preset, reduce: run.reduce, options, relabel: run.relabel ?? config.relabel },
      registry,
    );
  };
  return {
    registry,
    backend,
    notice,
    pluginOf,
    config,
    runtime,
    settings,
    resolveId: (id) => resolveMetricId(registry, id),
    async score(inputs, ids, run = {}) {
      const resolved = [...new Set(ids.map((id) => resolveMetricId(registry, id)))];
      settingsOrLoose(run);
      return scoreMetrics(inputs, resolved, {
        registry,
        backend,
        settings: run.settings ?? settings(run),
        onProgress: run.onProgress,
        signal: run.signal,
      });
    },
  };
}

/**
 * The scorer's run-time configuration: the one a front door read (`runtime`) or the environment
 * read now, with the backend chosen by precedence — an explicit `backend` option, then the config
 * file's `backend`, then EMMS_LINALG, then auto — and `openblasLibrary`/`wasm` options over both.
 */
function runtimeOf(opts: CreateScorerOptions, config: EmmsConfig): RuntimeConfig {
  const base = opts.runtime ?? readRuntimeConfig({ env: opts.env ?? process.env });
  const explicit =
    typeof opts.backend === 'string' && opts.backend !== 'auto'
      ? { backend: opts.backend, source: 'backend' }
      : config.backend && config.backend !== 'auto'
        ? { backend: config.backend, source: 'emms.config.json "backend"' }
        : undefined;
  const given = readRuntimeConfig({
    given: {
      ...(explicit ? { backend: explicit.backend } : {}),
      ...(opts.openblasLibrary !== undefined ? { openblasLibrary: opts.openblasLibrary } : {}),
      ...(opts.wasm !== undefined ? { wasm: opts.wasm } : {}),
    },
  });
  const over = (k: 'backend' | 'openblasLibrary' | 'wasm') => given.sources[k] !== undefined;
  return Object.freeze({
    ...base,
    ...(over('backend') ? { backend: given.backend } : {}),
    ...(over('openblasLibrary') ? { openblasLibrary: given.openblasLibrary } : {}),
    ...(over('wasm') ? { wasm: given.wasm } : {}),
    sources: Object.freeze({
      ...base.sources,
      ...(explicit ? { backend: explicit.source } : {}),
      ...(over('openblasLibrary') ? { openblasLibrary: 'openblasLibrary' } : {}),
      ...(over('wasm') ? { wasm: 'wasm' } : {}),
    }),
  });
}
