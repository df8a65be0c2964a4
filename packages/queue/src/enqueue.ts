// The client side: enqueue a bench run (one run job), follow it, collect its report.
import { resolve } from 'node:path';
import {
  ArtifactStore,
  assertSomethingScored,
  type BenchReport,
  type BenchSpec,
  ensureFolder,
  parseReport,
  type ReportPaths,
  validateSpec,
  writeReports,
} from '@emms/harness';
import { EmmsError, type ProgressListener } from '@emms/tensor-io';
import { Job, Queue } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { QUEUE_CODES } from './codes';
import { openRedis, parseQueueUrl } from './connection';
import { decodeFailure, type RunJob, runIdOf, runJobIdOf } from './jobs';
import { runReportPath } from './paths';
import { DEFAULT_QUEUE } from './worker';

/** Options of {@link enqueueBench}. */
export interface EnqueueOptions {
  readonly connection: RedisOptions;
  /** Queue name (default `emms-bench`). */
  readonly queue?: string;
  /** Redis reconnection attempts before `REDIS_UNAVAILABLE` (default 5). */
  readonly retries?: number;
}

/** What {@link enqueueBench} did. */
export interface EnqueuedRun {
  /** The run id (same spec → same id). */
  readonly runId: string;
  /** The run job's id (`<runId>-run`). */
  readonly jobId: string;
  /** False when the run was already in the queue (nothing added). */
  readonly added: boolean;
}

/** Opens a client and a queue; `close` ends both. */
async function openQueue(
  connection: RedisOptions,
  name: string | undefined,
  retries: number | undefined,
): Promise<{ queue: Queue; close: () => Promise<void> }> {
  const client = openRedis(connection, { retries });
  try {
    await client.ready;
  } catch (e) {
    client.disconnect();
    throw e;
  }
  const queue = new Queue(name ?? DEFAULT_QUEUE, { connection: client });
  queue.on('error', () => undefined); // the client's own handler turns failures into typed errors
  return {
    queue,
    close: async () => {
      await queue.close().catch(() => undefined);
      client.disconnect();
    },
  };
}

/**
 * Enqueues a bench run as one run job. A worker takes it, plans the run's steps with the harness's pipeline
 * and adds each stage's steps as child jobs (extraction and F-labels, then ground truth and scores, then
 * agreement and assembly), waiting for them between stages, and writes the report to the shared store: the
 * run progresses with no client attached. The run id is a content key of the spec (without `out`, `cache`,
 * `queue` and the executor fields), so enqueueing the same run twice adds nothing. The spec sent carries no
 * queue address (so no password reaches Redis).
 *
 * @param spec - a validated bench spec; models and datasets are resolved by the workers.
 * @param opts - {@link EnqueueOptions}: connection, queue, retries.
 * @returns the run id and whether it was added.
 * @throws EmmsError `REDIS_UNAVAILABLE`, `REDIS_AUTH_FAILED`.
 * @example
 * ```ts
 * const { runId } = await enqueueBench(parseBenchSpec(json), { connection: parseQueueUrl(url).options });
 * ```
 */
export async function enqueueBench(spec: BenchSpec, opts: EnqueueOptions): Promise<EnqueuedRun> {
  const runId = runIdOf(spec);
  const jobId = runJobIdOf(runId);
  const { queue, close } = await openQueue(opts.connection, opts.queue, opts.retries);
  try {
    if (await Job.fromId(queue, jobId)) return { runId, jobId, added: false };
    const { queue: _address, ...sent } = spec;
    const data: RunJob = { kind: 'run', runId, spec: sent };
    await queue.add('run', data, {
      jobId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: false,
      removeOnFail: false,
    });
    return { runId, jobId, added: true };
  } finally {
    await close();
  }
}

/** Progress of a run. */
export interface RunProgress {
  readonly runId: string;
  /** BullMQ's state of the run job (`waiting-children` while its steps run). */
  readonly state: string;
  /** The stage whose steps are running (split, extract, truth, agreement, assemble). */
  readonly stage?: string;
  /** Step jobs finished (completed or failed for good) and added so far. */
  readonly done: number;
  readonly total: number;
  readonly failed: number;
}

/** Options of {@link waitForRun}. */
export interface WaitOptions {
  readonly connection: RedisOptions;
  /** The shared store the run job writes its report to. */
  readonly store: ArtifactStore;
  readonly queue?: string;
  /** Called at every poll. */
  readonly onProgress?: (p: RunProgress) => void;
  /** Stops following (the run goes on on the workers). */
  readonly signal?: AbortSignal;
  /** Poll interval, ms (default 500). */
  readonly pollMs?: number;
  /** Redis reconnection attempts before `REDIS_UNAVAILABLE` (default 5). */
  readonly retries?: number;
}

/**
 * Follows a run until its run job completes, and returns its report (read from the shared store).
 *
 * @param runId - from {@link enqueueBench}.
 * @param opts - {@link WaitOptions}.
 * @returns the run's BenchReport.
 * @throws EmmsError `RUN_NOT_FOUND` (no such run), `RUN_FAILED` (the run failed for good: the message carries
 *   the cause's code and message, `details.cause` both), `REDIS_UNAVAILABLE`; the abort reason.
 * @example
 * ```ts
 * const report = await waitForRun(runId, { connection, store, onProgress: (p) => console.log(p.done, p.total) });
 * ```
 */
