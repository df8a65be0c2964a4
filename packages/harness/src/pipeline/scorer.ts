// Where steps get their scorer (registry + backend): given in memory, rebuilt from a recipe (worker threads,
// queue workers), or the built-in scores plus the spec's plugins.
import { getBackend, type LinalgBackend } from '@emms/linalg';
import {
  builtinMetrics,
  createRegistry,
  defaultRegistry,
  loadPlugin,
  type MetricRegistry,
} from '@emms/metrics';
import { EmmsError } from '@emms/tensor-io';
import type { StepScorer } from './types';

/**
 * How to build the scorer again in another thread or process (JSON): what `createScorer` of
 * `@emms/metrics/node` takes. The CLI passes the plugins, config folder and backend it resolved itself.
 */
export interface ScorerRecipe {
  /** Plugin packages or paths, loaded besides the spec's. */
  readonly plugins?: readonly string[];
  /** An emms.config.json, or a folder that may hold one. */
  readonly config?: string;
  /** Where relative plugin paths resolve. */
  readonly cwd?: string;
  /** `js`, `openblas` or `auto`. */
  readonly backend?: 'auto' | 'js' | 'openblas';
}

/** What a step context needs to resolve its scorer. */
export interface ScorerSource {
  /** A registry object (in-process only: it cannot cross a thread or process). */
  readonly registry?: MetricRegistry;
  readonly backend?: LinalgBackend;
  readonly recipe?: ScorerRecipe;
}

/**
 * The built-in scores plus plugin packages imported by name.
 *
 * @param plugins - package names (or module paths) of metric plugins.
 * @returns a registry (the shared default one when there are no plugins).
 * @throws EmmsError `PLUGIN_LOAD` when a plugin cannot be imported or is not a plugin.
 */
export async function registryWithPlugins(plugins: readonly string[]): Promise<MetricRegistry> {
  if (plugins.length === 0) return defaultRegistry;
  const registry = createRegistry([...builtinMetrics]);
  for (const name of plugins) {
    let mod: unknown;
    try {
      mod = await import(name);
    } catch (cause) {
      throw new EmmsError(
        'PLUGIN_LOAD',
        `spec plugins: cannot import "${name}" (${(cause as Error).message}); install it`,
        { input: name, cause },
      );
    }
    for (const m of loadPlugin(mod, name).metrics) registry.register(m);
  }
  return registry;
}

/**
 * A step context's `scorer(plugins)`: the given registry, or one built from the recipe (with
 * `createScorer`), or the built-in scores plus the plugins; built once per set of plugins.
 *
 * @param source - {@link ScorerSource}.
 * @returns the function steps call.
 */
export function scorerFrom(source: ScorerSource): (plugins: readonly string[]) => Promise<StepScorer> {
  const built = new Map<string, Promise<StepScorer>>();
  return (plugins) => {
    if (source.registry) {
      return Promise.resolve({ registry: source.registry, backend: source.backend ?? getBackend() });
    }
    const key = JSON.stringify(plugins);
    let s = built.get(key);
    if (!s) {
      s = source.recipe
        ? import('@emms/metrics/node').then(async ({ createScorer }) => {
            const r = source.recipe!;
            const scorer = await createScorer({
              plugins: [...(r.plugins ?? []), ...plugins],
              ...(r.config ? { config: r.config } : {}),
              ...(r.cwd ? { cwd: r.cwd } : {}),
              backend: r.backend ?? 'auto',
              onNotice: () => undefined,
            });
            return { registry: scorer.registry, backend: scorer.backend };
          })
        : registryWithPlugins(plugins).then((registry) => ({
            registry,
            backend: source.backend ?? getBackend(),
          }));
      built.set(key, s);
    }
    return s;
  };
}
