// The client side: enqueue a bench run as a BullMQ flow, follow it, collect its report.
import type { BenchReport, BenchSpec } from '@emms/harness';
import { parseReport } from '@emms/harness';
import { EmmsError } from '@emms/tensor-io';
import { type FlowJob, FlowProducer, Job, type JobsOptions, Queue } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { QUEUE_CODES } from './codes';
import { openRedis } from './connection';
import { runReportPath } from './handlers';
import type { ExtractJob, FlabelsJob, ReportJob, TaskJob } from './jobs';
import { jobIdOf, runIdOf } from './jobs';
import type { ArtifactStore } from './store';
import { DEFAULT_QUEUE } from './worker';

/** Options of {@link enqueueBench}. */
export interface EnqueueOptions {
  readonly connection: RedisOptions;
  /** Queue name (default `emms-bench`). */
  readonly queue?: string;
  /** Tries per job (default 3). */
  readonly attempts?: number;
  /** First back-off delay in ms, doubled at every retry (default 2000). */
  readonly backoffMs?: number;
}

/** What {@link enqueueBench} did. */
export interface EnqueuedRun {
  /** The run id (same spec → same id). */
  readonly runId: string;
  /** The final report job's id. */
  readonly reportJobId: string;
  /** Every job id of the run. */
  readonly jobIds: readonly string[];
  /** False when the run was already in the queue (nothing added). */
  readonly added: boolean;
}

/**
 * Enqueues a bench run as one BullMQ flow: per dataset task, extraction jobs per (model, split) and
 * F-label jobs per embedder are children of the task's scoring/ground-truth job, and the task jobs are
 * children of the final report job. Job ids are deterministic (run id from the spec's content, job ids
 * from each job's content), so enqueueing the same run twice adds nothing. Extraction and F-label jobs
 * may fail for good without blocking their task (the model is then reported with its error).
 * Feature-folder tasks have no extraction jobs.
 *
 * @param spec - a validated bench spec (`parseBenchSpec`); models and datasets are resolved by the workers.
 * @param opts - {@link EnqueueOptions}: connection, queue, attempts, backoffMs.
 * @returns the run id and its job ids.
 * @example
 * ```ts
 * const { runId } = await enqueueBench(parseBenchSpec(json), { connection: parseQueueUrl(url).options });
 * ```
 */
export async function enqueueBench(spec: BenchSpec, opts: EnqueueOptions): Promise<EnqueuedRun> {
  const queueName = opts.queue ?? DEFAULT_QUEUE;
  const runId = runIdOf(spec);
  const jobOpts: JobsOptions = {
    attempts: opts.attempts ?? 3,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 2000 },
    removeOnComplete: false,
    removeOnFail: false,
  };
  const jobIds: string[] = [];
  const taskNodes: FlowJob[] = [];
  spec.tasks.forEach((t, taskIndex) => {
    const children: FlowJob[] = [];
    const extractJobs: Record<string, string> = {};
    if ('dataset' in t) {
      const task = {
        id: t.id ?? t.dataset,
        dataset: t.dataset,
        trainPerClass: t.trainPerClass,
        testPerClass: t.testPerClass,
        seed: t.seed,
      };
      for (const c of spec.candidates) {
        const o = typeof c === 'string' ? { id: c, model: c } : c;
        if (!o.model || o.model === 'pixels') continue;
        const candidate = {
          id: o.id,
          model: o.model,
          ...(o.output ? { output: o.output } : {}),
          ...(o.pool ? { pool: o.pool } : {}),
        };
        const splits: ExtractJob['split'][] = ['train', 'test'];
        if ((o.model === 'ppocr-cls' || o.model === 'ppocr-rec') && !o.output) splits.push('train.probs');
        for (const split of splits) {
          const data: ExtractJob = { kind: 'extract', runId, task, candidate, split };
          const id = jobIdOf(runId, 'extract', data);
          extractJobs[id] = o.id;
          jobIds.push(id);
          children.push({
            name: 'extract',
            queueName,
            data,
            // the classifier head is optional: its failure must not count as the model's
            opts: { ...jobOpts, jobId: id, ignoreDependencyOnFailure: true },
          });
        }
      }
      for (const e of spec.flabels.embedders) {
        const data: FlabelsJob = {
          kind: 'flabels',
          runId,
          task,
          embedder: typeof e === 'string' ? e : e.id,
          templates: [...spec.flabels.templates],
        };
        const id = jobIdOf(runId, 'flabels', data);
        jobIds.push(id);
        children.push({
          name: 'flabels',
          queueName,
          data,
          opts: { ...jobOpts, jobId: id, ignoreDependencyOnFailure: true },
        });
      }
    }
    // probs failures are notes, not model failures: only train/test extraction names a failed model
    const modelJobs = Object.fromEntries(
      Object.entries(extractJobs).filter(([id]) =>
        children.some((c) => c.opts?.jobId === id && (c.data as ExtractJob).split !== 'train.probs'),
      ),
    );
    const data: TaskJob = { kind: 'task', runId, taskIndex, spec, extractJobs: modelJobs };
    const id = jobIdOf(runId, 'task', { taskIndex });
    jobIds.push(id);
    // a task that fails for good fails the report job, so a follower learns it at once
    taskNodes.push({
      name: 'task',
      queueName,
      data,
      opts: { ...jobOpts, jobId: id, failParentOnFailure: true },
      children,
    });
  });
  const reportJobId = `${runId}-report`;
  jobIds.push(reportJobId);
  const client = openRedis(opts.connection);
  const queue = new Queue(queueName, { connection: client });
  try {
    if (await Job.fromId(queue, reportJobId)) return { runId, reportJobId, jobIds, added: false };
    const data: ReportJob = { kind: 'report', runId, spec, jobIds };
    const flow = new FlowProducer({ connection: client });
    try {
      await flow.add({
        name: 'report',
        queueName,
        data,
        opts: { ...jobOpts, jobId: reportJobId },
        children: taskNodes,
      });
    } finally {
      await flow.close();
    }
    return { runId, reportJobId, jobIds, added: true };
  } finally {
    await queue.close();
    client.disconnect();
  }
}

