// Task kinds: what differs between kinds of task is which calls make its features, F-labels and ground
// truth; scoring, agreement and assembly are shared. A new kind (regression, captioning, text) supplies
// these three hooks and its description; the executors and the other steps stay as they are.
import { resolve } from 'node:path';
import { BUILTIN_DATASETS, modelRefText, parseModelRef } from '@emms/feature-extractors';
import { defaultRegistry, type MetricRegistry } from '@emms/metrics';
import type { BenchSpec, TaskSpec } from '../spec';
import { taskCandidates, taskTemplates } from './defaults';
import { targetKinds } from './kinds-targets';
import type { ExtractInput, ExtractResult } from './steps/extract';
import type { FlabelsInput, FlabelsResult } from './steps/flabels';
import type { SplitInput, SplitResult } from './steps/split';
import type { TaskInput } from './steps/task-input';
import type { TruthInput } from './steps/truth';
import type { StepCall } from './types';
import { candidateOf, taskIdOf } from './validate';

/** What a kind needs to plan a task's calls. */
export interface PlanContext {
  readonly spec: BenchSpec;
  /** The folder relative paths of the spec resolve against. */
  readonly cwd: string;
  /** The scores' registry (default: the built-in scores). */
  readonly registry?: MetricRegistry;
}

/** One candidate's feature call, with the source the report shows when it fails. */
export interface CandidateCall {
  readonly id: string;
  readonly source: string;
  readonly call: StepCall;
}

/** A kind of task: the calls that make its split, features, F-labels and ground truth. */
export interface TaskKind<T extends TaskSpec = TaskSpec> {
  readonly id: TaskInput['task']['kind'];
  /** The question: classification of the items' classes, or a continuous target (box, caption, columns). */
  readonly question: NonNullable<TaskInput['task']['question']>;
  /** The split call: items and labels (with a content key). */
  split(task: T, ctx: PlanContext): StepCall;
  /** One feature call per candidate, and the F-label calls (empty when the task brings its own). */
  features(
    task: T,
    split: SplitResult,
    ctx: PlanContext,
  ): { candidates: CandidateCall[]; flabels: StepCall[] };
  /** The ground-truth calls, given the candidates that have features; `perCandidate` pairs them up. */
  truth(
    task: T,
    split: SplitResult,
    ok: readonly { id: string; extract: ExtractResult }[],
    ctx: PlanContext,
    flabels: readonly FlabelsResult[],
  ): { calls: StepCall[]; perCandidate: boolean };
  /** Whether a score applies to this kind (all of today's classification scores apply to both kinds). */
  applies(scoreId: string): boolean;
  /** What the score step gets besides the labels: why class scores do not apply, and regression targets. */
  scoring(split: SplitResult): { classless?: string; targets?: SplitResult['labels'] };
  /** Notes that lead the task's notes, the task's split parameters, F-label templates, facts for the notes. */
  describe(
    task: T,
    ctx: PlanContext,
    split?: SplitResult,
  ): Pick<TaskInput['task'], 'split' | 'templates' | 'notes' | 'probsScores'>;
}

export type DatasetTask = Extract<TaskSpec, { dataset: string }>;
type FeaturesTask = Extract<TaskSpec, { featuresDir: string }>;

export function truthCalls(
  taskId: string,
  split: SplitResult,
  ok: readonly { id: string; extract: ExtractResult }[],
  ctx: PlanContext,
): { calls: StepCall[]; perCandidate: boolean } {
  const gt = ctx.spec.groundTruth;
  if ('measured' in gt) {
    const calls = ok.map(({ id, extract }) => ({
      step: 'truth' as const,
      input: {
        kind: 'probe',
        task: taskId,
        candidate: id,
        train: extract.train,
        test: extract.test!,
        labels: split.labels,
        kinds: [...gt.measured],
        knnK: gt.knnK,
      } satisfies TruthInput,
    }));
    return { calls, perCandidate: true };
  }
  const input: TruthInput =
    'table' in gt
      ? {
          kind: 'table',
          task: taskId,
          table: resolve(ctx.cwd, gt.table),
          name: gt.table,
          ...(gt.dataset ? { dataset: gt.dataset } : {}),
          models: ok.map((m) => m.id),
        }
      : { kind: 'table', task: taskId, published: gt.published, models: ok.map((m) => m.id) };
  return { calls: [{ step: 'truth', input }], perCandidate: false };
}

