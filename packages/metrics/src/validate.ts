import {
  assertFinite,
  assertSameRows,
  checkLabels,
  EmmsError,
  isEmmsError,
  type Matrix,
  relabelToPresent,
} from '@emms/tensor-io';
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
  assertFinite(m, input);
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
        `${e.message} To score on the classes present, set option relabel.`,
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
  assertSameRows(used.flatMap((n) => rowsOf(inputs, n)).map((r) => ({ name: r.what, rows: r.rows })));

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
