import { EmmsError } from '@emms/tensor-io';

/** How a model wants its images: every field is plain data so it can be hashed into the cache key. */
export interface Preprocessing {
  /** Target width and height in pixels (after any crop). */
  readonly width: number;
  readonly height: number;
  /** Resampling kernel for resizing. Default "bilinear". */
  readonly resize?: 'bilinear' | 'bicubic';
  /**
   * How the image reaches width×height. "stretch" (default) resizes to exactly width×height;
   * "center-crop" resizes the shorter side to `resizeShorter` (default max(width, height)) and crops the centre;
   * "pad-right" resizes to the target height keeping the aspect ratio (width capped) and pads the right with zeros,
   * as PaddleOCR feeds its recogniser and direction classifier.
   */
  readonly fit?: 'stretch' | 'center-crop' | 'pad-right';
  /** Shorter side before a centre crop. */
  readonly resizeShorter?: number;
  /** Channel order of the model input. "L" is one grey channel; RGBA/BGRA add a constant alpha channel. Default "RGB". */
  readonly channels?: 'RGB' | 'BGR' | 'L' | 'RGBA' | 'BGRA';
  /** Value of the added alpha channel (written as is, not normalised). Default 1. */
  readonly alpha?: number;
  /** Pixels 0..255 are mapped linearly onto [lo, hi] before mean/std. Default [0, 1]. */
  readonly range?: readonly [number, number];
  /** Per-channel mean subtracted after the range mapping (colour channels only). Default 0. */
  readonly mean?: readonly number[];
  /** Per-channel divisor after the mean. Default 1. */
  readonly std?: readonly number[];
  /** Memory layout of the batch. Default "NCHW". */
  readonly layout?: 'NCHW' | 'NHWC';
}

/** Preprocessing with every default filled in. */
export type ResolvedPreprocessing = Required<Omit<Preprocessing, 'resizeShorter'>> & {
  readonly resizeShorter?: number;
};

/** ImageNet mean and std on the [0, 1] scale, as torchvision and PaddleOCR use them. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
/** See {@link IMAGENET_MEAN}. */
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Number of channels the model input has. */
export function channelCount(p: Pick<Preprocessing, 'channels'>): number {
  const c = p.channels ?? 'RGB';
  return c === 'L' ? 1 : c.length;
}

/** Fills defaults and checks the numbers; throws INVALID_OPTION naming the bad field. */
export function resolvePreprocessing(p: Preprocessing): ResolvedPreprocessing {
  const bad = (field: string, why: string) =>
    new EmmsError('INVALID_OPTION', `preprocessing.${field} ${why}`, { input: `preprocessing.${field}` });
  for (const k of ['width', 'height'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 1) throw bad(k, `must be a positive integer, got ${p[k]}`);
  }
  const colour = (p.channels ?? 'RGB') === 'L' ? 1 : 3;
  const mean = p.mean ?? new Array(colour).fill(0);
  const std = p.std ?? new Array(colour).fill(1);
  if (mean.length !== colour)
    throw bad('mean', `needs ${colour} values (one per colour channel), got ${mean.length}`);
  if (std.length !== colour)
    throw bad('std', `needs ${colour} values (one per colour channel), got ${std.length}`);
  if (std.some((s) => !(s !== 0 && Number.isFinite(s)))) throw bad('std', 'must be finite and non-zero');
  const range = p.range ?? [0, 1];
  if (range.length !== 2 || !range.every(Number.isFinite))
    throw bad('range', 'must be two finite numbers [lo, hi]');
  return {
    width: p.width,
    height: p.height,
    resize: p.resize ?? 'bilinear',
    fit: p.fit ?? 'stretch',
    resizeShorter: p.resizeShorter,
    channels: p.channels ?? 'RGB',
    alpha: p.alpha ?? 1,
    range,
    mean,
    std,
    layout: p.layout ?? 'NCHW',
  };
}

