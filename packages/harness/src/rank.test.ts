import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineMetric } from '@emms/metric-spec';
import { builtinMetrics, createRegistry } from '@emms/metrics';
import { writeNpyFile } from '@emms/tensor-io/node';
import { describe, expect, it } from 'vitest';
import { makeFeatures, makeLabels, writeTask } from './bench/fixtures.test-helper';
import { rankFeatures, regimeWarnings } from './rank';

const tmp = () => mkdtempSync(join(tmpdir(), 'emms-rank-'));

describe('rankFeatures', () => {
  it('ranks the informative model first and recommends it', async () => {
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
    expect(r.top).toEqual({ logme: 'strong', hscore: 'strong', sfda: 'strong', emms: 'strong' });
    expect(r.recommendation).toMatch(/^Fine-tune strong: .* first by 4 of 4/);
    expect(r.warnings.filter((w) => w.includes('disagree'))).toEqual([]);
  });

  it('warns when the scores disagree about the top model and when D is near or above N', async () => {
    const dir = tmp();
    // 'wide' has 70 columns for 60 samples: regression scores saturate there
    await writeTask(
      dir,
      { wide: { d: 70, signal: 0.3 }, narrow: { d: 4, signal: 2 }, half: { d: 31, signal: 0.2 } },
      { perClass: 20 },
    );
    // two test scores that prefer opposite ends: one ranks by width, the other by narrowness
    const byWidth = (id: string, sign: number) =>
      defineMetric({
        id,
        description: 'test score',
        inputs: { required: ['features'] },
        higherIsBetter: true,
        // the fact regimeWarnings reads: this score saturates from D ≥ N/2
        saturation: ({ samples, features }) => (features >= samples / 2 ? 'too wide' : undefined),
        compute: (inputs) => ({ value: sign * inputs.features!.cols }),
      });
    const registry = createRegistry([...builtinMetrics, byWidth('wider', 1), byWidth('narrower', -1)]);
    const r = await rankFeatures({
      preset: 'published',
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['wider', 'narrower'],
      registry,
    });
    expect(r.top).toEqual({ wider: 'wide', narrower: 'narrow' });
    expect(r.warnings[0]).toBe('the scores disagree about the top model: wide (wider); narrow (narrower)');
    expect(r.recommendation).toContain('the scores disagree, so check the runner-up too');
    expect(r.warnings).toContain(
      'wide: feature dimension 70 ≥ 60 samples; wider, narrower saturate in this regime (use more samples or reduce the features, e.g. pca)',
    );
    expect(r.warnings).toContain(
      'half: feature dimension 31 ≥ N/2 = 30; wider, narrower are near saturation',
    );
    expect(r.warnings.some((w) => w.startsWith('narrow:'))).toBe(false);
    expect(r.warnings).toContain('wider on wide: too wide');
  });

  it('ties: values equal up to rounding tie, a tie for first names no top model', async () => {
    const dir = tmp();
    await writeTask(dir, { a: { d: 3, signal: 1 }, b: { d: 4, signal: 1 }, c: { d: 5, signal: 1 } });
    const metric = (id: string, f: (cols: number) => number) =>
      defineMetric({
        id,
        description: 'test score',
        inputs: { required: ['features'] },
        higherIsBetter: true,
        compute: (inputs) => ({ value: f(inputs.features!.cols) }),
      });
    const registry = createRegistry([
      ...builtinMetrics,
      metric('flat', (d) => 9 + d * 1e-15), // saturated: 9 for every model, up to rounding
      metric('pair', (d) => Math.min(d, 4)), // b and c tie for first
    ]);
    const r = await rankFeatures({
      preset: 'published',
      featuresDir: dir,
      labels: join(dir, 'labels.npy'),
      metrics: ['flat', 'pair'],
      registry,
    });
    expect(r.top).toEqual({});
    expect(r.warnings).toContain(
      'flat: every model has the same score (9.000000000000004); it cannot rank them',
    );
    expect(r.warnings).toContain('pair: 2 models tie for first (b, c)');
    expect(r.recommendation).toBe('No score could rank these models; see the warnings.');
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
    expect(r.top.logme).toBe('b');
  });

  it('regime warnings follow D ≥ N and D ≥ N/2, naming the scores whose declared regime holds', () => {
    const w = regimeWarnings({ a: 100, b: 50, c: 49 }, 100);
    expect(w.map((x) => x.split(':')[0])).toEqual(['a', 'b']);
    // from the built-in metrics' own saturation facts (published options: LogME reports D ≥ N itself)
    expect(w[0]).toBe(
      'a: feature dimension 100 ≥ 100 samples; emms, sfda, transrate, hscore saturate in this regime (use more samples or reduce the features, e.g. pca)',
    );
    expect(w[1]).toBe('b: feature dimension 50 ≥ N/2 = 50; emms, logme, sfda, hscore are near saturation');
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
