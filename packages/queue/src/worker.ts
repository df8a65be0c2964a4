// A worker: takes run jobs (plan the steps, add them as child jobs, write the report) and step jobs (the
// harness's runStep, unchanged) from the queue until stopped.
import { availableParallelism } from 'node:os';
import {
  type ArtifactStore,
  buildReport,
  registryWithPlugins,
  runPipeline,
  runSettings,
  runStep,
  type ScorerRecipe,
  scoreRequests,
  scorerFrom,
  validateSpec,
} from '@emms/harness';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import {
  type Job,
  type JobsOptions,
  Queue,
  UnrecoverableError,
  WaitingChildrenError,
  WaitingError,
  Worker,
} from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { openRedis, redactSecrets } from './connection';
import { queueStageExecutor, type StepJobResult, Suspended } from './executor';
import {
  baseDirOf,
  checkSpec,
  checkStepCall,
  decodeFailure,
  encodeFailure,
  parseJob,
  type WorkerPolicy,
} from './jobs';
import { runReportPath } from './paths';

/** The BullMQ queue a bench run uses unless told otherwise. */
export const DEFAULT_QUEUE = 'emms-bench';

/** Attempts and back-off of step jobs unless told otherwise. */
export const DEFAULT_STEP_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: false,
  removeOnFail: false,
};

/** Options of {@link runWorker}. */
export interface RunWorkerOptions extends WorkerPolicy {
  /** Redis connection (see `parseQueueUrl`). */
  readonly connection: RedisOptions;
  /** The shared store (`ArtifactStore` of @emms/harness on a folder every worker mounts). */
  readonly store: ArtifactStore;
  /** Jobs run at once in this process (default 1: extraction already uses the cores). */
  readonly concurrency?: number;
  /** Aborting it stops the worker within seconds: the step in progress is stopped and its job handed back. */
  readonly signal?: AbortSignal;
  /** Queue name (default `emms-bench`). */
  readonly queue?: string;
  /** Lock time of a job in ms (renewed while the worker lives; after it expires a dead worker's job is taken over). Default 30000. */
  readonly lockDuration?: number;
  /** How often stalled jobs are looked for, ms (default: BullMQ's 30000). */
  readonly stalledInterval?: number;
  /** Redis reconnection attempts before the worker stops with `REDIS_UNAVAILABLE` (default 5). */
  readonly retries?: number;
  /** Attempts and back-off of the step jobs this worker's run jobs add (default 3 attempts, 2 s doubling). */
  readonly stepJobOptions?: JobsOptions;
  /** How steps build their scorer (backend, config); default: built-in scores, allowed plugins, the default backend. */
  readonly scorer?: ScorerRecipe;
  /**
   * onnxruntime intra-op threads per extraction (default: the machine's available parallelism divided by
   * `concurrency`, at least 1). Give 1 when several workers share a machine.
   */
  readonly onnxThreads?: number;
  /** One line per finished job (already free of the Redis password). */
  readonly log?: (line: string) => void;
  /** Called once the worker is connected and taking jobs. */
  readonly onReady?: () => void;
}

/** Seconds a stopping worker gives the step in progress to stop before it lets go of the job anyway. */
const STOP_GRACE_MS = 5000;

/**
 * Takes jobs from the queue and runs them until `signal` aborts. Every payload is validated (zod) and
 * checked against the worker's policy before anything runs: models, datasets and files are resolved through
 * the worker's own zoo and allowed paths, never executed or loaded from elsewhere; a rejected job fails at
 * once with `JOB_INVALID` / `JOB_NOT_ALLOWED`. A run job runs the harness's pipeline with the queue executor:
 * each stage's steps become child jobs and the run job waits for them (BullMQ's waiting-children), so a run
 * progresses with no client attached. On abort, the step in progress is stopped (an interrupted extraction
 * resumes from its finished batches) and its job goes back to the queue.
 *
 * @param opts - {@link RunWorkerOptions}.
 * @returns when the worker has stopped.
 * @throws EmmsError `REDIS_UNAVAILABLE` (not reachable within the retries), `REDIS_AUTH_FAILED`.
 * @example
 * ```ts
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await runWorker({ connection: parseQueueUrl(url).options, store: new ArtifactStore('/mnt/store'), signal: stop.signal });
 * ```
 */
