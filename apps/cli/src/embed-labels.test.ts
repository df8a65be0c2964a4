// The label-embedding pipeline end to end: `emms embed-labels` (real USE-lite weights) on the
// constructed five-task MNIST example set, then `emms score --metrics emms,logme` on its output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '@emms/tensor-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './test-helpers';

const EX = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/label-embedders/examples/digits');
/** The three candidate "models": pixel pooling and two real OCR networks, same 100 digits. */
const FEATURES = ['features.npy', 'features-ppocr-rec.npy', 'features-ppocr-cls.npy'];
const npy = (p: string) => parseNpy(new Uint8Array(readFileSync(p)));
const jsonl = (name: string) =>
  readFileSync(join(EX, name), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'emms-embed-labels-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function score(args: string[]): Promise<Record<string, number>> {
  const r = await run(['score', ...args, '--metrics', 'emms,logme', '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const scores = JSON.parse(r.stdout).scores as Record<string, number>;
  expect(Number.isFinite(scores.emms)).toBe(true);
  expect(Number.isFinite(scores.logme)).toBe(true);
  return scores;
}

describe('emms embed-labels → emms score on the constructed MNIST tasks', () => {
  it('classification: class names embedded once, gathered by label', async () => {
    const r = await run([
      'embed-labels',
      '--task',
      'classification',
      '--classes',
      join(EX, 'classes.txt'),
      '--labels',
      join(EX, 'labels.txt'),
      '--embedder',
      'use-lite',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const z = npy(join(out, 'classification.use-lite.npy'));
    expect(z.shape).toEqual([300, 512]);
    const d = z.data as Float32Array;
    const row = (i: number) => Array.from(d.slice(i * 512, (i + 1) * 512));
    expect(row(0)).toEqual(row(29)); // samples 0..29 are all zeros
    expect(row(0)).not.toEqual(row(30));
    const side = JSON.parse(readFileSync(join(out, 'classification.use-lite.json'), 'utf8'));
    expect(side).toMatchObject({ task: 'classification', embedder: 'use-lite', distinctTexts: 10 });
    for (const f of FEATURES) {
      await score([
        '--features',
        join(EX, f),
        '--labels',
        join(EX, 'labels.txt'),
        '--flabels',
        join(out, 'classification.use-lite.npy'),
      ]);
    }
  });

  it('VQA: answers become classes over the answer vocabulary', async () => {
    const r = await run(['embed-labels', '--task', 'vqa', '--input', join(EX, 'vqa.jsonl'), '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'vqa.classes.txt'), 'utf8')).toBe('one\nnone\ntwo\n');
    await score([
      '--features',
      join(EX, 'features.npy'),
      '--labels',
      join(out, 'vqa.labels.npy'),
      '--flabels',
      join(out, 'vqa.use-lite.npy'),
    ]);
  });

  for (const [task, file] of [
    ['captioning', 'captions.jsonl'],
    ['tqa', 'tqa.jsonl'],
  ] as const) {
    it(`${task}: one row per text, features repeated to match`, async () => {
      const r = await run([
        'embed-labels',
        '--task',
        task,
        '--input',
        join(EX, file),
        '--features',
        join(EX, 'features.npy'),
        '--out',
        out,
      ]);
      expect(r.code).toBe(0);
      expect(npy(join(out, `${task}.use-lite.npy`)).shape).toEqual([600, 512]);
      const X = npy(join(EX, 'features.npy')).data as Float32Array;
      const Xr = npy(join(out, `${task}.features.npy`));
      expect(Xr.shape).toEqual([600, 49]);
      // every sample has two texts, so rows 2i and 2i+1 are sample i's features
      expect(Array.from((Xr.data as Float32Array).slice(3 * 49, 4 * 49))).toEqual(
        Array.from(X.slice(49, 98)),
      );
      const Z = join(out, `${task}.use-lite.npy`);
      await score(['--features', join(out, `${task}.features.npy`), '--targets', Z, '--flabels', Z]);
    });
  }

  it('rec: expression embedding plus the normalised ink box', async () => {
    const r = await run(['embed-labels', '--task', 'rec', '--input', join(EX, 'rec.jsonl'), '--out', out]);
    expect(r.code).toBe(0);
    const z = npy(join(out, 'rec.use-lite.npy'));
    expect(z.shape).toEqual([300, 516]);
    const first = jsonl('rec.jsonl')[0];
    const tail = Array.from((z.data as Float32Array).slice(512, 516));
    first.box.forEach((v: number, j: number) => {
      expect(tail[j]).toBeCloseTo(v / 28, 6);
    });
    const Z = join(out, 'rec.use-lite.npy');
    await score(['--features', join(EX, 'features.npy'), '--targets', Z, '--flabels', Z]);
  });

  it('names the sample whose box lies outside its image, and a missing model folder', async () => {
    const bad = join(out, 'bad.jsonl');
    writeFileSync(
      bad,
      '{"id":"ref-3","expression":"the cat","box":[20,0,10,5],"image_width":28,"image_height":28}\n',
    );
    const r = await run(['embed-labels', '--task', 'rec', '--input', bad, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ref-3.*outside.*\[EMBEDDER_INPUT\]/);
    const m = await run([
      'embed-labels',
      '--task',
      'classification',
      '--labels',
      join(EX, 'labels.txt'),
      '--classes',
      join(EX, 'classes.txt'),
      '--embedder',
      `local:${join(out, 'no-model')}`,
      '--out',
      out,
    ]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/no-model.*\[MODEL_NOT_FOUND\]/);
  });
});
