import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadPixels, upscaleBilinear } from './image';
import { batchShape, resolvePreprocessing, writeGreyUpscaled, writeNormalised } from './preprocess';
import { tempDir } from './testing/fixtures';

// a 2×1 RGB image: pixel 0 = (255, 0, 51), pixel 1 = (0, 102, 255)
const rgb = { width: 2, height: 1, channels: 3 as const, data: Uint8Array.from([255, 0, 51, 0, 102, 255]) };

describe('writeNormalised', () => {
  it('maps range, mean and std per channel in NCHW', () => {
    const p = resolvePreprocessing({ width: 2, height: 1, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2] });
    const out = new Float32Array(6);
    writeNormalised(rgb, p, out, 0);
    // R: (1-0.5)/0.5, (0-0.5)/0.5; G: (0-0.25)/0.25, (0.4-0.25)/0.25; B: 0.2/2, 1/2
    const want = [1, -1, -1, 0.6, 0.1, 0.5];
    for (const [i, v] of want.entries()) expect(out[i]).toBeCloseTo(v, 6);
  });

  it('writes BGR NHWC with a constant alpha channel and a 0..255 range', () => {
    const p = resolvePreprocessing({
      width: 2,
      height: 1,
      channels: 'BGRA',
      layout: 'NHWC',
      range: [0, 255],
      alpha: 7,
    });
    const out = new Float32Array(2 * 8);
    writeNormalised(rgb, p, out, 1);
    expect([...out.subarray(8)]).toEqual([51, 0, 255, 7, 255, 102, 0, 7]);
    expect(batchShape(p, 2)).toEqual([2, 1, 2, 4]);
  });

  it('repeats a grey source into three channels and maps [-1, 1]', () => {
    const p = resolvePreprocessing({ width: 2, height: 1, range: [-1, 1] });
    const out = new Float32Array(6);
    writeNormalised({ width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 255]) }, p, out, 0);
    for (const [i, v] of [-1, 1, -1, 1, -1, 1].entries()) expect(out[i]).toBeCloseTo(v, 6);
  });

  it('rejects a std of zero and a mean of the wrong length', () => {
    expect(() => resolvePreprocessing({ width: 2, height: 2, std: [1, 0, 1] })).toThrow(/std/);
    expect(() => resolvePreprocessing({ width: 2, height: 2, mean: [0.5] })).toThrow(/mean/);
  });
});

