// Reads a task's step records and turns them into the report's pieces (models, ground truth, scores,
// baselines, speed), for the agreement and assemble steps.
import { PRESETS } from '@emms/metrics';
import type { TruthPrecisionInfo } from '../../cross-task-schema';
import type { ItemTruth } from '../../item-truth';
import { testItemsNeeded, truthPrecision } from '../../precision';
import { staticBaselines } from '../../report/assemble';
import type { GroundTruthInfo, ModelInfo, ScoreInfo, TaskReport } from '../../report/schema';
import type { ArtifactStore } from '../../store';
import { readRecord } from '../artifacts';
import type { ExtractResult } from './extract';
import type { FlabelsResult } from './flabels';
import type { ScoreResult } from './score';
import type { SplitResult } from './split';
import type { TaskInput } from './task-input';
import type { ProbeCell, TruthResult } from './truth';

/** A task's pieces read from its records. */
export interface CollectedTask {
  readonly split: SplitResult;
  readonly models: ModelInfo[];
  /** Models with features, in order. */
  readonly ok: string[];
  readonly extracts: Map<string, ExtractResult>;
  readonly flabels: FlabelsResult[];
  readonly groundTruth: Record<string, GroundTruthInfo>;
  readonly scores: Record<string, ScoreInfo>;
  readonly baselines: TaskReport['baselines'];
  readonly results: Map<string, ScoreResult>;
  readonly speed?: TaskReport['speed'];
  /** The preset's alternative configurations, when the scores ran them. */
  readonly alternatives?: TaskReport['alternatives'];
  readonly reps: number;
}

const PROBE_TEXT: Record<string, (k: number) => string> = {
  'linear-probe': () =>
    'test accuracy of a multinomial logistic-regression probe on frozen train features (L2 strength by 3-fold CV on train, L-BFGS): head-only transfer (linear probing)',
  knn: (k) => `test accuracy of a ${k}-nearest-neighbour classifier (cosine) on frozen train features`,
  'ridge-iou': () =>
    'mean IoU of the boxes a ridge probe predicts from frozen features on held-out items (α by 3-fold CV on train; head-only, linear)',
  'ridge-r2': () =>
    'held-out R² (mean over target columns) of a ridge probe from frozen features (α by 3-fold CV on train; head-only, linear)',
  'caption-retrieval': () =>
    'held-out caption retrieval accuracy: a ridge probe maps frozen features to caption embeddings, and each test item must rank its own caption first among the distinct test captions by cosine (head-only and linear; chance = 1/captions; inherits the text encoder’s notion of similarity)',
};

/** The per-item results of a truth (for the bootstrap), from its cells; undefined when a model lacks them. */
function itemsOf(kind: string, cells: readonly [string, ProbeCell][]): ItemTruth | undefined {
  if (cells.length === 0) return undefined;
  if (kind === 'ridge-r2') {
    const t = cells[0]![1].targets;
    if (!t || cells.some(([, c]) => !c.perItem)) return undefined;
    return {
      kind: 'r2',
      squaredError: Object.fromEntries(cells.map(([m, c]) => [m, c.perItem!])),
      targets: { rows: t.rows, cols: t.cols, data: Float64Array.from(t.data) },
    };
  }
  if (kind === 'ridge-iou') {
    if (cells.some(([, c]) => !c.perItem)) return undefined;
    return { kind: 'mean', values: Object.fromEntries(cells.map(([m, c]) => [m, c.perItem!])) };
  }
  return {
    kind: 'mean',
    values: Object.fromEntries(
      cells.map(([m, c]) => [m, Uint8Array.from(c.correct, (ch) => (ch === '1' ? 1 : 0))]),
    ),
  };
}

/** The precision of a measured truth (standard errors, separated pairs, test items needed), when it has 2+ models. */
export function precisionOf(items: ItemTruth | undefined, reps: number): TruthPrecisionInfo | undefined {
  if (!items) return undefined;
  const models = Object.keys(items.kind === 'mean' ? items.values : items.squaredError);
  if (models.length < 2) return undefined;
  try {
    const p = truthPrecision(items, { reps, seed: 0 });
    const needed = testItemsNeeded(p).needed;
    return {
      ...p,
      order: [...p.order],
      pairs: p.pairs.map((q) => ({ ...q, interval: [q.interval[0], q.interval[1]] as [number, number] })),
      ...(needed !== undefined ? { testItemsNeeded: needed } : {}),
    };
  } catch {
    return undefined; // e.g. a non-finite per-item value: the truth is reported without its precision
  }
}

