import {
  assertFinite,
  assertSameRows,
  checkLabels,
  EmmsError,
  isEmmsError,
  type Matrix,
  relabelToPresent,
} from '@emms/tensor-io';
import { METRIC_ERROR_CODES } from './errors';
import type { MetricInputName, MetricInputSpec, MetricInputs } from './types';

/** Every input name, in the order messages list them. */
const INPUT_NAMES: readonly MetricInputName[] = ['features', 'labels', 'flabels', 'probs', 'targets'];

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a plain array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v === 'object' ? 'an object without rows, cols and a float data array' : `a ${typeof v}`;
}

function invalidInput(input: string, got: unknown, want: string): EmmsError {
  return new EmmsError(
    METRIC_ERROR_CODES.INVALID_INPUT,
    `${input} is ${typeName(got)}; give ${want}, or leave ${input} out`,
    { input, details: { got: typeName(got) } },
  );
}

const MATRIX = 'a matrix { rows, cols, data } with data a Float64Array or Float32Array of rows·cols values';

function isMatrixLike(m: unknown): m is Matrix {
  if (typeof m !== 'object' || m === null) return false;
  const { rows, cols, data } = m as Partial<Matrix>;
  return (
    Number.isSafeInteger(rows) &&
    Number.isSafeInteger(cols) &&
    (rows as number) >= 0 &&
    (cols as number) >= 0 &&
    (data instanceof Float64Array || data instanceof Float32Array) &&
    data.length === (rows as number) * (cols as number)
  );
}

/**
 * Throws INVALID_INPUT unless `inputs` is an object whose given fields have the types the library
 * takes: features, probs and targets matrices, labels an Int32Array, flabels an array of matrices.
 * Fields left undefined are fine (whether a metric needs them is {@link validateInputs}' business).
 *
 * @param inputs - what a caller passed as the inputs of a score.
 * @throws EmmsError INVALID_INPUT naming the input (`inputs`, `features`, `flabels[1]`…) and the type to give.
 * @example
 * ```ts
 * checkInputTypes({ labels: Int32Array.from([0, 1]) }); // passes
 * ```
 */
export function checkInputTypes(inputs: unknown): asserts inputs is MetricInputs {
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw invalidInput('inputs', inputs, `an object such as { features, labels }`);
  }
  const given = inputs as Record<string, unknown>;
  for (const name of INPUT_NAMES) {
    const v = given[name];
    if (v === undefined) continue;
    if (name === 'labels') {
      if (!(v instanceof Int32Array)) {
        throw invalidInput(
          name,
          v,
          'an Int32Array of N class ids (toLabels of @emms/tensor-io converts other arrays)',
        );
      }
    } else if (name === 'flabels') {
      if (!Array.isArray(v)) throw invalidInput(name, v, `an array of F-label matrices (each ${MATRIX})`);
      v.forEach((m, k) => {
        if (!isMatrixLike(m)) throw invalidInput(`flabels[${k}]`, m, MATRIX);
      });
    } else if (!isMatrixLike(v)) {
      throw invalidInput(name, v, MATRIX);
    }
  }
}

/**
 * Throws VALUE_OVERFLOW when the values of `m` are finite but so large that N·max|v|² overflows
 * float64 (e.g. 1e300): every score forms sums of squares or products of the values, which would
 * become Infinity and NaN inside the computation. Call it after the finiteness check.
 *
 * @param m - an N×D matrix of finite values.
 * @param input - the input's name for the message, e.g. "features".
 * @throws EmmsError VALUE_OVERFLOW naming `input` and the largest magnitude.
 * @example
 * ```ts
 * assertNoOverflow({ rows: 1, cols: 1, data: new Float64Array([1e10]) }, 'features'); // passes
 * ```
 */
export function assertNoOverflow(m: Matrix, input: string): void {
  let max = 0;
  const { data } = m;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (a > max) max = a;
  }
  if (Number.isFinite(max * max * Math.max(1, m.rows))) return;
  throw new EmmsError(
    METRIC_ERROR_CODES.VALUE_OVERFLOW,
    `${input} holds values up to ${max.toExponential(3)} in magnitude, whose squares overflow float64; rescale ${input} (e.g. standardise each column) before scoring`,
    { input, details: { maxAbs: max } },
  );
}

/** Options of {@link validateInputs}. */
export interface ValidateOptions {
  /**
   * When some class in 0..C−1 has no sample: false (default) throws MISSING_CLASSES; true maps
   * the classes present, in increasing order, to 0..C'−1.
   */
  readonly relabel?: boolean;
  /** Allowed |row sum − 1| for probabilities (default 1e-3). */
  readonly probsTolerance?: number;
}

