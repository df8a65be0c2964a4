import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stratifiedCounts } from './resample';
import { kendallW, rankModels, recommendByPBest, summariseResampledRanks } from './stats';

const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../test-data/trust-reference.json', import.meta.url)), 'utf8'),
) as {
  kendallW: { rows: number[][]; w: number; source: string }[];
  quantiles: { ranks: number[]; level: number; low: number; high: number }[];
};

const code = (c: string) => expect.objectContaining({ code: c });

describe("kendallW matches scipy's tie-corrected Friedman statistic (scripts/trust_reference.py)", () => {
  it('holds cases with ties and with two items', () => {
    expect(reference.kendallW.length).toBeGreaterThan(40);
    expect(reference.kendallW.some((c) => c.source === 'definition')).toBe(true);
  });
  it.each(reference.kendallW.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    expect(Math.abs(kendallW(c.rows).w - c.w)).toBeLessThanOrEqual(1e-12);
  });
  it('is 1 for identical rankings and 0 for opposite ones; bad input is typed', () => {
    expect(
      kendallW([
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ]).w,
    ).toBe(1);
    expect(
      kendallW([
        [1, 2, 3],
        [3, 2, 1],
      ]).w,
    ).toBe(0);
    // with three or more items, Friedman's p-value of χ² = m(n − 1)W: P(χ²₂ ≥ 3·2·1 = 6) = e^−3
    const same = [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ];
    expect(kendallW(same).pValue).toBeCloseTo(Math.exp(-3), 10);
    expect(
      kendallW([
        [1, 2],
        [1, 2],
      ]).pValue,
    ).toBeUndefined();
    expect(() => kendallW([[1, 2, 3]])).toThrow(code('TRUST_INPUT'));
    expect(() =>
      kendallW([
        [1, 2],
        [1, 2, 3],
      ]),
    ).toThrow(code('TRUST_INPUT'));
    expect(() =>
      kendallW([
        [1, 1],
        [2, 2],
      ]),
    ).toThrow(code('TRUST_INPUT'));
    expect(() =>
      kendallW([
        [1, Number.NaN],
        [1, 2],
      ]),
    ).toThrow(code('NON_FINITE'));
  });
});

describe('summariseResampledRanks', () => {
  it.each(reference.quantiles.map((c, i) => [i, c] as const))(
    "intervals are numpy's lower/higher quantiles (case %i)",
    (_i, c) => {
      const s = summariseResampledRanks(
        ['m'],
        c.ranks.map((r) => [r]),
        c.level,
      );
      expect(s.interval.get('m')).toEqual([c.low, c.high]);
    },
  );
  it('P(best) splits ties evenly and sums to 1', () => {
    const s = summariseResampledRanks(
      ['a', 'b', 'c'],
      [
        [1, 2, 3],
        [1.5, 1.5, 3],
        [2, 3, 1],
        [2, 2, 2],
      ],
    );
    expect(s.pBest.get('a')).toBeCloseTo((1 + 0.5 + 0 + 1 / 3) / 4, 15);
    expect(s.pBest.get('b')).toBeCloseTo((0.5 + 1 / 3) / 4, 15);
    expect(s.pBest.get('c')).toBeCloseTo((1 + 1 / 3) / 4, 15);
    expect([...s.pBest.values()].reduce((x, y) => x + y, 0)).toBeCloseTo(1, 15);
  });
  it('rejects a wrong length and a bad level', () => {
    expect(() => summariseResampledRanks(['a', 'b'], [[1]])).toThrow(code('TRUST_INPUT'));
    expect(() => summariseResampledRanks(['a'], [[1]], 1)).toThrow(code('INVALID_OPTION'));
  });
});

describe('rankModels and recommendByPBest', () => {
  it('ranks with ties up to rounding, in either direction, model names of any kind', () => {
    const v = new Map([
      ['__proto__', 0.9],
      ['constructor', 0.5],
      ['toString', 0.9 + 1e-13],
    ]);
    expect([...rankModels(v, true)]).toEqual([
      ['__proto__', 1.5],
      ['constructor', 3],
      ['toString', 1.5],
    ]);
    expect(rankModels(v, false).get('constructor')).toBe(1);
  });
  it('recommends the smallest set whose P(best) reaches 0.9', () => {
    expect(
      recommendByPBest(
        new Map([
          ['a', 0.93],
          ['b', 0.07],
        ]),
      ),
    ).toEqual({
      models: ['a'],
      pBest: [0.93],
      decided: true,
    });
    expect(
      recommendByPBest(
        new Map([
          ['a', 0.48],
          ['b', 0.45],
          ['c', 0.07],
        ]),
      ).models,
    ).toEqual(['a', 'b']);
    expect(
      recommendByPBest(
        new Map([
          ['b', 0.5],
          ['a', 0.5],
        ]),
      ).models,
    ).toEqual(['a', 'b']);
    expect(
      recommendByPBest(
        new Map([
          ['a', 0.9],
          ['b', 0.1],
        ]),
      ).decided,
    ).toBe(true);
  });
});

describe('stratifiedCounts', () => {
  it('keeps every class at its size, depends only on the seed, and varies between resamples', () => {
    const labels = Int32Array.from({ length: 30 }, (_, i) => (i < 5 ? 2 : i % 2));
    const a = stratifiedCounts(labels, { reps: 20, seed: 3 });
    expect(stratifiedCounts(labels, { reps: 20, seed: 3 })).toEqual(a);
    expect(stratifiedCounts(labels, { reps: 20, seed: 4 })).not.toEqual(a);
    for (const counts of a) {
      for (const k of [0, 1, 2]) {
        let kept = 0;
        labels.forEach((y, i) => {
          if (y === k) kept += counts[i];
        });
        expect(kept).toBe(labels.filter((y) => y === k).length);
      }
    }
    expect(new Set(a.map((c) => c.join())).size).toBe(20);
    expect(() => stratifiedCounts(labels, { reps: 0 })).toThrow(code('INVALID_OPTION'));
    expect(() => stratifiedCounts([0, -1], { reps: 1 })).toThrow(code('LABEL_OUT_OF_RANGE'));
  });
});
