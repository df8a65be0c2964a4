import { describe, expect, it } from 'vitest';
import { checkConfidentPicks, type TrustTask } from './check';

/** Per-item correctness of `items` items, right on [from, to). */
const right = (items: number, from: number, to: number) =>
  Uint8Array.from({ length: items }, (_, j) => (j >= from && j < to ? 1 : 0));

const tasks: TrustTask[] = [
  {
    // the confident pick is the best
    id: 'best',
    pBest: new Map([
      ['a', 0.95],
      ['b', 0.05],
    ]),
    truth: new Map([
      ['a', { accuracy: 0.9, stderr: 0.01 }],
      ['b', { accuracy: 0.8, stderr: 0.01 }],
    ]),
  },
  {
    // b is 1 item behind a on 100 paired items: the per-item difference is one 1 and 99 zeros, its
    // sample variance 0.99/99 = 0.01, SE 0.01, tolerance 0.0196 ≥ the gap 0.01
    id: 'paired',
    pBest: new Map([
      ['a', 0.08],
      ['b', 0.92],
    ]),
    truth: new Map([
      ['a', { correct: right(100, 0, 80) }],
      ['b', { correct: right(100, 1, 80) }],
    ]),
  },
  {
    // far behind: gap 0.2, tolerance 1.96·√2·0.005 ≈ 0.0139
    id: 'worse',
    pBest: new Map([
      ['a', 0.03],
      ['c', 0.97],
    ]),
    truth: new Map([
      ['a', { accuracy: 0.9, stderr: 0.005 }],
      ['c', { accuracy: 0.7, stderr: 0.005 }],
    ]),
  },
  {
    id: 'unsure',
    pBest: new Map([
      ['a', 0.6],
      ['b', 0.4],
    ]),
    truth: new Map([
      ['a', { accuracy: 0.5, stderr: 0.01 }],
      ['b', { accuracy: 0.6, stderr: 0.01 }],
    ]),
  },
];

describe('checkConfidentPicks', () => {
  it('counts best, within-error and worse picks over the confident tasks', () => {
    const c = checkConfidentPicks(tasks);
    expect(c.perTask.map((t) => t.outcome)).toEqual(['best', 'within-error', 'worse', 'not-confident']);
    expect(c).toMatchObject({ tasks: 4, confident: 3, best: 1, withinError: 2, threshold: 0.9, z: 1.96 });
    expect(c.rateBest).toBeCloseTo(1 / 3, 15);
    expect(c.rateWithinError).toBeCloseTo(2 / 3, 15);
    expect(c.meanPBest).toBeCloseTo((0.95 + 0.92 + 0.97) / 3, 15);
    expect(c.perTask[1]!.gap).toBeCloseTo(0.01, 15);
    expect(c.perTask[1]!.tolerance).toBeCloseTo(0.0196, 12);
    expect(c.perTask[2]!.tolerance).toBeCloseTo(1.96 * Math.SQRT2 * 0.005, 12);
    expect(c.perTask[3]!.truthBest).toBe('b');
  });

  it('a lower threshold makes more picks confident; z = 0 counts only exact best picks', () => {
    expect(checkConfidentPicks(tasks, { threshold: 0.55 }).confident).toBe(4);
    expect(checkConfidentPicks(tasks, { z: 0 }).withinError).toBe(1);
    expect(checkConfidentPicks([]).rateBest).toBeUndefined();
  });

  it('on a simulated suite, a calibrated P(best) is right about as often as it claims', () => {
    // 400 tasks of two models whose accuracies differ by d; the pick is right with probability p and
    // claims P(best) p: the share of best picks among confident ones follows the claims.
    let state = 7;
    const uniform = () => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const sim: TrustTask[] = Array.from({ length: 400 }, (_, i) => {
      const p = 0.9 + 0.1 * uniform();
      const pickIsBest = uniform() < p;
      return {
        id: `t${i}`,
        pBest: new Map([
          ['x', p],
          ['y', 1 - p],
        ]),
        truth: new Map([
          ['x', { accuracy: pickIsBest ? 0.8 : 0.7, stderr: 0.01 }],
          ['y', { accuracy: pickIsBest ? 0.7 : 0.8, stderr: 0.01 }],
        ]),
      };
    });
    const c = checkConfidentPicks(sim);
    expect(c.confident).toBe(400);
    expect(Math.abs(c.rateBest! - c.meanPBest!)).toBeLessThan(0.04);
    expect(c.withinError).toBe(c.best); // a gap of 0.1 is far outside 1.96·√2·0.01
  });

  it('bad input is a typed error', () => {
    const code = (c: string) => expect.objectContaining({ code: c });
    const noTruth: TrustTask = { id: 't', pBest: new Map([['a', 1]]), truth: new Map() };
    expect(() => checkConfidentPicks([noTruth])).toThrow(code('TRUST_INPUT'));
    const lengths: TrustTask = {
      id: 't',
      pBest: new Map([
        ['a', 1],
        ['b', 0],
      ]),
      truth: new Map([
        ['a', { correct: right(10, 0, 5) }],
        ['b', { correct: right(11, 0, 5) }],
      ]),
    };
    expect(() => checkConfidentPicks([lengths])).toThrow(code('TRUST_INPUT'));
    const nan: TrustTask = {
      id: 't',
      pBest: new Map([['a', 1]]),
      truth: new Map([['a', { accuracy: Number.NaN, stderr: 0 }]]),
    };
    expect(() => checkConfidentPicks([nan])).toThrow(code('TRUST_INPUT'));
    expect(() => checkConfidentPicks(tasks, { threshold: 0.4 })).toThrow(code('INVALID_OPTION'));
  });
});