export async function runWorker(opts: RunWorkerOptions): Promise<void> {
  const secret = [opts.connection.password];
  const log = (line: string) => opts.log?.(redactSecrets(line, secret));
  const client = openRedis(opts.connection, { retries: opts.retries });
  const stopping = new AbortController();
  const onStop = () => stopping.abort();
  opts.signal?.addEventListener('abort', onStop, { once: true });
  if (opts.signal?.aborted) onStop();
  let worker: Worker<unknown, StepJobResult> | undefined;
  let queue: Queue | undefined;
  try {
    await Promise.race([client.ready, aborted(stopping.signal)]);
    if (stopping.signal.aborted) return;
    queue = new Queue(opts.queue ?? DEFAULT_QUEUE, { connection: client });
    queue.on('error', (e) => log(`queue connection: ${e.message}`));
    const base = baseDirOf(opts);
    const scorer = scorerFrom({ ...(opts.scorer ? { recipe: opts.scorer } : {}) });
    const processJob = async (job: Job, token?: string): Promise<StepJobResult> => {
      const t0 = performance.now();
      let parsed: ReturnType<typeof parseJob>;
      try {
        parsed = parseJob(job.data);
      } catch (e) {
        throw new UnrecoverableError(encodeFailure(e).message); // a bad payload never gets better
      }
      if (parsed.kind === 'run') {
        return runJob(job, token!, parsed.runId, parsed.spec, t0);
      }
      let call: ReturnType<typeof checkStepCall>;
      try {
        call = checkStepCall(parsed.call, opts, opts.store);
      } catch (e) {
        throw new UnrecoverableError(encodeFailure(e).message);
      }
      const outcome = await runStep(call, {
        store: opts.store,
        cwd: base,
        scorer,
        onnxThreads:
          opts.onnxThreads ?? Math.max(1, Math.floor(availableParallelism() / (opts.concurrency ?? 1))),
        signal: stopping.signal,
        log,
        onProgress: (p) => {
          if (p.total) void job.updateProgress(Math.round((100 * p.done) / p.total)).catch(() => undefined);
        },
      }).catch(async (e: unknown) => {
        if (!stopping.signal.aborted) throw e;
        await job.moveToWait(token); // stopped by the worker's own shutdown: the job goes back, no attempt spent
        throw new WaitingError();
      });
      if (!outcome.ok) {
        const { code, message } = outcome.error;
        throw encodeFailure(new EmmsError(code, message));
      }
      return {
        pid: globalThis.process.pid,
        seconds: (performance.now() - t0) / 1000,
        counts: outcome.counts,
      };
    };
    const runJob = async (job: Job, token: string, runId: string, raw: unknown, t0: number) => {
      try {
        const spec = checkSpec(raw, opts);
        const registry = await registryWithPlugins(spec.plugins);
        validateSpec(spec, { cwd: base, registry });
        const executor = queueStageExecutor({
          job,
          token,
          queue: queue!,
          store: opts.store,
          runId,
          jobOptions: { ...DEFAULT_STEP_JOB_OPTIONS, ...opts.stepJobOptions },
          onWait: (s) => {
            void job.updateProgress({ stage: s.step, pending: s.pending }).catch(() => undefined);
          },
        });
        const { tasks, counts } = await runPipeline(spec, {
          executor,
          cwd: base,
          scores: scoreRequests(spec, registry),
          registry,
          ...runSettings(spec, registry),
          log: (line) => log(`${runId}: ${line}`),
        });
        const { backend } = await scorer(spec.plugins);
        const report = buildReport(spec, tasks, {
          command: `queue run ${runId}`,
          seconds: (Date.now() - job.timestamp) / 1000,
          backend: backend.name,
          counts,
        });
        opts.store.writeAtomic(runReportPath(opts.store, runId), JSON.stringify(report));
        return { pid: globalThis.process.pid, seconds: (performance.now() - t0) / 1000, counts };
      } catch (e) {
        if (e instanceof Suspended) throw new WaitingChildrenError();
        // a spec or step that fails for good fails the run at once (retrying gives the same answer)
        if (isEmmsError(e)) throw new UnrecoverableError(encodeFailure(e).message);
        throw e;
      }
    };
    worker = new Worker<unknown, StepJobResult>(opts.queue ?? DEFAULT_QUEUE, processJob, {
      connection: client,
      concurrency: opts.concurrency ?? 1,
      lockDuration: opts.lockDuration ?? 30_000,
      ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
      maxStalledCount: 3,
      autorun: false,
    });
    worker.on('completed', (job) => log(`done ${job.id}`));
    worker.on('failed', (job, err) => {
      const f = decodeFailure(err.message);
      log(`failed ${job?.id} (attempt ${job?.attemptsMade}): ${f.code}: ${f.message}`);
    });
    worker.on('error', (err) => log(`queue connection: ${err.message}`));
    const running = worker.run();
    await Promise.race([worker.waitUntilReady(), aborted(stopping.signal), client.ready]);
    if (!stopping.signal.aborted) opts.onReady?.();
    const lost = new Promise<void>((res) => client.once('end', () => res()));
    await Promise.race([aborted(stopping.signal), lost]);
    const closing = worker.close();
    await Promise.race([closing, delay(STOP_GRACE_MS)]);
    await worker.close(true).catch(() => undefined);
    await Promise.race([running.catch(() => undefined), delay(1000)]);
    const failure = client.failure();
    if (failure && !stopping.signal.aborted) throw failure;
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
    await queue?.close().catch(() => undefined);
    client.disconnect();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal.aborted) res();
    signal.addEventListener('abort', () => res(), { once: true });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms).unref());
}