/**
 * Throws NON_FINITE when `m` holds NaN or ±Infinity, naming `input` and the first bad cell.
 *
 * @param m - any N×D matrix.
 * @param input - the input's name for the message, e.g. "features" or "flabels[1]".
 * @throws EmmsError NON_FINITE naming `input`, the row and the column.
 * @example
 * ```ts
 * assertFiniteMatrix({ rows: 1, cols: 2, data: new Float64Array([1, 2]) }, 'features'); // passes
 * ```
 */
export function assertFiniteMatrix(m: Matrix, input: string): void {
  assertFinite(m, input);
}

/** Finite and without overflowing squares: what every matrix input of a score must be. */
function assertUsableMatrix(m: Matrix, input: string): void {
  assertFinite(m, input);
  assertNoOverflow(m, input);
}

/** Result of {@link checkLabelSet}. */
export interface LabelCheck {
  /** The labels to use (a relabelled copy when classes were missing and relabel was asked). */
  readonly labels: Int32Array;
  /** Number of classes C after any relabelling. */
  readonly classes: number;
  /** When relabelled: `present[k]` is the original id of new class k. */
  readonly present?: readonly number[];
}

/**
 * Checks integer labels (through `checkLabels` of `@emms/tensor-io`): none negative
 * (LABEL_OUT_OF_RANGE), at least two distinct classes (SINGLE_CLASS), and no class in 0..max(y)
 * without samples (MISSING_CLASSES, naming them) unless `relabel`, which maps the classes present,
 * in increasing order, to 0..C'−1.
 *
 * @param labels - N integer labels.
 * @param opts - `relabel`: map the classes present to 0..C'−1; `input`: the name used in messages.
 * @returns the labels to use, the class count C and, when relabelled, the original ids.
 * @throws EmmsError LABEL_OUT_OF_RANGE, SINGLE_CLASS, MISSING_CLASSES.
 * @example
 * ```ts
 * const { classes, present } = checkLabelSet(Int32Array.from([0, 2, 2, 0]), { relabel: true });
 * console.assert(classes === 2 && present?.[1] === 2);
 * ```
 */
export function checkLabelSet(
  labels: Int32Array,
  opts: { relabel?: boolean; input?: string } = {},
): LabelCheck {
  const input = opts.input ?? 'labels';
  let check: ReturnType<typeof checkLabels>;
  try {
    check = checkLabels(labels, input, { allowMissing: opts.relabel === true });
  } catch (e) {
    if (isEmmsError(e) && e.code === 'MISSING_CLASSES') {
      throw new EmmsError(
        'MISSING_CLASSES',
        `${e.message} To score on the classes present, run with relabel: true (the run-level relabel option of scoreMetrics).`,
        {
          input,
          details: e.details as Record<string, unknown> | undefined,
        },
      );
    }
    throw e;
  }
  if (check.missing.length === 0) return { labels, classes: check.numClasses };
  const r = relabelToPresent(labels);
  return { labels: r.labels, classes: r.classes.length, present: r.classes };
}

function rowsOf(inputs: MetricInputs, name: MetricInputName): { rows: number; what: string }[] {
  switch (name) {
    case 'features':
      return inputs.features ? [{ rows: inputs.features.rows, what: 'features' }] : [];
    case 'labels':
      return inputs.labels ? [{ rows: inputs.labels.length, what: 'labels' }] : [];
    case 'probs':
      return inputs.probs ? [{ rows: inputs.probs.rows, what: 'probs' }] : [];
    case 'targets':
      return inputs.targets ? [{ rows: inputs.targets.rows, what: 'targets' }] : [];
    case 'flabels':
      return (inputs.flabels ?? []).map((m, k) => ({ rows: m.rows, what: `flabels[${k}]` }));
  }
}

function isPresent(inputs: MetricInputs, name: MetricInputName): boolean {
  if (name === 'flabels') return (inputs.flabels?.length ?? 0) > 0;
  return inputs[name] !== undefined;
}

/**
 * Validates `inputs` against what `metric` declares and returns the inputs it should be given:
 * only its required and optional inputs, with labels relabelled when asked. Defined metrics call it
 * themselves before their computation.
 *
 * @param metric - the metric's id and its declared inputs.
 * @param inputs - features N×D, labels N, flabels K × (N×L), probs N×Cs, targets N×T.
 * @param opts - `relabel` and the probability tolerance.
 * @returns the inputs the metric uses, checked.
 * @throws EmmsError (`input` naming the culprit) INVALID_INPUT, MISSING_INPUT, NON_FINITE,
 *   VALUE_OVERFLOW, ROW_MISMATCH, LABEL_OUT_OF_RANGE, SINGLE_CLASS, MISSING_CLASSES,
 *   FLABEL_WIDTH_MISMATCH, PROBS_NOT_NORMALISED.
 * @example
 * ```ts
 * const features = { rows: 4, cols: 1, data: new Float64Array([1, 2, 3, 4]) };
 * const checked = validateInputs(
 *   { id: 'demo', inputs: { required: ['features', 'labels'] } },
 *   { features, labels: Int32Array.from([0, 1, 0, 1]) },
 * );
 * console.assert(checked.features === features);
 * ```
 */
