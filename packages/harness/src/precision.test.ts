import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { testItemsNeeded, truthPrecision } from './precision';

const reference: {
  items: number;
  correct: Record<string, string>;
  accuracy: Record<string, number>;
  standardError: Record<string, number>;
  order: string[];
  pairs: { better: string; worse: string; mcnemarP: number }[];
} = JSON.parse(
  readFileSync(fileURLToPath(new URL('./test-data/precision-reference.json', import.meta.url)), 'utf8'),
);
const values = Object.fromEntries(
  Object.entries(reference.correct).map(([m, bits]) => [m, Uint8Array.from(bits, (c) => Number(c))]),
);

describe('truthPrecision against numpy/scipy (scripts/precision_reference.py)', () => {
  const p = truthPrecision({ kind: 'mean', values }, { reps: 4000, seed: 1 });

  it('gives the accuracies and orders the models as numpy', () => {
    for (const [m, a] of Object.entries(reference.accuracy)) expect(p.values[m]).toBeCloseTo(a, 12);
    expect(p.order).toEqual(reference.order);
    expect(p.items).toBe(reference.items);
  });

  it('bootstraps standard errors within 5% of the binomial sqrt(p(1-p)/M)', () => {
    for (const [m, se] of Object.entries(reference.standardError)) {
      expect(Math.abs(p.standardErrors[m] - se) / se, m).toBeLessThan(0.05);
    }
  });

  it('separates the neighbouring pairs that McNemar’s exact test separates (clear cases)', () => {
    expect(p.pairs.map((q) => [q.better, q.worse])).toEqual(reference.pairs.map((q) => [q.better, q.worse]));
    reference.pairs.forEach((q, i) => {
      if (q.mcnemarP < 0.03) expect(p.pairs[i].separated, `${q.better} > ${q.worse}`).toBe(true);
      if (q.mcnemarP > 0.1) expect(p.pairs[i].separated, `${q.better} > ${q.worse}`).toBe(false);
    });
    expect(p.separatedPairs).toBe(2);
    expect(p.verdict).toBe('cannot-separate');
    expect(p.summary).toBe('cannot separate its models (pairs it can: m0 > m1, m2 > m3)');
  });

  it('takes the median neighbour gap and says the truth is not precise enough', () => {
    // gaps 0.1, 0.005, 0.075, 0.02, 0.05: median 0.05, so the SEs must stay below 0.025
    expect(p.medianGap).toBeCloseTo(0.05, 12);
    expect(p.maxStandardError).toBeCloseTo(Math.max(...Object.values(p.standardErrors)), 15);
    expect(p.precise).toBe(p.maxStandardError < 0.025);
  });

  it('plans test sizes that halve the SE target by the 1/√M law', () => {
    const plan = testItemsNeeded(p);
    expect(plan.target).toBeCloseTo(0.025, 12);
    for (const [m, se] of Object.entries(p.standardErrors)) {
      expect(plan.perModel[m]).toBe(Math.max(1, Math.ceil(400 * (se / 0.025) ** 2)));
    }
    expect(plan.needed).toBe(Math.max(...Object.values(plan.perModel)));
    // with the binomial SE of the worst model (p = 0.55): 0.55·0.45/0.025² = 396 items
    expect(Math.abs(plan.needed! - 396) / 396).toBeLessThan(0.1);
  });

  it('is reproducible for a seed and says "separates" when most pairs are apart', () => {
    expect(truthPrecision({ kind: 'mean', values }, { reps: 4000, seed: 1 })).toEqual(p);
    const apart = truthPrecision(
      { kind: 'mean', values: { m0: values.m0, m1: values.m1, m3: values.m3, m5: values.m5 } },
      { reps: 2000 },
    );
    expect(apart.verdict).toBe('separates');
    expect(apart.summary).toMatch(/^separates most of its models \(\d of 3 neighbouring pairs\)$/);
  });

  it('reports no test size when the models tie, and rejects one model', () => {
    const tie = truthPrecision(
      { kind: 'mean', values: { a: values.m0, b: values.m0, c: values.m0 } },
      { reps: 50 },
    );
    expect(tie.medianGap).toBe(0);
    expect(tie.precise).toBe(false);
    const plan = testItemsNeeded(tie);
    expect(plan.needed).toBeUndefined();
    expect(plan.reason).toMatch(/median neighbour gap is 0/);
    let code = '';
    try {
      truthPrecision({ kind: 'mean', values: { a: values.m0 } });
    } catch (e) {
      if (isEmmsError(e)) code = e.code;
    }
    expect(code).toBe('TOO_FEW_MODELS');
  });
});
