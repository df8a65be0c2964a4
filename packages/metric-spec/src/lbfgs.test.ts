import { describe, expect, it } from 'vitest';
import { minimizeLbfgs, type Objective } from './lbfgs';

/** f(x) = ½ xᵀAx − bᵀx with A SPD: the minimiser solves Ax = b. */
function quadratic(a: number[][], b: number[]): Objective {
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < b.length; i++) {
      let ax = 0;
      for (let j = 0; j < b.length; j++) ax += a[i][j] * x[j];
      g[i] = ax - b[i];
      f += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return f;
  };
}

/** Rosenbrock in n dimensions: minimum 0 at (1, …, 1). */
const rosenbrock: Objective = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const t = x[i + 1] - x[i] * x[i];
    const u = 1 - x[i];
    f += 100 * t * t + u * u;
    g[i] += -400 * x[i] * t - 2 * u;
    g[i + 1] += 200 * t;
  }
  return f;
};

describe('minimizeLbfgs', () => {
  it('solves a 3×3 SPD quadratic whose solution is known by hand', () => {
    // A = [[4,1,0],[1,3,1],[0,1,2]], x* = (1, −1, 2) ⇒ b = A x* = (3, 0, 3).
    const a = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const result = minimizeLbfgs(quadratic(a, [3, 0, 3]), new Float64Array(3), {
      gradientTolerance: 1e-10,
      functionTolerance: 0,
    });
    expect(result.converged).toBe(true);
    expect(result.stop).toBe('gradient');
    expect([...result.x].map((v) => Number(v.toFixed(9)))).toEqual([1, -1, 2]);
    // f(x*) = −½ bᵀx* = −½ (3 − 0 + 6) = −4.5
    expect(result.value).toBeCloseTo(-4.5, 12);
  });

  it('finds the Rosenbrock minimum in 10 dimensions', () => {
    const x0 = new Float64Array(10).fill(-1.2);
    const result = minimizeLbfgs(rosenbrock, x0, {
      maxIterations: 1000,
      gradientTolerance: 1e-10,
      functionTolerance: 0,
    });
    expect(result.converged).toBe(true);
    for (const v of result.x) expect(v).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
    expect(x0[0]).toBe(-1.2); // start point untouched
  });

  it('is deterministic and honours maxIterations', () => {
    const run = () => minimizeLbfgs(rosenbrock, new Float64Array(6).fill(-1.2), { maxIterations: 7 });
    const a = run();
    const b = run();
    expect(a.iterations).toBe(7);
    expect(a.stop).toBe('max-iterations');
    expect(a.converged).toBe(false);
    expect([...a.x]).toEqual([...b.x]);
    expect(a.value).toBe(b.value);
  });

  it('stops on the relative-decrease rule', () => {
    const result = minimizeLbfgs(rosenbrock, new Float64Array(4).fill(-1.2), {
      maxIterations: 1000,
      functionTolerance: 1e-3,
      gradientTolerance: 0,
    });
    expect(result.stop).toBe('function');
    expect(result.converged).toBe(true);
  });

  it('returns at once when the start is stationary, and aborts on a signal', () => {
    const none = minimizeLbfgs(quadratic([[2]], [0]), new Float64Array(1));
    expect(none.iterations).toBe(0);
    expect(none.stop).toBe('gradient');
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    expect(() =>
      minimizeLbfgs(rosenbrock, new Float64Array(2).fill(-1.2), { signal: controller.signal }),
    ).toThrow('stop');
  });
});
