// The one seeded random-number generator of the repository (browser-safe, no dependencies).

/**
 * mulberry32: a small seeded generator of uniform numbers in [0, 1) that repeats exactly on every
 * platform. `seed` is taken modulo 2³².
 *
 * @example
 * ```ts
 * const next = mulberry32(1);
 * next(); // 2693262067 / 2³²
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The generator the scores use for their seeds (k-means initialisation, subsampling): mulberry32
 * started from `seed` mixed with a fixed constant, so that small seeds (0, 1, 2…) give unrelated streams.
 */
export function seededRandom(seed: number): () => number {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

/** Standard normal numbers from a uniform generator (Box–Muller, one value per call). */
export function normalFrom(uniform: () => number): () => number {
  return () => {
    let u = uniform();
    while (u <= 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
