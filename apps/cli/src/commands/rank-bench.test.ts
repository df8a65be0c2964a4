import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalFrom, seededRandom } from '@emms/tensor-io';
import { writeNpyFile } from '@emms/tensor-io/node';
import { describe, expect, it } from 'vitest';
import { run } from '../test-helpers';

/** `emms rank` on a task folder written by `task` (its <model>.npy files and labels.npy). */
const rankIn = (dir: string) => ['rank', '--features-dir', dir, '--labels', join(dir, 'labels.npy')];

/** dir/<model>.npy with class signal `signal` (+ unit noise), and dir/labels.npy: 3 classes × perClass. */
async function task(dir: string, models: Record<string, [d: number, signal: number]>, perClass = 15) {
  mkdirSync(dir, { recursive: true });
  const labels = Int32Array.from({ length: 3 * perClass }, (_, i) => i % 3);
  await writeNpyFile(join(dir, 'labels.npy'), { dtype: 'int32', shape: [labels.length], data: labels });
  let seed = 1;
  for (const [id, [d, signal]] of Object.entries(models)) {
    const rand = normalFrom(seededRandom(seed++));
    const means = Float32Array.from({ length: 3 * d }, () => rand());
    const x = Float32Array.from({ length: labels.length * d }, (_, k) => {
      const i = Math.floor(k / d);
      return signal * means[labels[i]! * d + (k % d)]! + rand();
    });
    await writeNpyFile(join(dir, `${id}.npy`), { dtype: 'float32', shape: [labels.length, d], data: x });
  }
}

