/**
 * The report's `crossTask` section, built from the tasks of a run: every score, static baseline and
 * the held-out ensemble compared across tasks (crossTaskStatistics), the leave-one-task-out validation
 * of the preset's tuned choices, and EMMS against LogME on the same F-labels per task kind beside the
 * paper. Browser-safe (no Node imports).
 */
import { weightedTau } from '../agreement';
import {
  type CrossTaskInput,
  type CrossTaskResult,
  crossTaskStatistics,
  type TaskRanking,
} from '../cross-task';
import type { CrossTaskInfo, ItemTruthInfo } from '../cross-task-schema';
import { leaveOneTaskOut, leaveOneTaskOutEnsemble } from '../held-out';
import type { ItemTruth } from '../item-truth';
import { emmsVsLogme, PAPER_HEADLINE } from '../paper-headline';
import { primaryTruth } from './format';
import { decodeCorrect, type GroundTruthInfo, type TaskReport } from './schema';

/** Options of {@link crossTaskSection}. */
export interface CrossTaskSectionOptions {
  /** Bootstrap replicates (default 1000). */
  readonly reps?: number;
  /** Seed (default 0). */
  readonly seed?: number;
  /** The score whose P(beats) is reported (default 'emms'). */
  readonly reference?: string;
}

/** The id the held-out ensemble is reported under. */
export const ENSEMBLE_ID = 'ensemble';

/** Scores kept out of the ensemble's candidates: LogME on the F-labels is a speed reference. */
const NOT_ENSEMBLED = new Set(['logme-flabels']);

/**
 * The paper's task kind of a task (`PAPER_HEADLINE`), from what the report says about it: the task's
 * own `kind` when it has one ("classification" counts as recognition); else its ground truths: a
 * ridge probe's IoU is referring, caption retrieval is captioning, a ridge probe's R² referring on a
 * `referring-*` dataset and regression otherwise; a classification of `spam-assassin` is text
 * classification (not a kind of the paper); anything else recognition.
 *
 * @param task - one task of a report.
 * @returns the kind, e.g. 'recognition'.
 * @example
 * ```ts
 * paperKindOf({ dataset: 'referring-mnist', groundTruth: { 'ridge-iou': … } } as TaskReport); // 'referring'
 * ```
 */
export function paperKindOf(task: TaskReport): string {
  const own = (task as { kind?: unknown }).kind;
  const k = typeof own === 'string' ? own : '';
  if (k === 'classification' || k === 'recognition') return 'recognition';
  if (k) return k === 'text' ? 'text-classification' : k;
  const truths = Object.keys(task.groundTruth ?? {});
  if (truths.includes('caption-retrieval')) return 'captioning';
  if (truths.includes('ridge-iou')) return 'referring';
  if (truths.includes('ridge-r2')) return task.dataset.startsWith('referring') ? 'referring' : 'regression';
  if (task.dataset === 'spam-assassin') return 'text-classification';
  return 'recognition';
}

/**
 * The per-item results behind a ground truth, for the item level of the bootstrap: a ground truth's
 * `items` (IoU, retrieval hits, R² errors; written by task kinds other than classification) or its
 * `correct` strings; undefined when some model has none or their lengths differ.
 */
function itemsOf(g: GroundTruthInfo, models: readonly string[]): ItemTruth | undefined {
  const given: ItemTruthInfo | undefined = g.items;
  if (given?.kind === 'mean') {
    const v = given.values;
    const n = v[models[0]!]?.length ?? 0;
    return n > 0 && models.every((m) => v[m]?.length === n) ? { kind: 'mean', values: v } : undefined;
  }
  if (given?.kind === 'r2') {
    const { rows, cols, data } = given.targets;
    if (!models.every((m) => given.squaredError[m]?.length === rows * cols)) return undefined;
    return {
      kind: 'r2',
      squaredError: given.squaredError,
      targets: { rows, cols, data: Float64Array.from(data) },
    };
  }
  const correct = g.correct;
  if (!correct || !models.every((m) => (correct[m]?.length ?? 0) > 0)) return undefined;
  const values = Object.fromEntries(models.map((m) => [m, decodeCorrect(correct[m]!)]));
  const lengths = new Set(Object.values(values).map((v) => v.length));
  return lengths.size === 1 ? { kind: 'mean', values } : undefined;
}

