// The runner: plans each task's step calls from the spec and hands them to an executor stage by stage
// (splits; extraction + F-labels; ground truth + scores; agreement; assembly), one batch per stage for all
// tasks, identical calls (tasks sharing a split and a candidate) made once.
import type { MetricRegistry } from '@emms/metrics';
import { EmmsError } from '@emms/tensor-io';
import { BENCH_CODES } from '../bench/codes';
import type { ScoreRequest } from '../bench/score-task';
import type { TaskReport } from '../report/schema';
import type { BenchSpec, TaskSpec } from '../spec';
import type { CacheCounts } from '../store';
import { stepKey } from './artifacts';
import { kindOf, type PlanContext, type TaskKind } from './kinds';
import { truthKindsOf } from './kinds-targets';
import type { ExtractResult } from './steps/extract';
import type { FlabelsResult } from './steps/flabels';
import type { AlternativeRequest } from './steps/score';
import type { SplitResult } from './steps/split';
import type { TaskInput } from './steps/task-input';
import type { Executor, ExecutorHooks, StepCall, StepError, StepOutcome } from './types';
import { taskIdOf } from './validate';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends ExecutorHooks {
  readonly executor: Executor;
  /** The folder relative paths of the spec resolve against. */
  readonly cwd: string;
  /** The scores to run, ids resolved (e.g. every registered score when the spec names none). */
  readonly scores: readonly ScoreRequest[];
  /** Preset and reduce in effect. */
  readonly preset: 'rank' | 'published';
  readonly reduce: string;
  /** The scores' registry, for the facts a report states about them (which need a classifier's output). */
  readonly registry?: MetricRegistry;
}

/** What {@link runPipeline} gives back. */
export interface PipelineResult {
  /** One section per task, in spec order. */
  readonly tasks: TaskReport[];
  /** Store hits and misses summed over every step call. */
  readonly counts: CacheCounts;
}

/** An outcome's error as a thrown EmmsError. */
function thrown(e: StepError, details?: Record<string, unknown>): EmmsError {
  return new EmmsError(e.code, e.message, {
    ...(e.input ? { input: e.input } : {}),
    details: { ...details, ...e.details },
  });
}

const record = (call: StepCall) => ({ record: stepKey(call) });

/** An error as the report records it (code, message, input). */
const reported = ({ code, message, input }: StepError) => ({ code, message, ...(input ? { input } : {}) });

interface TaskPlan {
  readonly id: string;
  readonly spec: TaskSpec;
  kind: TaskKind;
  readonly splitCall: StepCall;
  split?: SplitResult;
  candidates?: { id: string; source: string; call: StepCall; outcome?: StepOutcome }[];
  flabels?: { call: StepCall; result: FlabelsResult }[];
  ok?: { id: string; extract: ExtractResult; call: StepCall }[];
  truth?: { calls: StepCall[]; perCandidate: boolean };
  scores?: StepCall[];
  input?: TaskInput;
}

/**
 * Runs a validated spec's tasks through the steps on an executor. Each stage is one batch of independent
 * calls for all tasks: the splits; the extractions and F-labels; the ground truths and scores; the
 * agreements; the assembly. A candidate whose extraction fails is reported with its error; a split,
 * F-label (not optional), ground-truth table or later step that fails stops the run with its typed error.
 *
 * @param spec - a validated spec (see `validateSpec`).
 * @param opts - {@link RunPipelineOptions}: executor, cwd, scores, preset, reduce, progress, log, signal.
 * @returns the tasks' report sections and the store counts.
 * @throws EmmsError `TASK_TOO_SMALL` (fewer than three candidates with features), the failing step's code.
 */
