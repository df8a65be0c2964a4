import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../extract';
import { readManifest } from '../manifest';
import { tempDir } from '../testing/fixtures';
import { CTX_PROJ, embedding, VOCAB, writeTinyCaptioner } from '../testing/tiny-hf';
import { lastHiddenStateName, openCaptionModel } from './captioning';

const dir = tempDir('cap');

describe('captioning candidates (teacher-forced decoder states)', () => {
  it('averages the decoder last hidden state over each caption, one row per caption', async () => {
    const folder = writeTinyCaptioner(join(dir, 'tiny-cap'));
    expect(lastHiddenStateName(readFileSync(join(folder, 'onnx', 'decoder_model.onnx')))).toBe('hidden');
    mkdirSync(join(dir, 'imgs'), { recursive: true });
    const colours = [
      [255, 0, 51],
      [0, 102, 204],
    ];
    for (const [k, c] of colours.entries()) {
      await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } })
        .png()
        .toFile(join(dir, 'imgs', `${k}.png`));
    }
    writeFileSync(
      join(dir, 'caps.jsonl'),
      '{"path":"imgs/0.png","captions":["red","red green"]}\n{"path":"imgs/1.png","caption":"blue blue green"}\n',
    );
    const ds = readManifest(join(dir, 'caps.jsonl'));
    expect(ds.modality).toBe('image-text');
    expect(ds.items.map((i) => [i.id, i.label])).toEqual([
      ['imgs/0.png#0', 0],
      ['imgs/0.png#1', 0],
      ['imgs/1.png#0', 1],
    ]);
    const model = await openCaptionModel({ folder });
    const r = await extractFeatures({ dataset: ds, model, outDir: join(dir, 'out'), batchSize: 2 });
    expect(r.features.rows).toBe(3);
    // tokens: [CLS] words [SEP]; context = normalised colour · CTX_PROJ
    const want = (colour: number[], words: string[]) => {
      const ids = [VOCAB['[CLS]'], ...words.map((w) => VOCAB[w]), VOCAB['[SEP]']];
      const x = colour.map((c) => (c / 255 - 0.5) / 0.5);
      return [0, 1].map(
        (k) =>
          ids.reduce((a, i) => a + embedding(i)[k], 0) / ids.length +
          x.reduce((a, v, j) => a + v * CTX_PROJ[j][k], 0),
      );
    };
    const expected = [
      ...want(colours[0], ['red']),
      ...want(colours[0], ['red', 'green']),
      ...want(colours[1], ['blue', 'blue', 'green']),
    ];
    for (const [i, v] of expected.entries()) expect(r.features.data[i]).toBeCloseTo(v, 4);
    await model.dispose();
  });

  it('names what a captioning folder lacks', async () => {
    mkdirSync(join(dir, 'empty'), { recursive: true });
    await expect(openCaptionModel({ folder: join(dir, 'empty') })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringContaining('onnx/decoder_model.onnx'),
    });
  });
});