/** A task as the statistics see it, or why it is left out. */
function inputOf(task: TaskReport): CrossTaskInput | string {
  const tid = primaryTruth(task);
  if (!tid) return `${task.id}: no ground truth`;
  const g = task.groundTruth[tid]!;
  const sign = g.higherIsBetter === false ? -1 : 1;
  const truth = Object.fromEntries(Object.entries(g.values).map(([m, v]) => [m, sign * v + 0]));
  const models = Object.keys(truth);
  if (models.length < 3) return `${task.id}: fewer than three models with a ground truth`;
  const items = sign === 1 ? itemsOf(g, models) : undefined;
  const rankings: Record<string, TaskRanking> = {};
  for (const [id, s] of Object.entries(task.scores)) {
    const seconds = Object.values(s.seconds).reduce((a, b) => a + b, 0);
    rankings[id] = { values: s.values, higherIsBetter: s.higherIsBetter, kind: 'score', seconds };
  }
  for (const [id, b] of Object.entries(task.baselines)) {
    if (!(id in rankings))
      rankings[id] = { values: b.values, higherIsBetter: b.higherIsBetter, kind: 'baseline' };
  }
  return {
    id: task.id,
    kind: paperKindOf(task),
    truth,
    ...(items ? { items } : {}),
    rankings,
  };
}

/** Weighted τ of values against the task's truth, on the models both have (undefined under three). */
function tauOn(input: CrossTaskInput, values: Readonly<Record<string, number>>, higherIsBetter = true) {
  const models = Object.keys(input.truth).filter((m) => Number.isFinite(values[m]));
  if (models.length < 3) return undefined;
  const sign = higherIsBetter ? 1 : -1;
  return weightedTau(
    models.map((m) => sign * values[m]!),
    models.map((m) => input.truth[m]!),
  );
}

/**
 * Per tuned choice of the preset (from the tasks' `alternatives`), task → option → τ: for `reduce` the
 * mean weighted τ of the scores computed under both options, for `logme-variant` LogME's weighted τ.
 */
function choiceTables(tasks: readonly TaskReport[], inputs: readonly CrossTaskInput[]) {
  const tables = new Map<string, { current: string; table: Record<string, Record<string, number>> }>();
  tasks.forEach((task, i) => {
    const input = inputs[i]!;
    for (const alt of Object.values(task.alternatives ?? {})) {
      const entry = tables.get(alt.choice) ?? { current: alt.current, table: {} };
      tables.set(alt.choice, entry);
      entry.table[task.id] ??= {};
      const row = entry.table[task.id]!;
      const shared = Object.keys(alt.scores).filter((s) => task.scores[s]);
      const taus = shared.flatMap((s) => {
        const hib = task.scores[s]!.higherIsBetter;
        const now = tauOn(input, task.scores[s]!.values, hib);
        const then = tauOn(input, alt.scores[s]!, hib);
        return now === undefined || then === undefined ? [] : [[now, then] as const];
      });
      if (taus.length === 0) continue;
      row[alt.current] = taus.reduce((a, [v]) => a + v, 0) / taus.length;
      row[alt.option] = taus.reduce((a, [, v]) => a + v, 0) / taus.length;
    }
  });
  return tables;
}

/**
 * The `crossTask` section of a report with two or more tasks (undefined otherwise): the cross-task
 * statistics of every score, static baseline and the held-out ensemble (mean-rank ensemble of scores
 * chosen on the other tasks, recommended only where it beats every single score), the primary ground
 * truth of each task with its per-item results (for the two-level bootstrap), the leave-one-task-out
 * validation of each tuned preset choice the tasks carry alternatives for, and EMMS against LogME on
 * the same F-labels per task kind beside {@link PAPER_HEADLINE}.
 *
 * @param tasks - the report's tasks.
 * @param options - {@link CrossTaskSectionOptions}.
 * @returns the section (validated by the report schema with the rest), or undefined.
 * @example
 * ```ts
 * const crossTask = crossTaskSection(report.tasks);
 * crossTask?.scores.emms.meanWeightedTau;
 * ```
 */
