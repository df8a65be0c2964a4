// A spec's mistakes fail before any extraction: names, models, files, sizes, candidates per task; the
// store and output folders are checked up front; a run with nothing scored is an error on every executor.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { writeTask } from '../bench/fixtures.test-helper';
import { runBench } from '../bench/run';
import { parseBenchSpec } from '../spec';
import { ArtifactStore } from '../store';

const tmp = (p = 'emms-validate-') => mkdtempSync(join(tmpdir(), p));

/** Runs a spec and returns its typed error, checking that no feature was extracted. */
async function failure(
  spec: Record<string, unknown>,
): Promise<{ code: string; message: string; details?: unknown }> {
  const cache = join(tmp(), 'cache');
  const err = await runBench(parseBenchSpec({ cache, ...spec }), { noWrite: true }).catch((e: unknown) => e);
  expect(isEmmsError(err), String(err)).toBe(true);
  const features = join(cache, 'features');
  expect(existsSync(features) ? readdirSync(features) : []).toEqual([]);
  return err as { code: string; message: string; details?: unknown };
}

const mnist = (extra: Record<string, unknown> = {}) => ({
  tasks: [{ dataset: 'mnist', trainPerClass: 2, testPerClass: 2 }],
  candidates: ['ppocr-cls', 'ppocr-rec', 'pixels'],
  flabels: { embedders: [], templates: ['{}'] },
  scores: ['logme'],
  ...extra,
});

describe('a spec is validated before any extraction', () => {
  it('an unknown model', async () => {
    const e = await failure(mnist({ candidates: ['ppocr-cls', 'pixels', 'ppocr-recc'] }));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(e.message).toContain('"ppocr-recc"');
  });

  it('two candidates with one id, and two tasks with one id', async () => {
    const c = await failure(
      mnist({ candidates: ['ppocr-cls', 'pixels', { id: 'pixels', model: 'ppocr-rec' }] }),
    );
    expect(c.code).toBe('DUPLICATE_MODEL_NAME');
    const t = await failure(
      mnist({ tasks: [{ dataset: 'mnist', trainPerClass: 2, testPerClass: 2 }, { dataset: 'mnist' }] }),
    );
    expect(t.code).toBe('SPEC_INVALID');
    expect(t.message).toContain('two tasks are named "mnist"');
  });

  it('too few items per class: every short class with what it has and what it needs', async () => {
    const e = await failure(mnist({ tasks: [{ dataset: 'mnist', trainPerClass: 900, testPerClass: 200 }] }));
    expect(e.code).toBe('DATASET_INVALID');
    expect(e.message).toMatch(/fewer than trainPerClass \+ testPerClass = 1100 items \(0 has \d+, 2 has \d+/);
    expect(e.details).toMatchObject({
      needs: 1100,
      counts: { '0': expect.any(Number), '1': expect.any(Number) },
    });
  });

  it('files that do not exist: a model file, a model folder, a dataset', async () => {
    const dir = tmp();
    expect((await failure(mnist({ candidates: ['ppocr-cls', 'pixels', join(dir, 'gone.onnx')] }))).code).toBe(
      'FILE_NOT_FOUND',
    );
    expect(
      (await failure(mnist({ candidates: ['ppocr-cls', 'pixels', `local:${join(dir, 'vit')}`] }))).code,
    ).toBe('FILE_NOT_FOUND');
    const d = await failure(mnist({ tasks: [{ dataset: join(dir, 'images') }] }));
    expect(d.code).toBe('FILE_NOT_FOUND');
    expect(d.message).toContain(join(dir, 'images'));
  });

  it('a task with fewer than three candidates that can give features', async () => {
    const e = await failure(mnist({ candidates: ['ppocr-cls', 'pixels', { id: 'f', features: 'f.npy' }] }));
    expect(e.code).toBe('TASK_TOO_SMALL');
    expect(e.message).toContain('2 candidate(s) can give features');
  });
});

describe('folders are checked up front', () => {
  it('the store: a file, a path under a file, /proc — a typed error at once, naming the folder and the fix', () => {
    const dir = tmp();
    const file = join(dir, 'taken');
    writeFileSync(file, 'x');
    for (const [where, why] of [
      [file, 'is a file'],
      [join(file, 'sub'), `is under ${file}`],
      ['/proc/emms-store', 'pseudo file system'],
    ] as const) {
      let err: unknown;
      try {
        ArtifactStore.open(where);
      } catch (e) {
        err = e;
      }
      expect(isEmmsError(err, 'CACHE_UNWRITABLE')).toBe(true);
      expect((err as Error).message).toContain(why);
      expect((err as Error).message).toContain('give a writable folder');
    }
  });

  it('the output folder of runBench, before any work', async () => {
    const e = await runBench(parseBenchSpec({ ...mnist(), out: '/proc/emms-out', cache: false })).catch(
      (x: unknown) => x,
    );
    expect(isEmmsError(e, 'FILE_UNWRITABLE')).toBe(true);
  });

  it('keeps step records, results and artifacts inside the store', () => {
    const store = new ArtifactStore(tmp());
    store.putRecord('ab'.repeat(32), { x: 1 });
    expect(store.getRecord('ab'.repeat(32))).toEqual({ x: 1 });
    expect(store.getRecord('cd'.repeat(32))).toBeUndefined();
    expect(() => store.path('../outside')).toThrow(/leaves the store/);
    expect(store.path('features/a.npy')).toBe(join(store.dir!, 'features', 'a.npy'));
  });
});

describe('a run where nothing can be scored is an error on every executor', () => {
  it.each(['inprocess', 'threads'] as const)(
    '%s',
    async (executorName) => {
      const root = tmp();
      await writeTask(join(root, 'f'), {
        a: { d: 3, signal: 0 },
        b: { d: 3, signal: 1 },
        c: { d: 3, signal: 2 },
      });
      writeFileSync(join(root, 'truth.json'), JSON.stringify({ a: 1, b: 2, c: 3 }));
      const spec = parseBenchSpec({
        tasks: [{ id: 'f', featuresDir: join(root, 'f'), labels: join(root, 'f', 'labels.npy') }],
        scores: ['leep'], // no model has source probabilities
        groundTruth: { table: join(root, 'truth.json') },
        cache: join(root, 'cache'),
        out: join(root, 'out'),
      });
      const err = await runBench(spec, { executorName }).catch((e: unknown) => e);
      expect(isEmmsError(err, 'NOTHING_SCORED')).toBe(true);
      expect(readdirSync(join(root, 'out')).sort()).toEqual([
        'report.csv',
        'report.html',
        'report.json',
        'report.md',
      ]);
    },
    60_000,
  );
});
