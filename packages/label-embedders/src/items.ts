// F-labels of datasets whose items carry their own texts: referring expressions with boxes, captions.
import { EmmsError } from '@emms/tensor-io';
import type { TextEmbedder } from './embedder';
import {
  type FLabels,
  multiTextFLabels,
  type ReferringSample,
  referringFLabels,
  type TaskOptions,
} from './tasks';

/** An item with its text and targets (a DatasetItem of @emms/feature-extractors fits). */
export interface TextItem {
  readonly id: string;
  readonly text?: string;
  readonly target?: readonly number[];
}

function missing(item: TextItem, what: string, reason: string): EmmsError {
  return new EmmsError(
    'EMBEDDER_INPUT',
    `Item ${item.id} has no ${what}; every item of this task needs one.`,
    {
      input: item.id,
      details: { reason },
    },
  );
}

/** How the box enters the referring F-labels. */
export type ReferringForm = 'append' | 'separate';

/**
 * F-labels of a referring-expression (localisation) task, as the paper treats REC: the embedded expression
 * together with the box coordinates. Items carry `text` (the expression) and `target` (the box as x0, y0, x1,
 * y1 normalised to [0, 1]); the box enters as (x0, y0, x1 − x0, y1 − y0), the (x, y, w, h) form of
 * {@link referringFLabels}. `append` (default) gives one F-label, the expression's embedding with the 4 box
 * columns after it; `separate` gives two, the 4 box columns alone and the expression's embedding, so that
 * EMMS weighs them as two targets.
 *
 * @throws EmmsError `EMBEDDER_INPUT` for an item without text or without a valid box.
 */
export async function referringItemFLabels(
  embedder: TextEmbedder,
  items: readonly TextItem[],
  options: TaskOptions & { form?: ReferringForm } = {},
): Promise<FLabels[]> {
  const samples: ReferringSample[] = items.map((it) => {
    if (typeof it.text !== 'string' || it.text.trim() === '')
      throw missing(it, 'referring expression', 'empty-label');
    const t = it.target;
    if (t?.length !== 4) throw missing(it, 'box target [x0, y0, x1, y1]', 'bad-box');
    // w, h capped so that x + w ≤ 1 survives rounding (x0 + (x1 − x0) can exceed x1 by one ulp)
    const box: [number, number, number, number] = [
      t[0],
      t[1],
      Math.min(t[2] - t[0], 1 - t[0]),
      Math.min(t[3] - t[1], 1 - t[1]),
    ];
    return { id: it.id, expression: it.text, box, imageWidth: 1, imageHeight: 1 };
  });
  const form = options.form ?? 'append';
  if (form === 'append') return [await referringFLabels(embedder, samples, 'append', options)];
  const text = await referringFLabels(embedder, samples, 'none', options);
  const box = new Float32Array(samples.length * 4);
  samples.forEach((s, i) => {
    box.set(s.box, i * 4);
  });
  return [
    {
      matrix: { rows: samples.length, cols: 4, data: box },
      sampleIds: text.sampleIds,
      meta: {
        ...text.meta,
        embedder: 'box',
        embedderDescription: { model: 'box (x, y, w, h), normalised' },
        cols: 4,
        boxMode: 'append',
      },
    },
    text,
  ];
}

/**
 * F-labels of a captioning task whose items carry one caption each (`text`): one row per item, the caption's
 * embedding (the per-caption rows of {@link multiTextFLabels}).
 *
 * @throws EmmsError `EMBEDDER_INPUT` for an item without a caption.
 */
export async function captionItemFLabels(
  embedder: TextEmbedder,
  items: readonly TextItem[],
  options: TaskOptions = {},
): Promise<FLabels> {
  const samples = items.map((it) => {
    if (typeof it.text !== 'string' || it.text.trim() === '') throw missing(it, 'caption', 'no-caption');
    return { id: it.id, texts: [it.text] };
  });
  return multiTextFLabels(embedder, samples, 'captioning', 'per-text', options);
}
