import { describe, expect, it } from 'vitest';
import { scoreMetrics } from '../run';
import { fixtureLabels, fixtureMatrix } from '../testing/fixtures';
import { numClasses } from '../util';
import { stratifiedSubsample } from './parc';

const X = fixtureMatrix('small', 'X.npy');
const y = fixtureLabels('small');

describe('PARC subsampling above maxSamples', () => {
  it('scores a deterministic class-stratified subsample and says so', async () => {
    const opts = { options: { parc: { maxSamples: 150 } } };
    const a = await scoreMetrics({ features: X, labels: y }, ['parc'], opts);
    const b = await scoreMetrics({ features: X, labels: y }, ['parc'], opts);
    expect(a.details.parc).toMatchObject({ subsampled: true, used: 150 });
    expect(a.scores.parc).toBe(b.scores.parc);
    const full = await scoreMetrics({ features: X, labels: y }, ['parc']);
    expect(full.details.parc).toMatchObject({ subsampled: false, used: 300 });
  });

  it('keeps each class at its share (largest remainder, at least one)', () => {
    const labels = Int32Array.from([...Array(70).fill(0), ...Array(29).fill(1), 2]);
    const idx = stratifiedSubsample(labels, 10);
    expect(idx.length).toBe(10);
    const counts = [0, 0, 0];
    for (const i of idx) counts[labels[i]]++;
    expect(counts).toEqual([7, 2, 1]);
    expect(new Set(idx).size).toBe(10);
    expect(numClasses(labels)).toBe(3);
  });
});

describe('NLEEP', () => {
  it('is deterministic for a seed and reports its diagnostics', async () => {
    const a = await scoreMetrics({ features: X, labels: y }, ['nleep']);
    const b = await scoreMetrics({ features: X, labels: y }, ['nleep']);
    expect(a.scores.nleep).toBe(b.scores.nleep);
    // 5 components per class, C = 5; PCA to 80% of the variance
    expect(a.details.nleep).toMatchObject({ components: 25, seed: 0, converged: true });
    expect((a.details.nleep as { pcaDims: number }).pcaDims).toBeGreaterThan(0);
  });
});

describe('progress and abort', () => {
  it('reports one event per metric and per EM step, and aborts inside NLEEP', async () => {
    const events: { task: string; done: number; total?: number }[] = [];
    await scoreMetrics({ features: X, labels: y }, ['nleep', 'hscore'], {
      onProgress: (e) => events.push(e),
    });
    expect(events.filter((e) => e.task === 'score').map((e) => e.done)).toEqual([1, 2]);
    expect(events.some((e) => e.task === 'score:nleep')).toBe(true);

    const ac = new AbortController();
    const run = scoreMetrics({ features: X, labels: y }, ['nleep'], {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.task === 'score:nleep') ac.abort(new Error('stopped by test'));
      },
    });
    await expect(run).rejects.toThrow('stopped by test');
  });
});