export function validateInputs(
  metric: { readonly id: string; readonly inputs: MetricInputSpec },
  inputs: MetricInputs,
  opts: ValidateOptions = {},
): MetricInputs {
  checkInputTypes(inputs);
  for (const name of metric.inputs.required) {
    if (!isPresent(inputs, name)) {
      throw new EmmsError(
        'MISSING_INPUT',
        `metric "${metric.id}" needs ${name}; supply it as inputs.${name}`,
        { input: name, details: { metric: metric.id } },
      );
    }
  }
  const used = [...metric.inputs.required, ...(metric.inputs.optional ?? [])].filter((n) =>
    isPresent(inputs, n),
  );

  // Row counts must agree between every input used.
  assertSameRows(used.flatMap((n) => rowsOf(inputs, n)).map((r) => ({ name: r.what, rows: r.rows })));

  const out: { -readonly [K in keyof MetricInputs]: MetricInputs[K] } = {};
  for (const name of used) {
    if (name === 'labels') {
      const checked = checkLabelSet(inputs.labels!, { relabel: opts.relabel });
      out.labels = checked.labels;
    } else if (name === 'flabels') {
      const fl = inputs.flabels!;
      fl.forEach((m, k) => {
        assertUsableMatrix(m, `flabels[${k}]`);
      });
      for (let k = 1; k < fl.length; k++) {
        if (fl[k].cols !== fl[0].cols) {
          throw new EmmsError(
            'FLABEL_WIDTH_MISMATCH',
            `flabels[${k}] has ${fl[k].cols} columns but flabels[0] has ${fl[0].cols}; EMMS stacks F-labels, so they must share one width (embed every label set to the same dimension)`,
            { input: `flabels[${k}]`, details: { expected: fl[0].cols, found: fl[k].cols } },
          );
        }
      }
      out.flabels = fl;
    } else if (name === 'probs') {
      const p = inputs.probs!;
      // finite values and normalised rows, in one pass
      assertProbabilities(p, opts.probsTolerance ?? 1e-3);
      out.probs = p;
    } else {
      const m = inputs[name]!;
      assertUsableMatrix(m, name);
      out[name] = m;
    }
  }
  return out;
}

/**
 * Throws NON_FINITE when `p` holds NaN or ±Infinity, else PROBS_NOT_NORMALISED unless every row is
 * ≥ 0 and sums to 1 within `tol`. One pass over the data: a non-finite value makes its row's sum
 * non-finite, and only a failing row triggers the scan that names the first non-finite value.
 *
 * @param p - N×Cs source-model probabilities.
 * @param tol - allowed |row sum − 1| (default 1e-3).
 * @throws EmmsError NON_FINITE naming the row and column; PROBS_NOT_NORMALISED naming the row.
 * @example
 * ```ts
 * assertProbabilities({ rows: 1, cols: 2, data: new Float64Array([0.25, 0.75]) }); // passes
 * ```
 */
export function assertProbabilities(p: Matrix, tol = 1e-3): void {
  const { rows, cols, data } = p;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    // four partial sums (no chain of dependent additions) and a sign flag
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let negative = false;
    let j = o;
    for (const e = o + cols - 3; j < e; j += 4) {
      const a = data[j];
      const b = data[j + 1];
      const c = data[j + 2];
      const d = data[j + 3];
      s0 += a;
      s1 += b;
      s2 += c;
      s3 += d;
      if (a < 0 || b < 0 || c < 0 || d < 0) negative = true;
    }
    for (; j < o + cols; j++) {
      s0 += data[j];
      if (data[j] < 0) negative = true;
    }
    const s = s0 + s1 + s2 + s3;
    if (!negative && Math.abs(s - 1) <= tol) continue;
    // NaN or ±Infinity anywhere is reported first, as it would be by assertFiniteMatrix
    assertFiniteMatrix(p, 'probs');
    if (negative) {
      let col = 0;
      while (!(data[o + col] < 0)) col++;
      const v = data[o + col];
      throw new EmmsError(
        'PROBS_NOT_NORMALISED',
        `probs has a negative value ${v} at row ${i}, column ${col}; give probabilities (a softmax), not logits`,
        { input: 'probs', details: { row: i, col, value: v } },
      );
    }
    throw new EmmsError(
      'PROBS_NOT_NORMALISED',
      `probs row ${i} sums to ${s}, not 1 (tolerance ${tol}); give probabilities (apply a softmax to logits)`,
      { input: 'probs', details: { row: i, sum: s } },
    );
  }
}
