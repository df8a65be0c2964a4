import { describe, expect, it } from 'vitest';
import { weightedTau } from './agreement';
import type { TaskRanking } from './cross-task';
import {
  leaveOneTaskOut,
  leaveOneTaskOutEnsemble,
  meanRankEnsemble,
  selectEnsembleMembers,
} from './held-out';

describe('leaveOneTaskOut', () => {
  const table = {
    mnist: { 'auto+corrected': 0.9, 'none+published': 0.7, 'pca16+corrected': 0.8 },
    fashion: { 'auto+corrected': 0.05, 'none+published': 0.35, 'pca16+corrected': 0.3 },
    digits: { 'auto+corrected': 0.9, 'none+published': 0.47, 'pca16+corrected': 0.6 },
  };
  it('chooses on the other tasks and reports the held-out τ (hand-computed)', () => {
    const r = leaveOneTaskOut(table);
    // held-out fashion: on mnist + digits auto (0.9) beats pca16 (0.7) and none (0.585): fashion then gets 0.05
    expect(r.perTask[1]).toEqual({
      task: 'fashion',
      chosen: 'auto+corrected',
      trainTau: 0.9,
      heldOutTau: 0.05,
      best: 'none+published',
      bestTau: 0.35,
    });
    // held-out mnist: fashion + digits → auto 0.475, none 0.41, pca16 0.45 → auto, τ 0.9
    expect(r.perTask[0].chosen).toBe('auto+corrected');
    // held-out digits: mnist + fashion → auto 0.475, none 0.525, pca16 0.55 → pca16, τ 0.6
    expect(r.perTask[2]).toMatchObject({
      chosen: 'pca16+corrected',
      heldOutTau: 0.6,
      best: 'auto+corrected',
    });
    expect(r.meanHeldOutTau).toBeCloseTo((0.9 + 0.05 + 0.6) / 3, 12);
    expect(r.meanBestTau).toBeCloseTo((0.9 + 0.35 + 0.9) / 3, 12);
    expect(r.chosenOnAll).toBe('auto+corrected');
  });
  it('breaks ties by the order given and leaves out incomplete configurations', () => {
    const r = leaveOneTaskOut({ a: { x: 0.5, y: 0.5, z: 0.9 }, b: { x: 0.5, y: 0.5 } }, ['y', 'x', 'z']);
    expect(r.perTask.map((p) => p.chosen)).toEqual(['y', 'y']);
    expect(r.incomplete).toEqual(['z']);
    expect(() => leaveOneTaskOut({ a: { x: 1 } })).toThrow(/two tasks/);
  });
});

describe('mean-rank ensemble', () => {
  it('averages the members’ ranks, respecting lower-is-better', () => {
    const rankings: Record<string, TaskRanking> = {
      a: { values: { x: 3, y: 1, z: 2 } },
      b: { values: { x: 2, y: 3, z: 1 } },
      c: { values: { x: 0.1, y: 0.3, z: 0.2 }, higherIsBetter: false },
    };
    expect(meanRankEnsemble(rankings, ['a', 'b'])).toEqual({ x: -1.5, y: -2, z: -2.5 });
    // c ranks x first (lowest), then z, then y: same as a
    expect(meanRankEnsemble(rankings, ['a', 'c'])).toEqual({ x: -1, y: -3, z: -2 });
  });

  const truth = { m1: 0.9, m2: 0.8, m3: 0.7, m4: 0.6, m5: 0.5 };
  const task = (id: string, good: number[], bad: number[]) => ({
    id,
    truth,
    rankings: {
      good: { values: Object.fromEntries(Object.keys(truth).map((m, i) => [m, good[i]])) },
      bad: { values: Object.fromEntries(Object.keys(truth).map((m, i) => [m, bad[i]])) },
      noise: { values: { m1: 2, m2: 5, m3: 1, m4: 4, m5: 3 } },
    },
  });
  const tasks = [
    task('t1', [5, 4, 3, 2, 1], [1, 2, 3, 4, 5]),
    task('t2', [5, 4, 3, 1, 2], [1, 2, 3, 5, 4]),
    task('t3', [4, 5, 3, 2, 1], [2, 1, 3, 4, 5]),
  ];

  it('selects members greedily by mean τ on the given tasks', () => {
    expect(selectEnsembleMembers(tasks, ['bad', 'noise', 'good'])).toEqual(['good']);
  });

  it('never uses a score that ranks fewer than three models on a task (τ of two models is ±1)', () => {
    const two = tasks.map((t) => ({
      ...t,
      rankings: { ...t.rankings, two: { values: { m1: 2, m2: 1 } } },
    }));
    expect(selectEnsembleMembers(two, ['two', 'good'])).toEqual(['good']);
    expect(leaveOneTaskOutEnsemble(two, ['two', 'bad']).map((h) => h.members)).toEqual([
      ['bad'],
      ['bad'],
      ['bad'],
    ]);
  });

  it('chooses members without the held-out task and reports their τ there', () => {
    const held = leaveOneTaskOutEnsemble(tasks, ['bad', 'noise', 'good']);
    expect(held.map((h) => h.members)).toEqual([['good'], ['good'], ['good']]);
    const t2 = held[1];
    const models = Object.keys(truth);
    expect(t2.weightedTau).toBeCloseTo(
      weightedTau(
        models.map((m) => t2.values[m]),
        models.map((m) => truth[m as keyof typeof truth]),
      ),
      15,
    );
  });
});
