// Job payloads (zod), what a worker allows, and the deterministic ids of a run's jobs.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  type ArtifactStore,
  type BenchSpec,
  BenchSpecSchema,
  BUILTIN_DATASETS,
  contentKey,
  parseModelRef,
  parseStepCall,
  type StepCall,
  stepKey,
} from '@emms/harness';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import { z } from 'zod';
import { QUEUE_CODES } from './codes';

const runIdSchema = z.string().regex(/^[0-9a-f]{20}$/);

/** A whole run: the job that plans the steps, adds them as its children stage by stage, and writes the report. */
export const RunJobSchema = z.strictObject({
  kind: z.literal('run'),
  runId: runIdSchema,
  spec: z.unknown(),
});

/** One step call of a run, run by a worker with the harness's `runStep`. */
export const StepJobSchema = z.strictObject({
  kind: z.literal('step'),
  runId: runIdSchema,
  call: z.strictObject({ step: z.string().min(1), input: z.unknown() }),
});

/** Any job of a run. */
export const JobSchema = z.discriminatedUnion('kind', [RunJobSchema, StepJobSchema]);
export type RunJob = z.output<typeof RunJobSchema>;
export type StepJob = Omit<z.output<typeof StepJobSchema>, 'call'> & { readonly call: StepCall };
export type QueueJob = RunJob | StepJob;

/** What a worker accepts from the queue. */
export interface WorkerPolicy {
  /** Folders that datasets, .onnx / local: / tfjs: / caption: models, truth tables and feature files must lie in. */
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
    { input: value, details: { field: what } },
  );
}

/** The folder relative paths of jobs resolve against. */
export function baseDirOf(policy: WorkerPolicy): string {
  return policy.baseDir ?? (policy.allowedPaths?.[0] ? resolve(policy.allowedPaths[0]) : process.cwd());
}

function inside(path: string, root: string): boolean {
  const real = existsSync(path) ? realpathSync(path) : path;
  const rr = existsSync(root) ? realpathSync(root) : root;
  const rel = relative(rr, real);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
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
  const abs = resolve(baseDirOf(policy), p);
  if ((policy.allowedPaths ?? []).some((r) => inside(abs, resolve(r)))) return abs;
  throw notAllowed(
    what,
    p,
    'give the worker this folder with allowedPaths (--allow-path) or name a zoo model',
  );
}

/**
 * Resolves a model reference of a job (parsed by `parseModelRef` of the harness, against the worker's base
 * folder) and decides whether it is allowed: a zoo id, `pixels` or an offline text model always; `hf:` only with `allowRemote`;
 * a `.onnx` file or a `local:` / `tfjs:` / `caption:` folder inside the allowed paths.
 *
 * @returns the reference to pass on (absolute paths).
 * @throws EmmsError `JOB_NOT_ALLOWED` (also for a name that is no model reference at all).
 */
export function resolveModelRef(model: string, policy: WorkerPolicy): string {
  let ref: ReturnType<typeof parseModelRef>;
  try {
    ref = parseModelRef(model, { cwd: baseDirOf(policy) });
  } catch (e) {
    if (!isEmmsError(e)) throw e;
    throw notAllowed('model', model, 'name a zoo model or a model file inside the allowed paths');
  }
  switch (ref.kind) {
    case 'zoo':
    case 'pixels':
    case 'text':
      return model;
    case 'hf':
      if (policy.allowRemote) return model;
      throw notAllowed('model', model, 'start the worker with allowRemote to accept hf: models');
    case 'onnx':
      return allowedPath(ref.path, 'model', policy);
    default:
      return `${ref.kind}:${allowedPath(ref.path, 'model', policy)}`;
  }
}

/**
 * Resolves a dataset of a job: a built-in dataset (`mnist`, `fashion-mnist`, …) or a path inside the allowed
 * paths. @throws EmmsError `JOB_NOT_ALLOWED`.
 */
export function resolveDatasetRef(dataset: string, policy: WorkerPolicy): string {
  return Object.hasOwn(BUILTIN_DATASETS, dataset) ? dataset : allowedPath(dataset, 'dataset', policy);
}

/** Resolves an embedder of a job. @throws EmmsError `JOB_NOT_ALLOWED`. */
export function resolveEmbedderRef(embedder: string, policy: WorkerPolicy): string {
  if (BUILTIN_EMBEDDERS.has(embedder)) return embedder;
  if (embedder.startsWith('hf:') && policy.allowRemote) return embedder;
  if (embedder.startsWith('local:')) return `local:${allowedPath(embedder.slice(6), 'embedder', policy)}`;
  throw notAllowed('embedder', embedder, 'use use-lite, glove or a local: folder inside the allowed paths');
}

