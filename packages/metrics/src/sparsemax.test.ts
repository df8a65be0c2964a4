import { describe, expect, it } from 'vitest';
import { sparsemax } from './sparsemax';

describe('sparsemax', () => {
  it('projects onto the simplex (hand-computed cases)', () => {
    // Already on the simplex: unchanged.
    expect(Array.from(sparsemax([0.2, 0.3, 0.5]))).toEqual([0.2, 0.3, 0.5].map((v) => expect.closeTo(v, 15)));
    // (1, 0.5, -1): support {0, 1}, τ = (1.5 − 1)/2 = 0.25 → (0.75, 0.25, 0).
    const a = sparsemax([1, 0.5, -1]);
    expect(a[0]).toBeCloseTo(0.75, 15);
    expect(a[1]).toBeCloseTo(0.25, 15);
    expect(a[2]).toBe(0);
    // A dominant entry takes everything: (3, 0, 1) → (1, 0, 0).
    expect(Array.from(sparsemax([3, 0, 1]))).toEqual([1, 0, 0]);
    // Equal entries share equally, whatever their level: (5, 5) → (0.5, 0.5).
    expect(Array.from(sparsemax([5, 5]))).toEqual([0.5, 0.5]);
    expect(Array.from(sparsemax([-7]))).toEqual([1]);
    // (0.6, 0.6, 0.1): k = 3 fails (1 + 0.3 = 1.3, not > 1.3), k = 2 holds, τ = (1.2 − 1)/2 = 0.1.
    const b = sparsemax([0.6, 0.6, 0.1]);
    expect(b[0]).toBeCloseTo(0.5, 15);
    expect(b[1]).toBeCloseTo(0.5, 15);
    expect(b[2]).toBeCloseTo(0, 15);
  });

  it('always returns non-negative weights summing to one', () => {
    let seed = 3;
    for (let t = 0; t < 200; t++) {
      const n = 1 + (t % 7);
      const z = Array.from({ length: n }, () => {
        seed = (seed * 16807) % 2147483647;
        return (seed / 2147483647 - 0.5) * 10;
      });
      const p = sparsemax(z);
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
      // Order is preserved.
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) if (z[i] > z[j]) expect(p[i]).toBeGreaterThanOrEqual(p[j]);
    }
  });
});
