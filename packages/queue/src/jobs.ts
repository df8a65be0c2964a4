// Job payloads (zod), what a worker allows, and the deterministic ids of a run's jobs.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { findZooEntry } from '@emms/feature-extractors';
import { type BenchSpec, BenchSpecSchema, contentKey } from '@emms/harness';
import { EmmsError } from '@emms/tensor-io';
import { z } from 'zod';
import { QUEUE_CODES } from './codes';

/** The dataset task an extraction or F-label job works on (a copy of the spec's task, defaults filled). */
export const TaskRefSchema = z.strictObject({
  id: z.string().min(1),
  dataset: z.string().min(1),
  trainPerClass: z.number().int().positive(),
  testPerClass: z.number().int().positive(),
  seed: z.number().int(),
});

/** A candidate model of an extraction job. */
export const CandidateRefSchema = z.strictObject({
  id: z.string().min(1),
  model: z.string().min(1),
  output: z.string().min(1).optional(),
  pool: z.enum(['avg', 'mean', 'cls', 'flatten', 'none']).optional(),
});

/** Extraction of one (model, dataset, split); `train.probs` is the model's own classifier output on train. */
export const ExtractJobSchema = z.strictObject({
  kind: z.literal('extract'),
  runId: z.string().regex(/^[0-9a-f]{20}$/),
  task: TaskRefSchema,
  candidate: CandidateRefSchema,
  split: z.enum(['train', 'test', 'train.probs']),
});

/** F-labels of one (embedder, dataset) over every template. */
export const FlabelsJobSchema = z.strictObject({
  kind: z.literal('flabels'),
  runId: z.string().regex(/^[0-9a-f]{20}$/),
  task: TaskRefSchema,
  embedder: z.string().min(1),
  templates: z.array(z.string().includes('{}')).min(1),
});

/** Scores and ground truth of one task, after its extraction jobs. */
export const TaskJobSchema = z.strictObject({
  kind: z.literal('task'),
  runId: z.string().regex(/^[0-9a-f]{20}$/),
  taskIndex: z.number().int().nonnegative(),
  spec: z.unknown(),
  /** Extraction job id → candidate id, to name candidates whose extraction failed for good. */
  extractJobs: z.record(z.string(), z.string()),
});

/** The final report of a run, after every task job. */
export const ReportJobSchema = z.strictObject({
  kind: z.literal('report'),
  runId: z.string().regex(/^[0-9a-f]{20}$/),
  spec: z.unknown(),
  /** Every job id of the run (for progress and attach). */
  jobIds: z.array(z.string()),
});

/** Any job of a run. */
export const JobSchema = z.discriminatedUnion('kind', [
  ExtractJobSchema,
  FlabelsJobSchema,
  TaskJobSchema,
  ReportJobSchema,
]);
export type ExtractJob = z.output<typeof ExtractJobSchema>;
export type FlabelsJob = z.output<typeof FlabelsJobSchema>;
export type TaskJob = z.output<typeof TaskJobSchema>;
export type ReportJob = z.output<typeof ReportJobSchema>;
export type QueueJob = z.output<typeof JobSchema>;

/** What a worker accepts from the queue. */
export interface WorkerPolicy {
  /** Folders that datasets, .onnx / local: / tfjs: models, truth tables and feature files must lie in. */
  readonly allowedPaths?: readonly string[];
  /** Folder relative paths in jobs resolve against (default: the first allowed path, else the working directory). */
  readonly baseDir?: string;
  /** Metric plugin packages a job may ask to import (default none: a plugin is code). */
  readonly allowedPlugins?: readonly string[];
  /** Allow `hf:` models and embedders (downloads into the local cache). Default false. */
  readonly allowRemote?: boolean;
}

const BUILTIN_EMBEDDERS = new Set(['use-lite', 'glove']);

function notAllowed(what: string, value: string, fix: string): EmmsError {
  return new EmmsError(
    QUEUE_CODES.JOB_NOT_ALLOWED,
    `job ${what} "${value}" is not allowed by this worker; ${fix}`,
    {
      input: value,
      details: { field: what },
    },
  );
}

/**
 * Resolves a path named by a job and checks that it lies inside one of the worker's allowed folders
 * (after following symbolic links).
 *
 * @param p - the path from the job.
 * @param what - the job field, for the message.
 * @param policy - the worker's {@link WorkerPolicy}.
 * @returns the absolute path.
 * @throws EmmsError `JOB_NOT_ALLOWED` when it lies outside every allowed folder.
 */
export function allowedPath(p: string, what: string, policy: WorkerPolicy): string {
  const roots = (policy.allowedPaths ?? []).map((r) => resolve(r));
  const base = policy.baseDir ?? roots[0] ?? process.cwd();
  const abs = resolve(base, p);
  const real = existsSync(abs) ? realpathSync(abs) : abs;
  for (const r of roots) {
    const rr = existsSync(r) ? realpathSync(r) : r;
    const rel = relative(rr, real);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return abs;
  }
  throw notAllowed(
    what,
    p,
    `give the worker this folder with allowedPaths (--allow-path) or name a zoo model`,
  );
}

/**
 * Resolves a model reference of a job: a zoo id, `pixels`, `hf:<id>` (only with `allowRemote`), or a
 * `.onnx` file / `local:` / `tfjs:` folder inside the allowed paths.
 *
 * @returns what the worker passes to `openModel` (absolute for paths).
 * @throws EmmsError `JOB_NOT_ALLOWED`.
 */
