import { isEmmsError } from '@emms/tensor-io';
import type { ItemSource } from './dataset';
import { loadPixels } from './image';
import {
  batchShape,
  channelCount,
  type RawPixels,
  type ResolvedPreprocessing,
  writeGreyUpscaled,
  writeNormalised,
} from './preprocess';

/** An item left out with `skipBad`. */
export interface SkippedItem {
  readonly id: string;
  readonly path?: string;
  readonly reason: string;
}

/** A preprocessed batch of images, ready for a model. */
export interface TensorBatch {
  readonly count: number;
  readonly shape: number[];
  readonly data: Float32Array;
  readonly skipped: SkippedItem[];
}

/**
 * Decodes, resizes and normalises `items` into one batch tensor. Unreadable images throw IMAGE_UNREADABLE,
 * or with `skipBad` are left out and reported. `buffer`, when given and large enough, receives the batch (its
 * start is returned as `data`, so it must not be in use until the batch has run); otherwise a new array is made.
 */
export async function prepareTensorBatch(
  items: readonly { id: string; source: ItemSource }[],
  pre: ResolvedPreprocessing,
  skipBad: boolean,
  buffer?: Float32Array,
): Promise<TensorBatch> {
  const per = channelCount(pre) * pre.width * pre.height;
  const data =
    buffer && buffer.length >= items.length * per
      ? buffer.subarray(0, items.length * per)
      : new Float32Array(items.length * per);
  // in-memory grey digits go straight into their slot; other images are decoded (in sharp's threads) first
  const direct = items.map((i, k) => i.source.kind === 'pixels' && writeGreyUpscaled(i.source, pre, data, k));
  const loads = await Promise.allSettled(
    items.map((i, k) => (direct[k] ? undefined : loadPixels(i.source, pre))),
  );
  const skipped: SkippedItem[] = [];
  // kept items close up over skipped ones: slot `row` ≤ k never holds a later item's data
  let row = 0;
  for (const [k, r] of loads.entries()) {
    if (r.status === 'fulfilled') {
      if (direct[k]) {
        if (row !== k) data.copyWithin(row * per, k * per, (k + 1) * per);
      } else writeNormalised(r.value as RawPixels, pre, data, row);
      row++;
    } else if (skipBad && isEmmsError(r.reason) && r.reason.code === 'IMAGE_UNREADABLE') {
      const s = items[k].source;
      skipped.push({
        id: items[k].id,
        path: s.kind === 'file' ? s.path : undefined,
        reason: (r.reason as Error).message,
      });
    } else throw r.reason;
  }
  return {
    count: row,
    shape: batchShape(pre, row),
    data: row === items.length ? data : data.slice(0, row * per),
    skipped,
  };
}
