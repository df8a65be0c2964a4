import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineMetric, z } from '@emms/metric-spec';
import * as metrics from '@emms/metrics';
import { builtinMetrics, createRegistry } from '@emms/metrics';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { ResultCache } from '../cache';
import { makeFeatures, makeLabels } from './fixtures.test-helper';
import { scoreCandidates } from './score-task';

const labels = makeLabels(3, 15);
const model = (d: number, signal: number, seed: number): Matrix => ({
  rows: labels.length,
  cols: d,
  data: makeFeatures(labels, d, signal, seed),
});
const candidates = [
  { id: 'good', features: model(6, 3, 1) },
  { id: 'fair', features: model(6, 0.7, 2) },
  { id: 'noise', features: model(6, 0, 3) },
  { id: 'odd', features: model(7, 1, 4) },
];

/** A test score that counts its calls, fails with a typed error on 7 columns and crashes on 5. */
function countingMetric(calls: string[]) {
  return defineMetric({
    id: 'mean-abs',
    description: 'mean absolute feature value (a test score)',
    inputs: { required: ['features', 'labels'] },
    higherIsBetter: true,
    options: z.object({ scale: z.number().default(1).describe('multiplier') }),
    compute(inputs, options) {
      const x = inputs.features!;
      calls.push(`${x.cols}:${x.data[0]}`);
      if (x.cols === 7)
        throw new EmmsError('DEGENERATE_INPUT', 'seven columns are not allowed here', { input: 'features' });
      if (x.cols === 5) throw new Error('boom');
      let s = 0;
      for (const v of x.data) s += Math.abs(v);
      return { value: (options.scale * s) / x.data.length };
    },
  });
}