/** Progress of a run. */
export interface RunProgress {
  readonly runId: string;
  readonly done: number;
  readonly failed: number;
  readonly total: number;
  readonly state: string;
}

/** Options of {@link waitForRun}. */
export interface WaitOptions {
  readonly connection: RedisOptions;
  /** The shared store the report job writes to. */
  readonly store: ArtifactStore;
  readonly queue?: string;
  /** Called at every poll. */
  readonly onProgress?: (p: RunProgress) => void;
  readonly signal?: AbortSignal;
  /** Poll interval, ms (default 500). */
  readonly pollMs?: number;
}

/**
 * Follows a run until its report job completes, and returns its report (read from the shared store).
 *
 * @param runId - from {@link enqueueBench}.
 * @param opts - {@link WaitOptions}.
 * @returns the run's BenchReport.
 * @throws EmmsError `RUN_NOT_FOUND` (no such run in the queue), `RUN_FAILED` (the report job failed for good).
 * @example
 * ```ts
 * const report = await waitForRun(runId, { connection, store, onProgress: (p) => console.log(p.done, p.total) });
 * ```
 */
export async function waitForRun(runId: string, opts: WaitOptions): Promise<BenchReport> {
  const client = openRedis(opts.connection);
  const queue = new Queue(opts.queue ?? DEFAULT_QUEUE, { connection: client });
  try {
    const reportJob = await Job.fromId<ReportJob>(queue, `${runId}-report`);
    if (!reportJob) {
      throw new EmmsError(
        QUEUE_CODES.RUN_NOT_FOUND,
        `no run ${runId} in queue ${queue.name}; check the run id and the queue address`,
        {
          input: runId,
        },
      );
    }
    const ids = reportJob.data.jobIds;
    for (;;) {
      opts.signal?.throwIfAborted();
      const states = await Promise.all(ids.map(async (id) => (await queue.getJobState(id)) as string));
      const state = states[states.length - 1]!;
      const p = {
        runId,
        done: states.filter((s) => s === 'completed').length,
        failed: states.filter((s) => s === 'failed').length,
        total: ids.length,
        state,
      };
      opts.onProgress?.(p);
      if (state === 'completed') break;
      if (state === 'failed') {
        const j = await Job.fromId(queue, `${runId}-report`);
        throw new EmmsError(
          QUEUE_CODES.RUN_FAILED,
          `run ${runId}: the report job failed (${j?.failedReason ?? 'unknown'})`,
          {
            input: runId,
          },
        );
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
    const report = opts.store.readJsonFile(runReportPath(opts.store, runId));
    if (!report) {
      throw new EmmsError(
        QUEUE_CODES.RUN_NOT_FOUND,
        `run ${runId} completed but ${runReportPath(opts.store, runId)} is missing; give the same shared store as the workers`,
        {
          input: runId,
        },
      );
    }
    return parseReport(report);
  } finally {
    await queue.close();
    client.disconnect();
  }
}
