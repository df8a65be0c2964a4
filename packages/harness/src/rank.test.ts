import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineMetric, type RunShape } from '@emms/metric-spec';
import { builtinMetrics, createRegistry } from '@emms/metrics';
import { writeNpyFile } from '@emms/tensor-io/node';
import { describe, expect, it } from 'vitest';
import { makeFeatures, makeLabels, writeTask } from './bench/fixtures.test-helper';
import { ResultCache } from './cache';
import { rankFeatures, regimeWarnings } from './rank';

const tmp = () => mkdtempSync(join(tmpdir(), 'emms-rank-'));
const sum = (v: Iterable<number>) => [...v].reduce((a, b) => a + b, 0);

/** A test score of the feature width; `saturates`: it declares saturation from D ≥ N/2 (the fact regimeWarnings reads). */
const byWidth = (id: string, f: (cols: number) => number, saturates = false) =>
  defineMetric({
    id,
    description: 'test score',
    inputs: { required: ['features'] },
    higherIsBetter: true,
    ...(saturates
      ? {
          saturation: ({ samples, features }: RunShape) => (features >= samples / 2 ? 'too wide' : undefined),
        }
      : {}),
    compute: (inputs) => ({ value: f(inputs.features!.cols) }),
  });

describe('rankFeatures', () => {
  it('ranks the informative model first and recommends it with its P(best)', async () => {
    const dir = tmp();
    await writeTask(
      dir,
      { strong: { d: 5, signal: 3 }, medium: { d: 5, signal: 1 }, noise: { d: 5, signal: 0 } },
      { perClass: 20, flabels: 2 },
    );
    const r = await rankFeatures({
      preset: 'published',
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      flabels: [join(dir, 'flabels-0.npy'), join(dir, 'flabels-1.npy')],
      metrics: ['logme', 'hscore', 'sfda', 'emms'],
    });
    expect(r.samples).toBe(60);
    expect(r.models.map((m) => m.id)).toEqual(['strong', 'medium', 'noise']);
    expect([...r.top]).toEqual([
      ['logme', 'strong'],
      ['hscore', 'strong'],
      ['sfda', 'strong'],
      ['emms', 'strong'],
    ]);
    expect(r.recommendation).toBe(
      'Fine-tune strong (P(best) 1.00): mean rank 1.0 over 4 scores (logme, hscore, sfda, emms), first by 4 of 4 (logme, hscore, sfda, emms).',
    );
    expect(r.bootstrap).toMatchObject({
      reps: 200,
      seed: 0,
      level: 0.95,
      stratified: 'within-class',
      reduce: 'none',
    });
    expect([...r.bootstrap!.perScore.keys()]).toEqual(['logme', 'hscore', 'sfda', 'emms']);
    expect(r.bootstrap!.notBootstrapped.size).toBe(0);
    expect(r.models[0]).toMatchObject({ pBest: 1, rankInterval: [1, 1] });
    expect(sum(r.models.map((m) => m.pBest!))).toBeCloseTo(1, 12);
    expect(r.agreement?.w).toBe(1);
    expect(r.warnings.filter((w) => w.includes('disagree'))).toEqual([]);
  });

  it('two models that tie on every resample are too close to call, P(best) split evenly; reproducible per seed', async () => {
    const dir = tmp();
    await writeTask(dir, { a: { d: 4, signal: 3 }, weak: { d: 4, signal: 0 } }, { perClass: 15 });
    copyFileSync(join(dir, 'a.npy'), join(dir, 'b.npy'));
    const run = (seed: number) =>
      rankFeatures({ featuresDir: dir, labels: join(dir, 'labels.npy'), metrics: ['logme', 'hscore'], seed });
    const r = await run(0);
    expect(r.recommendation).toBe(
      'Too close to call: a, b (P(best) 0.50, 0.50); mean ranks 1.5, 1.5 over 2 scores (logme, hscore).',
    );
    expect(r.recommended).toEqual({ models: ['a', 'b'], pBest: [0.5, 0.5], decided: false });
    expect(r.bootstrap!.perScore.get('logme')!.pBest.get('weak')).toBe(0);
    const again = await run(0);
    expect(again.bootstrap!.recommended).toEqual(r.bootstrap!.recommended);
    expect(again.models).toEqual(r.models);
  });

  it('close models: P(best) between 0 and 1, depends on the seed, intervals cover the full-sample rank', async () => {
    const dir = tmp();
    await writeTask(
      dir,
      { a: { d: 4, signal: 0.5 }, b: { d: 4, signal: 0.48 }, c: { d: 4, signal: 0.1 } },
      {
        perClass: 15,
      },
    );
    const base = {
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['logme', 'gbc', 'transrate'],
    };
    const r = await rankFeatures(base);
    const p = r.bootstrap!.recommended!.pBest;
    expect(sum(p.values())).toBeCloseTo(1, 12);
    expect(Math.max(...p.values())).toBeLessThan(1);
    const other = await rankFeatures({ ...base, seed: 1 });
    expect(other.bootstrap!.recommended!.pBest).not.toEqual(p);
    for (const [id, s] of r.bootstrap!.perScore) {
      for (const [m, [lo, hi]] of s.interval) {
        const rank = r.rankings.get(id)!.ranks.get(m)!;
        expect(lo).toBeLessThanOrEqual(rank);
        expect(hi).toBeGreaterThanOrEqual(rank);
      }
    }
    const off = await rankFeatures({ ...base, bootstrap: 0 });
    expect(off.bootstrap).toBeUndefined();
    expect(off.models.every((m) => m.pBest === undefined)).toBe(true);
    expect(off.recommendation).toMatch(/^(Fine-tune \S+: mean rank|Too close to call)/);
  });

  it('names the scores it cannot resample and holds them at their full-sample ranks', async () => {
    const dir = tmp();
    await writeTask(dir, { a: { d: 4, signal: 2 }, b: { d: 4, signal: 0.2 } }, { perClass: 15 });
    const r = await rankFeatures({
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['logme', 'nleep', 'parc'],
    });
    expect([...r.bootstrap!.notBootstrapped.keys()]).toEqual(['nleep', 'parc']);
    expect(r.bootstrap!.notBootstrapped.get('nleep')).toMatch(/Gaussian mixture/);
    expect(r.warnings.some((w) => w.startsWith('held at their full-sample ranks in every resample'))).toBe(
      true,
    );
    expect(r.restsOn).toEqual(['logme', 'nleep', 'parc']);
  });

  it('a model with NaN features is left out; the others are ranked by every score', async () => {
    const dir = tmp();
    const labels = await writeTask(
      dir,
      { good: { d: 4, signal: 2 }, fair: { d: 4, signal: 0.5 } },
      { perClass: 15 },
    );
    const bad = makeFeatures(labels, 4, 3, 9);
    bad[5] = Number.NaN;
    await writeNpyFile(join(dir, 'bad.npy'), { dtype: 'float32', shape: [labels.length, 4], data: bad });
    const r = await rankFeatures({
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['logme', 'hscore'],
    });
    expect(r.restsOn).toEqual(['logme', 'hscore']);
    expect(r.recommendation).toMatch(
      /^Fine-tune good \(P\(best\) 1\.00\): mean rank 1\.0 over 2 scores \(logme, hscore\)/,
    );
    expect(r.models.map((m) => m.id)).toEqual(['good', 'fair', 'bad']);
    expect(r.models[2]).toMatchObject({ id: 'bad', leftOut: 'no score could score it (NON_FINITE)' });
    expect(r.models[2]!.meanRank).toBeUndefined();
    expect(r.warnings).toContain('bad: left out of the recommendation: no score could score it (NON_FINITE)');
  });

  it('every score failing is NOTHING_RANKED (a recommendation over zero scores)', async () => {
    const dir = tmp();
    const labels = makeLabels(3, 10);
    await writeNpyFile(join(dir, 'labels.npy'), { dtype: 'int32', shape: [labels.length], data: labels });
    for (const id of ['a', 'b']) {
      const x = makeFeatures(labels, 3, 1, 2);
      x[0] = Number.NaN;
      await writeNpyFile(join(dir, `${id}.npy`), { dtype: 'float32', shape: [labels.length, 3], data: x });
    }
    const err = await rankFeatures({
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['logme', 'gbc'],
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'NOTHING_RANKED', input: 'metrics' });
    expect(err.message).toContain('logme (NON_FINITE), gbc (NON_FINITE)');
  });

  it('model names __proto__, constructor and toString are ranked like any other', async () => {
    const dir = tmp();
    // (a literal {__proto__: …} would set the prototype: build own properties)
    await writeTask(
      dir,
      Object.fromEntries([
        ['__proto__', { d: 4, signal: 3 }],
        ['constructor', { d: 4, signal: 1 }],
        ['toString', { d: 4, signal: 0 }],
      ]),
    );
    const r = await rankFeatures({
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['logme', 'hscore'],
    });
    expect(r.models.map((m) => m.id)).toEqual(['__proto__', 'constructor', 'toString']);
    expect([...r.scores.get('logme')!.keys()].sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(r.recommendation).toMatch(/^Fine-tune __proto__ \(P\(best\) 1\.00\)/);
    expect(r.bootstrap!.recommended!.pBest.get('constructor')).toBe(0);
  });

  it('warns when the scores disagree about the top model and when D is near or above N', async () => {
    const dir = tmp();
    // 'wide' has 70 columns for 60 samples: regression scores saturate there
    await writeTask(
      dir,
      { wide: { d: 70, signal: 0.3 }, narrow: { d: 4, signal: 2 }, half: { d: 31, signal: 0.2 } },
      { perClass: 20 },
    );
    const registry = createRegistry([
      ...builtinMetrics,
      byWidth('wider', (d) => d, true),
      byWidth('narrower', (d) => -d, true),
    ]);
    const r = await rankFeatures({
      preset: 'published',
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['wider', 'narrower'],
      registry,
    });
    expect([...r.top]).toEqual([
      ['wider', 'wide'],
      ['narrower', 'narrow'],
    ]);
    expect(r.warnings[0]).toBe('the scores disagree about the top model: wide (wider); narrow (narrower)');
    expect(r.bootstrap!.notBootstrapped.get('wider')).toBe(
      'wider declares no resampling path (a plugin score)',
    );
    expect(
      r.warnings.some((w) => w.startsWith('no score the recommendation rests on could be resampled')),
    ).toBe(true);
    // each model is first by one score, second or third by the other: a three-way tie of mean ranks
    expect(r.recommendation).toBe(
      'Too close to call: half, narrow, wide; mean ranks 2.0, 2.0, 2.0 over 2 scores (wider, narrower).',
    );
    expect(r.agreement?.w).toBe(0);
    // from the test scores' declared saturation facts
    expect(r.warnings).toContain(
      'wide: feature dimension 70 ≥ 60 samples; wider, narrower saturate in this regime (use more samples or reduce the features, e.g. pca)',
    );
    expect(r.warnings).toContain(
      'half: feature dimension 31 ≥ N/2 = 30; wider, narrower are near saturation',
    );
    expect(r.warnings.some((w) => w.startsWith('narrow:'))).toBe(false);
  });

  it('ties: values equal up to rounding tie; without P(best) a tie for the best mean rank is too close to call', async () => {
    const dir = tmp();
    await writeTask(dir, { a: { d: 3, signal: 1 }, b: { d: 4, signal: 1 }, c: { d: 5, signal: 1 } });
    const registry = createRegistry([
      ...builtinMetrics,
      byWidth('flat', (d) => 9 + d * 1e-15), // saturated: 9 for every model, up to rounding
      byWidth('pair', (d) => Math.min(d, 4)), // b and c tie for first
    ]);
    const r = await rankFeatures({
      preset: 'published',
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['flat', 'pair'],
      registry,
    });
    expect(r.top.size).toBe(0);
    expect(r.warnings).toContain(
      'flat: every model has the same score (9.000000000000004); it cannot rank them',
    );
    expect(r.warnings).toContain('pair: 2 models tie for first (b, c)');
    expect(r.recommendation).toBe('Too close to call: b, c; mean ranks 1.8, 1.8 over 2 scores (flat, pair).');
  });

  it('names a score that cannot run on these inputs', async () => {
    const dir = tmp();
    await writeTask(dir, { a: { d: 3, signal: 1 }, b: { d: 3, signal: 2 } });
    const r = await rankFeatures({
      preset: 'published',
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['leep', 'logme'],
    });
    expect(r.warnings.some((w) => w.startsWith('leep: not scored (NOT_APPLICABLE)'))).toBe(true);
    expect(r.top.get('logme')).toBe('b');
  });

  it('caches the resampled values: a rerun reads them and gives the same numbers', async () => {
    const dir = tmp();
    await writeTask(dir, { a: { d: 4, signal: 1 }, b: { d: 4, signal: 0.7 } }, { perClass: 15 });
    const cache = new ResultCache(join(tmp(), 'cache'));
    const base = { featuresDir: dir, labels: join(dir, 'labels.npy'), metrics: ['logme', 'sfda'], cache };
    const first = await rankFeatures(base);
    const misses = cache.counts.misses;
    const second = await rankFeatures(base);
    expect(cache.counts.misses).toBe(misses);
    expect(second.bootstrap!.recommended).toEqual(first.bootstrap!.recommended);
    const other = await rankFeatures({ ...base, bootstrap: 50 });
    expect(cache.counts.misses).toBeGreaterThan(misses);
    expect(other.bootstrap!.reps).toBe(50);
  });

  it('regime warnings follow D ≥ N and D ≥ N/2, naming the scores whose declared regime holds', () => {
    const w = regimeWarnings(
      new Map([
        ['a', 100],
        ['b', 50],
        ['c', 49],
      ]),
      100,
    );
    expect(w.map((x) => x.split(':')[0])).toEqual(['a', 'b']);
    // from the built-in metrics' own saturation facts (published options: LogME reports D ≥ N itself)
    expect(w[0]).toBe(
      'a: feature dimension 100 ≥ 100 samples; emms, sfda, transrate, hscore saturate in this regime (use more samples or reduce the features, e.g. pca)',
    );
    expect(w[1]).toBe('b: feature dimension 50 ≥ N/2 = 50; emms, logme, sfda, hscore are near saturation');
  });

  it('bad options: bootstrap, seed and level name the option', async () => {
    const dir = tmp();
    await writeTask(dir, { a: { d: 3, signal: 1 }, b: { d: 3, signal: 2 } });
    const base = { featuresDir: dir, labels: join(dir, 'labels.npy'), metrics: ['logme'] };
    for (const [o, input] of [
      [{ bootstrap: -1 }, 'bootstrap'],
      [{ bootstrap: 2.5 }, 'bootstrap'],
      [{ seed: 0.5 }, 'seed'],
      [{ level: 1 }, 'level'],
    ] as const) {
      await expect(rankFeatures({ ...base, ...o })).rejects.toMatchObject({ code: 'INVALID_OPTION', input });
    }
  });

  it('bad input: empty folder, rows that disagree with the labels, duplicate names, one model', async () => {
    const empty = tmp();
    const labels = makeLabels(3, 5);
    await writeNpyFile(join(empty, 'labels.npy'), { dtype: 'int32', shape: [15], data: labels });
    await expect(
      rankFeatures({ featuresDir: empty, labels: join(empty, 'labels.npy') }),
    ).rejects.toMatchObject({
      code: 'FEATURES_DIR_EMPTY',
      input: empty,
    });

    const rows = tmp();
    await writeTask(rows, { a: { d: 3, signal: 1 } }, { perClass: 5 });
    await writeNpyFile(join(rows, 'short.npy'), {
      dtype: 'float32',
      shape: [14, 3],
      data: makeFeatures(labels.slice(0, 14), 3, 1, 2),
    });
    const err = await rankFeatures({ featuresDir: rows, labels: join(rows, 'labels.npy') }).catch((e) => e);
    expect(err).toMatchObject({
      code: 'ROW_MISMATCH',
      input: join(rows, 'short.npy'),
      details: { model: 'short', task: rows },
    });
    expect(err.message).toContain('model "short" has 14 feature rows');

    const dup = tmp();
    await writeTask(dup, { a: { d: 3, signal: 1 }, b: { d: 3, signal: 1 } }, { perClass: 5 });
    copyFileSync(join(dup, 'a.npy'), join(dup, 'a.npz'));
    await expect(rankFeatures({ featuresDir: dup, labels: join(dup, 'labels.npy') })).rejects.toMatchObject({
      code: 'DUPLICATE_MODEL_NAME',
      details: { model: 'a' },
    });

    const one = tmp();
    await writeTask(one, { a: { d: 3, signal: 1 } }, { perClass: 5 });
    writeFileSync(join(one, 'notes.txt'), 'not a feature file');
    await expect(rankFeatures({ featuresDir: one, labels: join(one, 'labels.npy') })).rejects.toMatchObject({
      code: 'TASK_TOO_SMALL',
    });
  });
});