export async function runPipeline(spec: BenchSpec, opts: RunPipelineOptions): Promise<PipelineResult> {
  const ctx: PlanContext = { spec, cwd: opts.cwd, ...(opts.registry ? { registry: opts.registry } : {}) };
  const log = opts.log ?? (() => undefined);
  let hits = 0;
  let misses = 0;
  const stage = async (calls: StepCall[]): Promise<StepOutcome[]> => {
    const keys = calls.map(stepKey);
    const index = new Map<string, number>();
    const unique: StepCall[] = [];
    keys.forEach((k, i) => {
      if (!index.has(k)) {
        index.set(k, unique.length);
        unique.push(calls[i]!);
      }
    });
    const out = await opts.executor.run(unique, opts);
    for (const o of out) {
      hits += o.counts.hits;
      misses += o.counts.misses;
    }
    return keys.map((k) => out[index.get(k)!]!);
  };
  const must = <T>(o: StepOutcome, task: string): T => {
    if (!o.ok) throw thrown(o.error, { task });
    return o.result as T;
  };
  const plans: TaskPlan[] = spec.tasks.map((t) => {
    const kind = kindOf(t);
    return { id: taskIdOf(t), spec: t, kind, splitCall: kind.split(t, ctx) };
  });

  // 1. splits (a class with too few items fails here, before any extraction)
  (await stage(plans.map((p) => p.splitCall))).forEach((o, i) => {
    const p = plans[i]!;
    p.split = must<SplitResult>(o, p.id);
    p.kind = kindOf(p.spec, p.split); // the question the dataset poses picks the kind
    log(
      `${p.id}: ${p.kind.question} task, ${p.split.nTrain} train + ${p.split.nTest ?? 0} test items${p.split.modality ? ` (${p.split.modality})` : ''}`,
    );
  });

  // 2. extraction and F-labels (F-labels first: a missing embedder fails before the long extractions)
  const features = plans.map((p) => p.kind.features(p.spec, p.split!, ctx));
  const flabelCalls = features.flatMap((f) => f.flabels);
  const extractCalls = features.flatMap((f) => f.candidates.map((c) => c.call));
  const outs = await stage([...flabelCalls, ...extractCalls]);
  let at = 0;
  for (const [i, p] of plans.entries()) {
    p.flabels = features[i]!.flabels.map((call) => ({
      call,
      result: must<FlabelsResult>(outs[at++]!, p.id),
    }));
  }
  for (const [i, p] of plans.entries()) {
    p.candidates = features[i]!.candidates.map((c) => ({ ...c, outcome: outs[at++]! }));
    p.ok = [];
    for (const c of p.candidates) {
      const o = c.outcome!;
      if (o.ok) {
        const r = o.result as ExtractResult;
        p.ok.push({ id: c.id, extract: r, call: c.call });
        log(
          `${p.id}: ${c.id} features ×${r.model.featureDim} ${r.model.cached ? '(cached)' : `in ${r.model.extractSeconds.toFixed(1)}s`}`,
        );
        continue;
      }
      // a feature file the user gave is an input: its failure stops the run, as a bad input does
      if (p.kind.id === 'features') throw thrown(o.error, { task: p.id, model: c.id });
      log(`${p.id}: ${c.id} failed (${o.error.code}): ${o.error.message}`);
    }
    if (p.ok.length < 3) {
      const ids = p.ok.map((m) => m.id);
      throw new EmmsError(
        BENCH_CODES.TASK_TOO_SMALL,
        `task ${p.id}: ${ids.length} model(s) with features (${ids.join(', ') || 'none'}); ranking needs at least three`,
        { input: p.id, details: { task: p.id, models: ids } },
      );
    }
    if (p.flabels?.length) {
      const used = p.flabels.filter((f) => !f.result.missing);
      const k = used.reduce((n, f) => n + f.result.files.length, 0);
      log(`${p.id}: ${k} F-labels (${used.map((f) => f.result.embedder).join(', ')})`);
    }
  }

  // 3. ground truth and scores (with the preset's alternatives when tasks can validate it)
  const alternatives = spec.tasks.length >= 2 ? presetAlternatives(opts) : [];
  for (const p of plans) {
    p.truth = p.kind.truth(
      p.spec,
      p.split!,
      p.ok!,
      ctx,
      p.flabels!.map((f) => f.result),
    );
    const extra = p.kind.question === 'regression' && p.split!.targets ? [p.split!.targets.train] : [];
    const flabels =
      p.kind.id === 'dataset'
        ? [...p.flabels!.flatMap((f) => f.result.files), ...extra]
        : [...(p.split!.flabels ?? [])];
    const sweep = sweepSizes(p.spec);
    const requests = opts.scores.filter((s) => p.kind.applies(s.id));
    const scoring = p.kind.scoring(p.split!);
    p.scores = p.ok!.map(({ id, extract }) => ({
      step: 'score' as const,
      input: {
        task: p.id,
        candidate: { id, train: extract.train, ...(extract.probs ? { probs: extract.probs } : {}) },
        labels: p.split!.labels,
        flabels,
        ...(scoring.classless ? { classless: scoring.classless } : {}),
        ...(scoring.targets ? { targets: scoring.targets } : {}),
        scores: requests.map((s) => ({ id: s.id, ...(s.options ? { options: { ...s.options } } : {}) })),
        plugins: [...spec.plugins],
        preset: opts.preset,
        reduce: opts.reduce,
        sweep: sweep ?? [],
        speed: requests.some((s) => s.id === 'emms'),
        ...(alternatives.length ? { alternatives: alternativesFor(alternatives, requests) } : {}),
      },
    }));
  }
  const truthAndScores = await stage(plans.flatMap((p) => [...p.truth!.calls, ...p.scores!]));
  at = 0;
  for (const p of plans) {
    for (const _ of [...p.truth!.calls, ...p.scores!]) must(truthAndScores[at++]!, p.id);
    log(`${p.id}: ${opts.scores.length} scores × ${p.ok!.length} models done`);
    p.input = taskInput(p, spec, opts);
  }

  // 4. agreement, 5. assembly
  const agreementCalls = plans.map((p) => ({ step: 'agreement' as const, input: p.input }));
  for (const [i, o] of (await stage(agreementCalls)).entries()) must(o, plans[i]!.id);
  const assembleCalls = plans.map((p, i) => ({
    step: 'assemble' as const,
    input: { ...p.input!, agreement: record(agreementCalls[i]!) },
  }));
  const tasks = (await stage(assembleCalls)).map((o, i) => must<TaskReport>(o, plans[i]!.id));
  return { tasks, counts: { hits, misses } };
}

