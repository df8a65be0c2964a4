import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalFrom, seededRandom } from '@emms/tensor-io';
import { writeNpy } from './npy';

/** Problem sizes: N samples, D feature dims, L F-label width, K F-labels, C classes. */
export interface BenchSize {
  readonly name: string;
  readonly n: number;
  readonly d: number;
  readonly l: number;
  readonly k: number;
  readonly c: number;
  /** Source-model classes of the probabilities P.npy (LEEP, NCE); no P.npy when absent. */
  readonly cs?: number;
  /** Scale of the class means against the unit noise (default 1.5; smaller: classes overlap more). */
  readonly separation?: number;
}

/** The sizes issue 4 names. */
export const SIZES: Readonly<Record<string, BenchSize>> = {
  tiny: { name: 'tiny', n: 200, d: 48, l: 16, k: 3, c: 5 },
  mid: { name: 'mid', n: 3000, d: 2048, l: 1024, k: 3, c: 50 },
  large: { name: 'large', n: 50000, d: 2048, l: 1024, k: 3, c: 100 },
};

/**
 * The sizes of `pnpm bench --all` (every score beside its reference): small, mid, wide. The
 * F-labels (K of width L) serve EMMS; P.npy (N × cs source probabilities) serves LEEP and NCE.
 * Class means at 0.25 of the noise scale (decaying over columns), so that the scores are not
 * saturated (at 1.5, NLEEP and SFDA are exactly 1 and GBC about 0).
 */
export const ALL_SIZES: Readonly<Record<string, BenchSize>> = {
  tiny: { name: 'tiny', n: 200, d: 48, l: 16, k: 3, c: 5, cs: 20, separation: 0.5 },
  small: { name: 'small', n: 1000, d: 256, l: 128, k: 3, c: 10, cs: 100, separation: 0.25 },
  mid: { name: 'mid', n: 4000, d: 1024, l: 512, k: 3, c: 50, cs: 100, separation: 0.25 },
  wide: { name: 'wide', n: 1000, d: 2048, l: 512, k: 3, c: 10, cs: 100, separation: 0.25 },
  large: { name: 'large', n: 50000, d: 2048, l: 1024, k: 3, c: 1000, cs: 1000, separation: 0.25 },
};

/**
 * A size written as `NxDxC` (e.g. `2000x512x20`) for `pnpm bench --all`: F-labels 3 × min(D/2, 1024)
 * wide, source probabilities over max(C, 100) classes, class means at 0.25 of the noise as the
 * named sizes. Null when `spec` is not of that form (or a dimension is below 2).
 */
