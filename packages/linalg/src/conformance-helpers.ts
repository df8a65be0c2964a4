// Helpers of the backend conformance suite (conformance.ts, conformance-f32.ts): random inputs,
// plain-loop references and the framework-free expectations.
import { type Matrix, mulberry32 } from '@emms/tensor-io';
import type { Dense } from './backend';

/** A failed expectation of the suite (plain Error: the suite must not depend on a framework). */
export class ConformanceFailure extends Error {
  override name = 'ConformanceFailure';
}

export function fail(message: string): never {
  throw new ConformanceFailure(message);
}

export function mat(rows: number, cols: number, values: ArrayLike<number>, f32 = false): Matrix {
  const data = f32 ? Float32Array.from(values) : Float64Array.from(values);
  return { rows, cols, data };
}

export function dense(rows: number, cols: number, values: ArrayLike<number>): Dense {
  return { rows, cols, data: Float64Array.from(values) };
}

export function random(rows: number, cols: number, seed: number, f32 = false): Matrix {
  const r = mulberry32(seed);
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return { rows, cols, data };
}

/** Plain triple loops in float64: the independent reference for the products. */
export function naiveMatmul(a: Matrix, b: Matrix, transposeA = false): Float64Array {
  const n = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const out = new Float64Array(n * b.cols);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transposeA ? a.data[p * a.cols + i] : a.data[i * a.cols + p];
        s += av * b.data[p * b.cols + j];
      }
      out[i * b.cols + j] = s;
    }
  }
  return out;
}

export function transpose(a: Matrix): Dense {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}

/** A random symmetric positive definite n×n matrix XᵀX + n·I. */
export function randomSpd(n: number, seed: number): Dense {
  const x = random(n + 3, n, seed);
  const g = naiveMatmul(x, x, true);
  for (let i = 0; i < n; i++) g[i * n + i] += n;
  return { rows: n, cols: n, data: g };
}

export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

export function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

export function close(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  if (got.length !== want.length) fail(`${what}: ${got.length} values, expected ${want.length}`);
  const scale = Math.max(1, maxAbs(want));
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= tol * scale)) {
      fail(`${what}: value ${i} is ${got[i]}, expected ${want[i]} (|diff| ${d} > ${tol * scale})`);
    }
  }
}

export function shape(what: string, m: Matrix, rows: number, cols: number): void {
  if (m.rows !== rows || m.cols !== cols || m.data.length !== rows * cols) {
    fail(`${what}: shape ${m.rows}×${m.cols} (${m.data.length} values), expected ${rows}×${cols}`);
  }
  if (!(m.data instanceof Float64Array)) fail(`${what}: result must be float64`);
}

/** Runs `f`, expects an EmmsError with `code` whose `input` is `input`; fails otherwise. */
export function throwsCode(what: string, f: () => unknown, code: string, input?: string): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) fail(`${what}: expected an EmmsError ${code}, nothing was thrown`);
  const e = thrown as { name?: string; code?: string; input?: string; message?: string };
  if (e.name !== 'EmmsError' || e.code !== code) {
    fail(`${what}: expected EmmsError ${code}, got ${e.name} ${e.code ?? ''}: ${e.message}`);
  }
  if (input !== undefined && e.input !== input) {
    fail(`${what}: the error should name input "${input}", it names "${e.input}"`);
  }
  if (input !== undefined && !e.message?.includes(input)) {
    fail(`${what}: the message should name "${input}": ${e.message}`);
  }
}

/** Runs `f` on inputs and fails if it modified any of them. */
export function untouched<T>(what: string, inputs: Matrix[], f: () => T): T {
  const copies = inputs.map((m) => Float64Array.from(m.data));
  const out = f();
  inputs.forEach((m, i) => {
    for (let j = 0; j < copies[i].length; j++) {
      if (!Object.is(m.data[j], copies[i][j])) fail(`${what}: input ${i} was modified at ${j}`);
    }
  });
  return out;
}

/** ‖A V − V Λ‖ and ‖VᵀV − I‖ small, values ascending: a valid eigendecomposition of a. */
export function checkEigen(what: string, a: Dense, values: Float64Array, vectors: Dense, tol: number): void {
  const n = a.rows;
  shape(`${what} vectors`, vectors, n, n);
  if (values.length !== n) fail(`${what}: ${values.length} eigenvalues for a ${n}×${n} matrix`);
  for (let i = 1; i < n; i++)
    if (values[i] < values[i - 1]) fail(`${what}: eigenvalues not ascending at ${i}`);
  const av = naiveMatmul(a, vectors);
  const vl = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl[i * n + j] = vectors.data[i * n + j] * values[j];
  close(`${what}: A V = V Λ`, av, vl, tol * Math.max(1, n));
  close(`${what}: Vᵀ V = I`, naiveMatmul(vectors, vectors, true), identity(n), tol * Math.max(1, n));
}

/** Fills the strict upper triangle of a copy with a value, to prove only the lower one is read. */
export function poisonUpper(a: Dense, value: number): Dense {
  const n = a.rows;
  const out = Float64Array.from(a.data);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = value;
  return { rows: n, cols: n, data: out };
}
