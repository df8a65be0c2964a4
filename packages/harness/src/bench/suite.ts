// The offline suite: several tasks of several kinds from data that installs offline, one spec.
import { type BenchSpec, type BenchSpecInput, parseBenchSpec } from '../spec';
import type { DefaultBenchOptions } from './defaults';

/** The suites that need no features folder. */
export const OFFLINE_SUITES = ['offline', 'offline-small'] as const;
export type OfflineSuite = (typeof OFFLINE_SUITES)[number];

/**
 * The image candidates of the full suite: 20 pretrained models and layers of the zoo (the ones whose
 * extraction fits the suite's time budget, from the feature-extractors README's CPU s / 1,000 items
 * table) and the raw-pixels reference.
 */
export const SUITE_IMAGE_CANDIDATES: readonly string[] = [
  'ppocr-rec',
  'ppocr-cls',
  'ppocr-det',
  'ppocr-det-s3',
  'ppocr-det-s4',
  'blazeface-front',
  'blazeface-back',
  'mlsd-tiny-320',
  'mlsd-tiny-320-b5',
  'nsfw-mobilenet-v2-mid',
  'nsfw-mobilenet-v2-b12',
  'faceres-pw7',
  'mobilefacenet',
  'emotion',
  'gender',
  'antispoof',
  'liveness',
  'handlandmark-lite',
  'blazepose-detector',
  'movenet-lightning',
  'pixels',
];

/** The text candidates of the full suite: USE-lite and two of its stages, GloVe pooled two ways, fastText, bag of words. */
export const SUITE_TEXT_CANDIDATES: readonly string[] = [
  'use-lite',
  'use-lite-layer1',
  'use-lite-embeddings',
  'glove',
  'glove-max',
  'fasttext-lid',
  'bow-hash',
];

const SMALL_IMAGE = ['ppocr-rec', 'ppocr-cls', 'blazeface-front', 'gender', 'liveness', 'pixels'];
const SMALL_TEXT = ['use-lite-embeddings', 'fasttext-lid', 'bow-hash'];

/** One task of a suite: the dataset, its kind and sizes (items per class). */
export interface SuiteTask {
  readonly id: string;
  readonly dataset: string;
  readonly kind: 'image classification' | 'text classification' | 'referring' | 'captioning';
  readonly trainPerClass: number;
  readonly testPerClass: number;
  readonly candidates: readonly string[];
}

/**
 * The tasks of an offline suite. Sizes of `offline`: test items per class chosen from the precision of
 * an `offline-small` run (`testItemsNeeded` in its report), capped by the 45-minute cold budget of the
 * whole suite on 2 cores; the report says per task whether its test set separates its models.
 */
export function suiteTasks(suite: OfflineSuite): SuiteTask[] {
  const small = suite === 'offline-small';
  const image = small ? SMALL_IMAGE : SUITE_IMAGE_CANDIDATES;
  const text = small ? SMALL_TEXT : SUITE_TEXT_CANDIDATES;
  const size = (train: number, test: number, smallTrain = 10, smallTest = 10) =>
    small
      ? { trainPerClass: smallTrain, testPerClass: smallTest }
      : { trainPerClass: train, testPerClass: test };
  return [
    { id: 'mnist', dataset: 'mnist', kind: 'image classification', ...size(40, 60), candidates: image },
    {
      id: 'fashion-mnist',
      dataset: 'fashion-mnist',
      kind: 'image classification',
      ...size(40, 80),
      candidates: image,
    },
    {
      id: 'spam-assassin',
      dataset: 'spam-assassin',
      kind: 'text classification',
      ...size(150, 300, 20, 20),
      candidates: text,
    },
    {
      id: 'referring-mnist',
      dataset: 'referring-mnist',
      kind: 'referring',
      ...size(60, 40),
      candidates: image,
    },
    {
      id: 'captioned-mnist',
      dataset: 'captioned-mnist',
      kind: 'captioning',
      ...size(60, 40),
      candidates: image,
    },
  ];
}

/**
 * An offline suite as a bench spec: `offline` (MNIST, Fashion-MNIST, spam-assassin texts, referring digits,
 * captioned digits; 20 pretrained image candidates + pixels, 6 pretrained text candidates + bag of words) or
 * `offline-small` (the same tasks with few candidates and items: a smoke test and the docs' CI run).
 * F-labels from USE-lite (templates chosen per dataset); ground truth measured per task kind.
 *
 * @param suite - `offline` or `offline-small`.
 * @param o - out, cache, metrics, reduce, preset.
 * @returns a validated {@link BenchSpec}.
 * @example
 * ```ts
 * const spec = offlineSuiteSpec('offline-small');
 * spec.tasks.length; // 5
 * ```
 */
export function offlineSuiteSpec(
  suite: OfflineSuite,
  o: Pick<DefaultBenchOptions, 'out' | 'cache' | 'metrics' | 'reduce' | 'preset'> = {},
): BenchSpec {
  const tasks: BenchSpecInput['tasks'] = suiteTasks(suite).map((t) => ({
    id: t.id,
    dataset: t.dataset,
    trainPerClass: t.trainPerClass,
    testPerClass: t.testPerClass,
    seed: 0,
    candidates: [...t.candidates],
  }));
  return parseBenchSpec(
    {
      tasks,
      flabels: { embedders: ['use-lite'] },
      scores: [...(o.metrics ?? [])],
      preset: o.preset ?? 'rank',
      preprocessing: o.reduce ? { reduce: o.reduce } : {},
      groundTruth: { measured: ['linear-probe', 'knn'] },
      out: o.out ?? 'emms-bench',
      cache: o.cache ?? '.emms-cache',
    },
    `--suite ${suite}`,
  );
}
