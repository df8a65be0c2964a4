// Step "split": from a dataset reference and split parameters (or a features folder) to the task's items,
// their labels and a content key that every later step of the task is keyed by.
import {
  BUILTIN_DATASETS,
  DATASET_CODES,
  type Dataset,
  fingerprintItems,
  openDataset,
  withClassNames,
} from '@emms/feature-extractors';
import { labelWords } from '@emms/label-embedders';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { readMatrixFile } from '@emms/tensor-io/node';
import { z } from 'zod';
import { listFeatureFiles, readLabels } from '../../bench/features-dir';
import { contentKey, sha256File } from '../../cache';
import { type ArtifactRef, saveDataset, saveLabels, saveMatrix } from '../artifacts';
import { balancedSplit } from '../dataset';
import type { StepContext } from '../types';

const count = z.number().int().positive();

/** A dataset task's split: what the extraction step re-opens, and the content key it checks. */
export const DatasetSplitSchema = z.strictObject({
  dataset: z.string().min(1).describe('a built-in dataset name ("mnist", …) or an absolute path'),
  trainPerClass: count,
  testPerClass: count,
  seed: z.number().int(),
  /** A class-names file (absolute) or list for integer labels; its length must match the classes found. */
  classes: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
});

/** Input of the split step. */
export const SplitInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dataset'), ...DatasetSplitSchema.shape }),
  z.strictObject({
    kind: z.literal('features'),
    task: z.string().min(1),
    featuresDir: z.string().min(1),
    labels: z.string().min(1),
    flabels: z.array(z.string().min(1)),
  }),
]);
export type SplitInput = z.output<typeof SplitInputSchema>;

/** Built-in datasets read in this thread (they never change; reading MNIST takes a second or two). */
const builtins = new Map<string, Dataset>();

/** Opens a dataset task's split (see {@link balancedSplit}). */
export function openSplit(s: z.output<typeof DatasetSplitSchema>): Dataset {
  // generated datasets (referring-*, captioned-*) are drawn as large as the split needs
  const generated = GENERATED.test(s.dataset) && Object.hasOwn(BUILTIN_DATASETS, s.dataset);
  const perClass = generated ? s.trainPerClass + s.testPerClass : undefined;
  const name = perClass ? `${s.dataset}@${perClass}` : s.dataset;
  let ds = builtins.get(name);
  if (!ds) {
    ds = openDataset(s.dataset, perClass ? { perClass } : {});
    if (Object.hasOwn(BUILTIN_DATASETS, s.dataset)) builtins.set(name, ds);
  }
  if (s.classes !== undefined) ds = withClassNames(ds, s.classes);
  return balancedSplit(ds, s.trainPerClass, s.testPerClass, s.seed);
}

const GENERATED = /^(referring|captioned)-/;

/** The question a dataset poses (classification unless the dataset says otherwise). */
export type Question = 'classification' | 'regression' | 'referring' | 'captioning';

/** Train and test regression targets (item `target`s) as N×T and M×T float32 matrices. */
function targetsOf(ds: Dataset): { train: Matrix; test: Matrix } | undefined {
  const t = ds.items[0]?.target?.length ?? 0;
  if (t === 0) return undefined;
  const part = (split: string): Matrix => {
    const items = ds.items.filter((i) => i.split === split);
    const data = new Float32Array(items.length * t);
    items.forEach((it, r) => {
      const v = it.target ?? [];
      for (let j = 0; j < t; j++) {
        const x = v[j];
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          throw new EmmsError(
            DATASET_CODES.TARGET_NOT_FINITE,
            `dataset ${ds.name}: item ${it.id} has target ${JSON.stringify(v)}; every item needs ${t} finite numbers (fix or drop the item)`,
            { input: it.id },
          );
        }
        data[r * t + j] = x;
      }
    });
    return { rows: items.length, cols: t, data };
  };
  return { train: part('train'), test: part('test') };
}

/** The content key of a split: its items in order (train then test) and its class list. */
export function splitKey(ds: Dataset): string {
  const train = ds.items.filter((i) => i.split === 'train');
  const test = ds.items.filter((i) => i.split === 'test');
  return contentKey({
    items: fingerprintItems(ds, [...train, ...test]),
    nTrain: train.length,
    classes: ds.classes,
  });
}