/** Pixels after resizing: interleaved 8-bit, `channels` = 1 (grey) or 3 (RGB). */
export interface RawPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/**
 * Writes one image (already resized to width×height) into `out` at item `index` of a batch:
 * maps 0..255 onto the range, subtracts mean, divides by std, reorders channels, adds alpha, lays out NCHW/NHWC.
 */
export function writeNormalised(
  px: RawPixels,
  p: ResolvedPreprocessing,
  out: Float32Array,
  index: number,
): void {
  const { width: w, height: h } = p;
  if (px.width !== w || px.height !== h) {
    throw new Error(`internal: image is ${px.width}×${px.height}, expected ${w}×${h}`);
  }
  const c = channelCount(p);
  const hw = w * h;
  const base = index * hw * c;
  const [lo, hi] = p.range;
  const scale = (hi - lo) / 255;
  const grey = p.channels === 'L';
  const bgr = p.channels === 'BGR' || p.channels === 'BGRA';
  const colour = grey ? 1 : 3;
  // per output colour channel: source channel, multiplier and offset folding range, mean and std
  const mul = new Float32Array(colour);
  const add = new Float32Array(colour);
  const src = new Int32Array(colour);
  for (let k = 0; k < colour; k++) {
    src[k] = grey ? 0 : bgr ? 2 - k : k;
    mul[k] = scale / p.std[k];
    add[k] = (lo - p.mean[k]) / p.std[k];
  }
  const inC = px.channels;
  const d = px.data;
  const nchw = p.layout === 'NCHW';
  for (let k = 0; k < colour; k++) {
    // a 1-channel source feeds every colour channel (grey becomes RGB)
    const s = inC === 1 ? 0 : src[k];
    const m = mul[k];
    const a = add[k];
    if (grey && inC === 3) {
      for (let i = 0; i < hw; i++) {
        const y = 0.299 * d[i * 3] + 0.587 * d[i * 3 + 1] + 0.114 * d[i * 3 + 2];
        out[nchw ? base + i : base + i * c] = y * m + a;
      }
      continue;
    }
    if (nchw) {
      const o = base + k * hw;
      for (let i = 0; i < hw; i++) out[o + i] = d[i * inC + s] * m + a;
    } else {
      for (let i = 0; i < hw; i++) out[base + i * c + k] = d[i * inC + s] * m + a;
    }
  }
  if (c === 4) {
    if (nchw) out.fill(p.alpha, base + 3 * hw, base + 4 * hw);
    else for (let i = 0; i < hw; i++) out[base + i * 4 + 3] = p.alpha;
  }
}

/** Shape of a batch of `n` preprocessed images. */
export function batchShape(p: ResolvedPreprocessing, n: number): number[] {
  const c = channelCount(p);
  return p.layout === 'NCHW' ? [n, c, p.height, p.width] : [n, p.height, p.width, c];
}

/**
 * Bilinear source positions for resizing `n` pixels to `N` along one axis (half-pixel centres,
 * edges clamped): output position x blends source pixels lo[x] and hi[x] with weight w[x] on hi.
 * The weights go into `w` (length N), whose precision the caller chooses.
 */
export function bilinearTaps<T extends Float32Array | Float64Array>(
  n: number,
  N: number,
  w: T,
): { lo: Int32Array; hi: Int32Array; w: T } {
  const lo = new Int32Array(N);
  const hi = new Int32Array(N);
  for (let x = 0; x < N; x++) {
    const s = Math.min(Math.max(((x + 0.5) * n) / N - 0.5, 0), n - 1);
    lo[x] = Math.floor(s);
    hi[x] = Math.min(lo[x] + 1, n - 1);
    w[x] = s - lo[x];
  }
  return { lo, hi, w };
}

// Taps depend only on (source size, target size, weight precision): computed once and reused.
const tapCache = new Map<string, { lo: Int32Array; hi: Int32Array; w: Float32Array | Float64Array }>();

