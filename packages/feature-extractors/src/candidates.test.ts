import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HashedBowEmbedder } from '@emms/label-embedders';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PIXELS_PREPROCESSING } from './backends/pixels';
import { listCandidates } from './candidates';
import { readImageFolder, readMnistPackage, selectItems } from './dataset';
import { makeReferringDigits } from './datasets/referring-digits';
import { extractFeatures } from './extract';
import { readManifest } from './manifest';
import { openModel } from './models';
import { tempDir } from './testing/fixtures';

const dir = tempDir('candidates');

describe('the pixels reference candidate', () => {
  it('gives the 784 pixels / 255 of an MNIST digit, exactly, through the cached extraction', async () => {
    const mnist = readMnistPackage();
    const model = await openModel('pixels');
    expect(model.id).toBe('pixels');
    expect(model.preprocessing).toMatchObject({ width: 28, height: 28, channels: 'L' });
    const r = await extractFeatures({ dataset: mnist, model, outDir: dir, limit: 2, split: 'test' });
    const { items } = selectItems(mnist, { limit: 2, split: 'test' });
    expect(r.features.cols).toBe(784);
    items.forEach((it, i) => {
      const px = it.source.kind === 'pixels' ? it.source.data : new Uint8Array();
      const want = Float32Array.from(px, (v) => v / 255);
      expect(r.features.data.subarray(i * 784, (i + 1) * 784)).toEqual(want);
    });
    const again = await extractFeatures({ dataset: mnist, model, outDir: dir, limit: 2, split: 'test' });
    expect(again.reused).toBe(true);
  });

  it('resizes any image dataset to 28×28 grey: canvases and colour image files', async () => {
    const ref = makeReferringDigits({ perClass: 1 });
    const model = await openModel('pixels');
    const a = await extractFeatures({ dataset: ref, model, outDir: join(dir, 'ref') });
    expect([a.features.rows, a.features.cols]).toEqual([10, 784]);
    expect(a.features.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    const root = join(dir, 'colour');
    for (const c of ['red', 'white']) {
      mkdirSync(join(root, c), { recursive: true });
      const rgb = c === 'red' ? { r: 255, g: 0, b: 0 } : { r: 255, g: 255, b: 255 };
      await sharp({ create: { width: 40, height: 30, channels: 3, background: rgb } })
        .png()
        .toFile(join(root, c, 'a.png'));
    }
    const b = await extractFeatures({
      dataset: readImageFolder(root),
      model,
      outDir: join(dir, 'colour-out'),
    });
    expect(b.features.cols).toBe(784);
    expect(b.features.data[784]).toBeCloseTo(1, 6); // white stays 1
    expect(b.features.data[0]).toBeGreaterThan(0.2); // red becomes a mid grey (sharp's b-w conversion: 127)
    expect(b.features.data[0]).toBeLessThan(0.6);
    expect(PIXELS_PREPROCESSING.range).toEqual([0, 255]);
  });
});

describe('text candidates through openModel', () => {
  it('runs the bag-of-words reference over a text dataset like any model', async () => {
    const p = join(dir, 'texts.csv');
    writeFileSync(p, 'text,label\ncheap pills now,spam\nsee you at noon,ham\nwin money,spam\n');
    const ds = readManifest(p);
    const model = await openModel('bow-hash');
    expect(model.modality).toBe('text');
    const r = await extractFeatures({ dataset: ds, model, outDir: join(dir, 'text') });
    const direct = await new HashedBowEmbedder().embed(['cheap pills now', 'see you at noon', 'win money'], {
      cache: null,
    });
    // items are in file order; rows follow them
    expect(r.features.data).toEqual(direct.data);
    await expect(
      openModel('fasttext-lid').then((m) =>
        extractFeatures({ dataset: ds, model: m, outDir: join(dir, 'ft') }),
      ),
    ).resolves.toMatchObject({ features: { rows: 3, cols: 16 } });
  });

  it('refuses a text model on images, naming both', async () => {
    const model = await openModel('bow-hash');
    await expect(
      extractFeatures({ dataset: readMnistPackage(), model, outDir: dir, limit: 1 }),
    ).rejects.toMatchObject({
      code: 'DATASET_INVALID',
    });
  });
});

describe('the candidate list', () => {
  it('has at least 20 pretrained image candidates, 5 text candidates and a reference of each modality', () => {
    const image = listCandidates('image');
    const text = listCandidates('text');
    expect(image.filter((c) => c.kind === 'pretrained').length).toBeGreaterThanOrEqual(20);
    expect(text.filter((c) => c.kind === 'pretrained').length).toBeGreaterThanOrEqual(5);
    expect(image.find((c) => c.kind === 'reference')?.id).toBe('pixels');
    expect(text.find((c) => c.kind === 'reference')?.id).toBe('bow-hash');
    expect([...image, ...text].every((c) => c.featureDim > 0)).toBe(true);
    expect(text.find((c) => c.id === 'fasttext-lid')?.featureDim).toBe(16);
  });
});
