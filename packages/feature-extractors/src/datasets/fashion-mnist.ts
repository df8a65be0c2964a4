// Fashion-MNIST from Debian's dataset-fashion-mnist package.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { DATASET_CODES } from '../codes';
import { type Dataset, readIdx } from '../dataset';

/** Where Debian's `dataset-fashion-mnist` package installs the idx files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The ten Fashion-MNIST class names, as the dataset's documentation gives them (label i = name i). */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/**
 * Fashion-MNIST (Zalando; 60,000 train + 10,000 test 28×28 grey images of 10 clothing classes) from the
 * idx files of Debian's `dataset-fashion-mnist` package, with the documented class names. Items keep the
 * dataset's own train/test split.
 *
 * @param dir - the folder holding the four idx files (default {@link FASHION_MNIST_DIR}).
 * @throws EmmsError `DATA_PACKAGE_MISSING` naming the Debian package and its install command.
 * @example
 * ```ts
 * const ds = readFashionMnist(); // ds.classes[9] === 'Ankle boot'
 * ```
 */
export function readFashionMnist(dir: string = FASHION_MNIST_DIR): Dataset {
  const need = [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ];
  const missing = need.filter(
    (f) => !existsSync(join(dir, f)) && !existsSync(join(dir, f.replace(/\.gz$/, ''))),
  );
  if (missing.length > 0) {
    throw new EmmsError(
      DATASET_CODES.DATA_PACKAGE_MISSING,
      `Fashion-MNIST needs the Debian package dataset-fashion-mnist (${dir} lacks ${missing.join(', ')}); install it with: sudo apt-get install -y dataset-fashion-mnist`,
      { input: 'fashion-mnist', details: { package: 'dataset-fashion-mnist', dir } },
    );
  }
  const ds = readIdx(dir, 'fashion-mnist');
  return {
    ...ds,
    classes: [...FASHION_MNIST_CLASSES],
    origin: `debian:dataset-fashion-mnist (${dir})`,
  };
}