/**
 * The alternatives of the `rank` preset's tuned choices, scored beside it so that each choice can be
 * validated leave-one-task-out: reduce "none" instead of "auto" (every score), and LogME's published
 * fixed-point evidence instead of the corrected one. A choice the caller fixed (a reduce given, a
 * LogME variant given) is not the preset's and has no alternative.
 */
function presetAlternatives(opts: RunPipelineOptions): AlternativeRequest[] {
  if (opts.preset !== 'rank') return [];
  const out: AlternativeRequest[] = [];
  if (opts.reduce === 'auto') {
    out.push({
      id: 'reduce=none',
      choice: 'reduce',
      option: 'none',
      current: 'auto',
      description: 'every score on the features as given (reduce "none"), the rest of the preset unchanged',
      reduce: 'none',
      scores: opts.scores.map((s) => ({ id: s.id, ...(s.options ? { options: { ...s.options } } : {}) })),
    });
  }
  const logme = opts.scores.find((s) => s.id === 'logme');
  if (logme && logme.options?.variant === undefined) {
    out.push({
      id: 'logme-variant=fixed-point',
      choice: 'logme-variant',
      option: 'fixed-point',
      current: 'corrected',
      description: "LogME with the published fixed-point evidence instead of the preset's corrected one",
      scores: [{ id: 'logme', options: { ...logme.options, variant: 'fixed-point' } }],
    });
  }
  return out;
}

/** The alternatives restricted to the scores that apply to a task. */
function alternativesFor(all: readonly AlternativeRequest[], requests: readonly ScoreRequest[]) {
  const ids = new Set(requests.map((r) => r.id));
  return all
    .map((a) => ({ ...a, scores: a.scores.filter((s) => ids.has(s.id)) }))
    .filter((a) => a.scores.length > 0);
}

/** The sweep sizes of a dataset task (below its train size, then the train size), or undefined. */
function sweepSizes(t: TaskSpec): number[] | undefined {
  if (!('dataset' in t) || !t.sweep?.length) return undefined;
  return [...new Set([...t.sweep.filter((s) => s < t.trainPerClass), t.trainPerClass])].sort((a, b) => a - b);
}

function taskInput(p: TaskPlan, spec: BenchSpec, opts: RunPipelineOptions): TaskInput {
  const gt = spec.groundTruth;
  const reps = 'measured' in gt ? gt.bootstrapReps : 1000;
  const sweep = sweepSizes(p.spec);
  return {
    task: {
      id: p.id,
      dataset: 'dataset' in p.spec ? p.spec.dataset : p.spec.featuresDir,
      kind: p.kind.id,
      ...(p.split?.question ? { question: p.split.question } : {}),
      ...(p.split?.modality ? { modality: p.split.modality } : {}),
      ...p.kind.describe(
        p.spec,
        { spec, cwd: opts.cwd, ...(opts.registry ? { registry: opts.registry } : {}) },
        p.split,
      ),
    },
    split: record(p.splitCall),
    candidates: p.candidates!.map((c) =>
      c.outcome!.ok
        ? { id: c.id, ...record(c.call) }
        : { id: c.id, source: c.source, error: reported(c.outcome!.error) },
    ),
    flabels: p.flabels!.map((f) => record(f.call)),
    truth:
      'measured' in gt && p.truth!.perCandidate
        ? {
            kind: 'measured',
            kinds: truthKindsOf(p.truth!.calls) as never,
            knnK: gt.knnK,
            reps,
            probes: p.ok!.map((m, i) => ({ id: m.id, ...record(p.truth!.calls[i]!) })),
          }
        : { kind: 'table', reps, ...record(p.truth!.calls[0]!) },
    scores: {
      requests: [...opts.scores],
      preset: opts.preset,
      reduce: opts.reduce,
      records: p.ok!.map((m, i) => ({ id: m.id, ...record(p.scores![i]!) })),
    },
    ...(sweep ? { sweep } : {}),
  };
}
