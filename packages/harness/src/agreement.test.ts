import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEmmsError } from '@emms/tensor-io';
import { referenceDir } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import {
  agreement,
  averageRanks,
  bootstrapWeightedTau,
  intervalsOverlap,
  kendallTauB,
  pearson,
  spearman,
  weightedPearson,
  weightedTau,
} from './agreement';

interface Case {
  x: number[];
  y: number[];
  weightedtau: number | null;
  kendalltau: number | null;
}
const cases: Case[] = JSON.parse(readFileSync(join(referenceDir(), 'weightedtau-cases.json'), 'utf8')).cases;

interface Extra {
  case: number;
  pearson: number;
  spearman: number;
  weightedPearson: number;
}
const extra: Extra[] = JSON.parse(
  readFileSync(fileURLToPath(new URL('./test-data/agreement-reference.json', import.meta.url)), 'utf8'),
).cases;

function expectCode(fn: () => unknown, code: string): Error {
  try {
    fn();
  } catch (e) {
    expect(isEmmsError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
    return e as Error;
  }
  throw new Error(`expected an EmmsError ${code}, nothing was thrown`);
}

describe('weightedTau matches scipy.stats.weightedtau defaults', () => {
  it('holds 100 cases, some with ties', () => {
    expect(cases).toHaveLength(100);
    const withTies = cases.filter((c) => new Set(c.x).size < c.x.length || new Set(c.y).size < c.y.length);
    expect(withTies.length).toBeGreaterThan(10);
  });
  cases.forEach((c, i) => {
    it(`case ${i} (n=${c.x.length})`, () => {
      if (c.weightedtau === null || !Number.isFinite(c.weightedtau)) {
        expect(weightedTau(c.x, c.y)).toBe(0);
      } else {
        expect(Math.abs(weightedTau(c.x, c.y) - c.weightedtau)).toBeLessThanOrEqual(1e-12);
      }
    });
  });
  it('is symmetric in x and y (rank=True averages both directions)', () => {
    for (const c of cases) expect(weightedTau(c.y, c.x)).toBeCloseTo(weightedTau(c.x, c.y), 14);
  });
});

describe('kendallTauB matches scipy.stats.kendalltau', () => {
  cases.forEach((c, i) => {
    it(`case ${i}`, () => {
      if (c.kendalltau === null || !Number.isFinite(c.kendalltau)) expect(kendallTauB(c.x, c.y)).toBe(0);
      else expect(Math.abs(kendallTauB(c.x, c.y) - c.kendalltau)).toBeLessThanOrEqual(1e-12);
    });
  });
});

describe('pearson, spearman, weightedPearson match scipy / numpy (scripts/agreement_reference.py)', () => {
  it('covers most cases', () => expect(extra.length).toBeGreaterThan(80));
  it.each(extra.map((e) => [e.case, e] as const))('case %i', (_i, e) => {
    const { x, y } = cases[e.case];
    expect(Math.abs(pearson(x, y) - e.pearson)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(spearman(x, y) - e.spearman)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(weightedPearson(x, y) - e.weightedPearson)).toBeLessThanOrEqual(1e-12);
  });
});

describe('degenerate inputs', () => {
  it('constant vectors give 0, never NaN', () => {
    for (const f of [weightedTau, kendallTauB, pearson, spearman, weightedPearson]) {
      expect(f([1, 1, 1, 1], [1, 2, 3, 4])).toBe(0);
      expect(f([1, 2, 3, 4], [5, 5, 5, 5])).toBe(0);
    }
  });
  it('length mismatch and non-finite values are typed errors', () => {
    expectCode(() => weightedTau([1, 2, 3], [1, 2]), 'SHAPE_MISMATCH');
    expectCode(() => pearson([1, Number.NaN, 3], [1, 2, 3]), 'NON_FINITE');
    expectCode(() => spearman([1, 2, 3], [1, Number.POSITIVE_INFINITY, 3]), 'NON_FINITE');
  });
  it("values near the float64 limit give scipy's correlation, not 0 (issue 20 fuzz finding)", () => {
    // scipy.stats.pearsonr([1e308, -1e308, 5e307, 1], [0.1, 0.5, 0.7, 0.2]).statistic
    expect(pearson([1e308, -1e308, 5e307, 1], [0.1, 0.5, 0.7, 0.2])).toBeCloseTo(-0.3366657081707087, 12);
    // correlation is scale-free: the same values scaled to 1e300 or 1e-300 correlate alike
    const x = [0.3, -1.2, 2.5, 0.7, 1.1];
    const y = [1, 2, 3, 5, 4];
    for (const k of [1e300, 1e-300, 1e-305]) {
      const xs = x.map((v) => v * k);
      expect(pearson(xs, y)).toBeCloseTo(pearson(x, y), 6);
      expect(weightedPearson(xs, y)).toBeCloseTo(weightedPearson(x, y), 6);
    }
  });
  it('average ranks share ties', () => {
    expect(Array.from(averageRanks([10, 20, 10, 30, 20]))).toEqual([1.5, 3.5, 1.5, 5, 3.5]);
  });
});

describe('agreement', () => {
  // Hand-worked: scores rank b > a > d > c; truth ranks a (90) > b (85) > c (80) > d (70).
  const truth = { a: 90, b: 85, c: 80, d: 70 };
  const scores = { a: 0.5, b: 0.9, c: 0.1, d: 0.2 };

  it('computes rel@1, rel@3 and regret@1 by hand', () => {
    const f = agreement(scores, truth);
    expect(f.models).toBe(4);
    expect(f.rel1).toBeCloseTo(85 / 90, 15); // top-1 is b
    expect(f.rel3).toBe(1); // top-3 is b, a, d: holds a
    expect(f.regret1).toBe(5);
    // Kendall: pairs (a,b) disc, (a,c) conc, (a,d) conc, (b,c) conc, (b,d) conc, (c,d) disc → (4−2)/6.
    expect(f.kendallTau).toBeCloseTo(1 / 3, 15);
    expect(f.warnings).toBeUndefined();
  });

  it('uses the truth listing order for the weighted Pearson weights', () => {
    const f = agreement({ d: 0.2, c: 0.1, b: 0.9, a: 0.5 }, truth);
    expect(f.weightedPearson).toBeCloseTo(weightedPearson([0.5, 0.9, 0.1, 0.2], [90, 85, 80, 70]), 15);
    expect(f.weightedTau).toBeCloseTo(weightedTau([0.5, 0.9, 0.1, 0.2], [90, 85, 80, 70]), 15);
  });

  it('negates lower-is-better scores', () => {
    const neg = Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, -v]));
    expect(agreement(neg, truth, { higherIsBetter: false })).toEqual(agreement(scores, truth));
  });

  it('ignores models only in the truth', () => {
    expect(agreement(scores, { ...truth, e: 99 }).models).toBe(4);
  });

  it('breaks ties in the score pessimistically for rel@1', () => {
    const f = agreement({ a: 1, b: 1, c: 0 }, { a: 90, b: 80, c: 70 });
    expect(f.rel1).toBeCloseTo(80 / 90, 15);
    expect(f.regret1).toBe(10);
  });

  it('constant scores: finite figures with a warning', () => {
    const f = agreement({ a: 1, b: 1, c: 1 }, { a: 90, b: 80, c: 70 });
    for (const v of Object.values(f)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    expect(f.weightedTau).toBe(0);
    expect(f.warnings?.[0]).toMatch(/same score/);
  });

  it('non-positive truth: rel@k range-normalised with a warning', () => {
    const f = agreement({ a: 3, b: 2, c: 1 }, { a: -3, b: -1, c: -2 });
    expect(f.rel1).toBe(0); // picks a, the worst
    expect(f.rel3).toBe(1);
    expect(f.warnings?.some((w) => w.includes('not positive'))).toBe(true);
  });

  it('rejects fewer than two models and models missing from the truth', () => {
    expectCode(() => agreement({ a: 1 }, truth), 'TOO_FEW_MODELS');
    const e = expectCode(() => agreement({ a: 1, b: 2, zz: 3 }, truth), 'MODEL_NOT_IN_TRUTH');
    expect(e.message).toContain('"zz"');
    expectCode(() => agreement({ a: 1, b: Number.NaN, c: 3 }, truth), 'NON_FINITE');
  });
});

