// Step "assemble": one task's section of the report, from the records of all its steps.
import type { z } from 'zod';
import type { TaskReport } from '../../report/schema';
import { RecordRefSchema, readRecord } from '../artifacts';
import type { StepContext } from '../types';
import type { AgreementResult } from './agreement';
import { type CollectedTask, collectTask, presetRule } from './collect';
import { TaskInputSchema } from './task-input';

/** Input of the assemble step: the task's records and its agreement record. */
export const AssembleInputSchema = TaskInputSchema.extend({ agreement: RecordRefSchema });
export type AssembleInput = z.output<typeof AssembleInputSchema>;

/** The task's notes: candidates left out, unread classifier outputs, LEEP/NCE, missing embedders, names. */
function notesOf(input: AssembleInput, t: CollectedTask): string[] {
  if (input.task.kind !== 'dataset') return [...input.task.notes];
  const probs = [...t.extracts.values()].flatMap((r) => r.notes);
  const withProbs = [...t.extracts.entries()].filter(([, r]) => r.probs).map(([id]) => id);
  const need = input.task.probsScores ?? ['LEEP', 'NCE'];
  const needers =
    need.length > 1 ? `${need.slice(0, -1).join(', ')} and ${need.at(-1)}` : (need[0] ?? 'No score');
  return [
    ...input.task.notes,
    ...probs,
    `${needers} need the source-class probabilities of a model's own classifier: ${withProbs.length ? withProbs.join(', ') : 'no candidate'} ${withProbs.length === 1 ? 'gives' : 'give'} them (ppocr-cls: its 2-way direction softmax; ppocr-rec: its 6,625-character CTC softmax averaged over time steps); for the other candidates they are reported as NOT_APPLICABLE (detectors and raw pixels have no classifier; the nsfwjs models' 5-way head would need a second extraction pass, left out for time)`,
    ...t.flabels
      .filter((f) => f.missing)
      .map((f) => `F-label embedder ${f.embedder} is not installed; left out (${f.missing!.code})`),
    `class names given to the label embedders: ${(t.split.classNames ?? []).join(', ')}`,
  ];
}

function flabelsOf(input: AssembleInput, t: CollectedTask): TaskReport['flabels'] {
  if (input.task.kind === 'dataset') {
    const used = t.flabels.filter((f) => !f.missing);
    const dims = used.flatMap((f) => f.dims);
    return {
      embedders: used.map((f) => f.embedder),
      templates: [...input.task.templates],
      K: dims.length,
      dims,
    };
  }
  const files = t.split.flabels ?? [];
  if (files.length === 0) return undefined;
  return { embedders: ['files'], templates: [], K: files.length, dims: [...(t.split.flabelDims ?? [])] };
}

/**
 * The assemble step: reads every record of a task and its agreement, and returns the task's section of the
 * report (split, F-labels, preprocessing, models, ground truth, scores, baselines, agreement, speed, sweep,
 * notes).
 *
 * @param input - {@link AssembleInput}.
 * @param ctx - the step context (the store).
 * @returns the task's {@link TaskReport} (validated with the rest of the report by `parseReport`).
 */
export async function assembleStep(input: AssembleInput, ctx: StepContext): Promise<TaskReport> {
  const t = collectTask(input, ctx.store);
  const a = readRecord<AgreementResult>(ctx.store, input.agreement);
  const s = input.task.split;
  const flabels = flabelsOf(input, t);
  return {
    id: input.task.id,
    dataset: input.task.dataset,
    ...(s
      ? {
          split: {
            seed: s.seed,
            trainPerClass: s.trainPerClass,
            testPerClass: s.testPerClass,
            nTrain: t.split.nTrain,
            nTest: t.split.nTest ?? 0,
            classes: [...(t.split.classes ?? [])],
            ...(t.split.source ? { source: t.split.source } : {}),
          },
        }
      : {}),
    ...(flabels ? { flabels } : {}),
    preprocessing: { reduce: input.scores.reduce, rule: presetRule(input.scores.preset) },
    models: t.models,
    groundTruth: t.groundTruth,
    scores: t.scores,
    baselines: t.baselines,
    agreement: a.agreement,
    ...(t.speed ? { speed: t.speed } : {}),
    ...(a.sweep ? { sweep: a.sweep } : {}),
    ...(t.alternatives ? { alternatives: t.alternatives } : {}),
    notes: notesOf(input, t),
  } as TaskReport;
}