/** Result of the split step. */
export interface SplitResult {
  /** Content key of the chosen items in order (and of the class list): later steps are keyed by it. */
  readonly key: string;
  /** Dataset tasks: the chosen items (a snapshot the extraction reads). */
  readonly items?: ArtifactRef;
  /** `{ train, test? }` labels. */
  readonly labels: ArtifactRef;
  readonly nTrain: number;
  readonly nTest?: number;
  /** Dataset tasks: class names, the names given to label embedders, where the data came from. */
  readonly classes?: readonly string[];
  readonly classNames?: readonly string[];
  readonly source?: string;
  /** Features tasks: the model files (name = file stem) and the F-label files with their digests. */
  readonly files?: readonly { readonly id: string; readonly path: string }[];
  readonly flabels?: readonly ArtifactRef[];
  readonly flabelDims?: readonly number[];
  /** Dataset tasks: the question (classification, regression, referring, captioning) and the modality. */
  readonly question?: Question;
  readonly modality?: 'image' | 'text' | 'image-text';
  /** Regression and referring tasks: the items' targets (train N×T, test M×T) and their names. */
  readonly targets?: { readonly train: ArtifactRef; readonly test: ArtifactRef };
  readonly targetNames?: readonly string[];
  /** How the dataset was made or cleaned, for the task's notes. */
  readonly datasetNotes?: readonly string[];
}

/**
 * The split step. Dataset tasks: opens the dataset, draws the seeded class-balanced split (a class with
 * too few items fails here, before any extraction) and stores the labels. Features tasks: reads the
 * labels, lists the model files and checks the F-label files' rows.
 *
 * @param input - {@link SplitInput}.
 * @param ctx - the step context (the store).
 * @returns the {@link SplitResult}.
 * @throws EmmsError `DATASET_INVALID` (sizes), `FILE_NOT_FOUND`, `FEATURES_DIR_EMPTY`, `ROW_MISMATCH`.
 */
export async function splitStep(input: SplitInput, ctx: StepContext): Promise<SplitResult> {
  if (input.kind === 'features') {
    const labels = await readLabels(input.labels);
    const files = listFeatureFiles(input.featuresDir, input.task).map(([id, path]) => ({ id, path }));
    const flabels: ArtifactRef[] = [];
    const flabelDims: number[] = [];
    for (const f of input.flabels) {
      const m = await readMatrixFile(f);
      if (m.rows !== labels.length) {
        throw new EmmsError(
          'ROW_MISMATCH',
          `task ${input.task}: F-label file ${f} has ${m.rows} rows but there are ${labels.length} labels`,
          { input: f, details: { task: input.task, file: f } },
        );
      }
      flabels.push({ path: f, key: await sha256File(f) });
      flabelDims.push(m.cols);
    }
    const ref = saveLabels(ctx.store, labels);
    return { key: ref.key!, labels: ref, nTrain: labels.length, files, flabels, flabelDims };
  }
  const ds = openSplit(input);
  const train = ds.items.filter((i) => i.split === 'train');
  const test = ds.items.filter((i) => i.split === 'test');
  const key = splitKey(ds);
  const labels = saveLabels(
    ctx.store,
    Int32Array.from(train, (i) => i.label),
    Int32Array.from(test, (i) => i.label),
  );
  const question: Question = ds.task ?? 'classification';
  const targets = question === 'regression' || question === 'referring' ? targetsOf(ds) : undefined;
  return {
    key,
    items: saveDataset(ctx.store, ds),
    question,
    modality: ds.modality,
    ...(targets
      ? {
          targets: {
            train: await saveMatrix(ctx.store, 'targets', targets.train),
            test: await saveMatrix(ctx.store, 'targets', targets.test),
          },
          targetNames: [...(ds.targetNames ?? [])],
        }
      : {}),
    ...(ds.notes?.length ? { datasetNotes: [...ds.notes] } : {}),
    labels,
    nTrain: train.length,
    nTest: test.length,
    classes: [...ds.classes],
    classNames: labelWords(ds.classes),
    source: ds.origin,
  };
}
