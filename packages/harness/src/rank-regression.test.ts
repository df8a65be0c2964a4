import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRegistry } from '@emms/metrics';
import { isEmmsError } from '@emms/tensor-io';
import { readMatrixFile, writeNpyFile } from '@emms/tensor-io/node';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { rankFeatures } from './rank';
import reference from './test-data/regression-reference.json';
import { bootstrapScores } from './trust/bootstrap';

// Reference values: scripts/regression_reference.py (numpy), on the shared fixture "small":
// models "full" = X (300×64) and "half" = X[:, :16], regression target Z_bert (300×32).
const X = fixturePath('small', 'X.npy');
const Z = fixturePath('small', 'Z_bert.npy');
const close = (ours: number, want: number, rtol = 1e-6) =>
  expect(Math.abs(ours - want)).toBeLessThanOrEqual(rtol * Math.abs(want));

async function modelsDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'emms-rank-reg-'));
  copyFileSync(X, join(dir, 'full.npy'));
  const x = await readMatrixFile(X);
  const half = new Float32Array(x.rows * 16);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < 16; j++) half[i * 16 + j] = x.data[i * x.cols + j];
  await writeNpyFile(join(dir, 'half.npy'), { dtype: 'float32', shape: [x.rows, 16], data: half });
  return dir;
}

async function errorOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isEmmsError(e)) return e;
    throw e;
  }
  throw new Error('expected a typed error');
}

describe('rankFeatures with regression targets', () => {
  it('runs LogME on the targets and EMMS with them as its F-label, equal to numpy; the rest are NOT_APPLICABLE', async () => {
    const dir = await modelsDir();
    const r = await rankFeatures({ featuresDir: dir, targets: [Z], preset: 'published', bootstrap: 0 });
    expect(r).toMatchObject({ kind: 'regression', samples: 300, classes: 0, targetColumns: 32 });
    for (const model of ['full', 'half'] as const) {
      close(r.scores.get('logme')!.get(model)!.value!, reference.full[model].logme);
      close(r.scores.get('emms')!.get(model)!.value!, reference.full[model].emms);
    }
    const others = defaultRegistry.list().filter((m) => m.id !== 'logme' && m.id !== 'emms');
    for (const m of others) {
      const cell = r.scores.get(m.id)!.get('full')!;
      expect(cell.error?.code, m.id).toBe('NOT_APPLICABLE');
      expect(cell.error?.message).toMatch(/needs class labels.*continuous regression targets/);
    }
    expect(r.restsOn).toEqual(['emms', 'logme']);
    expect(r.models.map((m) => m.id)).toEqual(['full', 'half']);
  });

  it('the bootstrap rescores the resampled rows: one resample equals numpy on the rows repeated', async () => {
    const dir = await modelsDir();
    const features = await readMatrixFile(join(dir, 'full.npy'));
    const half = await readMatrixFile(join(dir, 'half.npy'));
    const targets = await readMatrixFile(Z);
    const counts = Float64Array.from({ length: 300 }, (_, i) => i % 3);
    const scores = ['logme', 'emms'].map((id) => ({
      metric: defaultRegistry.get(id),
      options: defaultRegistry.get(id).parseOptions({}),
      models: ['full', 'half'],
    }));
    const out = await bootstrapScores({
      task: 't',
      targets,
      models: [
        { id: 'full', features },
        { id: 'half', features: half },
      ],
      scores,
      reduce: 'none',
      counts: [counts],
      resamplesKey: 'one',
    });
    for (const id of ['logme', 'emms'] as const) {
      const o = out.get(id)!;
      if (!('values' in o)) throw new Error(o.unavailable);
      for (const model of ['full', 'half'] as const)
        close(o.values.get(model)![0], reference.resample[model][id]);
    }
  });

  it('gives P(best) over unstratified resamples, summing to 1', async () => {
    const dir = await modelsDir();
    const r = await rankFeatures({ featuresDir: dir, targets: [Z], bootstrap: 20 });
    expect(r.bootstrap).toMatchObject({ reps: 20, stratified: 'none' });
    expect(r.bootstrap!.notBootstrapped.size).toBe(0);
    const total = r.models.reduce((s, m) => s + (m.pBest ?? 0), 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it('refuses a NaN target naming the file and the row, and labels with targets', async () => {
    const dir = await modelsDir();
    const bad = join(dir, 'bad-target.npy');
    const t = new Float64Array(300).fill(1);
    t[17] = Number.NaN;
    await writeNpyFile(bad, { dtype: 'float64', shape: [300], data: t });
    const e = await errorOf(rankFeatures({ featuresDir: dir, targets: [bad], bootstrap: 0 }));
    expect(e.code).toBe('TARGET_NOT_FINITE');
    expect(e.input).toBe(bad);
    expect(e.message).toContain(`target file ${bad}: row 17 is NaN`);
    const both = await errorOf(
      rankFeatures({ featuresDir: dir, targets: [Z], labels: join(dir, 'x.npy'), bootstrap: 0 }),
    );
    expect(both.code).toBe('INVALID_OPTION');
  });

  it('checks class names against the labels: a wrong count names the file, both counts and the fix', async () => {
    const dir = await modelsDir();
    const labels = join(dir, 'labels.npy');
    await writeNpyFile(labels, {
      dtype: 'int64',
      shape: [300],
      data: BigInt64Array.from({ length: 300 }, (_, i) => BigInt(i % 5)),
    });
    const names = join(dir, 'classes.txt');
    writeFileSync(names, 'a\nb\nc\nd\ne\n');
    const ok = await rankFeatures({
      featuresDir: dir,
      labels,
      classes: names,
      bootstrap: 0,
      metrics: ['logme'],
    });
    expect(ok.classNames).toEqual(['a', 'b', 'c', 'd', 'e']);
    writeFileSync(names, 'a\nb\nc\n');
    const e = await errorOf(rankFeatures({ featuresDir: dir, labels, classes: names, bootstrap: 0 }));
    expect(e.code).toBe('CLASSES_MISMATCH');
    expect(e.message).toBe(
      `${names} has 3 class names, but the labels run 0..4 (5 classes); give one name per class, line i naming class i`,
    );
  });
});
