import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openOnnxModel } from './backends/onnx';
import { readImageFolder } from './dataset';
import { extractFeatures, type FeatureSidecar } from './extract';
import { bytes, pixelDataset, tempDir } from './testing/fixtures';
import { tinyConvNet } from './testing/onnx-graphs';

const dir = tempDir('extract');
const convPath = join(dir, 'conv.onnx');
writeFileSync(convPath, tinyConvNet());
const pre = { width: 4, height: 4, channels: 'L', range: [-1, 1] } as const;
const images = Array.from({ length: 10 }, (_, i) => bytes(16, 100 + i));
const ds = pixelDataset(images, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 4, 4);

describe('extractFeatures: files, cache and resume', () => {
  it('writes features, labels and a sidecar, and reuses them on a rerun', async () => {
    const model = await openOnnxModel(convPath, { output: 'relu', preprocessing: pre });
    const out = join(dir, 'cache');
    const a = await extractFeatures({ dataset: ds, model, outDir: out, batchSize: 3 });
    expect(a.reused).toBe(false);
    const side = JSON.parse(readFileSync(a.sidecarPath, 'utf8')) as FeatureSidecar;
    expect(side).toMatchObject({
      rows: 10,
      cols: 2,
      model: { output: 'relu', pool: 'avg' },
      dataset: { split: null },
    });
    expect(side.model.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(side.seconds).toBeGreaterThan(0);
    // the .npy holds exactly the returned rows (header, then little-endian float32)
    const npy = readFileSync(a.featuresPath);
    const off = 10 + npy.readUInt16LE(8);
    expect(npy.toString('latin1', 10, off)).toContain("'shape': (10, 2)");
    expect(new Float32Array(npy.buffer.slice(npy.byteOffset + off, npy.byteOffset + npy.length))).toEqual(
      a.features.data,
    );
    const lab = readFileSync(a.labelsPath);
    const loff = 10 + lab.readUInt16LE(8);
    expect(
      [...new BigInt64Array(lab.buffer.slice(lab.byteOffset + loff, lab.byteOffset + lab.length))].map(
        Number,
      ),
    ).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);

    let ran = false;
    const spy = {
      ...model,
      runTensor: (d: Float32Array, s: readonly number[]) => {
        ran = true;
        return model.runTensor!(d, s);
      },
    };
    const b = await extractFeatures({ dataset: ds, model: spy, outDir: out, batchSize: 3 });
    expect(b.reused).toBe(true);
    expect(ran).toBe(false);
    expect(b.features.data).toEqual(a.features.data);
    // a different limit is a different key: recomputed
    const c = await extractFeatures({ dataset: ds, model: spy, outDir: out, batchSize: 3, limit: 2 });
    expect(c.reused).toBe(false);
    expect(c.features.rows).toBe(4);
    await model.dispose();
  });

  it('resumes an interrupted run from its last finished batch', async () => {
    const model = await openOnnxModel(convPath, { output: 'relu', preprocessing: pre });
    const out = join(dir, 'resume');
    const ctl = new AbortController();
    let batches = 0;
    const stopping = {
      ...model,
      async runTensor(d: Float32Array, s: readonly number[]) {
        if (++batches === 2) ctl.abort();
        return model.runTensor!(d, s);
      },
    };
    await expect(
      extractFeatures({
        dataset: ds,
        model: stopping,
        outDir: out,
        batchSize: 3,
        signal: ctl.signal,
        name: 'r',
      }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(existsSync(join(out, 'r.part.bin'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'r.part.json'), 'utf8'))).toMatchObject({
      rows: 6,
      nextItem: 6,
    });
    const seen: string[] = [];
    let fed = 0;
    const counting = {
      ...model,
      runTensor: (d: Float32Array, s: readonly number[]) => {
        fed += s[0];
        return model.runTensor!(d, s);
      },
    };
    const r = await extractFeatures({
      dataset: ds,
      model: counting,
      outDir: out,
      batchSize: 3,
      name: 'r',
      onProgress: (e) => e.message && seen.push(e.message),
    });
    expect(r.resumedAt).toBe(6);
    expect(fed).toBe(4);
    expect(seen[0]).toMatch(/resumed at item 6/);
    expect(existsSync(join(out, 'r.part.bin'))).toBe(false);
    const fresh = await extractFeatures({ dataset: ds, model, outDir: join(dir, 'fresh'), batchSize: 5 });
    expect(r.features.data).toEqual(fresh.features.data);
    await model.dispose();
  });

  it('fails on a truncated image with its path, or skips it with skipBad and lists it', async () => {
    const root = join(dir, 'imgs');
    for (const c of ['a', 'b']) {
      mkdirSync(join(root, c), { recursive: true });
      for (let i = 0; i < 2; i++) {
        await sharp(Buffer.alloc(4 * 4 * 3, 40 + 60 * i), { raw: { width: 4, height: 4, channels: 3 } })
          .png()
          .toFile(join(root, c, `${i}.png`));
      }
    }
    const big = await sharp(Buffer.alloc(32 * 32 * 3, 90), { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toBuffer();
    const bad = join(root, 'b', '2.png');
    writeFileSync(bad, big.subarray(0, big.length >> 1));
    const folder = readImageFolder(root);
    const model = await openOnnxModel(convPath, { output: 'relu', preprocessing: pre });
    await expect(
      extractFeatures({ dataset: folder, model, outDir: join(dir, 'bad1') }),
    ).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE', input: bad });
    const r = await extractFeatures({
      dataset: folder,
      model,
      outDir: join(dir, 'bad2'),
      skipBad: true,
      batchSize: 2,
    });
    expect(r.features.rows).toBe(4);
    expect([...r.labels]).toEqual([0, 0, 1, 1]);
    expect(r.sidecar.skipped).toEqual([expect.objectContaining({ id: 'b/2.png', path: bad })]);
    expect(r.sidecar.ids).toEqual(['a/0.png', 'a/1.png', 'b/0.png', 'b/1.png']);
    // a constant grey image 40: x = 40/255·2−1, channel 0 = relu(2x+1)
    const x = (40 / 255) * 2 - 1;
    expect(r.features.data[0]).toBeCloseTo(Math.max(0, 2 * x + 1), 5);
    await model.dispose();
  });
});
