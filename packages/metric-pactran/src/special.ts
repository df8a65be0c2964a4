/**
 * Special functions the PACTran scores need on positive arguments: log Γ and the digamma ψ.
 *
 * Both shift the argument up with the recurrence until it is ≥ 10 and then use the asymptotic
 * (Stirling) series; below 0.5, log Γ uses the reflection formula. Relative accuracy is about
 * 1e-15 on the positive axis, which is all the scores ever evaluate.
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Natural log of the gamma function, for x > 0 (NaN otherwise; the scores only evaluate x > 0).
 *
 * @param x - a positive number.
 * @returns log Γ(x).
 * @example
 * ```ts
 * console.assert(Math.abs(logGamma(5) - Math.log(24)) < 1e-13);
 * ```
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  let shift = 0;
  let product = 1;
  while (x < 10) {
    product *= x;
    x += 1;
    // Keep the running product in range; fold it into the log sum now and then.
    if (product > 1e280) {
      shift += Math.log(product);
      product = 1;
    }
  }
  shift += Math.log(product);
  const inv = 1 / x;
  const inv2 = inv * inv;
  // Stirling series: 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹) − 691/(360360x¹¹) + 1/(156x¹³)
  const series =
    inv *
    (1 / 12 +
      inv2 *
        (-1 / 360 +
          inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 / 156))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series - shift;
}

/**
 * The digamma function ψ(x) = d/dx log Γ(x), for x > 0 (NaN otherwise).
 *
 * @param x - a positive number.
 * @returns ψ(x).
 * @example
 * ```ts
 * console.assert(Math.abs(digamma(1) + 0.5772156649015329) < 1e-13); // −γ
 * ```
 */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  // ψ(x) ~ ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶) + 1/(240x⁸) − 1/(132x¹⁰) + 691/(32760x¹²)
  const series =
    inv2 *
    (-1 / 12 +
      inv2 * (1 / 120 + inv2 * (-1 / 252 + inv2 * (1 / 240 + inv2 * (-1 / 132 + (inv2 * 691) / 32760)))));
  return acc + Math.log(x) - 0.5 * inv + series;
}

/** log Σ exp(v[from..from+n)) computed stably. */
export function logSumExp(v: Float64Array, from: number, n: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) if (v[from + k] > max) max = v[from + k];
  if (max === Number.NEGATIVE_INFINITY) return max;
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(v[from + k] - max);
  return max + Math.log(s);
}