describe('upscaleBilinear', () => {
  it('interpolates with half-pixel centres and clamped edges', () => {
    // 2×1 → 4×1: source x = (x + 0.5)/2 − 0.5 → −0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1)
    const r = upscaleBilinear({ width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 100]) }, 4, 1);
    expect([...r.data]).toEqual([0, 25, 75, 100]);
  });

  it('writes grey digits upscaled and normalised in one pass (RGB, NCHW, with mean/std)', () => {
    const p = resolvePreprocessing({ width: 4, height: 1, mean: [0, 0.5, 0], std: [1, 1, 0.5] });
    const out = new Float32Array(2 * 12);
    expect(
      writeGreyUpscaled({ width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 100]) }, p, out, 1),
    ).toBe(true);
    const v = [0, 25, 75, 100].map((x) => x / 255);
    const want = [...v, ...v.map((x) => x - 0.5), ...v.map((x) => x / 0.5)];
    for (const [i, x] of want.entries()) expect(out[12 + i]).toBeCloseTo(x, 6);
    // a shrinking resize is left to sharp
    expect(writeGreyUpscaled({ width: 8, height: 1, channels: 1, data: new Uint8Array(8) }, p, out, 0)).toBe(
      false,
    );
  });

  it('writes grey digits upscaled into NHWC slots (per-channel mean/std, alpha, grey L)', () => {
    const v = [0, 25, 75, 100].map((x) => x / 255);
    const src = { width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 100]) };
    const p = resolvePreprocessing({
      width: 4,
      height: 1,
      layout: 'NHWC',
      channels: 'RGBA',
      alpha: 7,
      mean: [0, 0.5, 0],
      std: [1, 1, 0.5],
    });
    const out = new Float32Array(16).fill(Number.NaN);
    expect(writeGreyUpscaled(src, p, out, 0)).toBe(true);
    const want = v.flatMap((x) => [x, x - 0.5, x / 0.5, 7]);
    for (const [i, x] of want.entries()) expect(out[i]).toBeCloseTo(x, 6);
    const g = resolvePreprocessing({ width: 4, height: 1, layout: 'NHWC', channels: 'L', range: [-1, 1] });
    const outL = new Float32Array(4).fill(Number.NaN);
    expect(writeGreyUpscaled(src, g, outL, 0)).toBe(true);
    for (const [i, x] of v.entries()) expect(outL[i]).toBeCloseTo(x * 2 - 1, 6);
  });

  it('writes pad-right grey digits (rounded to 8 bits, zero padding) into every value of a dirty slot', () => {
    // 2×1 → height 2 keeps the aspect: 4×2, then two zero columns up to width 6
    const p = resolvePreprocessing({ width: 6, height: 2, fit: 'pad-right', range: [-1, 1], channels: 'L' });
    const out = new Float32Array(12).fill(Number.NaN);
    expect(
      writeGreyUpscaled({ width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 101]) }, p, out, 0),
    ).toBe(true);
    // half-pixel taps give 0, 25.25, 75.75, 101 → rounded 0, 25, 76, 101
    const row = [0, 25, 76, 101, 0, 0].map((x) => (x * 2) / 255 - 1);
    for (const [i, x] of [...row, ...row].entries()) expect(out[i]).toBeCloseTo(x, 6);
    // the same digit as BGR NCHW (equal maps per channel): three equal planes, every value written
    const bgr = resolvePreprocessing({
      width: 6,
      height: 2,
      fit: 'pad-right',
      range: [-1, 1],
      channels: 'BGR',
    });
    const out3 = new Float32Array(2 * 36).fill(Number.NaN);
    writeGreyUpscaled({ width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 101]) }, bgr, out3, 1);
    for (const [i, x] of Array(3)
      .fill([...row, ...row])
      .flat()
      .entries())
      expect(out3[36 + i]).toBeCloseTo(x, 6);
  });
});

describe('loadPixels (sharp)', () => {
  const dir = tempDir('pre');
  it('decodes a grey PNG to three equal channels at its own size', async () => {
    const f = join(dir, 'g.png');
    await sharp(Uint8Array.from([10, 20, 30, 40]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toFile(f);
    const px = await loadPixels({ kind: 'file', path: f }, resolvePreprocessing({ width: 2, height: 2 }));
    expect(px.channels).toBe(3);
    expect([...px.data]).toEqual([10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]);
  });

  it('centre-crops after resizing the shorter side, and pads the right side', async () => {
    // 6×2 image: columns 0..5 have values 0,50,100,150,200,250
    const data = Uint8Array.from({ length: 12 }, (_, i) => (i % 6) * 50);
    const src = { kind: 'pixels' as const, id: 'x', width: 6, height: 2, channels: 1 as const, data };
    const crop = await loadPixels(
      src,
      resolvePreprocessing({ width: 2, height: 2, fit: 'center-crop', resizeShorter: 2, channels: 'L' }),
    );
    expect([...crop.data]).toEqual([100, 150, 100, 150]);
    const pad = await loadPixels(
      src,
      resolvePreprocessing({ width: 8, height: 2, fit: 'pad-right', channels: 'L' }),
    );
    expect([...pad.data.subarray(0, 8)]).toEqual([0, 50, 100, 150, 200, 250, 0, 0]);
  });

  it('names the file of a truncated image', async () => {
    const f = join(dir, 'cut.png');
    const png = await sharp(Buffer.alloc(64 * 64 * 3, 128), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer();
    writeFileSync(f, png.subarray(0, Math.floor(png.length / 2)));
    await expect(
      loadPixels({ kind: 'file', path: f }, resolvePreprocessing({ width: 8, height: 8 })),
    ).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
      input: f,
    });
  });
});
