import { EmmsError } from '@emms/tensor-io';
import sharp, { type Sharp } from 'sharp';
import type { ItemSource } from './dataset';
import { bilinearTaps, type RawPixels, type ResolvedPreprocessing } from './preprocess';

sharp.cache(false);

const KERNEL = { bilinear: 'linear', bicubic: 'cubic' } as const;

function input(source: ItemSource): Sharp {
  if (source.kind === 'file') return sharp(source.path, { failOn: 'truncated' });
  if (source.kind === 'pixels') {
    return sharp(source.data, {
      raw: { width: source.width, height: source.height, channels: source.channels },
    });
  }
  throw new Error('internal: a text item has no pixels');
}

function where(source: ItemSource): string {
  return source.kind === 'file' ? source.path : source.kind === 'pixels' ? source.id : 'text';
}

/**
 * Decodes one image and resizes it as `p` says, returning 8-bit pixels (1 channel when the model wants grey,
 * else 3; greyscale sources become three equal channels, alpha is dropped).
 * Throws IMAGE_UNREADABLE naming the file when it cannot be decoded (missing, truncated, not an image).
 */
export async function loadPixels(source: ItemSource, p: ResolvedPreprocessing): Promise<RawPixels> {
  // in-memory images that only grow: plain JS is cheaper than a sharp round trip
  if (source.kind === 'pixels' && p.resize === 'bilinear' && (source.channels === 1 || p.channels !== 'L')) {
    if (p.fit === 'stretch' && source.width <= p.width && source.height <= p.height) {
      return upscaleBilinear(source, p.width, p.height);
    }
    const rw = Math.min(p.width, Math.max(1, Math.ceil((source.width * p.height) / source.height)));
    if (p.fit === 'pad-right' && source.width <= rw && source.height <= p.height) {
      return padRight(upscaleBilinear(source, rw, p.height), p.width);
    }
  }
  try {
    const grey = p.channels === 'L';
    let img = input(source).removeAlpha();
    img = grey ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const kernel = KERNEL[p.resize];
    if (p.fit === 'stretch') {
      img = img.resize(p.width, p.height, { fit: 'fill', kernel });
    } else {
      const { w, h } = await sourceSize(source);
      if (p.fit === 'center-crop') {
        const shorter = p.resizeShorter ?? Math.max(p.width, p.height);
        const r = shorter / Math.min(w, h);
        const rw = Math.max(p.width, Math.round(w * r));
        const rh = Math.max(p.height, Math.round(h * r));
        img = img.resize(rw, rh, { fit: 'fill', kernel }).extract({
          left: Math.floor((rw - p.width) / 2),
          top: Math.floor((rh - p.height) / 2),
          width: p.width,
          height: p.height,
        });
      } else {
        const rw = Math.min(p.width, Math.max(1, Math.ceil((w * p.height) / h)));
        img = img.resize(rw, p.height, { fit: 'fill', kernel });
        if (rw < p.width) {
          img = img.extend({ right: p.width - rw, background: { r: 0, g: 0, b: 0, alpha: 1 } });
        }
      }
    }
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.width !== p.width || info.height !== p.height || (info.channels !== 1 && info.channels !== 3)) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    }
    return { width: info.width, height: info.height, channels: info.channels as 1 | 3, data };
  } catch (e) {
    if (e instanceof EmmsError) throw e;
    const path = where(source);
    throw new EmmsError(
      'IMAGE_UNREADABLE',
      `cannot decode image ${path}: ${(e as Error).message}. Replace or remove the file, or pass --skip-bad to skip it.`,
      { input: path, cause: e },
    );
  }
}

async function sourceSize(source: ItemSource): Promise<{ w: number; h: number }> {
  if (source.kind === 'pixels') return { w: source.width, h: source.height };
  const m = await input(source).metadata();
  if (!m.width || !m.height) throw new Error('the file reports no size');
  // EXIF-rotated images report their stored size; we do not auto-rotate, so the stored size is right
  return { w: m.width, h: m.height };
}

/** Decodes an image at its own size as RGB (greyscale expanded, alpha dropped), for backends that preprocess themselves. */
export async function loadRgb(source: ItemSource): Promise<RawPixels> {
  try {
    const { data, info } = await input(source)
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 3, data };
  } catch (e) {
    const path = where(source);
    throw new EmmsError(
      'IMAGE_UNREADABLE',
      `cannot decode image ${path}: ${(e as Error).message}. Replace or remove the file, or pass --skip-bad to skip it.`,
      { input: path, cause: e },
    );
  }
}

/**
 * Bilinear upscaling of raw pixels in JavaScript (half-pixel centres, edges clamped), used for in-memory
 * images (MNIST digits) where a sharp round trip costs more than the arithmetic. Keeps the channel count.
 */
export function upscaleBilinear(
  src: { width: number; height: number; channels: 1 | 3; data: Uint8Array },
  W: number,
  H: number,
): RawPixels {
  const { width: w, height: h, channels: c, data } = src;
  const out = new Uint8Array(W * H * c);
  const { lo: x0, hi: x1, w: fx } = bilinearTaps(w, W, new Float32Array(W));
  const rows = bilinearTaps(h, H, new Float64Array(H));
  for (let y = 0; y < H; y++) {
    const fy = rows.w[y];
    const r0 = rows.lo[y] * w * c;
    const r1 = rows.hi[y] * w * c;
    if (c === 1) {
      // one channel: the common case (digits), without the channel loop
      const o = y * W;
      for (let x = 0; x < W; x++) {
        const a = x0[x];
        const b = x1[x];
        const f = fx[x];
        const top = data[r0 + a] + (data[r0 + b] - data[r0 + a]) * f;
        const bot = data[r1 + a] + (data[r1 + b] - data[r1 + a]) * f;
        out[o + x] = (top + (bot - top) * fy + 0.5) | 0;
      }
      continue;
    }
    for (let x = 0; x < W; x++) {
      const a = x0[x] * c;
      const b = x1[x] * c;
      const f = fx[x];
      const o = (y * W + x) * c;
      for (let k = 0; k < c; k++) {
        const top = data[r0 + a + k] + (data[r0 + b + k] - data[r0 + a + k]) * f;
        const bot = data[r1 + a + k] + (data[r1 + b + k] - data[r1 + a + k]) * f;
        out[o + k] = Math.round(top + (bot - top) * fy);
      }
    }
  }
  return { width: W, height: H, channels: c, data: out };
}

/** Pads raw pixels with zeros on the right up to `width`. */
function padRight(px: RawPixels, width: number): RawPixels {
  if (px.width === width) return px;
  const c = px.channels;
  const out = new Uint8Array(width * px.height * c);
  for (let y = 0; y < px.height; y++)
    out.set(px.data.subarray(y * px.width * c, (y + 1) * px.width * c), y * width * c);
  return { width, height: px.height, channels: c, data: out };
}
