// A worker: takes jobs from the queue until stopped.
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { openRedis } from './connection';
import { decodeFailure, encodeFailure, handleJob, type JobResult } from './handlers';
import { parseJob, type WorkerPolicy } from './jobs';
import type { ArtifactStore } from './store';

/** The BullMQ queue a bench run uses unless told otherwise. */
export const DEFAULT_QUEUE = 'emms-bench';

/** Options of {@link runWorker}. */
export interface RunWorkerOptions extends WorkerPolicy {
  /** Redis connection (see `parseQueueUrl`). */
  readonly connection: RedisOptions;
  /** The shared artifact store. */
  readonly store: ArtifactStore;
  /** Jobs run at once in this process (default 1: extraction already uses the cores). */
  readonly concurrency?: number;
  /** Aborting it stops the worker: no new job is taken, the current one finishes. */
  readonly signal?: AbortSignal;
  /** Queue name (default `emms-bench`). */
  readonly queue?: string;
  /** Lock time of a job in ms (renewed while the worker lives; after it expires a dead worker's job is taken over). Default 30000. */
  readonly lockDuration?: number;
  /** How often stalled jobs are looked for, ms (default: BullMQ's 30000). */
  readonly stalledInterval?: number;
  /** One line per finished job. */
  readonly log?: (line: string) => void;
  /** Called once the worker is connected and taking jobs. */
  readonly onReady?: () => void;
}

/**
 * Takes jobs from the queue and runs them until `signal` aborts (then finishes the current job and
 * closes). Every payload is validated (zod) and checked against the worker's policy before anything runs:
 * models, datasets and files are resolved through the worker's own zoo and allowed paths, never executed
 * or loaded from elsewhere; a rejected job fails at once with `JOB_INVALID` / `JOB_NOT_ALLOWED`.
 *
 * @param opts - {@link RunWorkerOptions}.
 * @returns when the worker has stopped.
 * @example
 * ```ts
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await runWorker({ connection: parseQueueUrl(url).options, store: new ArtifactStore('/mnt/store'), signal: stop.signal });
 * ```
 */
export async function runWorker(opts: RunWorkerOptions): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const client = openRedis(opts.connection);
  const worker = new Worker<unknown, JobResult>(
    opts.queue ?? DEFAULT_QUEUE,
    async (job: Job) => {
      let parsed: ReturnType<typeof parseJob>;
      try {
        parsed = parseJob(job.data, opts);
      } catch (e) {
        // a payload that is not allowed never gets better: fail at once, no retry
        throw new UnrecoverableError(encodeFailure(e).message);
      }
      try {
        // no abort signal: a stopping worker finishes the job it holds
        return await handleJob(parsed, { store: opts.store, policy: opts, job, log });
      } catch (e) {
        throw encodeFailure(e);
      }
    },
    {
      connection: client,
      concurrency: opts.concurrency ?? 1,
      lockDuration: opts.lockDuration ?? 30_000,
      ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
      maxStalledCount: 3,
      autorun: false,
    },
  );
  worker.on('completed', (job) => log(`done ${job.id}`));
  worker.on('failed', (job, err) => {
    const f = decodeFailure(err.message);
    log(`failed ${job?.id} (attempt ${job?.attemptsMade}): ${f.code}`);
  });
  worker.on('error', (err) => log(`queue connection: ${err.message}`));
  const stopped = new Promise<void>((res) => {
    if (opts.signal?.aborted) res();
    opts.signal?.addEventListener('abort', () => res(), { once: true });
  });
  const running = worker.run();
  await worker.waitUntilReady();
  opts.onReady?.();
  await stopped;
  await worker.close();
  await running;
  client.disconnect();
}