function measuredTruth(
  t: Extract<TaskInput['truth'], { kind: 'measured' }>,
  store: ArtifactStore,
): Record<string, GroundTruthInfo> {
  const probes = t.probes.map((p) => ({
    id: p.id,
    cells: (readRecord<TruthResult>(store, p) as { cells: Record<string, { cell?: ProbeCell }> }).cells,
  }));
  const out: Record<string, GroundTruthInfo> = {};
  for (const kind of t.kinds) {
    const info = {
      values: {} as Record<string, number>,
      seconds: {} as Record<string, number>,
      correct: {} as Record<string, string>,
      details: {} as Record<string, Record<string, number | string>>,
      errors: {} as Record<string, { code: string; message: string }>,
    };
    for (const { id, cells } of probes) {
      const c = cells[kind] as {
        cell?: ProbeCell;
        error?: { code: string; message: string; input?: string };
      };
      if (c?.error) info.errors[id] = c.error;
      if (!c?.cell) continue;
      info.values[id] = c.cell.accuracy;
      info.seconds[id] = c.cell.seconds;
      info.correct[id] = c.cell.correct;
      info.details[id] = c.cell.details;
    }
    const { errors, correct, ...rest } = info;
    const ok = probes.flatMap(({ id, cells }) => {
      const c = (cells[kind] as { cell?: ProbeCell } | undefined)?.cell;
      return c ? [[id, c] as [string, ProbeCell]] : [];
    });
    const items = itemsOf(kind, ok);
    const precision = precisionOf(items, t.reps);
    const continuous = kind === 'ridge-iou' || kind === 'ridge-r2';
    out[kind] = {
      description: PROBE_TEXT[kind]!(t.knnK),
      kind: 'measured',
      higherIsBetter: true,
      ...rest,
      ...(continuous ? {} : { correct }),
      ...(Object.keys(errors).length ? { errors } : {}),
      ...(continuous && items ? { items: jsonItems(items) } : {}),
      ...(precision ? { precision } : {}),
    };
  }
  return out;
}

/** Per-item results in their report form (plain arrays). */
function jsonItems(items: ItemTruth): NonNullable<GroundTruthInfo['items']> {
  if (items.kind === 'mean') {
    return {
      kind: 'mean',
      values: Object.fromEntries(Object.entries(items.values).map(([m, v]) => [m, Array.from(v)])),
    };
  }
  return {
    kind: 'r2',
    squaredError: Object.fromEntries(Object.entries(items.squaredError).map(([m, v]) => [m, Array.from(v)])),
    targets: { rows: items.targets.rows, cols: items.targets.cols, data: Array.from(items.targets.data) },
  };
}

/** The per-item results of a report's ground truth as an {@link ItemTruth}, for the bootstrap. */
export function itemTruthOf(truth: GroundTruthInfo): ItemTruth | undefined {
  if (truth.items?.kind === 'mean') return { kind: 'mean', values: truth.items.values };
  if (truth.items?.kind === 'r2') {
    const t = truth.items.targets;
    return {
      kind: 'r2',
      squaredError: truth.items.squaredError,
      targets: { rows: t.rows, cols: t.cols, data: Float64Array.from(t.data) },
    };
  }
  return undefined;
}

/** Per score id, the report's entry from the per-candidate cells (`tables`: candidate id → cells). */
export function scoreInfos(
  tables: readonly [string, ScoreResult['table']][],
  metrics: ScoreResult['metrics'],
  requests: TaskInput['scores']['requests'],
): Record<string, ScoreInfo> {
  const out: Record<string, ScoreInfo> = {};
  for (const [id, m] of Object.entries(metrics)) {
    const info = {
      description: m.description,
      higherIsBetter: m.higherIsBetter,
      options: requests.find((r) => r.id === id)?.options ?? {},
      values: {} as Record<string, number>,
      seconds: {} as Record<string, number>,
      warnings: {} as Record<string, string>,
      errors: {} as Record<string, { code: string; message: string; input?: string }>,
      cached: {} as Record<string, boolean>,
    };
    for (const [model, table] of tables) {
      const c = table[id];
      if (!c) continue;
      if (c.value !== undefined) info.values[model] = c.value;
      info.seconds[model] = c.seconds;
      if (c.warning) info.warnings[model] = c.warning;
      if (c.error) {
        info.errors[model] = {
          code: c.error.code,
          message: c.error.message,
          ...(c.error.input ? { input: c.error.input } : {}),
        };
      }
      info.cached[model] = c.cached;
    }
    out[id] = info;
  }
  return out;
}

/**
 * EMMS's speed-up over LogME on the same F-labels (seconds summed over the models EMMS scored) and LogME
 * on the F-labels as a ranking of its own (the mean over the K F-labels of its evidence, when three or more
 * models have it).
 */
