/**
 * Sparsemax (Martins & Astudillo, ICML 2016): the Euclidean projection of z onto the probability
 * simplex, p = max(z − τ, 0) with τ chosen so that Σ p = 1. With z sorted descending, the
 * support size is the largest k such that 1 + k·z_(k) > Σ_{j≤k} z_(j), and
 * τ = (Σ_{j≤k} z_(j) − 1)/k.
 *
 * @param z - K real numbers.
 * @returns K non-negative weights summing to 1 (sparse: small entries become exactly 0).
 * @example
 * ```ts
 * const w = sparsemax([2, 0.5, -1]);
 * console.assert(w[0] === 1 && w[1] === 0 && w[2] === 0);
 * ```
 */
export function sparsemax(z: ArrayLike<number>): Float64Array {
  const n = z.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const sorted = Float64Array.from(z).sort().reverse();
  let cumulative = 0;
  let support = 1;
  let supportSum = sorted[0];
  for (let k = 1; k <= n; k++) {
    cumulative += sorted[k - 1];
    if (1 + k * sorted[k - 1] > cumulative) {
      support = k;
      supportSum = cumulative;
    }
  }
  const tau = (supportSum - 1) / support;
  for (let i = 0; i < n; i++) out[i] = Math.max(z[i] - tau, 0);
  return out;
}
