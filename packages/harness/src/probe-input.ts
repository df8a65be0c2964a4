// Input checks shared by the probes (classification splits).
import { EmmsError, type Matrix } from '@emms/tensor-io';

/** A labelled split: features (N×D, one row a sample) and integer class labels (length N, ≥ 0). */
export interface ProbeSplit {
  /** N×D features, float32 or float64, row-major. */
  readonly x: Matrix;
  /** N class labels, integers in [0, C). */
  readonly y: ArrayLike<number>;
}

/** Throws `NON_FINITE` naming the row when a matrix holds NaN or ±Infinity. */
export function checkFinite(x: Matrix, name: string): void {
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const row = Math.floor(i / x.cols);
      throw new EmmsError('NON_FINITE', `${name}: row ${row} holds ${d[i]}; give finite values`, {
        input: name,
        details: { row, column: i % x.cols },
      });
    }
  }
}

function checkSplit(split: ProbeSplit, name: string): void {
  if (split.x.rows !== split.y.length) {
    throw new EmmsError(
      'ROW_MISMATCH',
      `${name}: the features have ${split.x.rows} rows but the labels have ${split.y.length}; give one label per row`,
      { input: `${name}.y`, details: { rows: split.x.rows, labels: split.y.length } },
    );
  }
  if (split.x.rows === 0) {
    throw new EmmsError('ROW_MISMATCH', `${name}: no rows; give at least one sample`, { input: `${name}.x` });
  }
  for (let i = 0; i < split.y.length; i++) {
    const v = split.y[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new EmmsError(
        v < 0 ? 'LABEL_OUT_OF_RANGE' : 'LABEL_NOT_INTEGER',
        `${name}.y[${i}] is ${v}; labels must be integers ≥ 0`,
        { input: `${name}.y`, details: { index: i, value: v } },
      );
    }
  }
  checkFinite(split.x, `${name}.x`);
}

/**
 * Checks a train and a test split of a classification probe (rows match labels, labels are
 * integers ≥ 0, finite features, equal widths, two or more train classes).
 *
 * @returns the number of classes C (largest label over both splits + 1).
 */
export function checkPairOfSplits(train: ProbeSplit, test: ProbeSplit): number {
  checkSplit(train, 'train');
  checkSplit(test, 'test');
  if (train.x.cols !== test.x.cols) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `test.x has ${test.x.cols} columns but train.x has ${train.x.cols}; both must come from the same model`,
      { input: 'test.x', details: { train: train.x.cols, test: test.x.cols } },
    );
  }
  let classes = 0;
  for (const y of [train.y, test.y]) for (let i = 0; i < y.length; i++) classes = Math.max(classes, y[i] + 1);
  const present = new Set<number>();
  for (let i = 0; i < train.y.length; i++) present.add(train.y[i]);
  if (present.size < 2) {
    throw new EmmsError(
      'SINGLE_CLASS',
      'train.y: every train label is the same class; a probe needs two or more',
      {
        input: 'train.y',
      },
    );
  }
  return classes;
}
