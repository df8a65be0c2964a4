// What a worker does with each job kind.
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { extractFeatures, openDataset, openModel } from '@emms/feature-extractors';
import {
  type BenchReport,
  type BenchReportInput,
  balancedSplit,
  CLASSIFIER_OUTPUTS,
  contentKey,
  parseReport,
  publishedTruth,
  runBench,
  summarizeAgreement,
  type TaskReport,
} from '@emms/harness';
import { classificationFLabels, createEmbedder } from '@emms/label-embedders';
import { getBackend } from '@emms/linalg';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import type { Job } from 'bullmq';
import { QUEUE_CODES } from './codes';
import {
  checkSpec,
  type ExtractJob,
  type FlabelsJob,
  type QueueJob,
  type ReportJob,
  resolveDatasetRef,
  resolveEmbedderRef,
  resolveModelRef,
  type TaskJob,
  type WorkerPolicy,
} from './jobs';
import type { ArtifactStore } from './store';

/** Context of a job handler. */
export interface HandlerContext {
  readonly store: ArtifactStore;
  readonly policy: WorkerPolicy;
  readonly job: Job;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

/** Small result a job leaves in Redis. */
export interface JobResult {
  readonly kind: QueueJob['kind'];
  /** Process that did the work. */
  readonly pid: number;
  /** True when the artifact was computed by this job (false: found in the store). */
  readonly computed: boolean;
  readonly seconds: number;
}

/** Failure messages carry the typed code first (`CODE: message`), since Redis keeps only the message. */
export function encodeFailure(e: unknown): Error {
  if (isEmmsError(e)) return new Error(`${e.code}: ${e.message}`);
  return e instanceof Error ? e : new Error(String(e));
}

/** Reads back a failure message written by {@link encodeFailure}. */
export function decodeFailure(reason: string): { code: string; message: string } {
  const m = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(reason);
  return m ? { code: m[1]!, message: m[2]! } : { code: 'INTERNAL', message: reason };
}

async function handleExtract(j: ExtractJob, ctx: HandlerContext): Promise<JobResult> {
  const t0 = performance.now();
  const ds = balancedSplit(
    openDataset(resolveDatasetRef(j.task.dataset, ctx.policy)),
    j.task.trainPerClass,
    j.task.testPerClass,
    j.task.seed,
  );
  const modelRef = resolveModelRef(j.candidate.model, ctx.policy);
  const head = j.split === 'train.probs' ? CLASSIFIER_OUTPUTS[j.candidate.model] : undefined;
  const model = await openModel(modelRef, head ?? { output: j.candidate.output, pool: j.candidate.pool });
  try {
    const r = await extractFeatures({
      dataset: ds,
      model,
      outDir: ctx.store.featuresDir,
      split: j.split === 'test' ? 'test' : 'train',
      signal: ctx.signal,
      name: `${j.candidate.id}__${j.task.id}__${j.split}`,
      onProgress: (p) => {
        if (p.total) void ctx.job.updateProgress(Math.round((100 * p.done) / p.total)).catch(() => undefined);
      },
    });
    if (!r.reused) ctx.store.recordComputed('extract', r.sidecar.key);
    ctx.log(
      `extract ${j.candidate.id} ${j.task.id} ${j.split}: ${r.reused ? 'found in the store' : 'computed'}`,
    );
    return {
      kind: 'extract',
      pid: process.pid,
      computed: !r.reused,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await model.dispose();
  }
}

async function handleFlabels(j: FlabelsJob, ctx: HandlerContext): Promise<JobResult> {
  const t0 = performance.now();
  const key = contentKey({
    v: 1,
    kind: 'flabels',
    task: j.task,
    embedder: j.embedder,
    templates: j.templates,
  });
  if (ctx.store.getJson(key)) {
    return { kind: 'flabels', pid: process.pid, computed: false, seconds: 0 };
  }
  const ds = balancedSplit(
    openDataset(resolveDatasetRef(j.task.dataset, ctx.policy)),
    j.task.trainPerClass,
    j.task.testPerClass,
    j.task.seed,
  );
  const labels = Int32Array.from(
    ds.items.filter((i) => i.split === 'train'),
    (i) => i.label,
  );
  const embedder = await createEmbedder(resolveEmbedderRef(j.embedder, ctx.policy));
  const out: { template: string; rows: number; cols: number; data: number[] }[] = [];
  for (const template of j.templates) {
    const f = await classificationFLabels(embedder, { classNames: [...ds.classes], labels }, { template });
    out.push({ template, rows: f.matrix.rows, cols: f.matrix.cols, data: Array.from(f.matrix.data) });
  }
  ctx.store.putJson(key, out);
  ctx.store.recordComputed('flabels', key);
  return { kind: 'flabels', pid: process.pid, computed: true, seconds: (performance.now() - t0) / 1000 };
}

/** Path of a task's report in the store. */
export function taskReportPath(store: ArtifactStore, runId: string, taskIndex: number): string {
  return join(store.runDir(runId), `task-${taskIndex}.json`);
}

/** Path of a run's final report in the store. */
export function runReportPath(store: ArtifactStore, runId: string): string {
  return join(store.runDir(runId), 'report.json');
}

async function handleTask(j: TaskJob, ctx: HandlerContext): Promise<JobResult> {
  const t0 = performance.now();
  const spec = checkSpec(j.spec, ctx.policy);
  const task = spec.tasks[j.taskIndex];
  if (!task) {
    throw new EmmsError(QUEUE_CODES.JOB_INVALID, `job task index ${j.taskIndex} is not in the spec`, {
      input: 'taskIndex',
    });
  }
  // candidates whose extraction failed for good (every retry spent): left out, recorded with their error
  const failures = await ctx.job.getIgnoredChildrenFailures();
  const failed = new Map<string, { code: string; message: string }>();
  for (const [key, reason] of Object.entries(failures)) {
    const jobId = key.slice(key.lastIndexOf(':') + 1);
    const cand = j.extractJobs[jobId];
    if (cand && !failed.has(cand)) failed.set(cand, decodeFailure(reason));
  }
  const candId = (c: BenchSpecCandidate) => (typeof c === 'string' ? c : c.id);
  const sub = {
    ...spec,
    tasks: [task],
    candidates: spec.candidates.filter((c) => !failed.has(candId(c))),
    cache: ctx.store.dir,
  };
  const { report } = await runBench(sub, {
    noWrite: true,
    signal: ctx.signal,
    cwd: ctx.policy.baseDir ?? ctx.policy.allowedPaths?.[0] ?? process.cwd(),
  });
  const tr = report.tasks[0]!;
  const order = spec.candidates.map(candId);
  const models = [
    ...tr.models,
    ...[...failed].map(([id, error]) => ({
      id,
      source: 'zoo' as const,
      extractSeconds: 0,
      cached: false,
      error,
    })),
  ].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const out = {
    task: { ...tr, models },
    cacheHits: report.run.cacheHits,
    cacheMisses: report.run.cacheMisses,
  };
  ctx.store.writeAtomic(taskReportPath(ctx.store, j.runId, j.taskIndex), JSON.stringify(out));
  ctx.store.recordComputed('task', `${j.runId}-${j.taskIndex}`);
  ctx.log(`task ${tr.id}: ${report.run.cacheMisses} results computed, ${report.run.cacheHits} found`);
  return { kind: 'task', pid: process.pid, computed: true, seconds: (performance.now() - t0) / 1000 };
}

type BenchSpecCandidate = ReturnType<typeof checkSpec>['candidates'][number];

async function handleReport(j: ReportJob, ctx: HandlerContext): Promise<JobResult> {
  const t0 = performance.now();
  const spec = checkSpec(j.spec, ctx.policy);
  const tasks: TaskReport[] = [];
  let hits = 0;
  let misses = 0;
  for (let i = 0; i < spec.tasks.length; i++) {
    const t = ctx.store.readJsonFile<{ task: TaskReport; cacheHits: number; cacheMisses: number }>(
      taskReportPath(ctx.store, j.runId, i),
    );
    if (!t) {
      throw new EmmsError(QUEUE_CODES.RUN_FAILED, `run ${j.runId}: task ${i} has no result in the store`, {
        input: j.runId,
      });
    }
    tasks.push(t.task);
    hits += t.cacheHits;
    misses += t.cacheMisses;
  }
  const input: BenchReportInput = {
    schema: 'emms-bench-report',
    version: 1,
    run: {
      createdAt: new Date().toISOString(),
      command: `queue run ${j.runId}`,
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model,
        platform: process.platform,
        arch: process.arch,
        nodeVersion: process.version,
        totalMemoryBytes: totalmem(),
        backend: getBackend().name,
      },
      seconds: (Date.now() - ctx.job.timestamp) / 1000,
      cacheHits: hits,
      cacheMisses: misses,
    },
    tasks,
    summaries: [],
    notes: [`run ${j.runId} computed on a queue of workers`],
  };
  const gt = spec.groundTruth;
  if ('published' in gt) {
    const pub = publishedTruth(gt.published);
    input.summaries = [
      summarizeAgreement(tasks, gt.published, {
        ...(pub.publishedMeanWeightedTau
          ? { published: { source: pub.source, values: { ...pub.publishedMeanWeightedTau } } }
          : {}),
      }),
    ];
  }
  const report: BenchReport = parseReport(input);
  ctx.store.writeAtomic(runReportPath(ctx.store, j.runId), JSON.stringify(report));
  ctx.store.recordComputed('report', j.runId);
  return { kind: 'report', pid: process.pid, computed: true, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Runs one validated job.
 *
 * @param job - the typed payload (see `parseJob`).
 * @param ctx - store, policy, the BullMQ job, abort signal and logger.
 * @returns the small result kept in Redis.
 * @throws whatever the step throws (the worker turns it into a retry, then a failure).
 */
export function handleJob(job: QueueJob, ctx: HandlerContext): Promise<JobResult> {
  switch (job.kind) {
    case 'extract':
      return handleExtract(job, ctx);
    case 'flabels':
      return handleFlabels(job, ctx);
    case 'task':
      return handleTask(job, ctx);
    case 'report':
      return handleReport(job, ctx);
  }
}
