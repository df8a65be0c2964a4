// The worker-thread executor: step calls on node:worker_threads, each thread running steps by name
// (`runStep`, the same function the in-process executor calls), so independent calls use every core.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getBackend } from '@emms/linalg';
import { type RuntimeConfig, runtimeConfig } from '@emms/runtime';
import { EmmsError, type ProgressEvent } from '@emms/tensor-io';
import { BENCH_CODES } from '../../bench/codes';
import type { ArtifactStore } from '../../store';
import { type ScorerRecipe, scorerFrom } from '../scorer';
import { runStep } from '../steps/index';
import type { Executor, ExecutorHooks, StepCall, StepOutcome } from '../types';

/** Options of {@link threadsExecutor}. */
export interface ThreadsExecutorOptions {
  /** The run's store (its folder is opened again in every thread). */
  readonly store: ArtifactStore;
  /** The folder relative paths resolve against. */
  readonly cwd: string;
  /**
   * Steps run at once (default: the machine's available parallelism). One of them runs in the calling
   * thread, the others on worker threads, so 2 means this thread plus one worker thread.
   */
  readonly threads?: number;
  /**
   * onnxruntime intra-op threads per extraction (default: the cores divided by `threads`, at least 1), so
   * that parallel extractions do not oversubscribe the cores.
   */
  readonly onnxThreads?: number;
  /** How each thread builds its scorer (default: built-in scores, the spec's plugins, this thread's backend). */
  readonly scorer?: ScorerRecipe;
}

/** What a thread is started with (JSON). */
export interface ThreadData {
  readonly storeDir: string;
  readonly reuse: boolean;
  readonly cwd: string;
  readonly onnxThreads: number;
  readonly recipe: ScorerRecipe;
  /** The run-time configuration of the calling thread (model cache, tfjs backend, …), applied in each thread. */
  readonly runtime: RuntimeConfig;
}

/** Messages a thread sends. */
export type ThreadMessage =
  | { readonly type: 'progress'; readonly id: number; readonly event: ProgressEvent }
  | { readonly type: 'log'; readonly id: number; readonly line: string }
  | { readonly type: 'done'; readonly id: number; readonly outcome: StepOutcome };

/** The built thread script: beside the bundle (dist), or the package's dist when running from source. */
function threadScript(): string {
  for (const rel of ['./step-thread.js', '../../../dist/step-thread.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new EmmsError(
    BENCH_CODES.EXECUTOR_FAILED,
    'the worker-thread script step-thread.js of @emms/harness is missing; build the package (pnpm build)',
    { input: 'executor' },
  );
}

/** Runs one call somewhere; `stop` ends it at once. */
interface Slot {
  run(call: StepCall, hooks: ExecutorHooks): Promise<StepOutcome>;
  stop(): Promise<void>;
}

/** A worker thread that runs one call at a time; a thread that dies fails its call and is started again. */
function workerSlot(script: string, data: ThreadData): Slot {
  let worker: Worker | undefined;
  let id = 0;
  let current: { id: number; hooks: ExecutorHooks; done: (o: StepOutcome) => void; step: string } | undefined;
  const start = () => {
    const w = new Worker(script, { workerData: data });
    w.on('message', (m: ThreadMessage) => {
      if (!current || m.id !== current.id) return;
      if (m.type === 'progress') current.hooks.onProgress?.(m.event);
      else if (m.type === 'log') current.hooks.log?.(m.line);
      else current.done(m.outcome);
    });
    const died = (why: string) => {
      if (worker === w) worker = undefined;
      const c = current;
      if (!c) return;
      const message = `the worker thread running step ${c.step} died (${why})`;
      c.done({
        ok: false,
        error: { code: BENCH_CODES.EXECUTOR_FAILED, message },
        counts: { hits: 0, misses: 0 },
      });
    };
    w.on('error', (e) => died(e.message));
    w.on('exit', (code) => died(`exit code ${code}`));
    return w;
  };
  return {
    run(call, hooks) {
      worker ??= start();
      const w = worker;
      return new Promise<StepOutcome>((resolve) => {
        current = {
          id: ++id,
          hooks,
          step: call.step,
          done: (o) => {
            current = undefined;
            resolve(o);
          },
        };
        w.postMessage({ type: 'run', id: current.id, call });
      });
    },
    async stop() {
      const w = worker;
      worker = undefined;
      current = undefined;
      await w?.terminate();
    },
  };
}

/**
 * An executor that runs step calls on worker threads: one call per slot, the next as soon as one finishes;
 * one slot is the calling thread itself, so `threads: 2` adds one worker thread. A stage with a single call
 * runs in the calling thread. Each worker thread opens the same store and builds its own scorer from the
 * recipe and follows the calling thread's run-time configuration (`configureRuntime` of @emms/runtime);
 * onnxruntime sessions get `onnxThreads` intra-op threads. A thread that dies fails the call it held
 * (`EXECUTOR_FAILED`) and is replaced. Aborting ends the threads at once (interrupted extractions resume from
 * their finished batches on the next run).
 *
 * @param opts - {@link ThreadsExecutorOptions}.
 * @returns the {@link Executor}; `close()` ends the threads.
 * @example
 * ```ts
 * const executor = threadsExecutor({ store: ArtifactStore.open('.emms-cache'), cwd: process.cwd(), threads: 2 });
 * try { await runBench(spec, { executor }); } finally { await executor.close(); }
 * ```
 */
export function threadsExecutor(opts: ThreadsExecutorOptions): Executor {
  const cores = availableParallelism();
  const size = Math.max(1, opts.threads ?? cores);
  const data: ThreadData = {
    storeDir: opts.store.dir!,
    reuse: opts.store.reuse,
    cwd: opts.cwd,
    onnxThreads: opts.onnxThreads ?? Math.max(1, Math.floor(cores / size)),
    recipe: opts.scorer ?? { backend: getBackend().name === 'openblas' ? 'openblas' : 'js' },
    runtime: runtimeConfig(),
  };
  const scorer = scorerFrom({ recipe: data.recipe });
  const inline: Slot = {
    run: (call, hooks) =>
      runStep(call, {
        store: opts.store,
        cwd: opts.cwd,
        scorer,
        onnxThreads: data.onnxThreads,
        signal: hooks.signal,
        onProgress: hooks.onProgress,
        log: hooks.log ?? (() => undefined),
      }),
    stop: async () => undefined,
  };
  const workers: Slot[] = [];
  const close = async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  };
  return {
    name: 'threads',
    close,
    async run(calls: readonly StepCall[], hooks: ExecutorHooks): Promise<StepOutcome[]> {
      hooks.signal?.throwIfAborted();
      const wanted = Math.min(size, calls.length) - 1;
      if (wanted > workers.length) {
        const script = threadScript();
        while (workers.length < wanted) workers.push(workerSlot(script, data));
      }
      const outcomes: StepOutcome[] = new Array(calls.length);
      let next = 0;
      const drain = async (slot: Slot) => {
        while (next < calls.length && !hooks.signal?.aborted) {
          const i = next++;
          outcomes[i] = await slot.run(calls[i]!, hooks);
        }
      };
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          void close();
          reject(hooks.signal?.reason ?? new Error('aborted'));
        };
        hooks.signal?.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        await Promise.race([Promise.all([inline, ...workers.slice(0, wanted)].map(drain)), aborted]);
      } finally {
        if (onAbort) hooks.signal?.removeEventListener('abort', onAbort);
      }
      hooks.signal?.throwIfAborted();
      return outcomes;
    },
  };
}