export function customSize(spec: string): BenchSize | null {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(spec);
  if (!m) return null;
  const [n, d, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (n < 2 || d < 2 || c < 2 || c > n) return null;
  const l = Math.max(1, Math.min(1024, Math.floor(d / 2)));
  return { name: spec, n, d, l, k: 3, c, cs: Math.max(c, 100), separation: 0.25 };
}

/** Seeded uniform and standard normal draws from the repository's one generator (@emms/tensor-io). */
export class Rng {
  readonly uniform: () => number;
  readonly normal: () => number;

  constructor(seed: number) {
    this.uniform = seededRandom(seed);
    this.normal = normalFrom(this.uniform);
  }
}

/** Where each generated file lives and how big it is. */
export interface BenchInputs {
  readonly dir: string;
  readonly size: BenchSize;
  readonly seed: number;
  readonly features: string;
  readonly labels: string;
  readonly flabels: readonly string[];
  /** Source-model probabilities (when the size has `cs`). */
  readonly probs?: string;
  /** Total bytes of the files above. */
  readonly bytes: number;
}

function paths(
  dir: string,
  size: BenchSize,
): { features: string; labels: string; flabels: string[]; probs?: string } {
  return {
    features: join(dir, 'X.npy'),
    labels: join(dir, 'y.npy'),
    flabels: Array.from({ length: size.k }, (_, i) => join(dir, `Z_${i + 1}.npy`)),
    ...(size.cs ? { probs: join(dir, 'P.npy') } : {}),
  };
}

/**
 * Synthetic, deterministic inputs with class structure, written as .npy into `dir`:
 * - y: N labels, each class equally often (i mod C, then a seeded shuffle);
 * - X (float32, N×D): class mean + unit noise, the means' scale decaying over columns so the
 *   spectrum is uneven as real features are, plus a few constant ("dead") columns;
 * - Z_k (float32, N×L): a per-class embedding for F-label k + noise, so F-labels track the class;
 * - P (float32, N×cs, only when the size has `cs`): a softmax of per-class source logits (each
 *   class leans on a few source classes) + noise, as a source model's probabilities.
 * Files are reused when `dir` already holds them for the same size and seed.
 */
export function generateInputs(dir: string, size: BenchSize, seed = 1): BenchInputs {
  mkdirSync(dir, { recursive: true });
  const p = paths(dir, size);
  const metaPath = join(dir, 'meta.json');
  const meta = JSON.stringify({ size, seed, version: 1 });
  const all = [p.features, p.labels, ...p.flabels, ...(p.probs ? [p.probs] : [])];
  const reuse =
    existsSync(metaPath) && readFileSync(metaPath, 'utf8') === meta && all.every((f) => existsSync(f));
  if (!reuse) {
    const { n, d, l, k, c } = size;
    const rng = new Rng(seed);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = i % c;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      const t = y[i]!;
      y[i] = y[j]!;
      y[j] = t;
    }
    writeNpy(
      p.labels,
      BigInt64Array.from(y, (v) => BigInt(v)),
      [n],
    );

    const means = new Float32Array(c * d);
    for (let j = 0; j < d; j++) {
      const scale = (size.separation ?? 1.5) / Math.sqrt(1 + j / 32);
      for (let cl = 0; cl < c; cl++) means[cl * d + j] = scale * rng.normal();
    }
    const dead = new Set([3, Math.floor(d / 2), d - 1].filter((j) => j < d));
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      const mrow = y[i]! * d;
      for (let j = 0; j < d; j++) x[row + j] = dead.has(j) ? 0 : means[mrow + j]! + rng.normal();
    }
    writeNpy(p.features, x, [n, d]);

    const z = new Float32Array(n * l);
    const emb = new Float32Array(c * l);
    for (let kk = 0; kk < k; kk++) {
      for (let t = 0; t < emb.length; t++) emb[t] = rng.normal();
      const noise = 0.5 + 0.25 * kk;
      for (let i = 0; i < n; i++) {
        const row = i * l;
        const erow = y[i]! * l;
        for (let j = 0; j < l; j++) z[row + j] = emb[erow + j]! + noise * rng.normal();
      }
      writeNpy(p.flabels[kk]!, z, [n, l]);
    }
    if (p.probs && size.cs) {
      const cs = size.cs;
      const lean = new Float64Array(c * cs);
      for (let t = 0; t < lean.length; t++) lean[t] = 2 * rng.normal();
      const probs = new Float32Array(n * cs);
      const row = new Float64Array(cs);
      for (let i = 0; i < n; i++) {
        let mx = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < cs; j++) {
          row[j] = lean[y[i]! * cs + j]! + 1.5 * rng.normal();
          mx = Math.max(mx, row[j]!);
        }
        let sum = 0;
        for (let j = 0; j < cs; j++) {
          row[j] = Math.exp(row[j]! - mx);
          sum += row[j]!;
        }
        for (let j = 0; j < cs; j++) probs[i * cs + j] = row[j]! / sum;
      }
      writeNpy(p.probs, probs, [n, cs]);
    }
    writeFileSync(metaPath, meta);
  }
  const bytes = all.reduce((s, f) => s + statSync(f).size, 0);
  return { dir, size, seed, ...p, bytes };
}
