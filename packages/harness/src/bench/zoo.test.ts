// The real offline zoo on a few MNIST digits (the full default run is a benchmark, not a test).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMnistPackage } from '@emms/feature-extractors';
import { describe, expect, it } from 'vitest';
import { balancedSplit } from '../pipeline/dataset';
import { defaultBenchSpec } from './defaults';
import { runBench } from './run';

describe('the default benchmark on real zoo models, a few digits', () => {
  it('balancedSplit is seeded, class-balanced and disjoint', () => {
    const ds = readMnistPackage();
    const a = balancedSplit(ds, 4, 2, 7);
    const b = balancedSplit(ds, 4, 2, 7);
    const c = balancedSplit(ds, 4, 2, 8);
    expect(a.items.map((i) => i.id)).toEqual(b.items.map((i) => i.id));
    expect(a.items.map((i) => i.id)).not.toEqual(c.items.map((i) => i.id));
    const train = a.items.filter((i) => i.split === 'train');
    const test = a.items.filter((i) => i.split === 'test');
    expect(train).toHaveLength(40);
    expect(test).toHaveLength(20);
    for (let d = 0; d < 10; d++) expect(train.filter((i) => i.label === d)).toHaveLength(4);
    const trainIds = new Set(train.map((i) => i.id));
    expect(test.some((i) => trainIds.has(i.id))).toBe(false);
    expect(() => balancedSplit(ds, 900, 200, 0)).toThrow(
      /fewer than trainPerClass \+ testPerClass = 1100 items \(0 has \d+, 2 has/,
    );
  });

  it('extracts, scores, probes and reports; the rerun reads everything from the cache', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emms-zoo-bench-'));
    const defaults = defaultBenchSpec({
      models: ['ppocr-cls', 'ppocr-rec', 'blazeface-front', 'pixels'],
      trainPerClass: 3,
      testPerClass: 2,
      out: join(root, 'out'),
      cache: join(root, 'cache'),
    });
    // USE-lite only: GloVe (installed in this repository for the offline suite) takes 14 s and 1 GB to load
    const spec = { ...defaults, flabels: { ...defaults.flabels, embedders: ['use-lite'] } };
    const lines: string[] = [];
    const tasks = new Set<string>();
    const first = await runBench(spec, {
      log: (l) => lines.push(l),
      onProgress: (e) => tasks.add(e.task.split(':')[0]!),
    });
    const t = first.report.tasks[0]!;
    expect(t.split).toMatchObject({ nTrain: 30, nTest: 20, seed: 0, trainPerClass: 3, testPerClass: 2 });
    expect(t.models.map((m) => [m.id, m.featureDim, m.cached])).toEqual([
      ['ppocr-cls', 200, false],
      ['ppocr-rec', 120, false],
      ['blazeface-front', 96, false],
      ['pixels', 784, false],
    ]);
    expect(t.flabels).toMatchObject({ embedders: ['use-lite'], K: 3 });
    for (const truth of ['linear-probe', 'knn']) {
      for (const v of Object.values(t.groundTruth[truth]!.values)) expect(v).toBeGreaterThanOrEqual(0);
      expect(Object.keys(t.groundTruth[truth]!.values)).toHaveLength(4);
      expect(t.groundTruth[truth]!.correct!.pixels).toHaveLength(20);
    }
    // LEEP/NCE: the two PaddleOCR models offer their own classifier output, the others are not applicable
    expect(Object.keys(t.scores.leep!.values).sort()).toEqual(['ppocr-cls', 'ppocr-rec']);
    expect(t.scores.leep!.errors['blazeface-front']!.code).toBe('NOT_APPLICABLE');
    expect(Object.keys(t.scores.logme!.values)).toHaveLength(4);
    expect(t.agreement['linear-probe']!.logme!.weightedTauInterval!.reps).toBe(1000);
    expect(t.baselines['file-size']!.values['ppocr-rec']).toBeGreaterThan(
      t.baselines['file-size']!.values['ppocr-cls']!,
    );
    expect(Object.keys(t.baselines.params!.values)).toEqual(['ppocr-cls', 'ppocr-rec', 'blazeface-front']);
    expect(t.notes.join(' ')).toContain('zero, one, two');
    expect([...tasks]).toEqual(expect.arrayContaining(['extract', 'score', 'linear-probe', 'knn']));

    const second = await runBench(spec, {});
    expect(second.report.run.cacheMisses).toBe(0);
    expect(second.report.tasks[0]!.models.filter((m) => m.source === 'zoo').every((m) => m.cached)).toBe(
      true,
    );
    expect(second.report.tasks[0]!.scores.logme!.values).toEqual(t.scores.logme!.values);
  }, 120_000);
});
