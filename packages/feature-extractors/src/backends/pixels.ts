// The raw-pixels reference candidate: every image resized to a fixed grey size, values in [0, 1].
import { sha256, stableJson } from '../hash';
import type { OutputTensor } from '../pooling';
import { type Preprocessing, resolvePreprocessing } from '../preprocess';
import type { LoadedModel } from './types';

/**
 * What `pixels` feeds: 28×28, one grey channel (colour images become grey with sharp's b-w conversion),
 * bilinear resizing, NCHW. The batch carries 0–255 and the model divides by 255, so the 784 values of an
 * MNIST digit are its pixels / 255, exactly.
 */
export const PIXELS_PREPROCESSING: Preprocessing = {
  width: 28,
  height: 28,
  channels: 'L',
  range: [0, 255],
  layout: 'NCHW',
};

/**
 * The `pixels` reference candidate as a model: each image, resized to 28×28 grey (or the `width`/`height` of
 * `preprocessing`), flattened, values / 255. It has no weights; it is extracted and cached like any model.
 *
 * @example
 * ```ts
 * const px = openPixelsModel(); // px.id === 'pixels'; 784 features per image
 * ```
 */
export function openPixelsModel(preprocessing: Partial<Preprocessing> = {}): LoadedModel {
  const pre = resolvePreprocessing({
    ...PIXELS_PREPROCESSING,
    width: preprocessing.width ?? 28,
    height: preprocessing.height ?? 28,
  });
  const id = pre.width === 28 && pre.height === 28 ? 'pixels' : `pixels-${pre.width}x${pre.height}`;
  return {
    id,
    backend: 'js',
    modality: 'image',
    fingerprint: sha256(stableJson({ reference: 'pixels/1', divide: 255, pre })),
    outputName: 'pixels / 255',
    pool: 'flatten',
    channelsLast: false,
    preprocessing: pre,
    async runTensor(data: Float32Array, shape: readonly number[]): Promise<OutputTensor> {
      const out = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
      return { dims: shape, data: out };
    },
    async dispose() {},
  };
}
