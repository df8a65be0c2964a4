import { createScorer, type Scorer } from '@emms/metrics/node';
import type { CliIo } from './command';

/**
 * The CLI's scorer: the library front door with the plugins from `emms.config.json` in the cwd and
 * from `--plugin`, the run-time configuration the CLI entry read, and notices on stderr.
 * `backend: 'js'` for commands that only list metrics (no native library is loaded then).
 */
export function loadScorer(
  io: CliIo,
  plugins: readonly string[] = [],
  backend: 'auto' | 'js' = 'auto',
): Promise<Scorer> {
  return createScorer({
    plugins,
    config: io.cwd,
    cwd: io.cwd,
    runtime: io.runtime,
    backend,
    onNotice: (m) => io.stderr.write(`${m}\n`),
  });
}

/** The registry part of {@link loadScorer} (for commands that only list or look up metrics). */
export interface LoadedRegistry {
  readonly registry: Scorer['registry'];
  /** Which plugin brought each plugin metric id. */
  readonly pluginOf: ReadonlyMap<string, string>;
}

/**
 * The built-in metrics plus the plugins of `emms.config.json` and `--plugin`, without loading a
 * native backend; kept for commands written against the earlier CLI helper.
 */
export async function loadRegistry(io: CliIo, plugins: readonly string[] = []): Promise<LoadedRegistry> {
  const scorer = await loadScorer(io, plugins, 'js');
  return { registry: scorer.registry, pluginOf: scorer.pluginOf };
}
