// Bootstrap resamples of N items as row multiplicities, stratified within classes (browser-safe).
import { EmmsError, seededRandom } from '@emms/tensor-io';

/** Options of {@link stratifiedCounts}. */
export interface ResampleCountsOptions {
  /** Resamples to draw (integer ≥ 1). */
  readonly reps: number;
  /** Seed of `seededRandom` (default 0). */
  readonly seed?: number;
}

/**
 * Stratified bootstrap resamples as multiplicities: for each resample and each class (stratum) in
 * increasing order, as many draws with replacement as the class has items, among its items. Every
 * resample keeps each class's size, so no class goes missing and the class priors do not move; only
 * which items, and how often, vary. The draws depend only on the strata, `reps` and `seed`, so the
 * resamples are the same for every model scored on these items (paired).
 *
 * @param strata - N non-negative integer class labels (one stratum: all zeros).
 * @param options - {@link ResampleCountsOptions}: `reps`, `seed` (0).
 * @returns `reps` vectors of N counts (Float64Array, each summing to N).
 * @throws EmmsError `INVALID_OPTION` for reps < 1 or a non-integer seed; `LABEL_OUT_OF_RANGE` for a
 *   negative or fractional stratum.
 * @example
 * ```ts
 * const [first] = stratifiedCounts(Int32Array.from([0, 0, 1, 1, 1]), { reps: 200, seed: 0 });
 * first[0] + first[1]; // 2: class 0 keeps its two items
 * ```
 */
export function stratifiedCounts(strata: ArrayLike<number>, options: ResampleCountsOptions): Float64Array[] {
  const { reps } = options;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(reps) || reps < 1) {
    throw new EmmsError('INVALID_OPTION', `resamples: reps is ${reps}; give an integer ≥ 1`, {
      input: 'reps',
    });
  }
  if (!Number.isInteger(seed)) {
    throw new EmmsError('INVALID_OPTION', `resamples: seed is ${seed}; give an integer`, { input: 'seed' });
  }
  const byStratum: number[][] = [];
  for (let i = 0; i < strata.length; i++) {
    const s = strata[i];
    if (!Number.isInteger(s) || s < 0) {
      throw new EmmsError('LABEL_OUT_OF_RANGE', `strata[${i}] is ${s}; give integer labels ≥ 0`, {
        input: 'strata',
        details: { index: i },
      });
    }
    byStratum[s] ??= [];
    byStratum[s].push(i);
  }
  const random = seededRandom(seed);
  const out: Float64Array[] = [];
  for (let r = 0; r < reps; r++) {
    const counts = new Float64Array(strata.length);
    for (const items of byStratum) {
      if (!items) continue;
      for (let t = 0; t < items.length; t++) counts[items[Math.floor(random() * items.length)]]++;
    }
    out.push(counts);
  }
  return out;
}
