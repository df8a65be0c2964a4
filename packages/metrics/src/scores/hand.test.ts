// Scores on inputs small enough to work out by hand, and values computed independently (numpy/scipy
// from the spec's formulas) where the reference itself is randomised.
import { describe, expect, it } from 'vitest';
import { fixtureLabels, fixtureMatrix } from '../testing/fixtures';
import { gbcScore } from './gbc';
import { hscoreScore } from './hscore';
import { leepScore } from './leep';
import { nceScore } from './nce';
import { parcScore, spearmanWithBinary } from './parc';
import { transrateScore } from './transrate';

const m = (rows: number, cols: number, values: number[]) => ({ rows, cols, data: Float64Array.from(values) });

describe('hand-worked examples', () => {
  it('LEEP: P = [[1,0],[0,1],[.5,.5]], y = [0,1,1]', () => {
    // p(c|z): z0 → (2/3, 1/3), z1 → (0, 1); q = (2/3, 1, 2/3)
    const v = leepScore({ probs: m(3, 2, [1, 0, 0, 1, 0.5, 0.5]), labels: Int32Array.from([0, 1, 1]) }).value;
    expect(v).toBeCloseTo((2 * Math.log(2 / 3)) / 3, 14);
  });

  it('NCE: argmax z = (0,0,0,1), y = (0,0,1,1)', () => {
    const p = m(4, 2, [0.9, 0.1, 0.8, 0.2, 0.6, 0.4, 0.3, 0.7]);
    const v = nceScore({ probs: p, labels: Int32Array.from([0, 0, 1, 1]) }).value;
    // −H(Y|Z) = 3/4 · Σ q log q over q = (2/3, 1/3); z1 is pure (1e-20 terms vanish)
    const h = (2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3);
    expect(v).toBeCloseTo(0.75 * h, 14);
  });

  const x1 = m(4, 1, [0, 2, 10, 12]);
  const y1 = Int32Array.from([0, 0, 1, 1]);

  it('H-score of x = (0,2,10,12) with classes (0,0,1,1) is 100/104', () => {
    expect(hscoreScore({ features: x1, labels: y1 }).value).toBeCloseTo(100 / 104, 14);
  });

  it('TransRate of the same is ½log(1+104/4e-4) − ½log(1+52/2e-4)', () => {
    const want = 0.5 * Math.log(1 + 104 / 4e-4) - 0.5 * Math.log(1 + 52 / 2e-4);
    expect(transrateScore({ features: x1, labels: y1 }).value).toBeCloseTo(want, 12);
  });

  it('GBC of the same is −2·exp(−100/8)', () => {
    // class means ±5, within-class variance 1 each: d_B = 100/(8·1) + 0
    expect(gbcScore({ features: x1, labels: y1 }).value).toBeCloseTo(-2 * Math.exp(-12.5), 14);
  });

  it('Spearman against a two-valued variable matches the rank formula with ties', () => {
    // values (a: low group, b: high group); ranks of [1,2,2,3] = [1,2.5,2.5,4], indicator (0,0,1,1)
    const r = spearmanWithBinary(Float64Array.from([1, 2]), Float64Array.from([2, 3]));
    const ranks = [1, 2.5, 2.5, 4];
    const ind = [0, 0, 1, 1];
    const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
    const mr = mean(ranks);
    const mi = mean(ind);
    let c = 0;
    let vr = 0;
    let vi = 0;
    for (let i = 0; i < 4; i++) {
      c += (ranks[i] - mr) * (ind[i] - mi);
      vr += (ranks[i] - mr) ** 2;
      vi += (ind[i] - mi) ** 2;
    }
    expect(r).toBeCloseTo(c / Math.sqrt(vr * vi), 14);
  });
});

describe('PARC against scipy on the spec formula (exact PCA, signs fixed)', () => {
  // numpy SVD PCA with largest-|loading| positive, standardise, 1 − corrcoef, scipy.stats.spearmanr × 100.
  // (The published value differs within its tolerance because the reference PCA is randomised.)
  it.each([
    ['wide', 11.732534619048234],
    ['captions', 7.954496785736849],
  ])('%s', (fixture, want) => {
    const r = parcScore({ features: fixtureMatrix(fixture, 'X.npy'), labels: fixtureLabels(fixture) });
    expect(r.value).toBeCloseTo(want, 9);
    expect(r.details.pcaDims).toBe(32);
    expect(r.details.subsampled).toBe(false);
  });
});
