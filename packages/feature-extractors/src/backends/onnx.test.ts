import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../extract';
import { listGraphTensors } from '../onnx-graph';
import { bytes, pixelDataset, tempDir } from '../testing/fixtures';
import { needs16Pixels, tinyConvNet } from '../testing/onnx-graphs';
import { listOnnxTensors, openOnnxModel } from './onnx';

const dir = tempDir('onnx');
const convPath = join(dir, 'conv.onnx');
writeFileSync(convPath, tinyConvNet());
const images = [0, 1, 2, 3, 4, 5].map((s) => bytes(16, s + 1));
const ds = pixelDataset(images, [0, 0, 0, 1, 1, 1], 4, 4);
const pre = { width: 4, height: 4, channels: 'L', range: [-1, 1] } as const;

/** Hand computation: x = p/255·2 − 1; channel 0 = relu(2x+1), channel 1 = relu(−x). */
function expected(px: number[]): [number, number] {
  let a = 0;
  let b = 0;
  for (const p of px) {
    const x = (p / 255) * 2 - 1;
    a += Math.max(0, 2 * x + 1);
    b += Math.max(0, -x);
  }
  return [a / px.length, b / px.length];
}

describe('onnxruntime-node backend', () => {
  it('reads an intermediate tensor and average-pools it to the hand-computed numbers', async () => {
    const model = await openOnnxModel(convPath, { output: 'relu', pool: 'avg', preprocessing: pre });
    expect(model.preprocessing).toMatchObject({ width: 4, height: 4, layout: 'NCHW', channels: 'L' });
    const r = await extractFeatures({ dataset: ds, model, outDir: join(dir, 'out1'), batchSize: 4 });
    expect(r.features.rows).toBe(6);
    expect(r.features.cols).toBe(2);
    images.forEach((px, i) => {
      const [a, b] = expected(px);
      expect(r.features.data[i * 2]).toBeCloseTo(a, 5);
      expect(r.features.data[i * 2 + 1]).toBeCloseTo(b, 5);
    });
    expect([...r.labels]).toEqual([0, 0, 0, 1, 1, 1]);
    await model.dispose();
  });

  it('the declared output equals the pooled intermediate, and flatten keeps every value', async () => {
    const out = await openOnnxModel(convPath, { preprocessing: pre });
    expect(out.outputName).toBe('features');
    expect(out.pool).toBe('none');
    const r = await extractFeatures({ dataset: ds, model: out, outDir: join(dir, 'out2') });
    for (const [i, px] of images.entries()) expect(r.features.data[i * 2]).toBeCloseTo(expected(px)[0], 5);
    const flat = await openOnnxModel(convPath, { output: 'conv', pool: 'flatten', preprocessing: pre });
    const f = await extractFeatures({ dataset: ds, model: flat, outDir: join(dir, 'out3') });
    expect(f.features.cols).toBe(32);
    // conv channel 1 at pixel 5 of image 2 is −x
    expect(f.features.data[2 * 32 + 16 + 5]).toBeCloseTo(-((images[2][5] / 255) * 2 - 1), 5);
    await Promise.all([out.dispose(), flat.dispose()]);
  });

  it('lists tensor names when the output name is unknown', async () => {
    expect(listOnnxTensors(convPath).map((t) => t.name)).toEqual(['conv', 'relu', 'gap', 'features']);
    await expect(openOnnxModel(convPath, { output: 'nope', preprocessing: pre })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('conv, relu, gap, features'),
    });
  });

  it('gives typed errors for a missing file and a file that is not ONNX', async () => {
    await expect(openOnnxModel(join(dir, 'missing.onnx'))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      input: join(dir, 'missing.onnx'),
    });
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'this is not a protobuf model at all');
    await expect(openOnnxModel(junk)).rejects.toMatchObject({ code: 'MODEL_INVALID', input: junk });
    expect(() => listGraphTensors(new Uint8Array([1, 2, 3]))).toThrow();
  });

  it('says what a fixed input shape expects when the preprocessing does not fit', async () => {
    const fixed = join(dir, 'fixed.onnx');
    writeFileSync(fixed, tinyConvNet(8, 8, 1));
    const m = await openOnnxModel(fixed);
    expect(m.preprocessing).toMatchObject({ width: 8, height: 8, channels: 'L' });
    expect(m.maxBatch).toBe(1);
    await m.dispose();
    await expect(openOnnxModel(fixed, { preprocessing: pre })).rejects.toMatchObject({
      code: 'MODEL_INPUT_MISMATCH',
      message: expect.stringContaining('[1,1,8,8]'),
    });
  });

  it('turns a runtime shape failure into MODEL_INPUT_MISMATCH naming the input', async () => {
    const p = join(dir, 'needs16.onnx');
    writeFileSync(p, needs16Pixels());
    const m = await openOnnxModel(p, { preprocessing: { width: 8, height: 8, channels: 'L' } });
    await expect(
      extractFeatures({
        dataset: pixelDataset([bytes(16, 9)], [0], 4, 4),
        model: m,
        outDir: join(dir, 'out4'),
      }),
    ).rejects.toMatchObject({
      code: 'MODEL_INPUT_MISMATCH',
      message: expect.stringContaining('[n,1,h,w]'),
    });
    await m.dispose();
  });
});
