import { isEmmsError } from '@emms/tensor-io';
import type { ItemSource } from './dataset';
import { loadPixels } from './image';
import {
  batchShape,
  channelCount,
  type RawPixels,
  type ResolvedPreprocessing,
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
 * or with `skipBad` are left out and reported. Runs on the main thread or in the preprocessing worker.
 */
export async function prepareTensorBatch(
  items: readonly { id: string; source: ItemSource }[],
  pre: ResolvedPreprocessing,
  skipBad: boolean,
): Promise<TensorBatch> {
  const loads = await Promise.allSettled(items.map((i) => loadPixels(i.source, pre)));
  const ok: RawPixels[] = [];
  const skipped: SkippedItem[] = [];
  for (const [k, r] of loads.entries()) {
    if (r.status === 'fulfilled') ok.push(r.value);
    else if (skipBad && isEmmsError(r.reason) && r.reason.code === 'IMAGE_UNREADABLE') {
      const s = items[k].source;
      skipped.push({
        id: items[k].id,
        path: s.kind === 'file' ? s.path : undefined,
        reason: (r.reason as Error).message,
      });
    } else throw r.reason;
  }
  const data = new Float32Array(ok.length * channelCount(pre) * pre.width * pre.height);
  for (const [k, px] of ok.entries()) writeNormalised(px, pre, data, k);
  return { count: ok.length, shape: batchShape(pre, ok.length), data, skipped };
}
