// Grey-image helpers of the generated datasets: resampling, drawing, ink boxes and measured attributes.
import { labelWords } from '@emms/label-embedders';
import { EmmsError, seededRandom } from '@emms/tensor-io';
import { type Dataset, type DatasetItem, invalid } from '../dataset';
import { upscaleBilinear } from '../image';

/** A grey 8-bit image, row-major. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Pixels at or above this level (of 255) count as ink in boxes and attributes. */
export const INK_LEVEL = 128;

/**
 * Resizes a grey image to `size`×`size`: bilinear (half-pixel centres) when it grows, area averaging (each
 * output pixel the mean of the source area it covers) when it shrinks, so thin strokes are not lost.
 */
export function resizeGrey(img: GreyImage, size: number): GreyImage {
  const { width: w, height: h, data } = img;
  if (size >= w && size >= h) {
    const up = upscaleBilinear({ width: w, height: h, channels: 1, data }, size, size);
    return { width: size, height: size, data: up.data };
  }
  const out = new Uint8Array(size * size);
  const sx = w / size;
  const sy = h / size;
  for (let Y = 0; Y < size; Y++) {
    const y0 = Y * sy;
    const y1 = y0 + sy;
    for (let X = 0; X < size; X++) {
      const x0 = X * sx;
      const x1 = x0 + sx;
      let acc = 0;
      for (let y = Math.floor(y0); y < Math.min(h, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(w, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          acc += data[y * w + x] * wx * wy;
        }
      }
      out[Y * size + X] = Math.round(acc / (sx * sy));
    }
  }
  return { width: size, height: size, data: out };
}

/** Draws `img` onto a `c`×`c` canvas with its top-left corner at (x, y), keeping the brighter pixel. */
export function drawMax(canvas: Uint8Array, c: number, img: GreyImage, x: number, y: number): void {
  for (let r = 0; r < img.height; r++) {
    const cy = y + r;
    if (cy < 0 || cy >= c) continue;
    for (let k = 0; k < img.width; k++) {
      const cx = x + k;
      if (cx < 0 || cx >= c) continue;
      const v = img.data[r * img.width + k];
      if (v > canvas[cy * c + cx]) canvas[cy * c + cx] = v;
    }
  }
}

/** Tight box [left, top, right, bottom] (inclusive pixels) of the pixels ≥ `level`, or undefined. */
export function inkBox(
  img: GreyImage,
  level: number = INK_LEVEL,
): [number, number, number, number] | undefined {
  let l = img.width;
  let t = img.height;
  let r = -1;
  let b = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x] < level) continue;
      if (x < l) l = x;
      if (x > r) r = x;
      if (y < t) t = y;
      if (y > b) b = y;
    }
  }
  return r < 0 ? undefined : [l, t, r, b];
}

/** What the captions are built from: attributes measured on an image's pixels. */
export interface InkAttributes {
  /** Ink box height over the image height. */
  readonly height: number;
  /** Stroke thickness 2A/E (A ink pixels, E ink/background 4-neighbour edges) over the ink box height in pixels. */
  readonly thickness: number;
  /** −μ11/μ02 of the grey levels (y downwards): > 0 when the top leans right. */
  readonly slant: number;
  /** Grey-level centroid, x and y, over the image width and height. */
  readonly cx: number;
  readonly cy: number;
}

/**
 * Measures {@link InkAttributes} on a grey image (documented in the package README, "Generated datasets").
 * Returns undefined when the image has no ink.
 */