function speedOf(
  scores: Record<string, ScoreInfo>,
  results: Map<string, ScoreResult>,
  ok: readonly string[],
  k: number,
  preset: string,
): { speed?: TaskReport['speed']; logmeFlabels?: ScoreInfo } {
  const emms = scores.emms;
  const timed = ok.filter((m) => results.get(m)?.speed);
  if (!emms || timed.length === 0) return {};
  const values: Record<string, number> = {};
  const perModel: Record<string, number> = {};
  for (const m of timed) {
    const s = results.get(m)!.speed!;
    perModel[m] = s.secs;
    if (s.value !== undefined) values[m] = s.value;
  }
  const logmeSeconds = timed.reduce((a, m) => a + perModel[m]!, 0);
  const emmsSeconds = timed.reduce((a, m) => a + (emms.seconds[m] ?? 0), 0);
  const logmeFlabels: ScoreInfo | undefined =
    Object.keys(values).length >= 3
      ? ({
          description: `LogME (${preset} preset) with each of the K=${k} F-labels as its regression target, averaged: the baseline EMMS is compared with on the same F-labels`,
          higherIsBetter: true,
          preset,
          values,
          seconds: Object.fromEntries(Object.keys(values).map((m) => [m, perModel[m]!])),
          warnings: {},
          errors: {},
        } as ScoreInfo)
      : undefined;
  if (!(emmsSeconds > 0) || !(logmeSeconds > 0)) return logmeFlabels ? { logmeFlabels } : {};
  return {
    speed: {
      emmsSeconds,
      logmeSeconds,
      emmsOverLogme: logmeSeconds / emmsSeconds,
      note: `EMMS on the K=${k} F-labels at once vs LogME run with each F-label as its regression target, summed over ${timed.length} models (each time from its first computation; cached results keep it)`,
    },
    ...(logmeFlabels ? { logmeFlabels } : {}),
  };
}

/**
 * Reads every record of a task and builds the report's pieces.
 *
 * @param input - the task's records ({@link TaskInput}).
 * @param store - the run's store.
 * @returns the {@link CollectedTask}.
 */
export function collectTask(input: TaskInput, store: ArtifactStore): CollectedTask {
  const split = readRecord<SplitResult>(store, input.split);
  const models: ModelInfo[] = [];
  const extracts = new Map<string, ExtractResult>();
  for (const c of input.candidates) {
    if ('error' in c) {
      models.push({ id: c.id, source: c.source, extractSeconds: 0, cached: false, error: c.error });
      continue;
    }
    const r = readRecord<ExtractResult>(store, c);
    extracts.set(c.id, r);
    models.push(r.model);
  }
  const ok = [...extracts.keys()];
  const flabels = input.flabels.map((f) => readRecord<FlabelsResult>(store, f));
  const groundTruth =
    input.truth.kind === 'measured'
      ? measuredTruth(input.truth, store)
      : (readRecord<TruthResult>(store, input.truth) as { truth: Record<string, GroundTruthInfo> }).truth;
  const results = new Map(input.scores.records.map((r) => [r.id, readRecord<ScoreResult>(store, r)]));
  const first = results.values().next().value as ScoreResult | undefined;
  const scores = scoreInfos(
    ok.filter((m) => results.has(m)).map((m) => [m, results.get(m)!.table]),
    first?.metrics ?? {},
    input.scores.requests,
  );
  const k =
    input.task.kind === 'dataset'
      ? flabels.reduce((n, f) => n + f.files.length, 0)
      : (split.flabels?.length ?? 0);
  const { speed, logmeFlabels } = speedOf(scores, results, ok, k, input.scores.preset);
  if (logmeFlabels) scores['logme-flabels'] = logmeFlabels;
  const alternatives = alternativesOf(results);
  return {
    split,
    models,
    ok,
    extracts,
    flabels,
    groundTruth,
    scores,
    baselines: staticBaselines(models.filter((m) => !m.error)),
    results,
    ...(speed ? { speed } : {}),
    ...(alternatives ? { alternatives } : {}),
    reps: input.truth.reps,
  };
}

/** The alternative configurations' values per score and model, when the scores ran any. */
function alternativesOf(results: ReadonlyMap<string, ScoreResult>): TaskReport['alternatives'] {
  const out: NonNullable<TaskReport['alternatives']> = {};
  for (const [model, r] of results) {
    for (const [id, a] of Object.entries(r.alternatives ?? {})) {
      out[id] ??= {
        choice: a.choice,
        option: a.option,
        current: a.current,
        description: a.description,
        scores: {},
      };
      const scores = out[id].scores;
      for (const [sid, cell] of Object.entries(a.table)) {
        scores[sid] ??= {};
        if (cell.value !== undefined) scores[sid][model] = cell.value;
      }
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** The rule text of a preset, as the report's preprocessing section shows it. */
export function presetRule(preset: 'rank' | 'published'): string {
  return `preset ${preset}: ${PRESETS[preset]}`;
}
