/**
 * A small deterministic limited-memory BFGS minimiser for smooth unconstrained problems.
 *
 * It follows the stopping rules of the L-BFGS-B routine that the PACTran reference calls through
 * scipy (`minimize(method="L-BFGS-B", tol=1e-6, options={"maxiter": 100})`): stop when the largest
 * gradient entry is ≤ `gradientTolerance`, when the relative decrease of the objective over one
 * iteration (f_k − f_k+1)/max(|f_k|, |f_k+1|, 1) is ≤ `functionTolerance`, or after
 * `maxIterations` iterations. Steps come from a strong-Wolfe line search (sufficient decrease
 * 1e-3, curvature 0.9, as in L-BFGS-B's line search) with safeguarded cubic interpolation, which
 * also accepts Hager and Zhang's approximate Wolfe conditions once f changes only by rounding; the first
 * trial step is 1/‖d‖ on the first iteration and 1 afterwards. There are no bounds.
 */

/** Objective: returns f(x) and writes ∇f(x) into `gradient` (same length as x). */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Iterations at most (default 100, the PACTran reference's maxiter). */
  readonly maxIterations?: number;
  /** Correction pairs kept (default 10, scipy's default). */
  readonly memory?: number;
  /** Stop when max_i |∂f/∂x_i| ≤ this (default 1e-6). */
  readonly gradientTolerance?: number;
  /** Stop when the relative decrease over an iteration is ≤ this (default 1e-6). */
  readonly functionTolerance?: number;
  /** Objective evaluations at most (default 15000, scipy's default). */
  readonly maxEvaluations?: number;
  /** Checked once per iteration; aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Why {@link minimizeLbfgs} stopped. */
export type LbfgsStop = 'gradient' | 'function' | 'max-iterations' | 'max-evaluations' | 'line-search';

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  /** The final point. */
  readonly x: Float64Array;
  /** f at `x`. */
  readonly value: number;
  /** ∇f at `x`. */
  readonly gradient: Float64Array;
  /** Iterations taken. */
  readonly iterations: number;
  /** Objective evaluations made. */
  readonly evaluations: number;
  /** True when a tolerance was met (not an iteration, evaluation or line-search limit). */
  readonly converged: boolean;
  /** The rule that stopped it. */
  readonly stop: LbfgsStop;
}

const C1 = 1e-3;
const C2 = 0.9;
const LINE_SEARCH_EVALUATIONS = 20;

interface Point {
  step: number;
  f: number;
  slope: number;
  x: Float64Array;
  g: Float64Array;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db), or NaN when it has none. */
function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/**
 * Strong-Wolfe line search along d from x (Nocedal & Wright, algorithms 3.5 and 3.6). Returns the
 * accepted point, or null when no step gave sufficient decrease within the evaluation budget.
 */
function lineSearch(
  fg: Objective,
  x: Float64Array,
  f0: number,
  slope0: number,
  d: Float64Array,
  firstStep: number,
  count: { evaluations: number },
): Point | null {
  const n = x.length;
  const evaluate = (step: number): Point => {
    const xt = new Float64Array(n);
    for (let i = 0; i < n; i++) xt[i] = x[i] + step * d[i];
    const gt = new Float64Array(n);
    const f = fg(xt, gt);
    count.evaluations++;
    return { step, f, slope: dot(gt, d), x: xt, g: gt };
  };
  const armijo = (p: Point) => p.f <= f0 + C1 * p.step * slope0;
  const curvature = (p: Point) => Math.abs(p.slope) <= -C2 * slope0;
  // Approximate Wolfe conditions (Hager & Zhang 2005) for when f has stopped changing beyond its
  // rounding: f within 1e-13·|f0| of f0 and the directional derivative shrunk in magnitude.
  const roundoff = 1e-13 * Math.abs(f0);
  const approximateWolfe = (p: Point) =>
    p.f <= f0 + roundoff && p.slope <= -(1 - 2 * C1) * slope0 && p.slope >= C2 * slope0;
  let used = 0;

  const zoom = (lo: Point | null, hi: Point): Point | null => {
    // lo === null stands for the start point (step 0).
    let loStep = lo ? lo.step : 0;
    let loF = lo ? lo.f : f0;
    let loSlope = lo ? lo.slope : slope0;
    let best = lo;
    while (used < LINE_SEARCH_EVALUATIONS) {
      const left = Math.min(loStep, hi.step);
      const width = Math.abs(hi.step - loStep);
      if (width <= 1e-14 * Math.max(1, hi.step)) break;
      let step = cubicMinimizer(loStep, loF, loSlope, hi.step, hi.f, hi.slope);
      if (!Number.isFinite(step) || step < left + 0.1 * width || step > left + 0.9 * width) {
        step = loStep + 0.5 * (hi.step - loStep);
      }
      const p = evaluate(step);
      used++;
      if (Number.isFinite(p.f) && !armijo(p) && approximateWolfe(p)) return p;
      if (!Number.isFinite(p.f) || !armijo(p) || p.f >= loF) {
        hi = p;
      } else {
        if (curvature(p)) return p;
        if (p.slope * (hi.step - loStep) >= 0)
          hi = best ?? { step: 0, f: f0, slope: slope0, x, g: new Float64Array(0) };
        best = p;
        loStep = p.step;
        loF = p.f;
        loSlope = p.slope;
      }
    }
    // Budget spent: accept the best point with sufficient decrease, if any.
    return best;
  };

  let prev: Point | null = null;
  let step = firstStep;
  while (used < LINE_SEARCH_EVALUATIONS) {
    const p = evaluate(step);
    used++;
    if (Number.isFinite(p.f) && !armijo(p) && approximateWolfe(p)) return p;
    if (!Number.isFinite(p.f) || !armijo(p) || (prev !== null && p.f >= prev.f)) return zoom(prev, p);
    if (curvature(p)) return p;
    if (p.slope >= 0) return zoom(p, prev ?? { step: 0, f: f0, slope: slope0, x, g: new Float64Array(0) });
    prev = p;
    step *= 2;
  }
  return prev;
}

