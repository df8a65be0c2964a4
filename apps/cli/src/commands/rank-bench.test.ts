import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalFrom, seededRandom } from '@emms/tensor-io';
import { writeNpyFile } from '@emms/tensor-io/node';
import { describe, expect, it } from 'vitest';
import { run } from '../test-helpers';

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
    const r = await run([
      'rank',
      '--features-dir',
      dir,
      '--labels',
      join(dir, 'labels.npy'),
      '--metrics',
      'logme,hscore',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^rank\s+model\s+D\s+mean rank\s+logme\s+hscore$/);
    expect(lines[1]).toMatch(/^\s*1\s+strong\s+4\s+1\s+\S+ \(#1\)\s+\S+ \(#1\)$/);
    expect(lines.at(-1)).toMatch(
      /^Fine-tune strong: best mean rank \(1\.0\) over 2 score\(s\), first by 2 of 2 \(logme, hscore\)\.$/,
    );
    expect(r.stderr).not.toContain('disagree');
  });

  it('--format json; warnings on stderr for saturating dimensions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(dir, { wide: [50, 1], narrow: [3, 2], mid: [5, 1] });
    const r = await run([
      'rank',
      '--features-dir',
      dir,
      '--labels',
      join(dir, 'labels.npy'),
      '--metrics',
      'logme',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.samples).toBe(45);
    expect(out.models.map((m: { id: string }) => m.id).sort()).toEqual(['mid', 'narrow', 'wide']);
    expect(out.warnings.some((w: string) => w.startsWith('wide: feature dimension 50 ≥ 45 samples'))).toBe(
      true,
    );
    expect(r.stderr).toContain('emms: warning: wide: feature dimension 50 ≥ 45 samples');
  });

  it('bad input: an empty folder and rows that disagree with the labels exit 1 with the code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-'));
    await task(dir, {});
    const empty = await run(['rank', '--features-dir', dir, '--labels', join(dir, 'labels.npy')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('holds no <model>.npy or .npz feature file');
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
    expect(readdirSync(out).sort()).toEqual(['report.csv', 'report.html', 'report.json', 'report.md']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.tasks.map((t: { id: string }) => t.id)).toEqual(['cars', 'dtd', 'food']);
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
