// Step "score": every score on one candidate of one task (each (model, score) pair isolated and cached), the
// same on the first items of each class for the train-size sweep, and LogME on each F-label for the speed
// comparison with EMMS.
import type { LinalgBackend } from '@emms/linalg';
import {
  type MetricRegistry,
  type RunSettings,
  reduceInputs,
  resolveRunSettings,
  scoreReduced,
} from '@emms/metrics';
import { firstPerClass, type Matrix, takeRows } from '@emms/tensor-io';
import { z } from 'zod';
import { matrixKey, type ScoreCell, scoreCandidates } from '../../bench/score-task';
import { contentKey } from '../../cache';
import { ArtifactRefSchema, loadLabels, loadMatrix } from '../artifacts';
import type { StepContext } from '../types';

/** One alternative configuration of a tuned preset choice: the scores to run again, and how. */
export const AlternativeRequestSchema = z.strictObject({
  id: z.string().min(1),
  choice: z.string().min(1),
  option: z.string().min(1),
  current: z.string().min(1),
  description: z.string(),
  /** The reduce of this configuration (default: the run's). */
  reduce: z.string().min(1).optional(),
  scores: z.array(
    z.strictObject({ id: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
  ),
});
export type AlternativeRequest = z.output<typeof AlternativeRequestSchema>;

/** Input of the score step. */
export const ScoreInputSchema = z.strictObject({
  task: z.string().min(1),
  candidate: z.strictObject({
    id: z.string().min(1),
    train: ArtifactRefSchema,
    probs: ArtifactRefSchema.optional(),
  }),
  labels: ArtifactRefSchema,
  flabels: z.array(ArtifactRefSchema),
  /** Tasks whose question is not the classes: why class-label scores do not apply (see scoreCandidates). */
  classless: z.string().min(1).optional(),
  /** Their train regression targets (e.g. referring boxes), for scores that take targets. */
  targets: ArtifactRefSchema.optional(),
  scores: z.array(
    z.strictObject({ id: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
  ),
  plugins: z.array(z.string().min(1)),
  preset: z.enum(['rank', 'published']),
  reduce: z.string().min(1),
  /** Train items per class at which every score is computed again (the sweep; the full size included). */
  sweep: z.array(z.number().int().positive()),
  /** Time LogME on each F-label when EMMS scored this candidate (the speed comparison). */
  speed: z.boolean(),
  /** Alternative configurations of the preset's tuned choices, scored too (held-out validation). */
  alternatives: z.array(AlternativeRequestSchema).optional(),
});
export type ScoreInput = z.output<typeof ScoreInputSchema>;

/** One alternative configuration scored on the candidate. */
export interface AlternativeResult {
  readonly choice: string;
  readonly option: string;
  readonly current: string;
  readonly description: string;
  readonly table: Record<string, ScoreCell>;
}

/** Result of the score step. */
export interface ScoreResult {
  /** Per score id, this candidate's cell. */
  readonly table: Record<string, ScoreCell>;
  /** Per score id, what the report says about the score. */
  readonly metrics: Record<string, { readonly description: string; readonly higherIsBetter: boolean }>;
  /** Per sweep size (train items per class): the number of train items and the cells. */
  readonly sweep: {
    readonly perClass: number;
    readonly nTrain: number;
    readonly table: Record<string, ScoreCell>;
  }[];
  /** LogME on each F-label in turn: seconds summed, and the mean value when every F-label scored. */
  readonly speed?: { readonly secs: number; readonly value?: number };
  /** Per alternative configuration id, what it is and the cells of its scores. */
  readonly alternatives?: Record<string, AlternativeResult>;
}

/** LogME run with each F-label in turn as its regression target (cached with its inputs' content). */
async function logmeOnFlabels(
  features: Matrix,
  featuresKey: string,
  flabels: readonly Matrix[],
  registry: MetricRegistry,
  settings: RunSettings,
  ctx: StepContext,
  backend: { readonly backend?: LinalgBackend },
): Promise<{ secs: number; value?: number }> {
  const key = contentKey({
    kind: 'logme-on-flabels',
    v: 2,
    features: featuresKey,
    flabels: flabels.map(matrixKey),
    preset: settings.preset,
    reduce: settings.reduce.text,
  });
  const hit = ctx.store.get<{ secs: number; value?: number }>(key);
  if (hit !== undefined) return hit;
  let secs = 0;
  let sum = 0;
  let n = 0;
  // the features are reduced once; LogME then runs with each F-label as its target
  const reduced = reduceInputs({ features }, settings, backend);
  for (const f of flabels) {
    const r = await scoreReduced({ ...reduced, inputs: { ...reduced.inputs, targets: f } }, ['logme'], {
      ...backend,
      registry,
      signal: ctx.signal,
    });
    secs += r.seconds.logme ?? 0;
    if (r.scores.logme !== undefined) {
      sum += r.scores.logme;
      n++;
    }
  }
  const value = { secs, ...(n === flabels.length ? { value: sum / n } : {}) };
  ctx.store.put(key, value);
  return value;
}

/**
 * The score step: every requested score on one candidate through `scoreCandidates` (a failing pair is a
 * cell with its typed error; `NOT_APPLICABLE` for LEEP/NCE without a classifier), again at each sweep size
 * on the first items of each class of the train split, and, when EMMS scored the candidate, LogME on each
 * F-label as its regression target.
 *
 * @param input - {@link ScoreInput}.
 * @param ctx - the step context (store, scorer, progress, abort signal).
 * @returns the {@link ScoreResult}.
 * @throws EmmsError `UNKNOWN_METRIC`; the abort reason.
 */
export async function scoreStep(input: ScoreInput, ctx: StepContext): Promise<ScoreResult> {
  const { registry, backend } = await ctx.scorer(input.plugins);
  const settings = resolveRunSettings({ preset: input.preset, reduce: input.reduce }, registry);
  const labels = loadLabels(ctx.store, input.labels).train;
  const features = await loadMatrix(ctx.store, input.candidate.train);
  const probs = input.candidate.probs ? await loadMatrix(ctx.store, input.candidate.probs) : undefined;
  const flabels = await Promise.all(input.flabels.map((f) => loadMatrix(ctx.store, f)));
  const targets = input.targets ? await loadMatrix(ctx.store, input.targets) : undefined;
  const common = {
    scores: input.scores,
    registry,
    ...(backend ? { backend } : {}),
    settings,
    cache: ctx.store,
    onProgress: ctx.onProgress,
    signal: ctx.signal,
  };
  const id = input.candidate.id;
  const candidate = {
    id,
    features,
    ...(input.candidate.train.key ? { featuresKey: input.candidate.train.key } : {}),
    ...(probs ? { probs } : {}),
  };
  const full = await scoreCandidates({
    ...common,
    task: input.task,
    labels,
    flabels,
    ...(input.classless ? { classless: { reason: input.classless, ...(targets ? { targets } : {}) } } : {}),
    candidates: [candidate],
  });
  const table = Object.fromEntries(Object.entries(full).map(([s, cells]) => [s, cells[id]!]));
  const sweep: ScoreResult['sweep'][number][] = [];
  for (const size of input.sweep) {
    const rows = firstPerClass(labels, size); // the split is a seeded shuffle within each class
    const t = await scoreCandidates({
      ...common,
      task: `${input.task}@${size}`,
      labels: Int32Array.from(rows, (r) => labels[r]!),
      flabels: flabels.map((f) => takeRows(f, rows)),
      ...(input.classless
        ? {
            classless: {
              reason: input.classless,
              ...(targets ? { targets: takeRows(targets, rows) } : {}),
            },
          }
        : {}),
      candidates: [
        { id, features: takeRows(features, rows), ...(probs ? { probs: takeRows(probs, rows) } : {}) },
      ],
    });
    sweep.push({
      perClass: size,
      nTrain: rows.length,
      table: Object.fromEntries(Object.entries(t).map(([s, cells]) => [s, cells[id]!])),
    });
  }
  const metrics = Object.fromEntries(
    input.scores.map((s) => {
      const m = registry.get(s.id);
      return [m.id, { description: m.description, higherIsBetter: m.higherIsBetter }];
    }),
  );
  const timed = input.speed && registry.has('logme') && flabels.length > 0 && table.emms?.value !== undefined;
  const speed = timed
    ? await logmeOnFlabels(
        features,
        input.candidate.train.key ?? matrixKey(features),
        flabels,
        registry,
        settings,
        ctx,
        backend ? { backend } : {},
      )
    : undefined;
  const alternatives: Record<string, AlternativeResult> = {};
  for (const alt of input.alternatives ?? []) {
    const altSettings = resolveRunSettings(
      { preset: input.preset, reduce: alt.reduce ?? input.reduce },
      registry,
    );
    const t = await scoreCandidates({
      ...common,
      settings: altSettings,
      scores: alt.scores,
      task: `${input.task}#${alt.id}`,
      labels,
      flabels,
      candidates: [candidate],
    });
    const { choice, option, current, description } = alt;
    alternatives[alt.id] = {
      choice,
      option,
      current,
      description,
      table: Object.fromEntries(Object.entries(t).map(([s, cells]) => [s, cells[id]!])),
    };
  }
  return {
    table,
    metrics,
    sweep,
    ...(speed ? { speed } : {}),
    ...(input.alternatives?.length ? { alternatives } : {}),
  };
}