const twoModels: {
  x: number[];
  y: number[];
  weightedtau: number | null;
  kendalltau: number | null;
  pearson: number | null;
  spearman: number | null;
  weightedPearson: number | null;
}[] = JSON.parse(
  readFileSync(fileURLToPath(new URL('./test-data/trust-reference.json', import.meta.url)), 'utf8'),
).twoModels;

describe('two models (scipy for n = 2, scripts/trust_reference.py)', () => {
  it.each(twoModels.map((c) => [JSON.stringify([c.x, c.y]), c] as const))('%s', (_name, c) => {
    const cases = [
      [weightedTau, c.weightedtau],
      [kendallTauB, c.kendalltau],
      [pearson, c.pearson],
      [spearman, c.spearman],
      [weightedPearson, c.weightedPearson],
    ] as const;
    for (const [f, want] of cases) {
      // scipy gives NaN for a constant input; we give 0 (NaN never leaves the library)
      if (want === null) expect(f(c.x, c.y)).toBe(0);
      else expect(Math.abs(f(c.x, c.y) - want)).toBeLessThanOrEqual(1e-12);
    }
  });
  it('agreement of two models: ±1 correlations, rel@3 over both, regret', () => {
    const f = agreement({ a: 0.2, b: 0.1 }, { a: 80, b: 90 });
    expect(f).toMatchObject({
      models: 2,
      weightedTau: -1,
      kendallTau: -1,
      pearson: -1,
      rel3: 1,
      regret1: 10,
    });
    expect(f.spearman).toBeCloseTo(-1, 15);
    expect(f.rel1).toBeCloseTo(80 / 90, 15);
    const tied = agreement({ a: 1, b: 1 }, { a: 80, b: 90 });
    expect(tied.kendallTau).toBe(0);
    expect(tied.warnings?.[0]).toMatch(/same score/);
  });
});

