// A run of two or more tasks under the rank preset scores the preset's alternatives too, and its report
// validates each choice leave-one-task-out (crossTask.heldOut); a single task runs no alternative.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTask } from '../bench/fixtures.test-helper';
import { runBench } from '../bench/run';
import { parseBenchSpec } from '../spec';

const root = mkdtempSync(join(tmpdir(), 'emms-preset-held-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function task(id: string, seed: number) {
  const dir = join(root, id);
  const models = Object.fromEntries(
    ['a', 'b', 'c', 'd', 'e'].map((m, i) => [m, { d: 4 + 3 * i, signal: (i * 0.7 + seed) % 3 }]),
  );
  await writeTask(dir, models, { perClass: 12, seed, flabels: 2 });
  writeFileSync(join(dir, 'truth.json'), JSON.stringify({ a: 0.5, b: 0.6, c: 0.7, d: 0.8, e: 0.9 }));
  return { id, featuresDir: dir, labels: join(dir, 'labels.npy') };
}

describe('the rank preset validated leave-one-task-out', () => {
  it('scores reduce "none" and LogME fixed-point beside the preset and reports the held-out choice', async () => {
    const tasks = [await task('t1', 1), await task('t2', 2), await task('t3', 3)];
    const truth = Object.fromEntries(tasks.map((t) => [t.id, { a: 0.5, b: 0.6, c: 0.7, d: 0.8, e: 0.9 }]));
    writeFileSync(join(root, 'truth.json'), JSON.stringify(truth));
    const spec = parseBenchSpec({
      tasks,
      scores: ['emms', 'logme', 'sfda', 'hscore'],
      groundTruth: { table: join(root, 'truth.json') },
      cache: join(root, 'cache'),
    });
    const { report } = await runBench(spec, { noWrite: true });
    for (const t of report.tasks) {
      expect(Object.keys(t.alternatives ?? {}).sort()).toEqual(['logme-variant=fixed-point', 'reduce=none']);
      expect(Object.keys(t.alternatives!['reduce=none']!.scores).sort()).toEqual([
        'emms',
        'hscore',
        'logme',
        'sfda',
      ]);
      expect(Object.keys(t.alternatives!['reduce=none']!.scores.logme!)).toHaveLength(5);
    }
    const c = report.crossTask!;
    expect(c.tasks).toEqual(['t1', 't2', 't3']);
    for (const choice of ['reduce', 'logme-variant']) {
      const h = c.heldOut![choice]!;
      expect(h.perTask.map((p) => p.task)).toEqual(['t1', 't2', 't3']);
      for (const p of h.perTask) expect(['auto', 'none', 'corrected', 'fixed-point']).toContain(p.chosen);
    }
    expect(c.ensemble!.perTask).toHaveLength(3);
    expect(c.scores['file-size'] ?? c.scores['feature-dim']).toBeDefined();

    // one task: no alternatives, no cross-task section
    const one = await runBench(parseBenchSpec({ ...spec, tasks: [tasks[0]!] }), { noWrite: true });
    expect(one.report.tasks[0]!.alternatives).toBeUndefined();
    expect(one.report.crossTask).toBeUndefined();
  }, 120_000);
});
