import { describe, expect, it } from 'vitest';
import { digamma, logGamma, logSumExp } from './special';

const EULER = 0.5772156649015329;

/** log((n−1)!) by direct summation: an independent route to log Γ(n). */
function logFactorial(n: number): number {
  let s = 0;
  for (let k = 2; k <= n; k++) s += Math.log(k);
  return s;
}

describe('logGamma', () => {
  it('matches log((n−1)!) at integers', () => {
    for (const n of [1, 2, 3, 5, 10, 11, 30, 171, 1000]) {
      const expected = logFactorial(n - 1);
      expect(Math.abs(logGamma(n) - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));
    }
  });

  it('matches Γ(1/2) = √π and Γ(3/2) = √π/2', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(1.5)).toBeCloseTo(0.5 * Math.log(Math.PI) - Math.log(2), 14);
  });

  it('behaves like −log x − γx near 0 (the 1e-10 offsets of the priors)', () => {
    const x = 1e-10;
    expect(logGamma(x)).toBeCloseTo(-Math.log(x) - EULER * x, 12);
  });

  it('satisfies log Γ(x+1) = log Γ(x) + log x off the integers', () => {
    for (const x of [0.01, 0.3, 0.7, 2.25, 9.5, 9.99, 10.01, 57.3, 1234.5]) {
      expect(logGamma(x + 1)).toBeCloseTo(logGamma(x) + Math.log(x), 11);
    }
  });

  it('is NaN off the positive axis', () => {
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1.5)).toBeNaN();
  });
});

describe('digamma', () => {
  it('matches −γ + H_{n−1} at integers', () => {
    let harmonic = 0;
    for (let n = 1; n <= 40; n++) {
      expect(digamma(n)).toBeCloseTo(-EULER + harmonic, 13);
      harmonic += 1 / n;
    }
  });

  it('matches ψ(1/2) = −γ − 2 log 2 and ψ(x) ≈ −1/x − γ near 0', () => {
    expect(digamma(0.5)).toBeCloseTo(-EULER - 2 * Math.LN2, 13);
    expect(digamma(1e-10) / (-1e10 - EULER)).toBeCloseTo(1, 14);
  });

  it('is the derivative of logGamma (central differences)', () => {
    for (const x of [0.2, 1.7, 8.3, 42, 5000]) {
      const h = 1e-5 * Math.max(1, x);
      const fd = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
      expect(Math.abs(fd - digamma(x))).toBeLessThan(1e-7);
    }
  });
});

describe('logSumExp', () => {
  it('is stable for large entries and handles a slice', () => {
    const v = new Float64Array([5, 1000, 1000, -3]);
    expect(logSumExp(v, 1, 2)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp(v, 0, 1)).toBe(5);
  });
});