describe('model names', () => {
  it('__proto__, constructor and toString count like any model, from objects and Maps', () => {
    const scores = JSON.parse('{"__proto__": 3, "constructor": 2, "toString": 1}');
    const truth = JSON.parse('{"toString": 70, "__proto__": 90, "constructor": 80}');
    const f = agreement(scores, truth);
    expect(f.models).toBe(3);
    expect(f.weightedTau).toBe(1);
    const fromMaps = agreement(new Map(Object.entries(scores)), new Map(Object.entries(truth)));
    expect(fromMaps).toEqual(f);
    expectCode(() => agreement(JSON.parse('{"__proto__": 1, "a": 2}'), { a: 1, b: 2 }), 'MODEL_NOT_IN_TRUTH');
  });
});

describe('bootstrapWeightedTau', () => {
  /** Per-item correctness with exactly `hits` ones out of `items`, spread by a fixed stride. */
  function correctness(items: number, hits: number, offset: number): Uint8Array {
    const c = new Uint8Array(items);
    for (let k = 0; k < hits; k++) c[(k * 7 + offset) % items] = 1;
    return c;
  }
  const items = 200;
  const correct = {
    a: correctness(items, 180, 0),
    b: correctness(items, 120, 3),
    c: correctness(items, 60, 5),
  };

  it('gives a point estimate equal to weighted τ on the full accuracies', () => {
    const scores = { a: 3, b: 1, c: 2 };
    const r = bootstrapWeightedTau({ scores, correct, reps: 200, seed: 1 });
    expect(r.estimate).toBeCloseTo(weightedTau([3, 1, 2], [0.9, 0.6, 0.3]), 15);
    expect(r.low).toBeLessThanOrEqual(r.estimate + 1e-12);
    expect(r.high).toBeGreaterThanOrEqual(r.low);
    expect(r.reps).toBe(200);
  });

  it('is a point interval when the accuracies are far apart (no resample reorders them)', () => {
    const r = bootstrapWeightedTau({ scores: { a: 3, b: 2, c: 1 }, correct, reps: 300, seed: 2 });
    expect(r.low).toBe(1);
    expect(r.high).toBe(1);
  });

  it('widens when two models are nearly tied, and is reproducible for a seed', () => {
    const close = {
      a: correctness(items, 101, 0),
      b: correctness(items, 100, 1),
      c: correctness(items, 20, 2),
    };
    const a = bootstrapWeightedTau({ scores: { a: 3, b: 2, c: 1 }, correct: close, reps: 400, seed: 3 });
    const b = bootstrapWeightedTau({ scores: { a: 3, b: 2, c: 1 }, correct: close, reps: 400, seed: 3 });
    expect(a).toEqual(b);
    expect(a.high).toBe(1);
    expect(a.low).toBeLessThan(1);
  });

  it('nests a narrower level inside a wider one (same seed, same resamples)', () => {
    const close = {
      a: correctness(items, 110, 0),
      b: correctness(items, 100, 1),
      c: correctness(items, 95, 2),
    };
    const wide = bootstrapWeightedTau({ scores: { a: 1, b: 3, c: 2 }, correct: close, reps: 500, seed: 4 });
    const narrow = bootstrapWeightedTau({
      scores: { a: 1, b: 3, c: 2 },
      correct: close,
      reps: 500,
      seed: 4,
      level: 0.5,
    });
    expect(wide.low).toBeLessThanOrEqual(narrow.low);
    expect(wide.high).toBeGreaterThanOrEqual(narrow.high);
    expect(wide.high - wide.low).toBeGreaterThan(0);
  });

  it('rejects missing or mismatched correctness and bad options', () => {
    expectCode(
      () => bootstrapWeightedTau({ scores: { a: 1, b: 2, c: 3, d: 4 }, correct, reps: 10 }),
      'BOOTSTRAP_INPUT',
    );
    expectCode(
      () =>
        bootstrapWeightedTau({ scores: { a: 1, b: 2, c: 3 }, correct: { ...correct, c: new Uint8Array(5) } }),
      'BOOTSTRAP_INPUT',
    );
    expectCode(() => bootstrapWeightedTau({ scores: { a: 1 }, correct }), 'TOO_FEW_MODELS');
    expectCode(
      () => bootstrapWeightedTau({ scores: { a: 1, b: 2, c: 3 }, correct, level: 1 }),
      'INVALID_OPTION',
    );
  });

  it('takes two models, and Maps', () => {
    const r = bootstrapWeightedTau({
      scores: new Map([
        ['a', 2],
        ['c', 1],
      ]),
      correct: new Map([
        ['a', correct.a],
        ['c', correct.c],
      ]),
      reps: 50,
    });
    expect(r).toMatchObject({ estimate: 1, low: 1, high: 1, reps: 50 });
  });

  it('intervalsOverlap tells apart only disjoint intervals', () => {
    expect(intervalsOverlap({ low: 0.2, high: 0.6 }, { low: 0.5, high: 0.9 })).toBe(true);
    expect(intervalsOverlap({ low: 0.1, high: 0.3 }, { low: 0.5, high: 0.9 })).toBe(false);
    expect(intervalsOverlap({ low: 0.5, high: 0.9 }, { low: 0.1, high: 0.3 })).toBe(false);
  });
});

