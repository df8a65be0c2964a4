import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { parseBenchSpec, readBenchSpec } from './spec';

/** The SPEC_INVALID error of a spec, with its issue paths. */
function failure(value: unknown): { message: string; paths: string[] } {
  try {
    parseBenchSpec(value, 'bench.json');
  } catch (e) {
    if (!isEmmsError(e, 'SPEC_INVALID')) throw e;
    const issues = (e.details as { issues: { path: string }[] }).issues;
    return { message: e.message, paths: issues.map((i) => i.path) };
  }
  throw new Error('spec was accepted');
}

describe('bench spec', () => {
  it('fills in defaults for a minimal dataset task', () => {
    const s = parseBenchSpec({ tasks: [{ dataset: 'mnist' }] });
    expect(s.tasks[0]).toEqual({ dataset: 'mnist', trainPerClass: 40, testPerClass: 20, seed: 0 });
    expect(s.groundTruth).toEqual({ measured: ['linear-probe', 'knn'], knnK: 10, bootstrapReps: 1000 });
    expect(s.preprocessing.reduce).toBe('none');
    expect(s.cache).toBe('.emms-cache');
  });

  it('accepts every kind of candidate, score, F-label and ground truth', () => {
    const s = parseBenchSpec({
      tasks: [{ id: 'f', featuresDir: 'features', labels: 'y.npy', flabels: ['z.npy'] }],
      candidates: [
        'ppocr-det',
        'm.onnx',
        'hf:org/vit',
        'local:./vit',
        'pixels',
        { id: 'x', features: 'x.npy' },
      ],
      flabels: { embedders: ['use-lite', { id: 'glove', optional: true }], templates: ['a {}', '{}'] },
      scores: ['emms', { id: 'nleep', options: { seed: 3 } }],
      plugins: ['@emms/metric-pactran'],
      preprocessing: { reduce: 'pca:64' },
      groundTruth: { table: 'truth.csv', dataset: 'cifar10' },
      out: 'out',
      cache: false,
    });
    expect(s.candidates).toHaveLength(6);
    expect(s.scores[1]).toEqual({ id: 'nleep', options: { seed: 3 } });
    expect(
      parseBenchSpec({ tasks: [{ dataset: 'mnist' }], groundTruth: { published: 'paper-cnn' } }).groundTruth,
    ).toEqual({
      published: 'paper-cnn',
    });
  });

  it('rejects an unknown top-level field, naming it', () => {
    const f = failure({ tasks: [{ dataset: 'mnist' }], outt: 'x' });
    expect(f.paths).toEqual(['outt']);
    expect(f.message).toContain('bench.json: outt: unknown field');
  });

  it('rejects an unknown field inside a task, naming its path', () => {
    const f = failure({ tasks: [{ dataset: 'mnist', trainPerClas: 5 }] });
    expect(f.paths).toEqual(['tasks[0].trainPerClas']);
  });

  it('rejects a train size that is not a positive integer', () => {
    expect(failure({ tasks: [{ dataset: 'mnist', trainPerClass: 0 }] }).paths).toEqual([
      'tasks[0].trainPerClass',
    ]);
    expect(failure({ tasks: [{ dataset: 'mnist', testPerClass: 2.5 }] }).paths).toEqual([
      'tasks[0].testPerClass',
    ]);
  });

  it('rejects an empty task list', () => {
    expect(failure({ tasks: [] }).paths).toEqual(['tasks']);
  });

  it('rejects a candidate with both a model and a feature file', () => {
    const f = failure({
      tasks: [{ dataset: 'mnist' }],
      candidates: [{ id: 'a', model: 'x.onnx', features: 'x.npy' }],
    });
    expect(f.paths).toEqual(['candidates[0].model']);
    expect(f.message).toContain('exactly one of "model" and "features"');
  });

  it('rejects a template without a placeholder', () => {
    const f = failure({ tasks: [{ dataset: 'mnist' }], flabels: { templates: ['a photo'] } });
    expect(f.paths).toEqual(['flabels.templates[0]']);
    expect(f.message).toContain('"{}"');
  });

  it('rejects a bad reduce option', () => {
    for (const reduce of ['pca:0', 'pca:x', 'pca', 'svd:3']) {
      expect(failure({ tasks: [{ dataset: 'mnist' }], preprocessing: { reduce } }).paths).toEqual([
        'preprocessing.reduce',
      ]);
    }
  });

  it('rejects an unknown published table and an unknown ground-truth field', () => {
    expect(failure({ tasks: [{ dataset: 'mnist' }], groundTruth: { published: 'paper-xyz' } }).paths).toEqual(
      ['groundTruth.published'],
    );
    expect(
      failure({ tasks: [{ dataset: 'mnist' }], groundTruth: { table: 't.csv', datset: 'a' } }).paths,
    ).toEqual(['groundTruth.datset']);
  });

  it('rejects a score object with an unknown field', () => {
    expect(failure({ tasks: [{ dataset: 'mnist' }], scores: [{ id: 'emms', option: {} }] }).paths).toEqual([
      'scores[0].option',
    ]);
  });

  it('reads a file: not JSON and missing files are typed errors naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-spec-'));
    writeFileSync(join(dir, 'bad.json'), '{ tasks: ');
    await expect(readBenchSpec(join(dir, 'bad.json'))).rejects.toMatchObject({
      code: 'SPEC_INVALID',
      input: join(dir, 'bad.json'),
    });
    await expect(readBenchSpec(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ tasks: [{ dataset: 'mnist', trainPerClass: 5 }] }));
    expect((await readBenchSpec(join(dir, 'ok.json'))).tasks[0]).toMatchObject({ trainPerClass: 5 });
    writeFileSync(join(dir, 'unknown.json'), JSON.stringify({ tasks: [{ dataset: 'mnist' }], extra: 1 }));
    await expect(readBenchSpec(join(dir, 'unknown.json'))).rejects.toThrow(
      `${join(dir, 'unknown.json')}: extra: unknown field`,
    );
  });
});