/** Classification on a dataset: extraction of every candidate, F-labels of the class names, probes. */
export const datasetKind: TaskKind<DatasetTask> = {
  id: 'dataset',
  question: 'classification',
  split(task, ctx) {
    const input: SplitInput = {
      kind: 'dataset',
      dataset: Object.hasOwn(BUILTIN_DATASETS, task.dataset) ? task.dataset : resolve(ctx.cwd, task.dataset),
      trainPerClass: task.trainPerClass,
      testPerClass: task.testPerClass,
      seed: task.seed,
      ...(task.classes !== undefined
        ? { classes: typeof task.classes === 'string' ? resolve(ctx.cwd, task.classes) : [...task.classes] }
        : {}),
    };
    return { step: 'split', input };
  },
  features(task, split, ctx) {
    const candidates = candidateCalls(task, split, ctx);
    const templates = taskTemplates(task, ctx.spec, split).templates;
    const flabels = embedderIds(ctx).map(({ id, optional }) => {
      const input: FlabelsInput = {
        split: { key: split.key, labels: split.labels },
        classNames: [...(split.classNames ?? [])],
        embedder: id,
        optional,
        templates,
      };
      return { step: 'flabels' as const, input };
    });
    return { candidates, flabels };
  },
  truth: (task, split, ok, ctx) => truthCalls(taskIdOf(task), split, ok, ctx),
  applies: () => true,
  scoring: () => ({}),
  describe(task, ctx, split) {
    const t = split ? taskTemplates(task, ctx.spec, split) : undefined;
    return {
      split: { seed: task.seed, trainPerClass: task.trainPerClass, testPerClass: task.testPerClass },
      templates: t?.templates ?? [],
      notes: [
        ...ctx.spec.excluded.map((e) => `${e.id} left out of the candidates: ${e.reason}`),
        ...(t ? [`prompt templates: ${t.reason}`] : []),
        ...(split?.datasetNotes ?? []),
      ],
      // which scores need a classifier's probabilities is a fact each metric declares (inputs.required)
      probsScores: (ctx.registry ?? defaultRegistry)
        .list()
        .filter((m) => m.inputs.required.includes('probs'))
        .map((m) => m.id.toUpperCase()),
    };
  },
};

/** The label embedders of the spec (local folders resolved). */
export function embedderIds(ctx: PlanContext): { id: string; optional: boolean }[] {
  return ctx.spec.flabels.embedders.map((e) => {
    const { id, optional } = typeof e === 'string' ? { id: e, optional: false } : e;
    return { id: id.startsWith('local:') ? `local:${resolve(ctx.cwd, id.slice(6))}` : id, optional };
  });
}

/** One extraction call per candidate of a dataset task (see {@link taskCandidates}). */
export function candidateCalls(task: DatasetTask, split: SplitResult, ctx: PlanContext): CandidateCall[] {
  return taskCandidates(task, ctx.spec, ctx.cwd).map((raw) => {
    const c = candidateOf(raw);
    const model = c.model ? modelRefText(parseModelRef(c.model, { cwd: ctx.cwd })) : undefined;
    const input: ExtractInput = {
      kind: 'model',
      split: { key: split.key, items: split.items! },
      candidate: {
        id: c.id,
        ...(model ? { model } : {}),
        ...(c.model && c.model !== c.id ? { label: c.model } : {}),
        ...(c.output ? { output: c.output } : {}),
        ...(c.pool ? { pool: c.pool } : {}),
      },
    };
    return { id: c.id, source: c.model ? 'zoo' : 'features', call: { step: 'extract' as const, input } };
  });
}

/** A folder of feature files the user extracted: each file is checked, F-labels are files too. */
export const featuresKind: TaskKind<FeaturesTask> = {
  id: 'features',
  question: 'classification',
  split(task, ctx) {
    const input: SplitInput = {
      kind: 'features',
      task: task.id,
      featuresDir: resolve(ctx.cwd, task.featuresDir),
      labels: resolve(ctx.cwd, task.labels),
      flabels: task.flabels.map((f) => resolve(ctx.cwd, f)),
    };
    return { step: 'split', input };
  },
  features(task, split) {
    const candidates = (split.files ?? []).map((f) => {
      const input: ExtractInput = { kind: 'file', task: task.id, id: f.id, path: f.path, rows: split.nTrain };
      return { id: f.id, source: 'features', call: { step: 'extract' as const, input } };
    });
    return { candidates, flabels: [] };
  },
  truth: (task, split, ok, ctx) => truthCalls(task.id, split, ok, ctx),
  applies: () => true,
  scoring: () => ({}),
  describe(_task, ctx) {
    return {
      templates: [],
      notes: ctx.spec.excluded.map((e) => `${e.id} left out of the candidates: ${e.reason}`),
    };
  },
};

/**
 * The kind of a task of the spec: a features folder, or a dataset task whose kind follows the question its
 * split found (classification until the split is known; see {@link targetKinds}).
 */
export function kindOf(task: TaskSpec, split?: SplitResult): TaskKind {
  if (!('dataset' in task)) return featuresKind as TaskKind;
  const q = split?.question ?? 'classification';
  return (q === 'classification' ? datasetKind : targetKinds[q]) as TaskKind;
}