describe('browser safety', () => {
  it.each([
    'agreement.ts',
    'agreement-bootstrap.ts',
    'item-truth.ts',
    'truth-codes.ts',
    'published-truth.ts',
  ])('%s imports only browser-safe modules', (file) => {
    const text = readFileSync(fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports)
      expect(spec).toMatch(/^(@emms\/tensor-io|\.\/[\w-]+|\.\.\/data\/[\w-]+\.json)$/);
  });
});

describe('bootstrapWeightedTau on per-item metric values', () => {
  const items = 120;
  const iou = (shift: number) =>
    Float64Array.from({ length: items }, (_, j) => Math.min(1, ((j * 37) % 100) / 100 + shift));
  it('takes per-item values (IoU) and equals weighted τ of their means as the estimate', () => {
    const values = { a: iou(0.3), b: iou(0.1), c: iou(0) };
    const r = bootstrapWeightedTau({
      scores: { a: 1, b: 3, c: 2 },
      items: { kind: 'mean', values },
      reps: 50,
      seed: 1,
    });
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / items;
    expect(r.estimate).toBeCloseTo(
      weightedTau([1, 3, 2], [mean(values.a), mean(values.b), mean(values.c)]),
      15,
    );
  });
  it('gives the same interval from 0/1 values as from the correctness bytes (same resamples)', () => {
    const c = (k: number) =>
      Uint8Array.from({ length: items }, (_, j) => ((j * 13 + k) % 10 < 3 + k ? 1 : 0));
    const correct = { a: c(0), b: c(1), c: c(2), d: c(3) };
    const scores = { a: 2, b: 1, c: 4, d: 3 };
    const asBytes = bootstrapWeightedTau({ scores, correct, reps: 200, seed: 5 });
    const asValues = bootstrapWeightedTau({
      scores,
      items: { kind: 'mean', values: correct },
      reps: 200,
      seed: 5,
    });
    expect(asValues).toEqual(asBytes);
  });
  it('rejects per-item values of different lengths', () => {
    expectCode(
      () =>
        bootstrapWeightedTau({
          scores: { a: 1, b: 2, c: 3 },
          items: { kind: 'mean', values: { a: iou(0), b: iou(0), c: iou(0).subarray(1) } },
        }),
      'BOOTSTRAP_INPUT',
    );
  });
});
