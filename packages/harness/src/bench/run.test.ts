import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import cnn from '../../data/classification-cnn.json';
import { parseReport } from '../report/schema';
import { parseBenchSpec } from '../spec';
import { paperSuiteSpec } from './defaults';
import { writeTask } from './fixtures.test-helper';
import { runBench } from './run';

const tmp = () => mkdtempSync(join(tmpdir(), 'emms-run-'));
const table = cnn as Record<string, Record<string, number>>;

/** Features for a dataset of the CNN table: a model's class signal grows with its published accuracy. */
async function paperDataset(
  root: string,
  dataset: string,
  extra: Record<string, { d: number; signal: number }> = {},
) {
  const truth = table[dataset]!;
  const lo = Math.min(...Object.values(truth));
  const hi = Math.max(...Object.values(truth));
  const models = Object.fromEntries(
    Object.entries(truth).map(([m, v]) => [m, { d: 16, signal: 0.05 + (1.5 * (v - lo)) / (hi - lo) }]),
  );
  await writeTask(join(root, dataset), { ...models, ...extra }, { perClass: 30, flabels: 2 });
}

describe('runBench on feature folders', () => {
  it('paper protocol: 3 datasets of paper-cnn scored against the published table, published baselines beside', async () => {
    const root = tmp();
    for (const d of ['aircraft', 'cifar10', 'pets']) await paperDataset(root, d);
    mkdirSync(join(root, 'not-a-dataset'));
    const out = join(root, 'out');
    const spec = paperSuiteSpec('paper-cnn', root, {
      out,
      cache: false,
      metrics: ['logme', 'hscore', 'emms'],
    });
    expect(spec.tasks.map((t) => ('id' in t ? t.id : ''))).toEqual(['aircraft', 'cifar10', 'pets']);
    const { report, paths } = await runBench(spec, { command: 'test' });
    expect(report.tasks).toHaveLength(3);
    for (const t of report.tasks) {
      expect(t.flabels?.K).toBe(2);
      expect(Object.keys(t.scores.logme!.values)).toHaveLength(11);
      // features built to follow the table: LogME recovers most of its order
      expect(t.agreement['paper-cnn']!.logme!.weightedTau).toBeGreaterThan(0.5);
      // every model is 16-d: the feature-dimension baseline ties them all and says so
      expect(t.agreement['paper-cnn']!['feature-dim']).toMatchObject({ kind: 'baseline', weightedTau: 0 });
      expect(t.agreement['paper-cnn']!['feature-dim']!.warnings?.[0]).toContain('same score');
    }
    const s = report.summaries[0]!;
    expect(s.truth).toBe('paper-cnn');
    expect(s.published?.values).toMatchObject({
      leep: 0.41,
      logme: 0.51,
      parc: 0.468,
      nleep: 0.612,
      sfda: 0.71,
    });
    const mean = report.tasks.reduce((a, t) => a + t.agreement['paper-cnn']!.logme!.weightedTau, 0) / 3;
    expect(s.meanWeightedTau.logme).toBeCloseTo(mean, 12);
    // three tasks: the cross-task section, resampled at the task level (a published table has no items)
    expect(report.crossTask?.tasks).toEqual(['aircraft', 'cifar10', 'pets']);
    expect(report.crossTask!.scores.logme!.meanWeightedTau).toBeCloseTo(mean, 12);
    expect(report.crossTask?.notes.join(' ')).toMatch(/task level only/);
    // reports written whole (the CD diagram beside them), no temporary file left
    expect(readdirSync(out).sort()).toEqual([
      'cd-diagram.svg',
      'report.csv',
      'report.html',
      'report.json',
      'report.md',
    ]);
    const { readFileSync } = await import('node:fs');
    expect(parseReport(readFileSync(paths!.json, 'utf8')).tasks[1]!.id).toBe('cifar10');
  });

  it('a model missing from the ground truth is a typed error naming the task, the model and the table', async () => {
    const root = tmp();
    await paperDataset(root, 'pets', { mystery: { d: 6, signal: 1 } });
    const err = await runBench(paperSuiteSpec('paper-cnn', root, { cache: false, metrics: ['logme'] }), {
      noWrite: true,
    }).catch((e) => e);
    expect(err).toMatchObject({
      code: 'MODEL_NOT_IN_TRUTH',
      input: 'paper-cnn',
      details: { task: 'pets', models: ['mystery'] },
    });
    expect(err.message).toMatch(/^task pets: model\(s\) "mystery" have no ground truth in paper-cnn/);
  });

  it('a task with fewer than three models is refused', async () => {
    const root = tmp();
    await writeTask(join(root, 'dtd'), { resnet50: { d: 4, signal: 1 }, densenet121: { d: 4, signal: 2 } });
    await expect(
      runBench(paperSuiteSpec('paper-cnn', root, { cache: false, metrics: ['logme'] }), { noWrite: true }),
    ).rejects.toMatchObject({ code: 'TASK_TOO_SMALL', details: { task: 'dtd' } });
  });

  it('a user truth table (CSV) and a measured ground truth without test features', async () => {
    const root = tmp();
    await writeTask(root, { a: { d: 4, signal: 0 }, b: { d: 5, signal: 1 }, c: { d: 6, signal: 3 } });
    writeFileSync(join(root, 'truth.csv'), 'model,accuracy\na,0.3\nb,0.6\nc,0.9\n');
    const base = {
      tasks: [{ id: 'mine', featuresDir: root, labels: join(root, 'labels.npy') }],
      scores: ['logme'],
      cache: false,
    };
    const { report } = await runBench(
      parseBenchSpec({ ...base, groundTruth: { table: join(root, 'truth.csv') } }),
      { noWrite: true },
    );
    const t = report.tasks[0]!;
    expect(t.groundTruth.table!.values).toEqual({ a: 0.3, b: 0.6, c: 0.9 });
    expect(t.agreement.table!.logme!.weightedTau).toBe(1);
    // the feature-dimension baseline (4 < 5 < 6) also orders them perfectly, so LogME does not beat it
    expect(t.agreement.table!['feature-dim']!.weightedTau).toBe(1);
    expect(t.agreement.table!.logme!.beatsBaselines).toBe(false);
    await expect(runBench(parseBenchSpec(base), { noWrite: true })).rejects.toMatchObject({
      code: 'SPEC_INVALID',
      input: 'groundTruth',
    });
  });

  it('an empty features folder names the task and the folder', async () => {
    const root = tmp();
    await writeTask(root, {});
    await expect(
      runBench(
        parseBenchSpec({
          tasks: [{ id: 'void', featuresDir: root, labels: join(root, 'labels.npy') }],
          groundTruth: { published: 'paper-cnn' },
          cache: false,
        }),
        {
          noWrite: true,
        },
      ),
    ).rejects.toMatchObject({ code: 'FEATURES_DIR_EMPTY', input: root, details: { task: 'void' } });
  });
});
