// Class names given by the user (a list or a file) for datasets whose labels are numbers.
import { existsSync, readFileSync } from 'node:fs';
import { EmmsError, parseClassNames } from '@emms/tensor-io';
import { DATASET_CODES } from './codes';
import type { Dataset } from './dataset';

/**
 * Reads a class-names file: one name per line, line i naming class i (a trailing newline and trailing
 * blank lines are ignored; surrounding spaces are trimmed).
 *
 * @throws EmmsError `FILE_NOT_FOUND`, or `LABELS_PARSE` for an empty name in the middle of the file.
 */
export function readClassesFile(file: string): string[] {
  if (!existsSync(file)) {
    throw new EmmsError('FILE_NOT_FOUND', `class-names file ${file} does not exist`, { input: file });
  }
  return parseClassNames(readFileSync(file, 'utf8'), file);
}

/**
 * Checks user class names against integer labels 0…max: the list must have exactly max + 1 names.
 *
 * @param names - the class names (index = class id).
 * @param labels - the integer labels.
 * @param input - how the user gave the names, for messages ("classes", a file path).
 * @returns the names, unchanged.
 * @throws EmmsError `CLASSES_MISMATCH` naming both counts.
 */
export function checkClassNames(
  names: readonly string[],
  labels: ArrayLike<number>,
  input: string,
): string[] {
  let max = -1;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i]);
  if (names.length !== max + 1) {
    throw new EmmsError(
      DATASET_CODES.CLASSES_MISMATCH,
      `${input} has ${names.length} class names, but the labels run 0..${max} (${max + 1} classes); give one name per class, line i naming class i`,
      { input, details: { names: names.length, classes: max + 1 } },
    );
  }
  const empty = names.findIndex((n) => n.trim() === '');
  if (empty >= 0) {
    throw new EmmsError(DATASET_CODES.CLASSES_MISMATCH, `${input}: class ${empty} has an empty name`, {
      input,
    });
  }
  return [...names];
}

/**
 * Gives a dataset the user's class names. When the dataset's classes are integers (idx files, numeric
 * manifest labels, label arrays), label k becomes class k of `names`, which must have max label + 1 names.
 * When they are names already (folders, text labels), `names` must hold the same names and sets their order.
 *
 * @param ds - the dataset.
 * @param names - class names, or the path of a class-names file ({@link readClassesFile}).
 * @throws EmmsError `CLASSES_MISMATCH` naming both counts (or the names that differ).
 * @example
 * ```ts
 * const ds = withClassNames(openDataset('/data/fashion'), ['T-shirt/top', 'Trouser', …]);
 * ```
 */
export function withClassNames(ds: Dataset, names: readonly string[] | string): Dataset {
  const input = typeof names === 'string' ? names : 'classes';
  const list = typeof names === 'string' ? readClassesFile(names) : [...names];
  if (ds.classes.every((c) => /^\d+$/.test(c))) {
    const ids = ds.classes.map(Number);
    const labels = ds.items.map((i) => ids[i.label]);
    checkClassNames(list, labels.length ? labels : ids, input);
    return { ...ds, classes: list, items: ds.items.map((it, k) => ({ ...it, label: labels[k] })) };
  }
  const found = new Set(ds.classes);
  const given = new Set(list);
  const missing = [...found].filter((c) => !given.has(c));
  const extra = [...given].filter((c) => !found.has(c));
  if (list.length !== ds.classes.length || missing.length || extra.length || given.size !== list.length) {
    throw new EmmsError(
      DATASET_CODES.CLASSES_MISMATCH,
      `${input} has ${list.length} class names, dataset ${ds.name} has ${ds.classes.length} classes (${ds.classes.join(', ')})` +
        (missing.length ? `; not in the list: ${missing.join(', ')}` : '') +
        (extra.length ? `; not in the dataset: ${extra.join(', ')}` : '') +
        '. For named classes, the list may only reorder them.',
      { input, details: { names: list.length, classes: ds.classes.length } },
    );
  }
  const order = new Map(list.map((c, i) => [c, i]));
  return {
    ...ds,
    classes: list,
    items: ds.items.map((it) => ({ ...it, label: order.get(ds.classes[it.label])! })),
  };
}