export async function waitForRun(runId: string, opts: WaitOptions): Promise<BenchReport> {
  const { queue, close } = await openQueue(opts.connection, opts.queue, opts.retries);
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const job = await Job.fromId(queue, runJobIdOf(runId));
      if (!job) {
        throw new EmmsError(
          QUEUE_CODES.RUN_NOT_FOUND,
          `no run ${runId} in queue ${queue.name}; check the run id and the queue address`,
          { input: runId },
        );
      }
      const state = await job.getState();
      const d = await job.getDependenciesCount();
      const done = (d.processed ?? 0) + (d.failed ?? 0) + (d.ignored ?? 0);
      const stage = (job.progress as { stage?: string } | undefined)?.stage;
      opts.onProgress?.({
        runId,
        state,
        ...(stage ? { stage } : {}),
        done,
        total: done + (d.unprocessed ?? 0),
        failed: (d.failed ?? 0) + (d.ignored ?? 0),
      });
      if (state === 'completed') break;
      if (state === 'failed') {
        const cause = decodeFailure(job.failedReason ?? 'unknown');
        throw new EmmsError(QUEUE_CODES.RUN_FAILED, `run ${runId} failed: ${cause.code}: ${cause.message}`, {
          input: runId,
          details: { cause },
        });
      }
      await sleep(opts.pollMs ?? 500, opts.signal);
    }
  } finally {
    await close();
  }
  const report = opts.store.readJsonFile(runReportPath(opts.store, runId));
  if (!report) {
    throw new EmmsError(
      QUEUE_CODES.RUN_NOT_FOUND,
      `run ${runId} completed but ${runReportPath(opts.store, runId)} is missing; give the same shared store as the workers`,
      { input: runId },
    );
  }
  return parseReport(report);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      res();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Options of {@link runBenchOnQueue}. */
export interface QueueBenchOptions {
  /** The queue address (`redis://…`); its password is never printed or sent to workers. */
  readonly url: string;
  /** Environment for `EMMS_REDIS_PASSWORD` (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** The shared store folder (the workers' `--store`). */
  readonly store: string;
  /** The folder relative paths resolve against. */
  readonly cwd: string;
  readonly queue?: string;
  readonly retries?: number;
  /** Enqueue and return without following. */
  readonly detach?: boolean;
  /** Follow (or collect) this run instead of enqueueing. */
  readonly attach?: string;
  /** Report folder (default: the spec's `out`, else `emms-bench-<runId>`). */
  readonly out?: string;
  readonly onProgress?: ProgressListener;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
}

/** What {@link runBenchOnQueue} did. */
export interface QueueBenchResult {
  readonly runId: string;
  /** False when the run was already in the queue (absent when attaching). */
  readonly added?: boolean;
  /** The report and where it was written (absent when detached). */
  readonly report?: BenchReport;
  readonly paths?: ReportPaths;
}

/**
 * `emms bench --queue`: checks the spec (names, model references, task sizes; files are the workers'),
 * the store and the report folder, enqueues the run (unless attaching), follows it with progress, and
 * writes the same report files as a local run.
 *
 * @param spec - the spec (undefined when attaching).
 * @param o - {@link QueueBenchOptions}.
 * @returns the run id, and the report unless detached.
 * @throws EmmsError `QUEUE_URL_INVALID`, `REDIS_UNAVAILABLE`, `REDIS_AUTH_FAILED`, `RUN_FAILED`,
 *   `RUN_NOT_FOUND`, `CACHE_UNWRITABLE` (the store), `FILE_UNWRITABLE` (the report folder), `NOTHING_SCORED`.
 */
export async function runBenchOnQueue(
  spec: BenchSpec | undefined,
  o: QueueBenchOptions,
): Promise<QueueBenchResult> {
  const conn = parseQueueUrl(o.url, o.env);
  const store = ArtifactStore.open(resolve(o.cwd, o.store), { name: 'store' });
  let runId = o.attach;
  let added: boolean | undefined;
  if (runId === undefined) {
    if (!spec)
      throw new EmmsError('MISSING_INPUT', 'give a spec to run or a run id to attach to', { input: 'spec' });
    validateSpec(spec, { cwd: o.cwd, files: false });
    if (!o.detach) ensureFolder(resolve(o.cwd, o.out ?? spec.out), { name: 'out' });
    const r = await enqueueBench(spec, { connection: conn.options, queue: o.queue, retries: o.retries });
    runId = r.runId;
    added = r.added;
    o.log?.(`run ${runId} ${r.added ? 'enqueued' : 'already in the queue'} on ${conn.display}`);
    if (o.detach) return { runId, added };
  }
  const out = ensureFolder(resolve(o.cwd, o.out ?? spec?.out ?? `emms-bench-${runId}`), { name: 'out' });
  const report = await waitForRun(runId, {
    connection: conn.options,
    store,
    queue: o.queue,
    retries: o.retries,
    signal: o.signal,
    pollMs: o.pollMs,
    onProgress: (p) =>
      o.onProgress?.({
        task: `run ${p.runId}`,
        done: p.done,
        total: p.total,
        message: [p.stage, p.failed ? `${p.failed} failed` : p.state].filter(Boolean).join(', '),
      }),
  });
  const paths = await writeReports(report, out);
  assertSomethingScored(report, paths);
  return { runId, ...(added !== undefined ? { added } : {}), report, paths };
}
