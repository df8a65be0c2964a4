// The in-process executor: every step call in this thread, one after the other (the behaviour of `runBench`
// before executors existed).
import { availableParallelism } from 'node:os';
import type { ArtifactStore } from '../../store';
import { type ScorerSource, scorerFrom } from '../scorer';
import { runStep } from '../steps/index';
import type { Executor, StepOutcome } from '../types';

/** Options of {@link inProcessExecutor}. */
export interface InProcessExecutorOptions extends ScorerSource {
  /** The run's store. */
  readonly store: ArtifactStore;
  /** The folder relative paths resolve against. */
  readonly cwd: string;
  /**
   * onnxruntime intra-op threads per extraction (default: the machine's available parallelism, since one
   * extraction runs at a time).
   */
  readonly onnxThreads?: number;
}

/**
 * An executor that runs step calls one after the other in this thread.
 *
 * @param opts - {@link InProcessExecutorOptions}: store, cwd, registry/backend or a scorer recipe, onnxThreads.
 * @returns the {@link Executor}.
 * @example
 * ```ts
 * const executor = inProcessExecutor({ store: ArtifactStore.open('.emms-cache'), cwd: process.cwd() });
 * ```
 */
export function inProcessExecutor(opts: InProcessExecutorOptions): Executor {
  const scorer = scorerFrom(opts);
  const onnxThreads = opts.onnxThreads ?? availableParallelism();
  return {
    name: 'inprocess',
    async run(calls, hooks) {
      const out: StepOutcome[] = [];
      for (const call of calls) {
        hooks.signal?.throwIfAborted();
        out.push(
          await runStep(call, {
            store: opts.store,
            cwd: opts.cwd,
            scorer,
            onnxThreads,
            signal: hooks.signal,
            onProgress: hooks.onProgress,
            log: hooks.log ?? (() => undefined),
          }),
        );
      }
      return out;
    },
    async close() {},
  };
}
