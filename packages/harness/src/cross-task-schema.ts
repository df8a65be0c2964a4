/**
 * Zod schemas of what the truth and cross-task statistics add to a bench report: a task's ground-truth
 * precision, the suite's `crossTask`, the held-out validation of tuned defaults and EMMS against LogME
 * per task kind. Every number finite, objects strict (as report/schema.ts). The report schema wires
 * them in: `crossTask` at the top level, `precision` beside each measured ground truth.
 */
import { z } from 'zod';

const finite = z.number().describe('a finite number');
const probability = z.number().min(0).max(1);
const interval = z
  .tuple([finite, finite])
  .refine(([low, high]) => low <= high, { message: 'low must not exceed high' })
  .describe('[low, high]');

/**
 * Per-item results of a measured ground truth in a report (the JSON form of `ItemTruth`), so that the
 * bootstrap intervals and standard errors can be recomputed for every task kind: `mean` (per-item
 * values: correctness, IoU, retrieval hits) or `r2` (per-item, per-column squared errors and the
 * targets, rows × cols, row-major). Give `targets.data` to `Float64Array.from` before use.
 */
export const ItemTruthSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('mean'),
      values: z.record(z.string().min(1), z.array(finite)).describe('per model id, one value per test item'),
    }),
    z.strictObject({
      kind: z.literal('r2'),
      squaredError: z
        .record(z.string().min(1), z.array(z.number().nonnegative()))
        .describe('per model id, items × columns squared errors, row-major'),
      targets: z.strictObject({
        rows: z.number().int().positive(),
        cols: z.number().int().positive(),
        data: z.array(finite),
      }),
    }),
  ])
  .describe('per-item results of a measured ground truth');

/** The precision of one measured ground truth on its test items (truthPrecision + testItemsNeeded). */
export const TruthPrecisionSchema = z
  .strictObject({
    values: z.record(z.string().min(1), finite).describe('per model id, the ground truth on all test items'),
    order: z.array(z.string().min(1)).describe('model ids from best to worst by the ground truth'),
    maxStandardError: z.number().nonnegative().describe('the largest standard error'),
    separatedPairs: z.number().int().nonnegative().describe('neighbouring pairs the test set separates'),
    standardErrors: z
      .record(z.string().min(1), z.number().nonnegative())
      .describe('per model id, the bootstrap standard error of its ground truth'),
    medianGap: z
      .number()
      .nonnegative()
      .describe('median gap between models neighbouring in the ground-truth order'),
    precise: z.boolean().describe('every standard error is below half the median gap'),
    pairs: z
      .array(
        z.strictObject({
          better: z.string().min(1),
          worse: z.string().min(1),
          gap: z.number().nonnegative(),
          interval: interval.describe('paired-bootstrap interval of better − worse'),
          probability: probability.describe('fraction of resamples with better strictly ahead'),
          separated: z.boolean().describe('the interval lies above 0'),
        }),
      )
      .describe('neighbouring pairs, best first'),
    verdict: z.enum(['separates', 'cannot-separate']),
    summary: z.string().describe('e.g. "cannot separate its models (pairs it can: a > b)"'),
    items: z.number().int().positive().describe('test items'),
    reps: z.number().int().positive(),
    level: z.number().gt(0).lt(1),
    testItemsNeeded: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('test items that would bring every standard error below half the median gap'),
  })
  .describe('how precisely the test items measure the ground truth');

/** Cross-task figures of one ranking. */
export const CrossTaskScoreSchema = z
  .strictObject({
    meanWeightedTau: finite.describe('mean weighted τ over the tasks it ran on'),
    interval: interval.describe('two-level bootstrap interval of the mean'),
    averageRank: z
      .number()
      .positive()
      .optional()
      .describe('average rank over the tasks (1 = best); only when on every task'),
    perTask: z.record(z.string().min(1), finite).describe('weighted τ per task id'),
    kind: z.enum(['score', 'baseline', 'ensemble']),
    complete: z.boolean().describe('ran on every task'),
  })
  .describe('one ranking across tasks');

