import type { Tensor } from './tensor';

/** Shape, dtype and value statistics of a tensor, as `emms inspect` prints them. */
export interface TensorSummary {
  readonly shape: number[];
  /** numpy-style dtype name, e.g. "float32". */
  readonly dtype: string;
  /** Smallest finite value (NaN when there is none). */
  readonly min: number;
  /** Largest finite value (NaN when there is none). */
  readonly max: number;
  /** Mean of the finite values (NaN when there are none). */
  readonly mean: number;
  /** Number of NaN and ±Inf values. */
  readonly nonFinite: number;
}

/**
 * Computes min, max and mean over the finite values and counts NaN/Inf. Sums run in float64
 * with Neumaier compensation, so the mean of float32 data is accurate to float64 rounding. Bool
 * counts as 0/1; int64 values are converted to the nearest float64.
 */
export function summarize(t: Tensor): TensorSummary {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let comp = 0;
  let finite = 0;
  let nonFinite = 0;
  const add = (v: number) => {
    if (v - v !== 0) {
      nonFinite++;
      return;
    }
    finite++;
    if (v < min) min = v;
    if (v > max) max = v;
    const s = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
    sum = s;
  };
  if (t.data instanceof BigInt64Array) {
    for (let i = 0; i < t.data.length; i++) add(Number(t.data[i]));
  } else {
    const d = t.data as ArrayLike<number>;
    for (let i = 0; i < d.length; i++) add(d[i]);
  }
  return {
    shape: [...t.shape],
    dtype: t.dtype,
    min: finite > 0 ? min : Number.NaN,
    max: finite > 0 ? max : Number.NaN,
    mean: finite > 0 ? (sum + comp) / finite : Number.NaN,
    nonFinite,
  };
}