describe('scoreCandidates', () => {
  it('isolates each (model, score): a typed failure is recorded and the rest completes', async () => {
    const calls: string[] = [];
    const registry = createRegistry([...builtinMetrics, countingMetric(calls)]);
    const table = await scoreCandidates({
      preset: 'published',
      task: 't',
      labels,
      candidates: [...candidates, { id: 'crash', features: model(5, 1, 5) }],
      scores: [{ id: 'mean-abs' }, { id: 'logme' }, { id: 'leep' }],
      registry,
    });
    expect(table['mean-abs']!.good!.value).toBeGreaterThan(table['mean-abs']!.noise!.value!);
    expect(table['mean-abs']!.odd!.error).toMatchObject({ code: 'DEGENERATE_INPUT' });
    expect(table['mean-abs']!.crash!.error).toMatchObject({ code: 'INTERNAL' });
    expect(table['mean-abs']!.crash!.error!.message).toContain('boom');
    // logme still scored every model, including those where the test score failed
    for (const id of ['good', 'fair', 'noise', 'odd', 'crash'])
      expect(Number.isFinite(table.logme![id]!.value)).toBe(true);
    expect(table.logme!.good!.value).toBeGreaterThan(table.logme!.noise!.value!);
    // leep needs source probabilities: not applicable without them, applicable with them
    expect(table.leep!.good!.error).toMatchObject({ code: 'NOT_APPLICABLE', input: 'good' });
  });

  it('uses the source probabilities a candidate offers (LEEP, NCE)', async () => {
    const probs = new Float64Array(labels.length * 2).map((_, k) => (k % 2 === 0 ? 0.7 : 0.3));
    const table = await scoreCandidates({
      preset: 'published',
      task: 't',
      labels,
      candidates: [
        { id: 'clf', features: model(4, 1, 9), probs: { rows: labels.length, cols: 2, data: probs } },
      ],
      scores: [{ id: 'leep' }, { id: 'nce' }],
    });
    // every row has the same source distribution: LEEP = Σ_y p(y) log p(y) over the balanced labels = −log 3
    expect(table.leep!.clf!.value).toBeCloseTo(-Math.log(3), 10);
    expect(Number.isFinite(table.nce!.clf!.value)).toBe(true);
  });

  it('reduces each candidate once and shares the reduction with every score; a failed reduction fails its cells', async () => {
    const seen: { score: string; features: Matrix }[] = [];
    const probe = (id: string) =>
      defineMetric({
        id,
        description: 'records the features it is given',
        inputs: { required: ['features'], optional: ['labels'] },
        higherIsBetter: true,
        compute({ features }) {
          seen.push({ score: id, features: features! });
          return { value: features!.cols };
        },
      });
    const registry = createRegistry([...builtinMetrics, probe('probe-a'), probe('probe-b')]);
    const nan = model(6, 1, 8);
    nan.data[3] = Number.NaN;
    const table = await scoreCandidates({
      task: 't',
      labels,
      candidates: [...candidates.slice(0, 2), { id: 'nan', features: nan }],
      scores: [{ id: 'probe-a' }, { id: 'logme' }, { id: 'probe-b' }],
      registry,
      preset: 'rank',
    });
    // N = 45, C = 3: auto keeps K = max(C, floor(N/16)) = 3 components
    expect(table['probe-a']!.good!.value).toBe(3);
    expect(seen).toHaveLength(4);
    const [aGood, aFair, bGood, bFair] = seen;
    expect(aGood!.features).toBe(bGood!.features);
    expect(aFair!.features).toBe(bFair!.features);
    expect(aGood!.features).not.toBe(aFair!.features);
    expect((table.logme!.good!.details as { reduce: { to: number } }).reduce.to).toBe(3);
    for (const score of ['probe-a', 'logme', 'probe-b'])
      expect(table[score]!.nan!.error).toMatchObject({ code: 'NON_FINITE', input: 'features' });
  });

  it('refuses two candidates with the same name', async () => {
    await expect(
      scoreCandidates({
        task: 'mnist',
        labels,
        candidates: [candidates[0]!, candidates[0]!],
        scores: [{ id: 'logme' }],
      }),
    ).rejects.toMatchObject({
      code: 'DUPLICATE_MODEL_NAME',
      input: 'good',
      details: { task: 'mnist', model: 'good' },
    });
  });

  it('caches by content: a rerun with one new model or one new score computes only that', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-score-cache-'));
    const calls: string[] = [];
    const registry = createRegistry([...builtinMetrics, countingMetric(calls)]);
    const run = (cands: typeof candidates, scores: { id: string; options?: Record<string, unknown> }[]) =>
      scoreCandidates({
        task: 't',
        labels,
        candidates: cands,
        scores,
        registry,
        cache: new ResultCache(dir),
      });
    const three = candidates.slice(0, 3);
    const first = await run(three, [{ id: 'mean-abs' }]);
    expect(calls).toHaveLength(3);
    const again = await run(three, [{ id: 'mean-abs' }]);
    expect(calls).toHaveLength(3);
    expect(again['mean-abs']!.good).toEqual({ ...first['mean-abs']!.good, cached: true });
    // one new model: one computation
    const cache = new ResultCache(dir);
    await scoreCandidates({
      task: 't',
      labels,
      candidates: candidates,
      scores: [{ id: 'mean-abs' }],
      registry,
      cache,
    });
    expect(calls).toHaveLength(4);
    expect(cache.counts).toEqual({ hits: 3, misses: 1 });
    // the typed failure is cached too
    await run(candidates, [{ id: 'mean-abs' }]);
    expect(calls).toHaveLength(4);
    // a changed option is a different result; the same value given explicitly is the default's entry
    await run(three, [{ id: 'mean-abs', options: { scale: 1 } }]);
    expect(calls).toHaveLength(4);
    await run(three, [{ id: 'mean-abs', options: { scale: 2 } }]);
    expect(calls).toHaveLength(7);
    // one new score: only its cells are computed
    const cache2 = new ResultCache(dir);
    await scoreCandidates({
      task: 't',
      labels,
      candidates: three,
      scores: [{ id: 'mean-abs' }, { id: 'hscore' }],
      registry,
      cache: cache2,
    });
    expect(cache2.counts).toEqual({ hits: 3, misses: 3 });
    // a change of preprocessing is a different result (when the runner applies it; refused otherwise)
    const cache3 = new ResultCache(dir);
    const reduced = scoreCandidates({
      task: 't',
      labels,
      candidates: three,
      scores: [{ id: 'hscore' }],
      registry,
      cache: cache3,
      reduce: 'pca:2',
    });
    if (typeof (metrics as Record<string, unknown>).parseReduce === 'function') {
      await reduced;
      expect(cache3.counts).toEqual({ hits: 0, misses: 3 });
    } else {
      await expect(reduced).rejects.toMatchObject({ code: 'INVALID_OPTION', input: 'reduce' });
    }
  });

  it('reports progress for every cell', async () => {
    const events: { done: number; total?: number }[] = [];
    await scoreCandidates({
      task: 't',
      labels,
      candidates: candidates.slice(0, 3),
      scores: [{ id: 'logme' }, { id: 'hscore' }],
      onProgress: (e) => events.push(e),
    });
    expect(events.filter((e) => e.total === 6).map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
