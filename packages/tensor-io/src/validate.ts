import { EmmsError } from './errors';
import type { Matrix, Tensor } from './tensor';

function isMatrix(x: Matrix | Tensor): x is Matrix {
  return 'rows' in x && 'cols' in x;
}

/**
 * Throws NON_FINITE when a float matrix or tensor holds NaN or ±Inf. The message gives the count
 * and the position of the first one. Integer and bool data always pass.
 */
export function assertFinite(m: Matrix | Tensor, name: string): void {
  const data = m.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for finite values and NaN for NaN and ±Inf
    if (v - v !== 0) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count === 0) return;
  let where: string;
  let position: number[];
  if (isMatrix(m)) {
    position = m.cols > 0 ? [Math.floor(first / m.cols), first % m.cols] : [first];
    where = `row ${position[0]}, column ${position[1]}`;
  } else {
    position = [];
    let rest = first;
    for (let k = m.shape.length - 1; k >= 0; k--) {
      position.unshift(rest % m.shape[k]);
      rest = Math.floor(rest / m.shape[k]);
    }
    where = `index [${position.join(', ')}]`;
  }
  throw new EmmsError(
    'NON_FINITE',
    `${name}: holds ${count} NaN or infinite value${count === 1 ? '' : 's'}, the first at ${where} (${data[first]}). ` +
      'Clean or drop those samples before scoring.',
    { input: name, details: { count, firstIndex: first, firstPosition: position } },
  );
}

/**
 * Throws ROW_MISMATCH unless every input has the same number of rows (samples). The message
 * lists each input with its count.
 */
export function assertSameRows(items: readonly { name: string; rows: number }[]): void {
  if (items.length < 2) return;
  const first = items[0].rows;
  if (items.every((it) => it.rows === first)) return;
  const list = items.map((it) => `${it.name}: ${it.rows}`).join(', ');
  throw new EmmsError(
    'ROW_MISMATCH',
    `the inputs disagree on the number of samples (${list}); every input needs one row per sample, in the same order.`,
    {
      input: items.find((it) => it.rows !== first)!.name,
      details: { rows: Object.fromEntries(items.map((it) => [it.name, it.rows])) },
    },
  );
}

/** What {@link checkLabels} found. */
export interface LabelCheck {
  /** Number of classes C (given, or the largest label + 1). */
  readonly numClasses: number;
  /** counts[c] = number of samples with label c, for c in 0..C-1. */
  readonly counts: Int32Array;
  /** Classes in 0..C-1 with no sample (empty unless allowMissing). */
  readonly missing: number[];
}

/** More classes than this means the labels are not class indices. */
const MAX_CLASSES = 1 << 24;

function listSome(values: number[], max = 20): string {
  const head = values.slice(0, max).join(', ');
  return values.length > max ? `${head}, … (${values.length} in all)` : head;
}

/**
 * Checks class labels. Negative labels, or labels ≥ `numClasses` when given, throw
 * LABEL_OUT_OF_RANGE; fewer than two distinct classes throws SINGLE_CLASS; classes of 0..C-1 with
 * no sample throw MISSING_CLASSES (naming them) unless `allowMissing`.
 */
export function checkLabels(
  labels: Int32Array,
  name: string,
  opts: { numClasses?: number; allowMissing?: boolean } = {},
): LabelCheck {
  if (labels.length === 0) {
    throw new EmmsError('SINGLE_CLASS', `${name}: holds no labels; at least two classes are needed.`, {
      input: name,
    });
  }
  const given = opts.numClasses;
  if (given !== undefined && (!Number.isInteger(given) || given < 1)) {
    throw new EmmsError('INVALID_OPTION', `numClasses must be a positive integer, got ${given}`, {
      input: name,
    });
  }
  let max = labels[0];
  let bad = -1;
  let badCount = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v > max) max = v;
    if (v < 0 || (given !== undefined && v >= given)) {
      if (bad < 0) bad = i;
      badCount++;
    }
  }
  if (bad >= 0) {
    const range = given !== undefined ? `0..${given - 1}` : 'non-negative';
    throw new EmmsError(
      'LABEL_OUT_OF_RANGE',
      `${name}: ${badCount} label${badCount === 1 ? ' is' : 's are'} outside ${range}; the first is ${labels[bad]} at index ${bad}. ` +
        'Labels must be class indices 0..C-1.',
      { input: name, details: { count: badCount, firstIndex: bad, value: labels[bad] } },
    );
  }
  const numClasses = given ?? max + 1;
  if (numClasses > MAX_CLASSES) {
    throw new EmmsError(
      'LABEL_OUT_OF_RANGE',
      `${name}: the largest label, ${max}, implies ${numClasses} classes; labels must be class indices 0..C-1.`,
      { input: name, details: { max } },
    );
  }
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const missing: number[] = [];
  let present = 0;
  for (let c = 0; c < numClasses; c++) {
    if (counts[c] === 0) missing.push(c);
    else present++;
  }
  if (present < 2) {
    throw new EmmsError(
      'SINGLE_CLASS',
      `${name}: every sample has label ${labels[0]}; scoring needs at least two classes.`,
      { input: name },
    );
  }
  if (missing.length > 0 && !opts.allowMissing) {
    throw new EmmsError(
      'MISSING_CLASSES',
      `${name}: class${missing.length === 1 ? '' : 'es'} ${listSome(missing)} of 0..${numClasses - 1} ` +
        `${missing.length === 1 ? 'has' : 'have'} no sample. Relabel to the classes present, or allow missing classes.`,
      { input: name, details: { missing } },
    );
  }
  return { numClasses, counts, missing };
}

/**
 * Renumbers labels to 0..K-1 over the classes actually present, in increasing order of the old
 * label. `classes[k]` is the old label of new class k.
 */
export function relabelToPresent(labels: Int32Array): { labels: Int32Array; classes: number[] } {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const index = new Map<number, number>();
  classes.forEach((c, k) => {
    index.set(c, k);
  });
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = index.get(labels[i])!;
  return { labels: out, classes };
}