function checkPlugins(plugins: readonly string[], policy: WorkerPolicy): void {
  for (const p of plugins) {
    if (!(policy.allowedPlugins ?? []).includes(p)) {
      throw notAllowed('plugin', p, 'list the plugin in the worker allowedPlugins (--allow-plugin)');
    }
  }
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
  checkPlugins(spec.plugins, policy);
  // candidates of the spec and of each task: every model reference and feature file inside the policy
  const allowed = (list: BenchSpec['candidates']) =>
    list.map((c) => {
      const o = typeof c === 'string' ? { id: c, model: c } : c;
      if (o.features !== undefined) return { ...o, features: allowedPath(o.features, 'features', policy) };
      const model = resolveModelRef(o.model!, policy);
      return model === o.model && typeof c === 'string' ? c : { ...o, model };
    });
  const candidates = allowed(spec.candidates);
  const tasks = spec.tasks.map((t) =>
    'dataset' in t
      ? {
          ...t,
          id: t.id ?? t.dataset,
          dataset: resolveDatasetRef(t.dataset, policy),
          ...(t.candidates ? { candidates: allowed(t.candidates) } : {}),
          ...(typeof t.classes === 'string' ? { classes: allowedPath(t.classes, 'classes', policy) } : {}),
        }
      : {
          ...t,
          featuresDir: allowedPath(t.featuresDir, 'featuresDir', policy),
          labels: allowedPath(t.labels, 'labels', policy),
          flabels: t.flabels.map((f) => allowedPath(f, 'flabels', policy)),
        },
  );
  for (const e of spec.flabels.embedders) resolveEmbedderRef(typeof e === 'string' ? e : e.id, policy);
  const gt = spec.groundTruth;
  const groundTruth =
    'table' in gt ? { ...gt, table: allowedPath(gt.table, 'groundTruth.table', policy) } : gt;
  const { queue: _q, ...rest } = spec;
  return { ...rest, tasks, candidates, groundTruth } as BenchSpec;
}

/** Every `{ path }` artifact reference in a step input (features, labels, F-labels). */
function artifactPaths(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) artifactPaths(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.path === 'string') out.push(o.path);
    for (const v of Object.values(o)) artifactPaths(v, out);
  }
  return out;
}

/**
 * Checks a step call carried by a job against the harness's schema of the step and the worker's policy:
 * datasets, models, embedders, plugins, tables and feature files must be allowed, and every artifact path
 * must lie in the shared store or an allowed folder.
 *
 * @param raw - the call from the job.
 * @param policy - the worker's {@link WorkerPolicy}.
 * @param store - the worker's store.
 * @returns the parsed call.
 * @throws EmmsError `JOB_INVALID` (`STEP_INVALID` of the harness) or `JOB_NOT_ALLOWED`.
 */
export function checkStepCall(raw: unknown, policy: WorkerPolicy, store: ArtifactStore): StepCall {
  let call: StepCall;
  try {
    call = parseStepCall(raw as { step: unknown; input: unknown });
  } catch (e) {
    throw new EmmsError(QUEUE_CODES.JOB_INVALID, `job step is invalid: ${(e as Error).message}`, {
      input: 'call',
    });
  }
  const i = call.input as Record<string, unknown> & { kind?: string };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (call.step === 'split') {
    if (i.kind === 'dataset') resolveDatasetRef(str(i.dataset)!, policy);
    else {
      allowedPath(str(i.featuresDir)!, 'featuresDir', policy);
      allowedPath(str(i.labels)!, 'labels', policy);
      for (const f of i.flabels as string[]) allowedPath(f, 'flabels', policy);
    }
  } else if (call.step === 'extract') {
    const model = (i.candidate as { model?: string } | undefined)?.model;
    if (model) resolveModelRef(model, policy);
  } else if (call.step === 'flabels') resolveEmbedderRef(str(i.embedder)!, policy);
  else if (call.step === 'truth' && str(i.table)) allowedPath(str(i.table)!, 'groundTruth.table', policy);
  else if (call.step === 'score') checkPlugins(i.plugins as string[], policy);
  for (const p of artifactPaths(i)) {
    if (!isAbsolute(p))
      store.path(p); // refuses a relative path that leaves the store
    else if (!(store.dir && inside(p, store.dir))) allowedPath(p, 'file', policy);
  }
  return call;
}

/**
 * Validates a job payload (the kind and its fields; a step's input is checked by {@link checkStepCall}).
 *
 * @param data - the payload read from the queue.
 * @returns the typed job.
 * @throws EmmsError `JOB_INVALID`.
 */
export function parseJob(data: unknown): z.output<typeof JobSchema> {
  const r = JobSchema.safeParse(data);
  if (!r.success) {
    throw new EmmsError(QUEUE_CODES.JOB_INVALID, `job payload is invalid: ${z.prettifyError(r.error)}`, {
      input: 'job',
    });
  }
  return r.data;
}

/**
 * The id of a run: a content key of everything that decides its results (the spec without `out`, `cache`
 * and the executor fields), so the same run enqueued twice gets the same id and the same job ids.
 *
 * @param spec - a validated spec.
 * @returns 20 hex characters.
 */
export function runIdOf(spec: BenchSpec): string {
  const { out: _o, cache: _c, queue: _q, executor: _e, threads: _t, onnxThreads: _n, ...rest } = spec;
  return contentKey({ v: 2, spec: rest }).slice(0, 20);
}

/** The job id of a run's run job. */
export function runJobIdOf(runId: string): string {
  return `${runId}-run`;
}

/** The deterministic job id of a step call of a run: `<runId>-<step>-<24 hex of the call's key>`. */
export function stepJobIdOf(runId: string, call: StepCall): string {
  return `${runId}-${call.step}-${stepKey(call).slice(0, 24)}`;
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
