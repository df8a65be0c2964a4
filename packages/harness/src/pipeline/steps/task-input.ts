// What the agreement and assemble steps of one task read: the records of the task's earlier steps, by key.
import { z } from 'zod';
import { RecordRefSchema } from '../artifacts';
import { PROBE_KINDS, TARGET_TRUTHS } from './truth';

const recordOf = z.strictObject({ id: z.string().min(1), record: RecordRefSchema.shape.record });

/** A task's identity and the records of its split, extraction, F-label, truth and score steps. */
export const TaskInputSchema = z.strictObject({
  task: z.strictObject({
    id: z.string().min(1),
    /** The dataset (or features folder) as the spec gives it. */
    dataset: z.string().min(1),
    kind: z.enum(['dataset', 'features']),
    /** Dataset tasks: the question (absent: classification) and the items' modality. */
    question: z.enum(['classification', 'regression', 'referring', 'captioning']).optional(),
    modality: z.enum(['image', 'text', 'image-text']).optional(),
    /** Dataset tasks: the split parameters. */
    split: z
      .strictObject({
        seed: z.number().int(),
        trainPerClass: z.number().int().positive(),
        testPerClass: z.number().int().positive(),
      })
      .optional(),
    /** Dataset tasks: the prompt templates of the F-labels. */
    templates: z.array(z.string()).default([]),
    /** Notes that lead the task's notes (e.g. candidates left out on purpose). */
    notes: z.array(z.string()).default([]),
    /** Dataset tasks: the scores that need a classifier's probabilities (for the notes), e.g. LEEP, NCE. */
    probsScores: z.array(z.string()).optional(),
  }),
  split: RecordRefSchema,
  /** Every candidate in order: its extraction record, or why it has no features. */
  candidates: z.array(
    z.union([
      recordOf,
      z.strictObject({
        id: z.string().min(1),
        source: z.string().min(1),
        error: z.strictObject({ code: z.string(), message: z.string(), input: z.string().optional() }),
      }),
    ]),
  ),
  /** F-label records in embedder order (dataset tasks). */
  flabels: z.array(RecordRefSchema),
  truth: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('measured'),
      kinds: z.array(z.enum([...PROBE_KINDS, ...TARGET_TRUTHS])).min(1),
      knnK: z.number().int().positive(),
      reps: z.number().int().positive(),
      probes: z.array(recordOf),
    }),
    z.strictObject({
      kind: z.literal('table'),
      reps: z.number().int().positive(),
      record: RecordRefSchema.shape.record,
    }),
  ]),
  scores: z.strictObject({
    requests: z.array(
      z.strictObject({ id: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
    ),
    preset: z.enum(['rank', 'published']),
    reduce: z.string().min(1),
    records: z.array(recordOf),
  }),
  /** Sweep sizes (train items per class, the full size last), when the task has a sweep. */
  sweep: z.array(z.number().int().positive()).optional(),
});
export type TaskInput = z.output<typeof TaskInputSchema>;
