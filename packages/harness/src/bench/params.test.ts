import { findZooEntry, zooSizeBytes } from '@emms/feature-extractors';
import { describe, expect, it } from 'vitest';
import { modelParameterCount, onnxParameterCount } from './params';

describe('parameter counts of the zoo', () => {
  it('float32 ONNX files hold about 4 bytes per counted weight (the rest is the graph)', () => {
    for (const id of [
      'ppocr-det',
      'ppocr-rec',
      'ppocr-cls',
      'blazeface-front',
      'mlsd-tiny-320',
      'mlsd-large-320',
    ]) {
      const ratio = zooSizeBytes(findZooEntry(id)!) / 4 / modelParameterCount(id)!;
      expect(ratio, id).toBeGreaterThanOrEqual(1);
      expect(ratio, id).toBeLessThan(1.15);
    }
  });

  it('tfjs MobileNetV2 and InceptionV3 match their published sizes (about 2.3M + a 5-class head, about 22M)', () => {
    expect(modelParameterCount('nsfw-mobilenet-v2')).toBeGreaterThan(2_200_000);
    expect(modelParameterCount('nsfw-mobilenet-v2')).toBeLessThan(3_600_000);
    expect(modelParameterCount('nsfw-inception-v3')).toBeGreaterThan(21_000_000);
    expect(modelParameterCount('nsfw-inception-v3')).toBeLessThan(24_000_000);
  });

  it('undefined for what is not a model file', () => {
    expect(modelParameterCount('pixels')).toBeUndefined();
    expect(modelParameterCount('hf:org/model')).toBeUndefined();
    expect(onnxParameterCount(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
