// Dataset tasks: the seeded class-balanced split, the class names given to label embedders, raw pixels.
import type { Dataset, DatasetItem } from '@emms/feature-extractors';
import { EmmsError, type Matrix, seededRandom } from '@emms/tensor-io';
import { BENCH_CODES } from '../bench/codes';

/**
 * Candidates whose own classifier gives source-class probabilities (LEEP, NCE): output tensor and pooling.
 * Their extraction reads these outputs a second time on the train split (`<id>__…__train.probs`).
 */
export const CLASSIFIER_OUTPUTS: Readonly<Record<string, { output: string; pool: 'none' | 'mean' }>> = {
  'ppocr-cls': { output: 'softmax_0.tmp_0', pool: 'none' },
  'ppocr-rec': { output: 'softmax_11.tmp_0', pool: 'mean' },
};

/**
 * A seeded, class-balanced split: in each class the items are shuffled with `seededRandom(seed)`, the first
 * `trainPerClass` are train and the next `testPerClass` test (disjoint).
 *
 * @param ds - the dataset.
 * @param trainPerClass - train items per class.
 * @param testPerClass - test items per class.
 * @param seed - the seed.
 * @returns a dataset holding only the chosen items, each with split "train" or "test".
 * @throws EmmsError `DATASET_INVALID` naming every class with fewer than trainPerClass + testPerClass items,
 *   with how many it has (`details.counts`) and how many it needs (`details.needs`), before anything runs.
 * @example
 * ```ts
 * const sub = balancedSplit(readMnistPackage(), 50, 30, 0); // 500 train + 300 test digits
 * ```
 */
export function balancedSplit(
  ds: Dataset,
  trainPerClass: number,
  testPerClass: number,
  seed: number,
): Dataset {
  const byClass = ds.classes.map(() => [] as DatasetItem[]);
  for (const it of ds.items) byClass[it.label]?.push(it);
  const needs = trainPerClass + testPerClass;
  const short = byClass.map((l, c) => [c, l.length] as const).filter(([, n]) => n < needs);
  if (short.length > 0) {
    const list = short.map(([c, n]) => `${ds.classes[c]} has ${n}`).join(', ');
    throw new EmmsError(
      'DATASET_INVALID',
      `dataset ${ds.name}: ${short.length} class(es) have fewer than trainPerClass + testPerClass = ${needs} items (${list}); lower trainPerClass or testPerClass, or add items`,
      {
        input: ds.origin,
        details: {
          needs,
          counts: Object.fromEntries(byClass.map((l, c) => [ds.classes[c] ?? String(c), l.length])),
        },
      },
    );
  }
  const rand = seededRandom(seed);
  const items: DatasetItem[] = [];
  byClass.forEach((list) => {
    const idx = list.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    for (const i of idx.slice(0, trainPerClass)) items.push({ ...list[i]!, split: 'train' });
    for (const i of idx.slice(trainPerClass, needs)) items.push({ ...list[i]!, split: 'test' });
  });
  return { ...ds, items };
}

/**
 * Raw pixels of in-memory grey items as features (values in [0, 1]): the reference candidate `pixels`.
 *
 * @throws EmmsError `NOT_APPLICABLE` when the items are files rather than in-memory pixels, or differ in size.
 */
export function pixelFeatures(items: readonly DatasetItem[], dataset: string): Matrix<Float32Array> {
  const first = items[0]?.source;
  if (first?.kind !== 'pixels') {
    throw new EmmsError(
      BENCH_CODES.NOT_APPLICABLE,
      `dataset ${dataset}: the "pixels" candidate needs in-memory images (e.g. the mnist dataset)`,
      { input: 'pixels' },
    );
  }
  const d = first.width * first.height * first.channels;
  const data = new Float32Array(items.length * d);
  items.forEach((it, r) => {
    const s = it.source;
    if (s.kind !== 'pixels' || s.data.length !== d)
      throw new EmmsError(BENCH_CODES.NOT_APPLICABLE, `dataset ${dataset}: item ${it.id} has another size`, {
        input: it.id,
      });
    for (let k = 0; k < d; k++) data[r * d + k] = s.data[k]! / 255;
  });
  return { rows: items.length, cols: d, data };
}
