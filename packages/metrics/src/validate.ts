import { EmmsError, type Matrix } from '@emms/tensor-io';
import type { Metric, MetricInputName, MetricInputs } from './metric';

/** The CLI flag that supplies each input, named in MISSING_INPUT messages. */
export const inputFlags: Readonly<Record<MetricInputName, string>> = {
  features: '--features',
  labels: '--labels',
  flabels: '--flabels',
  probs: '--probs',
  targets: '--targets',
};

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

/** Throws NON_FINITE when `m` holds NaN or ±Infinity, naming `input` and the first bad cell. */
export function assertFiniteMatrix(m: Matrix, input: string): void {
  const { data, cols } = m;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      const row = Math.floor(i / cols);
      const col = i - row * cols;
      throw new EmmsError(
        'NON_FINITE',
        `${input} holds ${v} at row ${row}, column ${col}; remove or impute non-finite values before scoring`,
        { input, details: { row, col, value: String(v) } },
      );
    }
  }
}

/** Result of {@link checkLabelSet}. */
export interface LabelCheck {
  /** The labels to use (a relabelled copy when classes were missing and relabel was asked). */
  readonly labels: Int32Array;
  /** Number of classes C after any relabelling. */
  readonly classes: number;
  /** Original class ids in 0..C−1 of the input with no sample (empty when none or relabelled). */
  readonly missing: readonly number[];
  /** When relabelled: `present[k]` is the original id of new class k. */
  readonly present?: readonly number[];
}

/**
 * Checks integer labels: none negative (LABEL_OUT_OF_RANGE), at least two distinct classes
 * (SINGLE_CLASS), and no class in 0..max(y) without samples (MISSING_CLASSES) unless `relabel`.
 */
export function checkLabelSet(
  labels: Int32Array,
  opts: { relabel?: boolean; input?: string } = {},
): LabelCheck {
  const input = opts.input ?? 'labels';
  if (labels.length === 0) {
    throw new EmmsError(
      'SINGLE_CLASS',
      `${input} is empty; scoring needs samples from at least two classes`,
      {
        input,
      },
    );
  }
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < 0) {
      throw new EmmsError(
        'LABEL_OUT_OF_RANGE',
        `${input} holds ${v} at position ${i}; labels must be integers in [0, C)`,
        { input, details: { index: i, value: v } },
      );
    }
    if (v > max) max = v;
  }
  const count = new Float64Array(max + 1);
  for (let i = 0; i < labels.length; i++) count[labels[i]]++;
  const present: number[] = [];
  const missing: number[] = [];
  for (let c = 0; c <= max; c++) (count[c] > 0 ? present : missing).push(c);
  if (present.length < 2) {
    throw new EmmsError(
      'SINGLE_CLASS',
      `${input} has only one class (${present[0]}); transferability scores need at least two classes`,
      { input },
    );
  }
  if (missing.length === 0) return { labels, classes: max + 1, missing };
  if (!opts.relabel) {
    const shown = missing.length > 20 ? `${missing.slice(0, 20).join(', ')}, …` : missing.join(', ');
    throw new EmmsError(
      'MISSING_CLASSES',
      `${input} has no sample of class${missing.length > 1 ? 'es' : ''} ${shown} in 0..${max}; ` +
        'pass labels without gaps, or ask to relabel to the classes present (option relabel / --relabel)',
      { input, details: { missing } },
    );
  }
  return { ...relabelLabels(labels, present), missing: [] };
}

/** Maps the classes present (given in increasing order) to 0..C'−1. */
function relabelLabels(
  labels: Int32Array,
  present: number[],
): { labels: Int32Array; classes: number; present: number[] } {
  const map = new Int32Array(present[present.length - 1] + 1).fill(-1);
  present.forEach((c, k) => {
    map[c] = k;
  });
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = map[labels[i]];
  return { labels: out, classes: present.length, present };
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
 * only its required and optional inputs, with labels relabelled when asked.
 *
 * Errors (all {@link EmmsError}, `input` naming the culprit): MISSING_INPUT (with the CLI flag),
 * NON_FINITE, ROW_MISMATCH, LABEL_OUT_OF_RANGE, SINGLE_CLASS, MISSING_CLASSES,
 * FLABEL_WIDTH_MISMATCH, PROBS_NOT_NORMALISED.
 */
export function validateInputs(
  metric: Metric,
  inputs: MetricInputs,
  opts: ValidateOptions = {},
): MetricInputs {
  for (const name of metric.inputs.required) {
    if (!isPresent(inputs, name)) {
      throw new EmmsError(
        'MISSING_INPUT',
        `metric "${metric.id}" needs ${name}; supply it with ${inputFlags[name]}`,
        { input: name, details: { metric: metric.id, flag: inputFlags[name] } },
      );
    }
  }
  const used = [...metric.inputs.required, ...(metric.inputs.optional ?? [])].filter((n) =>
    isPresent(inputs, n),
  );

  // Row counts must agree between every input used.
  const all = used.flatMap((n) => rowsOf(inputs, n));
  for (const r of all) {
    if (r.rows !== all[0].rows) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `${r.what} has ${r.rows} rows but ${all[0].what} has ${all[0].rows}; every input must have one row per sample, in the same order`,
        { input: r.what, details: { expected: all[0].rows, found: r.rows, against: all[0].what } },
      );
    }
  }

  const out: { -readonly [K in keyof MetricInputs]: MetricInputs[K] } = {};
  for (const name of used) {
    if (name === 'labels') {
      const checked = checkLabelSet(inputs.labels!, { relabel: opts.relabel });
      out.labels = checked.labels;
    } else if (name === 'flabels') {
      const fl = inputs.flabels!;
      fl.forEach((m, k) => {
        assertFiniteMatrix(m, `flabels[${k}]`);
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
      assertFiniteMatrix(p, 'probs');
      assertProbabilities(p, opts.probsTolerance ?? 1e-3);
      out.probs = p;
    } else {
      const m = inputs[name]!;
      assertFiniteMatrix(m, name);
      out[name] = m;
    }
  }
  return out;
}

/** Throws PROBS_NOT_NORMALISED unless every row is ≥ 0 and sums to 1 within `tol`. */
export function assertProbabilities(p: Matrix, tol = 1e-3): void {
  const { rows, cols, data } = p;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      if (v < 0) {
        throw new EmmsError(
          'PROBS_NOT_NORMALISED',
          `probs has a negative value ${v} at row ${i}, column ${j}; give probabilities (a softmax), not logits`,
          { input: 'probs', details: { row: i, col: j, value: v } },
        );
      }
      s += v;
    }
    if (Math.abs(s - 1) > tol) {
      throw new EmmsError(
        'PROBS_NOT_NORMALISED',
        `probs row ${i} sums to ${s}, not 1 (tolerance ${tol}); give probabilities (apply a softmax to logits)`,
        { input: 'probs', details: { row: i, sum: s } },
      );
    }
  }
}