export function crossTaskSection(
  tasks: readonly TaskReport[],
  options: CrossTaskSectionOptions = {},
): CrossTaskInfo | undefined {
  const notes: string[] = [];
  const inputs: CrossTaskInput[] = [];
  const used: TaskReport[] = [];
  for (const t of tasks) {
    const r = inputOf(t);
    if (typeof r === 'string') notes.push(`left out of the cross-task statistics: ${r}`);
    else {
      inputs.push(r);
      used.push(t);
    }
  }
  if (inputs.length < 2) return undefined;
  const reference = options.reference ?? 'emms';

  // the held-out ensemble: members chosen on the other tasks, reported like a score
  const candidates = [
    ...new Set(
      inputs.flatMap((t) =>
        Object.entries(t.rankings)
          .filter(([id, r]) => r.kind === 'score' && !NOT_ENSEMBLED.has(id))
          .map(([id]) => id),
      ),
    ),
  ];
  let ensemble: CrossTaskInfo['ensemble'];
  try {
    const held = leaveOneTaskOutEnsemble(inputs, candidates);
    held.forEach((e, i) => {
      const t = inputs[i]!;
      inputs[i] = {
        ...t,
        rankings: { ...t.rankings, [ENSEMBLE_ID]: { values: e.values, kind: 'ensemble' } },
      };
    });
    ensemble = {
      id: ENSEMBLE_ID,
      perTask: held.map((e) => ({ task: e.task, members: [...e.members], weightedTau: e.weightedTau })),
    };
  } catch (e) {
    notes.push(`no held-out ensemble: ${(e as Error).message}`);
  }

  const stats: CrossTaskResult = crossTaskStatistics(inputs, {
    reps: options.reps ?? 1000,
    seed: options.seed ?? 0,
    reference,
    ...(ensemble ? { ensemble: ENSEMBLE_ID } : {}),
  });

  const heldOut: NonNullable<CrossTaskInfo['heldOut']> = {};
  for (const [choice, { current, table }] of choiceTables(used, inputs)) {
    try {
      const options = [...new Set(Object.values(table).flatMap((row) => Object.keys(row)))];
      const r = leaveOneTaskOut(table, [current, ...options.filter((o) => o !== current)]);
      heldOut[choice] = { ...r, perTask: [...r.perTask], incomplete: [...r.incomplete] };
    } catch (e) {
      notes.push(`${choice}: no held-out validation (${(e as Error).message})`);
    }
  }

  const versus = used.flatMap((t, i) => {
    const emms = stats.scores[reference]?.perTask[t.id];
    const logme = stats.scores['logme-flabels']?.perTask[t.id];
    const s = t.speed;
    if (emms === undefined || logme === undefined || !s?.emmsSeconds || !s.logmeSeconds) return [];
    return [
      {
        task: t.id,
        kind: inputs[i]!.kind ?? 'recognition',
        emmsTau: emms,
        logmeTau: logme,
        emmsSeconds: s.emmsSeconds,
        logmeSeconds: s.logmeSeconds,
      },
    ];
  });
  const kinds = versus.length ? emmsVsLogme(versus) : [];

  return {
    tasks: [...stats.tasks],
    scores: Object.fromEntries(
      Object.entries(stats.scores).map(([id, s]) => [
        id,
        { ...s, interval: [...s.interval] as [number, number] },
      ]),
    ),
    recommended: stats.recommended,
    recommendation: stats.recommendation,
    ...(stats.friedman ? { friedman: { ...stats.friedman } } : {}),
    ...(stats.nemenyi
      ? { nemenyi: { ...stats.nemenyi, cliques: stats.nemenyi.cliques.map((c) => [...c]) } }
      : {}),
    ...(stats.beats ? { beats: { ...stats.beats } } : {}),
    bootstrap: { ...stats.bootstrap },
    notes: [...stats.notes, ...notes],
    ...(Object.keys(heldOut).length ? { heldOut } : {}),
    ...(ensemble ? { ensemble } : {}),
    ...(kinds.length
      ? {
          emmsVsLogme: kinds.map((k) => ({ ...k, tasks: [...k.tasks] })),
          paperSource: PAPER_HEADLINE.source,
        }
      : {}),
  };
}