/** {@link bilinearTaps} memoised; the returned arrays are shared, never write to them. */
export function cachedBilinearTaps(n: number, N: number, precision: 32 | 64) {
  const key = `${n}:${N}:${precision}`;
  let t = tapCache.get(key);
  if (!t) {
    t = bilinearTaps(n, N, precision === 32 ? new Float32Array(N) : new Float64Array(N));
    if (tapCache.size > 256) tapCache.clear();
    tapCache.set(key, t);
  }
  return t;
}

/** Per output channel multiplier/offset folding range, mean and std (float32, as writeNormalised uses them). */
interface ChannelMaps {
  readonly mul: Float32Array;
  readonly add: Float32Array;
  /** Normalised value of 8-bit level v in channel k at k * 256 + v. */
  readonly lut: Float32Array;
}
const mapCache = new WeakMap<ResolvedPreprocessing, ChannelMaps>();

function channelMaps(p: ResolvedPreprocessing): ChannelMaps {
  let m = mapCache.get(p);
  if (m) return m;
  const colour = p.channels === 'L' ? 1 : 3;
  const [lo, hi] = p.range;
  const mul = new Float32Array(colour);
  const add = new Float32Array(colour);
  const lut = new Float32Array(colour * 256);
  for (let k = 0; k < colour; k++) {
    mul[k] = (hi - lo) / 255 / p.std[k];
    add[k] = (lo - p.mean[k]) / p.std[k];
    for (let v = 0; v < 256; v++) lut[k * 256 + v] = v * mul[k] + add[k];
  }
  m = { mul, add, lut };
  mapCache.set(p, m);
  return m;
}

// scratch rows reused across calls (the pipeline is single-threaded)
let hScratch = new Float64Array(0);
let vScratch = new Float64Array(0);
let qScratch = new Int32Array(0);

/**
 * Upscales a one-channel 8-bit image bilinearly (half-pixel centres, clamped edges) and writes it normalised
 * into `out` at item `index`, in one pass over the output. Handles `stretch` (no intermediate 8-bit image, so
 * no rounding) and `pad-right` (the upscaled image is rounded to 8 bits, then zeros pad the right, exactly as
 * loadPixels + writeNormalised give). Used for in-memory grey digits; returns false (writing nothing) unless
 * the image is grey, only grows and `p` resizes bilinearly with one of those fits. Every value of the slot is
 * written, so `out` need not be zeroed.
 */
