// The worker-thread executor: step calls on a pool of node:worker_threads, each thread running steps by name
// (`runStep`, the same function the in-process executor calls), so independent calls use every core.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getBackend } from '@emms/linalg';
import { EmmsError, type ProgressEvent } from '@emms/tensor-io';
import { BENCH_CODES } from '../../bench/codes';
import type { ArtifactStore } from '../../store';
import type { ScorerRecipe } from '../scorer';
import type { Executor, ExecutorHooks, StepCall, StepOutcome } from '../types';

/** Options of {@link threadsExecutor}. */
export interface ThreadsExecutorOptions {
  /** The run's store (its folder is opened again in every thread). */
  readonly store: ArtifactStore;
  /** The folder relative paths resolve against. */
  readonly cwd: string;
  /** Worker threads (default: the machine's available parallelism). */
  readonly threads?: number;
  /**
   * onnxruntime intra-op threads per extraction (default: the cores divided by the worker threads, at least
   * 1), so that parallel extractions do not oversubscribe the cores.
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
}

/** Messages a thread sends. */
export type ThreadMessage =
  | { readonly type: 'progress'; readonly id: number; readonly event: ProgressEvent }
  | { readonly type: 'log'; readonly id: number; readonly line: string }
  | { readonly type: 'done'; readonly id: number; readonly outcome: StepOutcome };

/** The built thread script: beside the bundle (dist), or the package's dist when running from source. */
function threadScript(): string {
  const here = import.meta.url;
  for (const rel of ['./step-thread.js', '../../../dist/step-thread.js']) {
    const p = fileURLToPath(new URL(rel, here));
    if (existsSync(p)) return p;
  }
  throw new EmmsError(
    BENCH_CODES.EXECUTOR_FAILED,
    'the worker-thread script step-thread.js of @emms/harness is missing; build the package (pnpm build)',
    { input: 'executor' },
  );
}

/** A thread and the call it holds (with where its messages go). */
interface Slot {
  readonly worker: Worker;
  busy?: {
    readonly id: number;
    readonly message: (m: ThreadMessage) => void;
    readonly died: (why: string) => void;
  };
}

/**
 * An executor that runs step calls on worker threads: a call per free thread, the next call as soon as one
 * finishes. Each thread opens the same store and builds its own scorer from the recipe; onnxruntime
 * sessions get `onnxThreads` intra-op threads. A thread that dies fails the call it held
 * (`EXECUTOR_FAILED`) and is replaced. Aborting stops every thread at once (interrupted extractions
 * resume from their finished batches on the next run).
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
  };
  const slots: Slot[] = [];
  let nextId = 0;
  let script: string | undefined;
  const spawn = (): Slot => {
    script ??= threadScript();
    const slot: Slot = { worker: new Worker(script, { workerData: data }) };
    slot.worker.on('message', (m: ThreadMessage) => {
      if (slot.busy && m.id === slot.busy.id) slot.busy.message(m);
    });
    const died = (why: string) => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      const busy = slot.busy;
      slot.busy = undefined;
      busy?.died(why);
    };
    slot.worker.on('error', (e) => died(e.message));
    slot.worker.on('exit', (code) => died(`exit code ${code}`));
    slots.push(slot);
    return slot;
  };
  const close = async () => {
    await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
  };
  return {
    name: 'threads',
    close,
    run(calls: readonly StepCall[], hooks: ExecutorHooks): Promise<StepOutcome[]> {
      const outcomes: StepOutcome[] = new Array(calls.length);
      let next = 0;
      let finished = 0;
      return new Promise<StepOutcome[]>((resolve, reject) => {
        let stopped = false;
        const stop = (e: unknown) => {
          stopped = true;
          hooks.signal?.removeEventListener('abort', onAbort);
          reject(e);
        };
        const onAbort = () => {
          stopped = true;
          void close();
          reject(hooks.signal?.reason ?? new Error('aborted'));
        };
        if (hooks.signal?.aborted) return onAbort();
        hooks.signal?.addEventListener('abort', onAbort, { once: true });
        const done = (index: number, outcome: StepOutcome) => {
          outcomes[index] = outcome;
          if (++finished === calls.length) {
            hooks.signal?.removeEventListener('abort', onAbort);
            resolve(outcomes);
          }
        };
        const feed = (slot: Slot) => {
          if (stopped || next >= calls.length) return;
          const index = next++;
          const call = calls[index]!;
          slot.busy = {
            id: nextId++,
            message: (m) => {
              if (m.type === 'progress') hooks.onProgress?.(m.event);
              else if (m.type === 'log') hooks.log?.(m.line);
              else {
                slot.busy = undefined;
                done(index, m.outcome);
                feed(slot);
              }
            },
            died: (why) => {
              if (stopped) return;
              const error = {
                code: BENCH_CODES.EXECUTOR_FAILED,
                message: `the worker thread running step ${call.step} died (${why})`,
              };
              done(index, { ok: false, error, counts: { hits: 0, misses: 0 } });
              try {
                feed(spawn());
              } catch (e) {
                stop(e);
              }
            },
          };
          slot.worker.postMessage({ type: 'run', id: slot.busy.id, call });
        };
        try {
          while (slots.length < Math.min(size, calls.length)) spawn();
          for (const s of slots) if (!s.busy) feed(s);
        } catch (e) {
          stop(e);
        }
      });
    },
  };
}
