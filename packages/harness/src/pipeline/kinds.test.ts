// Task kinds end to end on small real data: referring boxes, captions, a text CSV (by absolute, ./ and bare
// path), a regression manifest; per-dataset defaults; bad input as typed errors.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TEXT_TEMPLATES } from '@emms/label-embedders';
import { jsBackend } from '@emms/linalg';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultBenchSpec } from '../bench/defaults';
import { runBench } from '../bench/run';
import { offlineSuiteSpec, suiteTasks } from '../bench/suite';
import { type BenchSpecInput, parseBenchSpec } from '../spec';
import { defaultCandidates, taskCandidates } from './defaults';
import { validateSpec } from './validate';

const root = mkdtempSync(join(tmpdir(), 'emms-kinds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cache = join(root, 'cache');

const IMAGE = ['pixels', 'ppocr-cls', 'blazeface-front'];
const TEXT = ['bow-hash', 'fasttext-lid', 'use-lite-embeddings'];

function run(input: BenchSpecInput, cwd = root) {
  return runBench(parseBenchSpec({ cache, flabels: { embedders: ['bow-hash'] }, ...input }), {
    noWrite: true,
    backend: jsBackend,
    scorer: { backend: 'js' },
    cwd,
  });
}

/** Every file below a folder, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

const WORDS = {
  sport: ['match', 'goal', 'team', 'score', 'league', 'coach', 'player', 'season'],
  food: ['bread', 'soup', 'cheese', 'salad', 'recipe', 'oven', 'spice', 'dinner'],
};

function textCsv(name: string, rows: (klass: string, i: number) => string): string {
  const lines = ['text,label'];
  for (const [klass, words] of Object.entries(WORDS)) {
    for (let i = 0; i < 12; i++)
      lines.push(`${words[i % 8]} ${words[(i * 3 + 1) % 8]} ${rows(klass, i)},${klass}`);
  }
  const path = join(root, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('task kinds', () => {
  it('referring: ridge IoU and R² with per-item results and precision; class scores NOT_APPLICABLE', async () => {
    const { report } = await run({
      tasks: [{ dataset: 'referring-mnist', trainPerClass: 3, testPerClass: 2 }],
      candidates: IMAGE,
      scores: ['emms', 'logme', 'nleep'],
    });
    const t = report.tasks[0]!;
    expect(Object.keys(t.groundTruth).sort()).toEqual(['ridge-iou', 'ridge-r2']);
    for (const g of Object.values(t.groundTruth)) {
      expect(Object.keys(g.values)).toHaveLength(3);
      expect(g.items).toBeDefined();
      expect(g.precision?.items).toBe(20);
      expect(Object.keys(g.precision!.standardErrors)).toHaveLength(3);
    }
    expect(t.groundTruth['ridge-iou']!.items!.kind).toBe('mean');
    expect(t.groundTruth['ridge-r2']!.items!.kind).toBe('r2');
    const nleep = t.scores.nleep!;
    expect(Object.values(nleep.errors).map((e) => e.code)).toEqual(Array(3).fill('NOT_APPLICABLE'));
    expect(nleep.errors.pixels!.message).toMatch(/needs class labels; a referring task/);
    expect(Object.keys(t.scores.logme!.values)).toHaveLength(3); // LogME regresses on the boxes
    expect(Object.keys(t.scores.emms!.values)).toHaveLength(3);
    expect(t.agreement['ridge-iou']!.emms!.weightedTauInterval).toBeDefined();
    expect(t.flabels?.K).toBe(1); // one F-label: the expression's embedding with the box appended
    expect(t.flabels?.dims?.[0]).toBeGreaterThan(4);
  }, 240_000);

  it('captioning: caption retrieval with per-item correctness; LogME without targets NOT_APPLICABLE', async () => {
    const { report } = await run({
      tasks: [{ dataset: 'captioned-mnist', trainPerClass: 3, testPerClass: 2 }],
      candidates: IMAGE,
      scores: ['emms', 'logme'],
    });
    const t = report.tasks[0]!;
    const g = t.groundTruth['caption-retrieval']!;
    expect(Object.keys(g.correct ?? {})).toHaveLength(3);
    expect(g.precision?.verdict).toMatch(/separates|cannot-separate/);
    expect(Object.values(t.scores.logme!.errors).every((e) => e.code === 'NOT_APPLICABLE')).toBe(true);
    expect(Object.keys(t.scores.emms!.values)).toHaveLength(3);
  }, 240_000);

  it('a text CSV by absolute, ./ and bare path ranks text candidates; no task id in the store’s file names', async () => {
    const path = textCsv('my texts.csv', (k, i) => `${k} note ${i}`);
    const spec = (dataset: string): BenchSpecInput => ({
      tasks: [{ dataset, trainPerClass: 6, testPerClass: 6 }],
      candidates: TEXT,
      scores: ['emms', 'logme'],
    });
    const runs = [await run(spec(path)), await run(spec('./my texts.csv')), await run(spec('my texts.csv'))];
    for (const { report } of runs) {
      const t = report.tasks[0]!;
      expect(Object.keys(t.groundTruth['linear-probe']!.values).sort()).toEqual([...TEXT].sort());
      expect(t.flabels?.templates).toEqual([...TEXT_TEMPLATES]);
      expect(t.notes.some((n) => n.includes('text templates'))).toBe(true);
    }
    // the same split: the second and third runs computed nothing new
    expect(runs[2]!.report.run.cacheMisses).toBe(0);
    for (const f of files(cache)) expect(f).not.toMatch(/my texts|my-texts|\/\//);
  }, 240_000);

  it('a regression manifest: ridge R² ground truth, the targets as F-label, class scores NOT_APPLICABLE', async () => {
    const lines = ['text,target'];
    for (let i = 0; i < 24; i++)
      lines.push(`${WORDS.sport[i % 8]} ${WORDS.food[(i * 5) % 8]} ${i},${(i % 8) / 8}`);
    writeFileSync(join(root, 'reg.csv'), `${lines.join('\n')}\n`);
    const { report } = await run({
      tasks: [{ dataset: 'reg.csv', trainPerClass: 14, testPerClass: 10 }],
      candidates: TEXT,
      scores: ['emms', 'logme', 'hscore'],
    });
    const t = report.tasks[0]!;
    expect(Object.keys(t.groundTruth)).toEqual(['ridge-r2']);
    expect(t.groundTruth['ridge-r2']!.precision).toBeDefined();
    expect(Object.values(t.scores.hscore!.errors).every((e) => e.code === 'NOT_APPLICABLE')).toBe(true);
    expect(Object.keys(t.scores.logme!.values)).toHaveLength(3);
  }, 240_000);
});

describe('defaults per dataset', () => {
  it('a task without candidates gets the default candidates of its modality', () => {
    const spec = parseBenchSpec({ tasks: [{ dataset: 'spam-assassin' }, { dataset: 'mnist' }] });
    expect(taskCandidates(spec.tasks[0] as never, spec, root)).toEqual(defaultCandidates('text'));
    const image = taskCandidates(spec.tasks[1] as never, spec, root);
    // the base zoo and pixels: the earlier layers and the human-models backbones are the suite's
    expect(image).toContain('pixels');
    expect(image).toContain('ppocr-rec');
    expect(image.length).toBeGreaterThanOrEqual(10);
    expect(image.some((id) => /-s\d|-b\d|-pw\d|faceres|mobilefacenet/.test(id))).toBe(false);
    expect(() => validateSpec(spec, { cwd: root })).not.toThrow();
    expect(defaultCandidates('text')).toContain('bow-hash');
  });

  it('the offline suite: five tasks of four kinds, 20 pretrained image and 6 pretrained text candidates', () => {
    const tasks = suiteTasks('offline');
    expect(new Set(tasks.map((t) => t.kind)).size).toBe(4);
    expect(offlineSuiteSpec('offline').tasks).toHaveLength(5);
    const image = tasks[0]!.candidates.filter((c) => c !== 'pixels');
    expect(image.length).toBeGreaterThanOrEqual(20);
    expect(tasks.find((t) => t.kind === 'text classification')!.candidates.length).toBeGreaterThanOrEqual(5);
    expect(suiteTasks('offline-small').every((t) => t.candidates.length >= 3)).toBe(true);
  });
});

describe('bad input is a typed error naming it', () => {
  it('a class-names list of the wrong length', async () => {
    textCsv('two.csv', (k, i) => `${k} ${i}`);
    await expect(
      run({
        tasks: [{ dataset: 'two.csv', classes: ['a', 'b', 'c'], trainPerClass: 2, testPerClass: 2 }],
        candidates: TEXT,
      }),
    ).rejects.toMatchObject({ code: 'CLASSES_MISMATCH' });
  });

  it('an empty text', async () => {
    mkdirSync(join(root, 'bad'), { recursive: true });
    writeFileSync(join(root, 'bad', 'empty.csv'), 'text,label\nhello,a\n  ,b\n');
    await expect(
      run({ tasks: [{ dataset: 'bad/empty.csv', trainPerClass: 1, testPerClass: 1 }], candidates: TEXT }),
    ).rejects.toMatchObject({ code: 'EMPTY_TEXT' });
  });

  it('a NaN regression target', async () => {
    writeFileSync(join(root, 'bad', 'nan.csv'), 'text,target\nhello,1\nworld,NaN\n');
    await expect(
      run({ tasks: [{ dataset: 'bad/nan.csv', trainPerClass: 1, testPerClass: 1 }], candidates: TEXT }),
    ).rejects.toMatchObject({ code: 'TARGET_NOT_FINITE' });
  });

  it('a template without "{}"', () => {
    expect(() => defaultBenchSpec({ templates: ['a photo of a digit'] })).toThrow(
      expect.objectContaining({ code: 'TEMPLATE_INVALID', message: expect.stringContaining('{}') }),
    );
    expect(() =>
      parseBenchSpec({ tasks: [{ dataset: 'mnist', templates: ['no hole'] }], candidates: IMAGE }),
    ).toThrow(expect.objectContaining({ code: 'SPEC_INVALID' }));
  });

  it('a task too small to split says how many items each class has and needs', async () => {
    await expect(
      run({ tasks: [{ dataset: 'two.csv', trainPerClass: 10, testPerClass: 10 }], candidates: TEXT }),
    ).rejects.toMatchObject({ code: 'DATASET_INVALID', details: expect.objectContaining({ needs: 20 }) });
  });
});
