// Checks a spec before any work starts: names, models, files and task sizes that would otherwise fail
// after minutes of extraction.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUILTIN_DATASETS, parseModelRef } from '@emms/feature-extractors';
import type { MetricRegistry } from '@emms/metrics';
import { EmmsError } from '@emms/tensor-io';
import { BENCH_CODES } from '../bench/codes';
import { listFeatureFiles } from '../bench/features-dir';
import type { BenchSpec, TaskSpec } from '../spec';
import { taskCandidates } from './defaults';

/** Options of {@link validateSpec}. */
export interface ValidateSpecOptions {
  /** The folder relative paths of the spec resolve against. */
  readonly cwd: string;
  /** Where score ids are looked up (default: not checked). */
  readonly registry?: MetricRegistry;
  /**
   * Check that files and folders exist, list feature folders (default true). False for a client that
   * enqueues a run whose files only the workers see.
   */
  readonly files?: boolean;
}

/** The id of a task: its `id`, else its dataset. */
export function taskIdOf(t: TaskSpec): string {
  return t.id ?? ('dataset' in t ? t.dataset : 'task');
}

/** A candidate as an object (a string is a model reference whose id is itself). */
export function candidateOf(
  c: BenchSpec['candidates'][number],
): Exclude<BenchSpec['candidates'][number], string> {
  return typeof c === 'string' ? { id: c, model: c } : c;
}

function needFile(path: string, what: string, kind: 'file' | 'folder'): void {
  const ok = existsSync(path) && (kind === 'file' ? statSync(path).isFile() : statSync(path).isDirectory());
  if (!ok) {
    throw new EmmsError('FILE_NOT_FOUND', `${what} ${path} is not an existing ${kind}; check the path`, {
      input: path,
    });
  }
}

/**
 * Validates a spec before anything runs: task ids and candidate ids are unique, score ids are known, every
 * model reference parses (zoo id, pixels, .onnx, hf:, local:, tfjs:, caption:), and, with `files`, every
 * model file, dataset folder, features folder, labels, F-label and truth table exists; each task has at least
 * three candidates that can give features; a measured ground truth only on dataset tasks. The per-class
 * sizes of a dataset task are checked when its split is drawn, before any extraction.
 *
 * @param spec - a validated bench spec.
 * @param opts - {@link ValidateSpecOptions}.
 * @throws EmmsError `SPEC_INVALID`, `DUPLICATE_MODEL_NAME`, `UNKNOWN_METRIC`, `MODEL_NOT_FOUND`,
 *   `FILE_NOT_FOUND`, `FEATURES_DIR_EMPTY`, `TASK_TOO_SMALL`, naming the task, candidate or file.
 * @example
 * ```ts
 * validateSpec(parseBenchSpec(json), { cwd: process.cwd(), registry });
 * ```
 */
export function validateSpec(spec: BenchSpec, opts: ValidateSpecOptions): void {
  const files = opts.files ?? true;
  const at = (p: string) => resolve(opts.cwd, p);
  for (const s of spec.scores) opts.registry?.get(typeof s === 'string' ? s : s.id);
  const taskIds = new Set<string>();
  for (const t of spec.tasks) {
    const id = taskIdOf(t);
    if (taskIds.has(id)) {
      throw new EmmsError(BENCH_CODES.SPEC_INVALID, `two tasks are named "${id}"; give each an "id"`, {
        input: 'tasks',
        details: { task: id },
      });
    }
    taskIds.add(id);
  }
  const gt = spec.groundTruth;
  if (files && 'table' in gt) needFile(at(gt.table), 'ground-truth table', 'file');
  for (const t of spec.tasks) {
    if (!('dataset' in t)) continue;
    const id = taskIdOf(t);
    if (files && !Object.hasOwn(BUILTIN_DATASETS, t.dataset) && !existsSync(at(t.dataset))) {
      throw new EmmsError('FILE_NOT_FOUND', `task ${id}: dataset ${at(t.dataset)} does not exist`, {
        input: at(t.dataset),
        details: { task: id },
      });
    }
    const ids = new Set<string>();
    let withModel = 0;
    for (const raw of taskCandidates(t, spec, opts.cwd)) {
      const c = candidateOf(raw);
      if (ids.has(c.id)) {
        throw new EmmsError(
          BENCH_CODES.DUPLICATE_MODEL_NAME,
          `task ${id}: two candidates are named "${c.id}"; give each a unique "id"`,
          { input: c.id, details: { task: id, model: c.id } },
        );
      }
      ids.add(c.id);
      if (!c.model) continue;
      withModel++;
      const ref = parseModelRef(c.model, { cwd: opts.cwd });
      if (!files) continue;
      if (ref.kind === 'onnx') needFile(ref.path, `candidate "${c.id}": model file`, 'file');
      if (ref.kind === 'local' || ref.kind === 'tfjs' || ref.kind === 'caption') {
        needFile(ref.path, `candidate "${c.id}": model folder`, 'folder');
      }
    }
    if (withModel < 3) {
      throw new EmmsError(
        BENCH_CODES.TASK_TOO_SMALL,
        `task ${id}: ${withModel} candidate(s) can give features (${[...ids].join(', ') || 'none'}); ranking needs at least three`,
        { input: id, details: { task: id, models: [...ids] } },
      );
    }
  }
  for (const t of spec.tasks) {
    if ('dataset' in t) continue;
    if ('measured' in gt) {
      throw new EmmsError(
        BENCH_CODES.SPEC_INVALID,
        `task ${t.id}: a measured ground truth needs a dataset task (train and test features); give groundTruth.table or groundTruth.published`,
        { input: 'groundTruth', details: { task: t.id } },
      );
    }
    if (!files) continue;
    const found = listFeatureFiles(at(t.featuresDir), t.id);
    if (found.length < 3) {
      throw new EmmsError(
        BENCH_CODES.TASK_TOO_SMALL,
        `task ${t.id}: ${found.length} model(s) with features (${found.map(([m]) => m).join(', ')}); ranking needs at least three`,
        { input: t.id, details: { task: t.id, models: found.map(([m]) => m) } },
      );
    }
    needFile(at(t.labels), `task ${t.id}: labels`, 'file');
    for (const f of t.flabels) needFile(at(f), `task ${t.id}: F-label file`, 'file');
  }
}
