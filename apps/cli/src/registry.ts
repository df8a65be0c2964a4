import type { Metric, MetricRegistry } from '@emms/metrics';
import { builtinMetrics, createRegistry, loadPlugin } from '@emms/metrics';
import type { CliIo } from './command';
import { configPlugins, importPlugin } from './plugins';

/** A registry of the built-in metrics plus the plugins named on the command line and in emms.config.json. */
export interface LoadedRegistry {
  readonly registry: MetricRegistry;
  /** Which plugin brought each plugin metric id. */
  readonly pluginOf: ReadonlyMap<string, string>;
}

/**
 * Builds a fresh registry: the built-in scores, then every plugin from `emms.config.json` in the cwd
 * and from `--plugin` (in that order, each loaded once). A plugin that fails is a PLUGIN_LOAD error.
 */
export async function loadRegistry(io: CliIo, cliPlugins: readonly string[] = []): Promise<LoadedRegistry> {
  const registry = createRegistry(builtinMetrics as Metric[]);
  const pluginOf = new Map<string, string>();
  const names = [...new Set([...configPlugins(io.cwd), ...cliPlugins])];
  for (const name of names) {
    const mod = await importPlugin(name, io.cwd);
    const plugin = loadPlugin(mod, name);
    for (const metric of plugin.metrics) {
      registry.register(metric);
      pluginOf.set(metric.id, name);
    }
  }
  return { registry, pluginOf };
}
