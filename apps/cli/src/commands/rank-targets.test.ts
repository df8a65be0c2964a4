import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMatrixFile, writeNpyFile } from '@emms/tensor-io/node';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { run } from '../test-helpers';

/** dir/full.npy (the shared fixture's X) and dir/half.npy (its first 16 columns). */
async function models(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'emms-cli-rank-targets-'));
  const x = await readMatrixFile(fixturePath('small', 'X.npy'));
  for (const [id, d] of [
    ['full', 64],
    ['half', 16],
  ] as const) {
    const data = new Float32Array(x.rows * d);
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < d; j++) data[i * d + j] = x.data[i * x.cols + j];
    await writeNpyFile(join(dir, `${id}.npy`), { dtype: 'float32', shape: [x.rows, d], data });
  }
  return dir;
}

describe('emms rank --targets and --classes', () => {
  it('ranks by regression targets: logme and emms scored, the rest NOT_APPLICABLE, pBest summing to 1', async () => {
    const dir = await models();
    const r = await run([
      'rank',
      '--features-dir',
      dir,
      '--targets',
      fixturePath('small', 'Z_bert.npy'),
      '--bootstrap',
      '20',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      kind: 'regression',
      classes: 0,
      targetColumns: 32,
      restsOn: ['emms', 'logme'],
    });
    expect(out.bootstrap.stratified).toBe('none');
    const total = out.models.reduce((s: number, m: { pBest: number }) => s + m.pBest, 0);
    expect(total).toBeCloseTo(1, 9);
    expect(out.models[0].byScore.sfda.error.code).toBe('NOT_APPLICABLE');
  });

  it('refuses --targets with --labels or --flabels (usage), and a NaN target (exit 1, naming file and row)', async () => {
    const dir = await models();
    const z = fixturePath('small', 'Z_bert.npy');
    expect((await run(['rank', '--features-dir', dir, '--targets', z, '--labels', z])).code).toBe(2);
    expect((await run(['rank', '--features-dir', dir, '--targets', z, '--flabels', z])).code).toBe(2);
    const bad = join(dir, 'y-nan.npy');
    const t = new Float64Array(300);
    t[4] = Number.POSITIVE_INFINITY;
    await writeNpyFile(bad, { dtype: 'float64', shape: [300], data: t });
    const r = await run(['rank', '--features-dir', dir, '--targets', bad, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'TARGET_NOT_FINITE', input: bad });
    expect(r.stderr).toContain('row 4 is Infinity');
  });

  it('--classes: names reported; a wrong count is CLASSES_MISMATCH naming the file and both counts', async () => {
    const dir = await models();
    const labels = join(dir, 'labels.npy');
    await writeNpyFile(labels, {
      dtype: 'int32',
      shape: [300],
      data: Int32Array.from({ length: 300 }, (_, i) => i % 3),
    });
    const names = join(dir, 'names.txt');
    writeFileSync(names, 'cat\ndog\nbird\n');
    const args = ['rank', '--features-dir', dir, '--labels', labels, '--classes', names];
    const ok = await run([...args, '--metrics', 'logme', '--bootstrap', '0', '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).classNames).toEqual(['cat', 'dog', 'bird']);
    writeFileSync(names, 'cat\ndog\n');
    const bad = await run([...args, '--bootstrap', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${names} has 2 class names, but the labels run 0..2 (3 classes)`);
  });
});