export function resolveModelRef(model: string, policy: WorkerPolicy): string {
  if (model === 'pixels' || findZooEntry(model)) return model;
  if (model.startsWith('hf:')) {
    if (policy.allowRemote) return model;
    throw notAllowed('model', model, 'start the worker with allowRemote to accept hf: models');
  }
  for (const prefix of ['local:', 'tfjs:']) {
    if (model.startsWith(prefix)) return prefix + allowedPath(model.slice(prefix.length), 'model', policy);
  }
  if (model.toLowerCase().endsWith('.onnx')) return allowedPath(model, 'model', policy);
  throw notAllowed('model', model, 'name a zoo model or an .onnx file inside the allowed paths');
}

/** Resolves a dataset of a job: `mnist` or a path inside the allowed paths. @throws EmmsError `JOB_NOT_ALLOWED`. */
export function resolveDatasetRef(dataset: string, policy: WorkerPolicy): string {
  return dataset === 'mnist' ? dataset : allowedPath(dataset, 'dataset', policy);
}

/** Resolves an embedder of a job. @throws EmmsError `JOB_NOT_ALLOWED`. */
export function resolveEmbedderRef(embedder: string, policy: WorkerPolicy): string {
  if (BUILTIN_EMBEDDERS.has(embedder)) return embedder;
  if (embedder.startsWith('hf:') && policy.allowRemote) return embedder;
  if (embedder.startsWith('local:')) return `local:${allowedPath(embedder.slice(6), 'embedder', policy)}`;
  throw notAllowed('embedder', embedder, 'use use-lite, glove or a local: folder inside the allowed paths');
}

/**
 * Validates a bench spec carried by a job and rewrites every path in it to an absolute, allowed one.
 *
 * @param raw - the spec from the job.
 * @param policy - the worker's {@link WorkerPolicy}.
 * @returns the validated spec.
 * @throws EmmsError `JOB_INVALID` (schema) or `JOB_NOT_ALLOWED` (a path, model, embedder or plugin outside the policy).
 */
export function checkSpec(raw: unknown, policy: WorkerPolicy): BenchSpec {
  const parsed = BenchSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EmmsError(QUEUE_CODES.JOB_INVALID, `job spec is invalid: ${z.prettifyError(parsed.error)}`, {
      input: 'spec',
    });
  }
  const spec = parsed.data;
  for (const p of spec.plugins) {
    if (!(policy.allowedPlugins ?? []).includes(p)) {
      throw notAllowed('plugin', p, 'list the plugin in the worker allowedPlugins (--allow-plugin)');
    }
  }
  const tasks = spec.tasks.map((t) =>
    'dataset' in t
      ? { ...t, id: t.id ?? t.dataset, dataset: resolveDatasetRef(t.dataset, policy) }
      : {
          ...t,
          featuresDir: allowedPath(t.featuresDir, 'featuresDir', policy),
          labels: allowedPath(t.labels, 'labels', policy),
          flabels: t.flabels.map((f) => allowedPath(f, 'flabels', policy)),
        },
  );
  const candidates = spec.candidates.map((c) => {
    const o = typeof c === 'string' ? { id: c, model: c } : c;
    if (o.features !== undefined) return { ...o, features: allowedPath(o.features, 'features', policy) };
    const model = resolveModelRef(o.model!, policy);
    return model === o.model && typeof c === 'string' ? c : { ...o, model };
  });
  for (const e of spec.flabels.embedders) resolveEmbedderRef(typeof e === 'string' ? e : e.id, policy);
  const gt = spec.groundTruth;
  const groundTruth =
    'table' in gt ? { ...gt, table: allowedPath(gt.table, 'groundTruth.table', policy) } : gt;
  return { ...spec, tasks, candidates, groundTruth } as BenchSpec;
}

/**
 * Validates a job payload and checks it against the worker's policy.
 *
 * @param data - the payload read from the queue.
 * @param policy - the worker's {@link WorkerPolicy}.
 * @returns the typed job.
 * @throws EmmsError `JOB_INVALID` or `JOB_NOT_ALLOWED`.
 * @example
 * ```ts
 * const job = parseJob(bullJob.data, { allowedPaths: ['/data'] });
 * ```
 */
export function parseJob(data: unknown, policy: WorkerPolicy): QueueJob {
  const r = JobSchema.safeParse(data);
  if (!r.success) {
    throw new EmmsError(QUEUE_CODES.JOB_INVALID, `job payload is invalid: ${z.prettifyError(r.error)}`, {
      input: 'job',
    });
  }
  const job = r.data;
  if (job.kind === 'extract') {
    resolveDatasetRef(job.task.dataset, policy);
    resolveModelRef(job.candidate.model, policy);
  } else if (job.kind === 'flabels') {
    resolveDatasetRef(job.task.dataset, policy);
    resolveEmbedderRef(job.embedder, policy);
  } else {
    checkSpec(job.spec, policy);
  }
  return job;
}

/**
 * The id of a run: a content key of everything that decides its results (the spec without `out` and
 * `cache`), so the same run enqueued twice gets the same id and the same job ids.
 *
 * @param spec - a validated spec.
 * @returns 20 hex characters.
 */
export function runIdOf(spec: BenchSpec): string {
  const { out: _o, cache: _c, ...rest } = spec;
  return contentKey({ v: 1, spec: rest }).slice(0, 20);
}

/** A deterministic BullMQ job id: `<runId>-<kind>-<16 hex of the job's content key>`. */
export function jobIdOf(runId: string, kind: string, content: unknown): string {
  return `${runId}-${kind}-${contentKey(content).slice(0, 16)}`;
}