export function inkAttributes(img: GreyImage): InkAttributes | undefined {
  const { width: w, height: h, data } = img;
  const box = inkBox(img);
  if (!box) return undefined;
  let area = 0;
  let edges = 0;
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      m += v;
      sx += v * x;
      sy += v * y;
      if (v < INK_LEVEL) continue;
      area++;
      if (x === 0 || data[y * w + x - 1] < INK_LEVEL) edges++;
      if (x === w - 1 || data[y * w + x + 1] < INK_LEVEL) edges++;
      if (y === 0 || data[(y - 1) * w + x] < INK_LEVEL) edges++;
      if (y === h - 1 || data[(y + 1) * w + x] < INK_LEVEL) edges++;
    }
  }
  const mx = sx / m;
  const my = sy / m;
  let m11 = 0;
  let m02 = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      m11 += v * (x - mx) * (y - my);
      m02 += v * (y - my) ** 2;
    }
  }
  const boxH = box[3] - box[1] + 1;
  return {
    height: boxH / h,
    thickness: (2 * area) / edges / boxH,
    slant: m02 > 0 ? -m11 / m02 : 0,
    cx: (mx + 0.5) / w,
    cy: (my + 0.5) / h,
  };
}

/** The noun phrase of a class in generated texts: "digit seven" for digit classes, else the lower-cased name. */
export function classPhrase(classes: readonly string[], c: number): string {
  const digits = classes.length <= 10 && classes.every((n, i) => n === String(i));
  return digits ? `digit ${labelWords(classes)[c]}` : classes[c].toLowerCase();
}

/**
 * Where a point (normalised) lies: "at the top left", "on the right", "in the middle"…: left/top below `lo`,
 * right/bottom above `hi` (default: thirds of the image).
 */
export function positionPhrase(cx: number, cy: number, lo = 1 / 3, hi = 2 / 3): string {
  const h = cx < lo ? 'left' : cx > hi ? 'right' : '';
  const v = cy < lo ? 'top' : cy > hi ? 'bottom' : '';
  if (h && v) return `at the ${v} ${h}`;
  if (v) return `at the ${v}`;
  if (h) return `on the ${h}`;
  return 'in the middle';
}

/** A 32-bit FNV-1a hash of a string (per-item seeds, hashed features). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Checks a generator's cell sizes: integers with 4 ≤ min ≤ max ≤ the canvas side. */
export function checkSizes(smin: number, smax: number, c: number): void {
  if (!(Number.isInteger(smin) && Number.isInteger(smax) && smin >= 4 && smin <= smax && smax <= c)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `sizes [${smin}, ${smax}] must be integers with 4 ≤ min ≤ max ≤ canvas (${c})`,
      {
        input: 'sizes',
      },
    );
  }
}

/** Uniform integers in [lo, hi] from a generator seeded by the FNV-1a hash of `key` (one stream per item). */
export function itemIntegers(key: string): (lo: number, hi: number) => number {
  const rand = seededRandom(fnv1a(key));
  return (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
}

/** The source items of a generator: grey in-memory images, checked. */
export function greySource(ds: Dataset): (DatasetItem & { source: { kind: 'pixels' } })[] {
  const out = ds.items.filter(
    (i) => i.source.kind === 'pixels' && i.source.channels === 1,
  ) as (DatasetItem & {
    source: { kind: 'pixels' };
  })[];
  if (out.length !== ds.items.length || out.length === 0) {
    throw invalid(
      ds.origin,
      `dataset ${ds.name} cannot feed a generated dataset: it needs in-memory grey images (e.g. mnist or fashion-mnist)`,
    );
  }
  return out;
}

/** The first `perClass` items of each class (in dataset order); throws when a class has fewer. */
export function firstOfEachClass<T extends DatasetItem>(
  ds: Dataset,
  items: readonly T[],
  perClass: number,
): T[] {
  if (!Number.isInteger(perClass) || perClass < 1) {
    throw new EmmsError('INVALID_OPTION', `perClass must be a positive integer, got ${perClass}`, {
      input: 'perClass',
    });
  }
  const count = new Array(ds.classes.length).fill(0);
  const out = items.filter((i) => count[i.label]++ < perClass);
  count.forEach((n, c) => {
    if (n < perClass) {
      throw new EmmsError(
        'DATASET_INVALID',
        `dataset ${ds.name}: class ${ds.classes[c]} has ${n} items, fewer than perClass = ${perClass}`,
        { input: 'perClass', details: { class: ds.classes[c], has: n, needs: perClass } },
      );
    }
  });
  return out;
}