export function writeGreyUpscaled(
  src: { width: number; height: number; channels: number; data: Uint8Array },
  p: ResolvedPreprocessing,
  out: Float32Array,
  index: number,
): boolean {
  const { width: w, height: h, data } = src;
  const { width: W, height: H } = p;
  if (src.channels !== 1 || p.resize !== 'bilinear') return false;
  let rw = W; // width of the resized image inside the slot
  let round = false;
  if (p.fit === 'stretch') {
    if (w > W || h > H) return false;
  } else if (p.fit === 'pad-right') {
    rw = Math.min(W, Math.max(1, Math.ceil((w * H) / h)));
    if (w > rw || h > H) return false;
    round = true;
  } else return false;
  const c = channelCount(p);
  const colour = p.channels === 'L' ? 1 : 3;
  const hw = W * H;
  const base = index * hw * c;
  const { mul, add, lut } = channelMaps(p);
  const cols = cachedBilinearTaps(w, rw, 32);
  const rows = cachedBilinearTaps(h, H, 64);
  const x0 = cols.lo;
  const x1 = cols.hi;
  const fx = cols.w;
  // horizontal pass once per source row (the same doubles the two-row formula computes per output pixel)
  if (hScratch.length < h * rw) hScratch = new Float64Array(h * rw);
  if (vScratch.length < rw) vScratch = new Float64Array(rw);
  if (qScratch.length < rw) qScratch = new Int32Array(rw);
  const hr = hScratch;
  const v = vScratch;
  const q8 = qScratch; // rounded 8-bit levels (pad-right), integer indices into the lookup table
  for (let sy = 0; sy < h; sy++) {
    const r = sy * w;
    const o = sy * rw;
    for (let x = 0; x < rw; x++) {
      const a = data[r + x0[x]];
      hr[o + x] = a + (data[r + x1[x]] - a) * fx[x];
    }
  }
  const nchw = p.layout === 'NCHW';
  const same =
    colour === 3 && mul[0] === mul[1] && mul[1] === mul[2] && add[0] === add[1] && add[1] === add[2];
  // the padding is the normalised value of a zero pixel
  const pad0 = 0 * mul[0] + add[0];
  const pad1 = colour > 1 ? 0 * mul[1] + add[1] : 0;
  const pad2 = colour > 1 ? 0 * mul[2] + add[2] : 0;
  for (let y = 0; y < H; y++) {
    const fy = rows.w[y];
    const t0 = rows.lo[y] * rw;
    const t1 = rows.hi[y] * rw;
    if (round) {
      for (let x = 0; x < rw; x++) {
        const top = hr[t0 + x];
        q8[x] = (top + (hr[t1 + x] - top) * fy + 0.5) | 0;
      }
    } else if (nchw || colour === 1) {
      for (let x = 0; x < rw; x++) {
        const top = hr[t0 + x];
        v[x] = top + (hr[t1 + x] - top) * fy;
      }
    }
    const row = y * W;
    if (nchw) {
      // equal channel maps: only the first plane here, copied to the others below
      for (let k = 0; k < (same ? 1 : colour); k++) {
        const o = base + k * hw + row;
        if (round) {
          const l = k * 256;
          for (let x = 0; x < rw; x++) out[o + x] = lut[l + q8[x]];
        } else {
          const m = mul[k];
          const a = add[k];
          for (let x = 0; x < rw; x++) out[o + x] = v[x] * m + a;
        }
        if (rw < W) out.fill(k === 0 ? pad0 : k === 1 ? pad1 : pad2, o + rw, o + W);
      }
    } else if (colour === 1) {
      const m = mul[0];
      const a = add[0];
      for (let x = 0; x < rw; x++) out[base + (row + x) * c] = round ? lut[q8[x]] : v[x] * m + a;
      for (let x = rw; x < W; x++) out[base + (row + x) * c] = pad0;
    } else {
      let o = base + row * c;
      if (round) {
        for (let x = 0; x < rw; x++, o += c) {
          const q = q8[x];
          out[o] = lut[q];
          out[o + 1] = lut[256 + q];
          out[o + 2] = lut[512 + q];
        }
      } else if (same) {
        // NHWC with equal channel maps (BlazeFace, M-LSD): blend, map once, store three times
        const m = mul[0];
        const a = add[0];
        for (let x = 0; x < rw; x++, o += c) {
          const top = hr[t0 + x];
          const t = (top + (hr[t1 + x] - top) * fy) * m + a;
          out[o] = t;
          out[o + 1] = t;
          out[o + 2] = t;
        }
      } else {
        const m0 = mul[0];
        const m1 = mul[1];
        const m2 = mul[2];
        const a0 = add[0];
        const a1 = add[1];
        const a2 = add[2];
        for (let x = 0; x < rw; x++, o += c) {
          const top = hr[t0 + x];
          const q = top + (hr[t1 + x] - top) * fy;
          out[o] = q * m0 + a0;
          out[o + 1] = q * m1 + a1;
          out[o + 2] = q * m2 + a2;
        }
      }
      for (let x = rw; x < W; x++, o += c) {
        out[o] = pad0;
        out[o + 1] = pad1;
        out[o + 2] = pad2;
      }
    }
  }
  if (nchw && same) {
    out.copyWithin(base + hw, base, base + hw);
    out.copyWithin(base + 2 * hw, base, base + hw);
  }
  if (c === 4) {
    if (nchw) out.fill(p.alpha, base + 3 * hw, base + 4 * hw);
    else for (let i = 0; i < hw; i++) out[base + i * 4 + 3] = p.alpha;
  }
  return true;
}
