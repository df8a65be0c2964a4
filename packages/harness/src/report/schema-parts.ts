// Parts of the bench report schema: shared number types, agreement, speed, sweep and alternative entries,
// and the per-item correctness codec (split from schema.ts, which re-exports them).
import { declareErrorCodes, EmmsError } from '@emms/tensor-io';
import { z } from 'zod';

/** Error codes of the report module. */
export const REPORT_ERROR_CODES = declareErrorCodes('@emms/harness', {
  REPORT_INVALID: 'a bench report does not match the emms-bench-report schema (the message names the field)',
});

/** A finite number (zod rejects NaN and ±Infinity). */
export const finite = z.number().describe('a finite number');
/** Wall-clock seconds. */
export const seconds = z.number().nonnegative().describe('wall-clock seconds');
/** A whole count. */
export const count = z.number().int().nonnegative();
/** Per-model values keyed by model id. */
export const modelValues = (what: string) =>
  z.record(z.string().min(1), finite).describe(`${what}, keyed by model id (a missing model has no value)`);

/** A bootstrap interval for a weighted τ. */
export const IntervalInfo = z
  .strictObject({
    low: finite.describe('lower end'),
    high: finite.describe('upper end'),
    level: z.number().gt(0).lt(1).default(0.95).describe('coverage, e.g. 0.95'),
    reps: z.number().int().positive().describe('bootstrap resamples of the evaluation items'),
    estimate: finite.optional().describe('weighted τ on all the items (the point estimate), when given'),
  })
  .refine((v) => v.low <= v.high, { message: 'low must not exceed high', path: ['low'] })
  .describe('bootstrap interval');

/** The agreement of one ranking (a score or a baseline) with one ground truth. */
export const AgreementInfo = z
  .strictObject({
    kind: z.enum(['score', 'baseline']).describe('whether the ranking is a score or a static baseline'),
    models: z.number().int().min(2).describe('models in both the ranking and the ground truth'),
    weightedTau: finite.describe("weighted Kendall τ (scipy's weightedtau defaults)"),
    weightedTauInterval: IntervalInfo.optional().describe(
      'bootstrap interval of weightedTau (absent when the ground truth has no per-item results)',
    ),
    kendallTau: finite.describe('Kendall τ-b'),
    pearson: finite.describe('Pearson correlation'),
    spearman: finite.describe('Spearman correlation'),
    weightedPearson: finite.describe('weighted Pearson correlation (METRICS-SPEC)'),
    rel1: finite.describe('rel@1: ground truth of the top-ranked model over the best ground truth'),
    rel3: finite.describe('rel@3: best ground truth among the top three over the best'),
    regret1: finite.describe('regret@1: best ground truth minus that of the top-ranked model'),
    beatsBaselines: z
      .boolean()
      .optional()
      .describe('scores only: weightedTau is above every baseline weightedTau on this ground truth'),
    baselinesNotBeaten: z
      .array(z.string())
      .optional()
      .describe('scores only: ids of baselines whose weightedTau this score does not exceed'),
    warnings: z
      .array(z.string())
      .optional()
      .describe('figures that degenerated (constant scores or ground truth, non-positive truth)'),
  })
  .describe('agreement of one ranking with one ground truth');

/** Speed comparisons measured in the run. */
export const SpeedInfo = z
  .strictObject({
    emmsSeconds: seconds.optional().describe('seconds of EMMS over all models'),
    logmeSeconds: seconds.optional().describe('seconds of LogME over all models, same F-labels'),
    emmsOverLogme: z
      .number()
      .positive()
      .optional()
      .describe('speed-up of EMMS over LogME: logmeSeconds / emmsSeconds'),
    note: z.string().optional().describe('how the times compare (same inputs, warm or cold)'),
  })
  .describe('speed comparisons');

/** One train size of the train-size sweep. */
export const SweepPoint = z
  .strictObject({
    trainPerClass: z.number().int().positive().describe('train items per class at this point'),
    nTrain: z.number().int().positive().describe('train items in total at this point'),
    scores: z
      .record(
        z.string().min(1),
        z.strictObject({
          weightedTau: finite.describe('weighted τ against the sweep ground truth'),
          weightedTauInterval: IntervalInfo.optional(),
        }),
      )
      .describe('per score id, its weighted τ at this train size'),
  })
  .describe('one train size of the sweep');

/** How each score's weighted τ changes as the train size shrinks below the feature width. */
export const SweepInfo = z
  .strictObject({
    truth: z.string().min(1).describe('ground-truth id the weighted τ is measured against'),
    maxFeatureDim: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('widest feature dimension D among the models'),
    points: z.array(SweepPoint).min(1).describe('one entry per train size, ascending'),
  })
  .describe('train-size sweep (the D ≥ N study)');

/** The scores of one alternative configuration of a tuned preset choice, on one task. */
export const AlternativeInfo = z
  .strictObject({
    choice: z.string().min(1).describe('the tuned choice, e.g. "reduce" or "logme-variant"'),
    option: z.string().min(1).describe('the alternative, e.g. "none" or "published"'),
    current: z.string().min(1).describe('the preset\'s own option for this choice, e.g. "auto"'),
    description: z.string().describe('the configuration in words'),
    scores: z
      .record(z.string().min(1), modelValues('score value under this configuration'))
      .describe('per score id'),
  })
  .describe('one alternative configuration of a tuned preset choice');

/**
 * Encodes per-item correctness (1 = the model got test item j right) as the `"0"`/`"1"` string that
 * `groundTruth[id].correct[model]` holds.
 *
 * @param correct - one entry per test item, 0 or 1 (any non-zero counts as 1).
 * @returns a string of the same length.
 * @example
 * ```ts
 * encodeCorrect(new Uint8Array([1, 0, 1])); // '101'
 * ```
 */
export function encodeCorrect(correct: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < correct.length; i++) out += correct[i] ? '1' : '0';
  return out;
}

/**
 * Decodes a `"0"`/`"1"` correctness string of a report back to bytes (for `bootstrapWeightedTau`).
 *
 * @param bits - the string from `groundTruth[id].correct[model]`.
 * @returns one byte per item, 0 or 1.
 * @throws EmmsError `REPORT_INVALID` when the string holds another character.
 * @example
 * ```ts
 * decodeCorrect('101'); // Uint8Array [1, 0, 1]
 * ```
 */
export function decodeCorrect(bits: string): Uint8Array {
  const out = new Uint8Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const c = bits.charCodeAt(i);
    if (c !== 48 && c !== 49) {
      throw new EmmsError(
        REPORT_ERROR_CODES.REPORT_INVALID,
        `correctness string: character ${i} is "${bits[i]}"; only "0" and "1" are allowed`,
        { input: 'correct' },
      );
    }
    out[i] = c - 48;
  }
  return out;
}

/** Agreement figures of one ranking against one ground truth. */
export type AgreementInfo = z.output<typeof AgreementInfo>;
/** A bootstrap interval. */
export type IntervalInfo = z.output<typeof IntervalInfo>;
/** The train-size sweep. */
export type SweepInfo = z.output<typeof SweepInfo>;
/** One alternative configuration of a tuned preset choice. */
export type AlternativeInfo = z.output<typeof AlternativeInfo>;