/** The report's `crossTask` (crossTaskStatistics). */
export const CrossTaskSchema = z
  .strictObject({
    tasks: z.array(z.string().min(1)).min(1).describe('task ids'),
    scores: z.record(z.string().min(1), CrossTaskScoreSchema).describe('per score, baseline or ensemble id'),
    recommended: z.string().min(1).describe('the recommended score id'),
    recommendation: z.string().describe('why, in words'),
    friedman: z
      .strictObject({
        tasks: z.number().int().positive(),
        scores: z.number().int().positive(),
        chiSquare: z.number().nonnegative(),
        df: z.number().int().positive(),
        pValue: probability,
        imanDavenport: z
          .strictObject({
            f: z.number().nonnegative(),
            df1: z.number().int().positive(),
            df2: z.number().int().positive(),
            pValue: probability,
          })
          .optional(),
      })
      .optional()
      .describe('Friedman test over the rankings on every task'),
    nemenyi: z
      .strictObject({
        alpha: z.number().gt(0).lt(1),
        q: z.number().positive(),
        criticalDifference: z.number().positive(),
        cliques: z.array(z.array(z.string().min(1))).describe('groups the test cannot tell apart'),
      })
      .optional(),
    beats: z
      .strictObject({
        reference: z.string().min(1),
        probability: z.record(z.string().min(1), probability),
      })
      .optional()
      .describe('P(the reference has the higher mean τ) per other ranking, paired bootstrap'),
    bootstrap: z.strictObject({
      reps: z.number().int().positive(),
      level: z.number().gt(0).lt(1),
      seed: z.number().int(),
      scheme: z.string(),
    }),
    notes: z.array(z.string()),
    heldOut: z
      .record(
        z.string().min(1),
        z.strictObject({
          perTask: z.array(
            z.strictObject({
              task: z.string().min(1),
              chosen: z.string().min(1),
              trainTau: finite,
              heldOutTau: finite,
              best: z.string().min(1),
              bestTau: finite,
            }),
          ),
          meanHeldOutTau: finite,
          meanBestTau: finite,
          chosenOnAll: z.string().min(1),
          incomplete: z.array(z.string()),
        }),
      )
      .optional()
      .describe('per tuned choice (e.g. "reduce", "logme-variant"), its leave-one-task-out validation'),
    ensemble: z
      .strictObject({
        id: z.string().min(1),
        perTask: z.array(
          z.strictObject({
            task: z.string().min(1),
            members: z.array(z.string().min(1)).min(1),
            weightedTau: finite,
          }),
        ),
      })
      .optional()
      .describe('the held-out ensemble: members chosen without each task'),
    emmsVsLogme: z
      .array(
        z.strictObject({
          kind: z.string().min(1),
          tasks: z.array(z.string().min(1)),
          emmsTau: finite,
          logmeTau: finite,
          gain: finite,
          gainPercent: finite.optional(),
          speedup: z.number().positive().optional(),
          paper: z.strictObject({ gainPercent: finite, speedup: z.number().positive() }).optional(),
        }),
      )
      .optional()
      .describe('per task kind, EMMS against LogME on the same F-labels, beside the paper'),
    paperSource: z.string().optional().describe('where the paper numbers come from'),
  })
  .superRefine((v, ctx) => {
    if (!(v.recommended in v.scores)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${v.recommended}" is not among the scores`,
        path: ['recommended'],
      });
    }
    const tasks = new Set(v.tasks);
    for (const [id, s] of Object.entries(v.scores)) {
      for (const t of Object.keys(s.perTask)) {
        if (!tasks.has(t)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${t}" is not a task`,
            path: ['scores', id, 'perTask', t],
          });
        }
      }
    }
  })
  .describe('statistics across the tasks of a suite (Demšar 2006)');

/** A validated `crossTask` section. */
export type CrossTaskInfo = z.output<typeof CrossTaskSchema>;
/** Per-item results in a report. */
export type ItemTruthInfo = z.output<typeof ItemTruthSchema>;
/** A validated ground-truth precision. */
export type TruthPrecisionInfo = z.output<typeof TruthPrecisionSchema>;
