import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageFolder } from '../dataset';
import { extractFeatures } from '../extract';
import { readManifest } from '../manifest';
import { tempDir } from '../testing/fixtures';
import { embedding, writeTinyBert, writeTinyVit } from '../testing/tiny-hf';
import { openTransformersModel } from './transformers';

const dir = tempDir('hf');

describe('transformers.js backend (local folders, offline)', () => {
  it('extracts image features from a generated ViT-shaped folder: cls = first pixel, mean = mean pixel', async () => {
    const folder = writeTinyVit(join(dir, 'tiny-vit'));
    const root = join(dir, 'imgs');
    // two constant-colour 4×4 images, so resizing cannot change them
    const colours = [
      [255, 0, 51],
      [0, 102, 204],
    ];
    for (const [k, c] of colours.entries()) {
      mkdirSync(join(root, `c${k}`), { recursive: true });
      await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } })
        .png()
        .toFile(join(root, `c${k}`, 'x.png'));
    }
    const ds = readImageFolder(root);
    for (const pool of ['cls', 'mean'] as const) {
      const model = await openTransformersModel({ folder, pool });
      const r = await extractFeatures({ dataset: ds, model, outDir: join(dir, `out-${pool}`) });
      expect(r.features.cols).toBe(3);
      for (const [k, c] of colours.entries()) {
        for (let j = 0; j < 3; j++)
          expect(r.features.data[k * 3 + j]).toBeCloseTo((c[j] / 255 - 0.5) / 0.5, 5);
      }
      await model.dispose();
    }
  });

  it('embeds texts with mean pooling over real tokens only', async () => {
    const folder = writeTinyBert(join(dir, 'tiny-bert'));
    writeFileSync(
      join(dir, 'texts.jsonl'),
      '{"text":"red","label":"warm"}\n{"text":"green blue blue","label":"cold"}\n',
    );
    const ds = readManifest(join(dir, 'texts.jsonl'));
    const model = await openTransformersModel({ folder, modality: 'text' });
    const r = await extractFeatures({ dataset: ds, model, outDir: join(dir, 'out-text') });
    // [CLS] red [SEP] = ids 2 4 3; [CLS] green blue blue [SEP] = 2 5 6 6 3 (the first is padded to 5)
    const mean = (ids: number[]) =>
      [0, 1].map((j) => ids.reduce((a, i) => a + embedding(i)[j], 0) / ids.length);
    const want = [...mean([2, 4, 3]), ...mean([2, 5, 6, 6, 3])];
    for (const [i, v] of want.entries()) expect(r.features.data[i]).toBeCloseTo(v, 5);
    expect([...r.labels]).toEqual([1, 0]);
    await model.dispose();
  });

  it('gives its own error for a missing or incomplete folder', async () => {
    await expect(openTransformersModel({ folder: join(dir, 'nope') })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      input: join(dir, 'nope'),
    });
    mkdirSync(join(dir, 'half'), { recursive: true });
    writeFileSync(join(dir, 'half', 'config.json'), '{}');
    await expect(openTransformersModel({ folder: join(dir, 'half') })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringContaining('onnx/model.onnx'),
    });
  });
});