describe('emms rank', () => {
  it('prints a ranked table with a recommendation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(dir, { strong: [4, 3], weak: [4, 0.5], noise: [4, 0] });
    const r = await run([...rankIn(dir), '--metrics', 'logme,hscore']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^rank\s+model\s+D\s+mean rank\s+P\(best\)\s+rank 95%\s+logme\s+hscore$/);
    expect(lines[1]).toMatch(/^\s*1\s+strong\s+4\s+1\s+1\.00\s+1\s+\S+ \(#1\)\s+\S+ \(#1\)$/);
    expect(r.stdout).toContain("Agreement among the 2 scores the recommendation rests on: Kendall's W 1.00");
    expect(r.stdout).toContain('Bootstrap: 200 resamples of the 45 samples within each class (seed 0)');
    expect(lines.at(-1)).toBe(
      'Fine-tune strong (P(best) 1.00): mean rank 1.0 over 2 scores (logme, hscore), first by 2 of 2 (logme, hscore).',
    );
    expect(r.stderr).not.toContain('disagree');
    const off = await run([...rankIn(dir), '--metrics', 'logme,hscore', '--bootstrap', '0']);
    expect(off.stdout.split('\n')[0]).toMatch(/^rank\s+model\s+D\s+mean rank\s+logme\s+hscore$/);
    expect(off.stdout.trim().split('\n').at(-1)).toMatch(/^Fine-tune strong: mean rank 1\.0 over 2 scores/);
  });

  it('--format json: P(best) per model summing to 1, rank intervals, per score too; CSV columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(dir, { a: [4, 1], b: [4, 0.9], c: [4, 0.2] });
    const args = [...rankIn(dir), '--metrics', 'logme,sfda,nleep'];
    const r = await run([...args, '--bootstrap', '60', '--seed', '3', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bootstrap).toMatchObject({
      reps: 60,
      seed: 3,
      level: 0.95,
      stratified: 'within-class',
      reduce: 'auto',
    });
    expect(out.bootstrap.scores).toEqual(['logme', 'sfda']);
    expect(Object.keys(out.bootstrap.notBootstrapped)).toEqual(['nleep']);
    const p = out.models.map((m: { pBest: number }) => m.pBest);
    expect(p.reduce((x: number, y: number) => x + y, 0)).toBeCloseTo(1, 12);
    for (const m of out.models) {
      expect(m.rankInterval[0]).toBeLessThanOrEqual(m.rankInterval[1]);
      expect(m.byScore.logme).toMatchObject({ rank: expect.any(Number), pBest: expect.any(Number) });
      expect(m.byScore.nleep.pBest).toBeUndefined();
    }
    expect(out.recommendation).toMatch(/^(Fine-tune \S+ \(P\(best\) [01]\.\d\d\)|Too close to call: )/);
    expect(out.restsOn).toEqual(['logme', 'sfda', 'nleep']);
    expect(out.agreement.scores).toBe(3);
    const csv = await run([...args, '--bootstrap', '20', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'rank,model,D,mean rank,pBest,rankLow,rankHigh,logme,sfda,nleep,pBest:logme,pBest:sfda',
    );
    expect((await run([...args, '--bootstrap', '-1'])).code).toBe(2);
    expect((await run([...args, '--bootstrap', 'many'])).code).toBe(2);
    expect((await run([...args, '--level', '1'])).code).toBe(2);
  });

  it('a model whose features hold a NaN is left out; every score failing exits 1 (NOTHING_RANKED)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(dir, { good: [4, 2], fair: [4, 0.5] });
    await writeNpyFile(join(dir, 'nan.npy'), {
      dtype: 'float32',
      shape: [45, 4],
      data: Float32Array.from({ length: 180 }, (_, k) => (k === 7 ? Number.NaN : k % 5)),
    });
    const r = await run([...rankIn(dir), '--metrics', 'logme,gbc']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(
      /^Fine-tune good \(P\(best\) \d\.\d\d\): mean rank 1\.0 over 2 scores \(logme, gbc\)/,
    );
    expect(r.stderr).toContain('nan: left out of the recommendation: no score could score it (NON_FINITE)');
    const only = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(only, {});
    for (const id of ['x', 'y']) {
      await writeNpyFile(join(only, `${id}.npy`), {
        dtype: 'float32',
        shape: [45, 2],
        data: Float32Array.from({ length: 90 }, (_, k) => (k === 3 ? Number.NaN : k)),
      });
    }
    const none = await run([
      'rank',
      '--features-dir',
      only,
      '--labels',
      join(only, 'labels.npy'),
      '--metrics',
      'logme',
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('[NOTHING_RANKED]');
    expect(none.stdout).toBe('');
  });

  it('model names __proto__, constructor and toString are ranked and printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(
      dir,
      Object.fromEntries([
        ['__proto__', [4, 3]],
        ['constructor', [4, 1]],
        ['toString', [4, 0]],
      ]),
    );
    const r = await run([...rankIn(dir), '--metrics', 'logme', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.models.map((m: { id: string }) => m.id)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.keys(out.scores.logme)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(out.models[0].pBest).toBe(1);
  });

  it('--format json; warnings on stderr for saturating dimensions (published preset)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(dir, { wide: [50, 1], narrow: [3, 2], mid: [5, 1] });
    const r = await run([...rankIn(dir), '--metrics', 'logme', '--preset', 'published', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.samples).toBe(45);
    expect(out.models.map((m: { id: string }) => m.id).sort()).toEqual(['mid', 'narrow', 'wide']);
    expect(out.warnings.some((w: string) => w.startsWith('wide: feature dimension 50 ≥ 45 samples'))).toBe(
      true,
    );
    expect(r.stderr).toContain('emms: warning: wide: feature dimension 50 ≥ 45 samples');
    // the rank preset reduces the features first (K = max(C, N/16) = 3 here): no raw-dimension warning
    const reduced = await run([...rankIn(dir), '--metrics', 'logme']);
    expect(reduced.code).toBe(0);
    expect(reduced.stderr).not.toContain('feature dimension 50');
    const bad = await run([...rankIn(dir), '--preset', 'best']);
    expect(bad.code).toBe(2);
  });

  it('bad input: an empty folder and rows that disagree with the labels exit 1 with the code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(dir, {});
    const empty = await run(['rank', '--features-dir', dir, '--labels', join(dir, 'labels.npy')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('holds no <model>.npy, .npz or .safetensors feature file');
    await writeNpyFile(join(dir, 'short.npy'), {
      dtype: 'float32',
      shape: [4, 2],
      data: new Float32Array(8),
    });
    const rows = await run(['rank', '--features-dir', dir, '--labels', join(dir, 'labels.npy')]);
    expect(rows.code).toBe(1);
    expect(rows.stderr).toContain('model "short" has 4 feature rows');
    const usage = await run(['rank', '--labels', 'y.npy']);
    expect(usage.code).toBe(2);
  });
});

describe('emms bench', () => {
  it('--suite paper-cnn --features-dir scores every dataset against the published table', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emms-cli-suite-'));
    const table = JSON.parse(
      readFileSync(
        new URL('../../../../packages/harness/data/classification-cnn.json', import.meta.url),
        'utf8',
      ),
    ) as Record<string, Record<string, number>>;
    for (const dataset of ['cars', 'dtd', 'food']) {
      const models = Object.fromEntries(
        Object.keys(table[dataset]!).map((m, i) => [m, [3, i / 4] as [number, number]]),
      );
      await task(join(root, dataset), models, 8);
    }
    const out = join(root, 'out');
    const r = await run(
      [
        'bench',
        '--suite',
        'paper-cnn',
        '--features-dir',
        root,
        '--metrics',
        'logme,hscore',
        '--out',
        out,
        '--no-cache',
      ],
      { cwd: root },
    );
    expect(r.stderr).toContain('cars: 2 scores × 11 models done');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('task cars (');
    expect(r.stdout).toContain('agreement with paper-cnn (published)');
    expect(r.stdout).toMatch(/mean weighted τ against paper-cnn over 3 task\(s\)/);
    expect(r.stdout).toMatch(/\nlogme\s+-?\d\.\d+\s+3\s+0\.51\n/);
    expect(r.stdout).toContain('across 3 tasks (cars, dtd, food)');
    expect(r.stdout).toMatch(/\nrecommended: (logme|hscore): the highest mean weighted τ/);
    expect(r.stdout).toMatch(/\nFriedman over \d+ rankings: chi2 /);
    // three tasks: the report's cross-task section, its critical-difference diagram beside report.md
    expect(readdirSync(out).sort()).toEqual([
      'cd-diagram.svg',
      'report.csv',
      'report.html',
      'report.json',
      'report.md',
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.tasks.map((t: { id: string }) => t.id)).toEqual(['cars', 'dtd', 'food']);
    expect(report.crossTask.tasks).toEqual(['cars', 'dtd', 'food']);
  });

  it('--spec with an unknown field is a typed error naming the field', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emms-cli-spec-'));
    writeFileSync(
      join(root, 'bench.json'),
      JSON.stringify({ tasks: [{ dataset: 'mnist', trainPerClas: 3 }] }),
    );
    const r = await run(['bench', '--spec', 'bench.json'], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tasks[0].trainPerClas: unknown field');
  });

  it('bad usage exits 2', async () => {
    expect((await run(['bench', '--suite', 'paper-cnn'])).code).toBe(2);
    expect((await run(['bench', '--train-per-class', '0'])).code).toBe(2);
    expect((await run(['bench', '--seed', '1.5'])).code).toBe(2);
    expect((await run(['bench', '--suite', 'paper-xyz', '--features-dir', '.'])).code).toBe(2);
  });
});
