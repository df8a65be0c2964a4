import { EmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { checkLabelSet, validateInputs } from './validate';

const m = (rows: number, cols: number, f: (i: number, j: number) => number) => {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = f(i, j);
  return { rows, cols, data };
};
const labels = Int32Array.from([0, 1, 0, 1, 2, 2]);
const features = m(6, 3, (i, j) => Math.sin(i * 3 + j));
const probs = m(6, 2, (_i, j) => (j === 0 ? 0.25 : 0.75));

/** A metric that takes every input, to exercise validation of each. */
const all = {
  id: 'all',
  inputs: { required: ['features', 'labels', 'flabels', 'probs', 'targets'] as const },
};
const good = {
  features,
  labels,
  probs,
  flabels: [m(6, 2, (i) => i), m(6, 2, (i) => -i)],
  targets: m(6, 1, (i) => i),
};

function codeOf(f: () => unknown): { code: string; input?: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EmmsError);
    return e as EmmsError;
  }
  throw new Error('expected an EmmsError');
}

describe('validateInputs', () => {
  it('accepts good inputs', () => {
    expect(validateInputs(all, good).labels).toBe(labels);
  });

  it.each(['features', 'labels', 'flabels', 'probs', 'targets'] as const)(
    'missing %s: MISSING_INPUT naming the input (inputs.NAME), never a CLI flag',
    (name) => {
      const e = codeOf(() => validateInputs(all, { ...good, [name]: undefined }));
      expect(e.code).toBe('MISSING_INPUT');
      expect(e.input).toBe(name);
      expect(e.message).toContain(`inputs.${name}`);
      expect(e.message).not.toMatch(/--[a-z]/);
    },
  );

  it.each([
    ['features', { features: m(6, 3, (i, j) => (i === 2 && j === 1 ? Number.NaN : 1)) }],
    ['probs', { probs: m(6, 2, (i, j) => (i === 4 ? (j === 0 ? Number.POSITIVE_INFINITY : 0) : 0.5)) }],
    ['targets', { targets: m(6, 1, (i) => (i === 5 ? Number.NEGATIVE_INFINITY : 0)) }],
    ['flabels[1]', { flabels: [m(6, 2, () => 0), m(6, 2, (i) => (i === 0 ? Number.NaN : 0))] }],
  ])('NaN/Inf in %s: NON_FINITE naming it', (name, patch) => {
    const e = codeOf(() => validateInputs(all, { ...good, ...patch }));
    expect(e.code).toBe('NON_FINITE');
    expect(e.input).toBe(name);
    expect(e.message).toContain(name);
  });

  it('probs with a negative row before a NaN row: NON_FINITE first (the one-pass check keeps the order)', () => {
    const probs = m(6, 2, (i, j) =>
      i === 1 ? (j === 0 ? -0.5 : 1.5) : i === 4 && j === 1 ? Number.NaN : 0.5,
    );
    const e = codeOf(() => validateInputs(all, { ...good, probs }));
    expect(e.code).toBe('NON_FINITE');
    expect(e.message).toMatch(/row 4, column 1/);
  });

  it('seven source classes (four-wide sums plus a tail): the negative value and the bad sum are named', () => {
    const row = (i: number, j: number) =>
      i === 2 && j === 1 ? -0.1 : i === 2 && j === 6 ? 0.1 + 1 / 7 : 1 / 7;
    const neg = codeOf(() => validateInputs(all, { ...good, probs: m(6, 7, row) }));
    expect(neg.code).toBe('PROBS_NOT_NORMALISED');
    expect(neg.message).toMatch(/-0\.1 at row 2, column 1/);
    const sum = codeOf(() =>
      validateInputs(all, { ...good, probs: m(6, 7, (i, j) => (i === 5 && j === 5 ? 0.2 : 1 / 7)) }),
    );
    expect(sum.message).toMatch(/row 5 sums to 1\.05/);
    const nan = codeOf(() =>
      validateInputs(all, { ...good, probs: m(6, 7, (i, j) => (i === 3 && j === 5 ? Number.NaN : 1 / 7)) }),
    );
    expect(nan.code).toBe('NON_FINITE');
    expect(() => validateInputs(all, { ...good, probs: m(6, 7, () => 1 / 7) })).not.toThrow();
  });

  it('rows that disagree: ROW_MISMATCH naming the input', () => {
    const e = codeOf(() => validateInputs(all, { ...good, probs: m(5, 2, () => 0.5) }));
    expect(e.code).toBe('ROW_MISMATCH');
    expect(e.input).toBe('probs');
  });

  it('fewer than two classes: SINGLE_CLASS', () => {
    const e = codeOf(() => validateInputs(all, { ...good, labels: new Int32Array(6).fill(3) }));
    expect(e.code).toBe('SINGLE_CLASS');
    expect(e.input).toBe('labels');
  });

  it('negative label: LABEL_OUT_OF_RANGE', () => {
    const e = codeOf(() => validateInputs(all, { ...good, labels: Int32Array.from([0, 1, -1, 1, 0, 0]) }));
    expect(e.code).toBe('LABEL_OUT_OF_RANGE');
    expect(e.input).toBe('labels');
  });

  it('F-labels of unequal width: FLABEL_WIDTH_MISMATCH naming the odd one', () => {
    const e = codeOf(() => validateInputs(all, { ...good, flabels: [m(6, 2, () => 0), m(6, 3, () => 0)] }));
    expect(e.code).toBe('FLABEL_WIDTH_MISMATCH');
    expect(e.input).toBe('flabels[1]');
  });

  it('probabilities not summing to 1 (beyond 1e-3) or negative: PROBS_NOT_NORMALISED', () => {
    const off = codeOf(() => validateInputs(all, { ...good, probs: m(6, 2, (i) => (i === 3 ? 0.51 : 0.5)) }));
    expect(off.code).toBe('PROBS_NOT_NORMALISED');
    expect(off.input).toBe('probs');
    expect(off.message).toMatch(/row 3/);
    const neg = codeOf(() =>
      validateInputs(all, { ...good, probs: m(6, 2, (_, j) => (j === 0 ? -0.5 : 1.5)) }),
    );
    expect(neg.code).toBe('PROBS_NOT_NORMALISED');
    // within tolerance passes
    expect(() =>
      validateInputs(all, { ...good, probs: m(6, 2, (_, j) => (j === 0 ? 0.5004 : 0.5)) }),
    ).not.toThrow();
  });

  it('classes missing from 0..C−1: MISSING_CLASSES naming them, or relabelled on request', () => {
    const gappy = Int32Array.from([0, 3, 0, 3, 5, 5]);
    const e = codeOf(() => validateInputs(all, { ...good, labels: gappy }));
    expect(e.code).toBe('MISSING_CLASSES');
    expect(e.message).toMatch(/classes 1, 2, 4/);
    expect(e.message).toContain('relabel: true');
    const r = checkLabelSet(gappy, { relabel: true });
    expect([...r.labels]).toEqual([0, 1, 0, 1, 2, 2]);
    expect(r.classes).toBe(3);
    expect(r.present).toEqual([0, 3, 5]);
  });

  it('only the inputs a metric uses are validated', () => {
    const leepLike = { id: 'x', inputs: { required: ['probs', 'labels'] as const } };
    const out = validateInputs(leepLike, { ...good, features: m(2, 2, () => Number.NaN) });
    expect(out.features).toBeUndefined();
  });
});