/**
 * Minimises `fg` from `x0` with L-BFGS. Deterministic: the same inputs give the same iterates.
 * `x0` is not modified.
 *
 * @param fg - the objective: writes the gradient into its second argument and returns the value.
 * @param x0 - the start point (length n).
 * @param options - iteration budget, gradient and function tolerances, memory, abort signal.
 * @returns the minimiser `x` (length n), its value, iterations, evaluations, whether it converged
 *   and why it stopped.
 * @throws the signal's reason when aborted.
 * @example
 * ```ts
 * // (x − 3)² + 2(y + 1)²
 * const r = minimizeLbfgs((x, g) => {
 *   g[0] = 2 * (x[0] - 3);
 *   g[1] = 4 * (x[1] + 1);
 *   return (x[0] - 3) ** 2 + 2 * (x[1] + 1) ** 2;
 * }, new Float64Array(2));
 * console.assert(Math.abs(r.x[0] - 3) < 1e-5 && Math.abs(r.x[1] + 1) < 1e-5);
 * ```
 */
export function minimizeLbfgs(fg: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = options.maxIterations ?? 100;
  const memory = options.memory ?? 10;
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.functionTolerance ?? 1e-6;
  const maxEvaluations = options.maxEvaluations ?? 15000;
  const n = x0.length;

  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let f = fg(x, g);
  const count = { evaluations: 1 };
  if (!Number.isFinite(f)) throw new RangeError(`minimizeLbfgs: objective is ${f} at the start point`);

  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let iterations = 0;
  const done = (stop: LbfgsStop, converged: boolean): LbfgsResult => ({
    x,
    value: f,
    gradient: g,
    iterations,
    evaluations: count.evaluations,
    converged,
    stop,
  });

  if (maxAbs(g) <= gtol) return done('gradient', true);
  while (iterations < maxIterations) {
    options.signal?.throwIfAborted();
    // Two-loop recursion: d = −H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const m = sList.length;
    for (let k = m - 1; k >= 0; k--) {
      alpha[k] = rhoList[k] * dot(sList[k], d);
      const y = yList[k];
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * y[i];
    }
    if (m > 0) {
      const gamma = dot(sList[m - 1], yList[m - 1]) / dot(yList[m - 1], yList[m - 1]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0; k < m; k++) {
      const beta = rhoList[k] * dot(yList[k], d);
      const s = sList[k];
      for (let i = 0; i < n; i++) d[i] += (alpha[k] - beta) * s[i];
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (lost positive definiteness): restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    const firstStep = sList.length === 0 ? 1 / Math.sqrt(dot(d, d)) : 1;
    const point = lineSearch(fg, x, f, slope, d, firstStep, count);
    if (point === null) {
      if (sList.length > 0) {
        // Retry from steepest descent with an empty memory, as L-BFGS-B does.
        sList.length = 0;
        yList.length = 0;
        rhoList.length = 0;
        continue;
      }
      return done('line-search', false);
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = point.x[i] - x[i];
      y[i] = point.g[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 2.220446049250313e-16 * dot(y, y)) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
    }
    iterations++;
    const fOld = f;
    x = point.x;
    g = point.g;
    f = point.f;
    if (maxAbs(g) <= gtol) return done('gradient', true);
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) return done('function', true);
    if (count.evaluations >= maxEvaluations) return done('max-evaluations', false);
  }
  return done('max-iterations', false);
}
