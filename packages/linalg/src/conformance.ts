import { type Matrix, mulberry32 } from '@emms/tensor-io';
import { type Dense, kernelsOf, type LinalgBackend, OPTIONAL_KERNELS } from './backend';

/**
 * The two test-runner functions the suite needs, passed in so that this module never imports a
 * test framework (vitest's, jest's and node:test's `describe`/`it` all fit).
 */
export interface ConformanceRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => void | Promise<void>): void;
}

/** Options of {@link runBackendConformance}. */
export interface ConformanceOptions {
  /** Relative tolerance of every numerical comparison (default 1e-10). */
  readonly tolerance?: number;
  /** Largest random size tried (default 40): keep it small, the suite checks behaviour, not speed. */
  readonly size?: number;
}

/** A failed expectation of the suite (plain Error: the suite must not depend on a framework). */
class ConformanceFailure extends Error {
  override name = 'ConformanceFailure';
}

function fail(message: string): never {
  throw new ConformanceFailure(message);
}

function mat(rows: number, cols: number, values: ArrayLike<number>, f32 = false): Matrix {
  const data = f32 ? Float32Array.from(values) : Float64Array.from(values);
  return { rows, cols, data };
}

function dense(rows: number, cols: number, values: ArrayLike<number>): Dense {
  return { rows, cols, data: Float64Array.from(values) };
}

function random(rows: number, cols: number, seed: number, f32 = false): Matrix {
  const r = mulberry32(seed);
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return { rows, cols, data };
}

/** Plain triple loops in float64: the independent reference for the products. */
function naiveMatmul(a: Matrix, b: Matrix, transposeA = false): Float64Array {
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

function transpose(a: Matrix): Dense {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}

/** A random symmetric positive definite n×n matrix XᵀX + n·I. */
function randomSpd(n: number, seed: number): Dense {
  const x = random(n + 3, n, seed);
  const g = naiveMatmul(x, x, true);
  for (let i = 0; i < n; i++) g[i * n + i] += n;
  return { rows: n, cols: n, data: g };
}

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

function close(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  if (got.length !== want.length) fail(`${what}: ${got.length} values, expected ${want.length}`);
  const scale = Math.max(1, maxAbs(want));
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= tol * scale)) {
      fail(`${what}: value ${i} is ${got[i]}, expected ${want[i]} (|diff| ${d} > ${tol * scale})`);
    }
  }
}

function shape(what: string, m: Matrix, rows: number, cols: number): void {
  if (m.rows !== rows || m.cols !== cols || m.data.length !== rows * cols) {
    fail(`${what}: shape ${m.rows}×${m.cols} (${m.data.length} values), expected ${rows}×${cols}`);
  }
  if (!(m.data instanceof Float64Array)) fail(`${what}: result must be float64`);
}

/** Runs `f`, expects an EmmsError with `code` whose `input` is `input`; fails otherwise. */
function throwsCode(what: string, f: () => unknown, code: string, input?: string): void {
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
function untouched<T>(what: string, inputs: Matrix[], f: () => T): T {
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
function checkEigen(what: string, a: Dense, values: Float64Array, vectors: Dense, tol: number): void {
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
function poisonUpper(a: Dense, value: number): Dense {
  const n = a.rows;
  const out = Float64Array.from(a.data);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = value;
  return { rows: n, cols: n, data: out };
}

/**
 * The behaviour every {@link LinalgBackend} must show, as one test suite: each kernel on
 * hand-computed cases, against plain loops, and through identities (A·A⁻¹ = I, A V = V Λ,
 * L Lᵀ = A); float32 and float64 inputs; inputs never modified; and the same `EmmsError` codes
 * (SHAPE_MISMATCH, ROW_MISMATCH, NON_FINITE, NOT_POSITIVE_DEFINITE) naming the same argument for
 * the same mistakes. Optional kernels are checked when present, and the declared
 * `capabilities.kernels` must match the methods present.
 *
 * The test framework is passed in, so a backend package runs it from its own tests.
 *
 * @param backend the backend under test.
 * @param runner `describe` and `it` of the test framework.
 * @param options tolerance and largest random size.
 * @example
 * ```ts
 * // src/conformance.test.ts of a backend package
 * import { runBackendConformance } from '@emms/linalg/conformance';
 * import { describe, it } from 'vitest';
 * runBackendConformance(myBackend, { describe, it });
 * ```
 */
export function runBackendConformance(
  backend: LinalgBackend,
  runner: ConformanceRunner,
  options: ConformanceOptions = {},
): void {
  const { describe, it } = runner;
  const tol = options.tolerance ?? 1e-10;
  const size = options.size ?? 40;
  const b = backend;

  describe(`backend conformance: ${b.name}`, () => {
    it('declares its capabilities truthfully', () => {
      const caps = b.capabilities;
      if (!caps) fail('capabilities missing');
      const present = kernelsOf(b);
      const declared = [...caps.kernels].sort();
      if (JSON.stringify(declared) !== JSON.stringify([...present].sort())) {
        fail(`capabilities.kernels is [${declared}] but the methods present are [${present}]`);
      }
      for (const k of caps.kernels) if (!OPTIONAL_KERNELS.includes(k)) fail(`unknown kernel "${k}"`);
      if (!Number.isInteger(caps.threads) || caps.threads < 1)
        fail(`threads must be an integer ≥ 1, got ${caps.threads}`);
      for (const flag of ['native', 'float32Input', 'browser'] as const) {
        if (typeof caps[flag] !== 'boolean') fail(`capabilities.${flag} must be a boolean`);
      }
      if (typeof b.name !== 'string' || b.name === '') fail('name must be a non-empty string');
    });

    describe('gram', () => {
      it('hand-computed 3×2, float64 and float32', () => {
        for (const f32 of [false, true]) {
          const a = mat(3, 2, [1, 2, 3, 4, 5, 6], f32);
          const g = untouched('gram', [a], () => b.gram(a));
          shape('gram', g, 2, 2);
          close(`gram (${f32 ? 'float32' : 'float64'})`, g.data, [35, 44, 44, 56], 0);
        }
      });
      it('matches AᵀA by plain loops and is exactly symmetric', () => {
        for (const [rows, cols, seed] of [
          [1, 1, 1],
          [size + 7, 5, 2],
          [9, size, 3],
        ]) {
          const a = random(rows, cols, seed);
          const g = b.gram(a);
          shape('gram', g, cols, cols);
          close('gram vs loops', g.data, naiveMatmul(a, a, true), tol);
          for (let i = 0; i < cols; i++) {
            for (let j = 0; j < i; j++) {
              if (g.data[i * cols + j] !== g.data[j * cols + i]) fail(`gram not symmetric at ${i},${j}`);
            }
          }
        }
      });
      it('no rows gives a zero matrix', () => {
        const g = b.gram(mat(0, 3, []));
        shape('gram of 0×3', g, 3, 3);
        close('gram of 0×3', g.data, new Float64Array(9), 0);
      });
      it('SHAPE_MISMATCH naming a when the data disagrees with rows×cols', () => {
        throwsCode(
          'gram',
          () => b.gram({ rows: 2, cols: 2, data: new Float64Array(3) }),
          'SHAPE_MISMATCH',
          'a',
        );
      });
    });

    describe('crossProduct', () => {
      it('hand-computed AᵀB', () => {
        // A = [1 2; 3 4], B = [5; 6]: AᵀB = [1·5+3·6; 2·5+4·6] = [23; 34].
        const c = b.crossProduct(mat(2, 2, [1, 2, 3, 4]), mat(2, 1, [5, 6]));
        shape('crossProduct', c, 2, 1);
        close('crossProduct', c.data, [23, 34], 0);
      });
      it('matches plain loops, float64 and mixed float32', () => {
        const a = random(size + 3, 6, 4);
        const bb = random(size + 3, 4, 5, true);
        const c = untouched('crossProduct', [a, bb], () => b.crossProduct(a, bb));
        shape('crossProduct', c, 6, 4);
        close('crossProduct vs loops', c.data, naiveMatmul(a, bb, true), tol);
      });
      it('ROW_MISMATCH naming b when the rows differ', () => {
        throwsCode(
          'crossProduct',
          () => b.crossProduct(random(3, 2, 1), random(4, 2, 1)),
          'ROW_MISMATCH',
          'b',
        );
      });
      it('SHAPE_MISMATCH naming the malformed argument', () => {
        throwsCode(
          'crossProduct',
          () => b.crossProduct(random(2, 2, 1), { rows: 2, cols: 3, data: new Float64Array(5) }),
          'SHAPE_MISMATCH',
          'b',
        );
      });
    });

    describe('matmul', () => {
      it('hand-computed 2×3 · 3×2', () => {
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]
        const c = b.matmul(mat(2, 3, [1, 2, 3, 4, 5, 6]), mat(3, 2, [7, 8, 9, 10, 11, 12]));
        shape('matmul', c, 2, 2);
        close('matmul', c.data, [58, 64, 139, 154], 0);
      });
      it('matches plain loops (float32 left factor) and A·I = A', () => {
        const a = random(size, 7, 6, true);
        const m = random(7, 3, 7);
        close('matmul vs loops', b.matmul(a, m).data, naiveMatmul(a, m), tol);
        close('A·I', b.matmul(a, dense(7, 7, identity(7))).data, Float64Array.from(a.data), 0);
      });
      it('SHAPE_MISMATCH naming b when a.cols ≠ b.rows', () => {
        throwsCode('matmul', () => b.matmul(random(3, 2, 1), random(3, 2, 1)), 'SHAPE_MISMATCH', 'b');
      });
    });

    describe('eigh', () => {
      it('hand-computed 2×2: [[2,1],[1,2]] has eigenvalues 1 and 3', () => {
        const a = dense(2, 2, [2, 1, 1, 2]);
        const { values, vectors } = untouched('eigh', [a], () => b.eigh(a));
        close('eigenvalues', values, [1, 3], 1e-14);
        const s = Math.SQRT1_2;
        // Up to sign: v1 ∝ (1, −1), v3 ∝ (1, 1).
        close('|eigenvectors|', Array.from(vectors.data, Math.abs), [s, s, s, s], 1e-14);
        if (Math.sign(vectors.data[0]) === Math.sign(vectors.data[2]))
          fail('eigenvector of 1 must be ∝ (1, −1)');
        checkEigen('eigh 2×2', a, values, vectors, tol);
      });
      it('reconstructs random symmetric matrices (A V = V Λ, VᵀV = I)', () => {
        for (const n of [1, 3, size]) {
          const x = random(n, n, 10 + n);
          const a = dense(n, n, naiveMatmul(x, transpose(x)));
          for (let i = 0; i < n; i++) a.data[i * n + i] -= 0.5 * n; // indefinite
          const { values, vectors } = b.eigh(a);
          checkEigen(`eigh ${n}×${n}`, a, values, vectors, tol);
        }
      });
      it('reads only the lower triangle', () => {
        const x = random(6, 6, 21);
        const a = dense(6, 6, naiveMatmul(x, transpose(x)));
        const ref = b.eigh(a).values;
        close('eigh with garbage above the diagonal', b.eigh(poisonUpper(a, 1e3)).values, ref, tol);
      });
      it('empty matrix', () => {
        const r = b.eigh(dense(0, 0, []));
        if (r.values.length !== 0) fail('eigh of 0×0 must have no eigenvalues');
        shape('eigh 0×0 vectors', r.vectors, 0, 0);
      });
      it('SHAPE_MISMATCH naming a when not square; NON_FINITE when it holds NaN', () => {
        throwsCode('eigh', () => b.eigh(dense(2, 3, [1, 2, 3, 4, 5, 6])), 'SHAPE_MISMATCH', 'a');
        throwsCode('eigh', () => b.eigh(dense(2, 2, [1, 0, Number.NaN, 1])), 'NON_FINITE', 'a');
        throwsCode('eigh', () => b.eigh(dense(1, 1, [Number.POSITIVE_INFINITY])), 'NON_FINITE', 'a');
      });
    });

    describe('cholesky', () => {
      it('hand-computed 3×3 factor', () => {
        const a = dense(3, 3, [4, 12, -16, 12, 37, -43, -16, -43, 98]);
        const l = untouched('cholesky', [a], () => b.cholesky(a));
        if (!l) fail('cholesky returned null for a positive definite matrix');
        shape('cholesky', l, 3, 3);
        close('cholesky factor', l.data, [2, 0, 0, 6, 1, 0, -8, 5, 3], 1e-14);
      });
      it('L Lᵀ = A on random SPD matrices, upper triangle of L zero, only the lower triangle of A read', () => {
        for (const n of [1, 5, size]) {
          const a = randomSpd(n, 30 + n);
          const l = b.cholesky(poisonUpper(a, -7));
          if (!l) fail(`cholesky returned null for an SPD ${n}×${n}`);
          close(`L Lᵀ = A (${n})`, naiveMatmul(l, transpose(l)), a.data, tol);
          for (let i = 0; i < n; i++)
            for (let j = i + 1; j < n; j++)
              if (l.data[i * n + j] !== 0) fail('L has nonzeros above the diagonal');
        }
      });
      it('null for matrices that are not positive definite', () => {
        for (const v of [
          [1, 2, 2, 1],
          [1, 1, 1, 1],
          [0, 0, 0, 0],
          [-1, 0, 0, 1],
        ]) {
          if (b.cholesky(dense(2, 2, v)) !== null) fail(`cholesky of [${v}] must be null`);
        }
      });
      it('SHAPE_MISMATCH naming a when not square', () => {
        throwsCode('cholesky', () => b.cholesky(dense(1, 2, [1, 2])), 'SHAPE_MISMATCH', 'a');
      });
    });

    describe('solveSpd', () => {
      it('hand-computed 2×2 system', () => {
        // [4 2; 2 3] x = [2; 1]  →  x = [0.5; 0]
        const x = b.solveSpd(dense(2, 2, [4, 2, 2, 3]), dense(2, 1, [2, 1]));
        shape('solveSpd', x, 2, 1);
        close('solveSpd', x.data, [0.5, 0], 1e-15);
      });
      it('A · A⁻¹ = I and A X = B on random SPD systems', () => {
        for (const n of [1, 4, size]) {
          const a = randomSpd(n, 50 + n);
          const inv = untouched('solveSpd', [a], () => b.solveSpd(a, dense(n, n, identity(n))));
          close(`A·A⁻¹ = I (${n})`, naiveMatmul(a, inv), identity(n), tol * n);
          const rhs = random(n, 3, 60 + n) as Dense;
          const x = b.solveSpd(a, rhs);
          close(`A X = B (${n})`, naiveMatmul(a, x), rhs.data, tol * n);
        }
      });
      it('NOT_POSITIVE_DEFINITE naming a; SHAPE_MISMATCH naming b when the rows differ', () => {
        throwsCode(
          'solveSpd',
          () => b.solveSpd(dense(2, 2, [1, 2, 2, 1]), dense(2, 1, [1, 1])),
          'NOT_POSITIVE_DEFINITE',
          'a',
        );
        throwsCode(
          'solveSpd',
          () => b.solveSpd(dense(2, 2, [2, 0, 0, 2]), dense(3, 1, [1, 1, 1])),
          'SHAPE_MISMATCH',
          'b',
        );
        throwsCode(
          'solveSpd',
          () => b.solveSpd(dense(2, 3, [1, 0, 0, 0, 1, 0]), dense(2, 1, [1, 1])),
          'SHAPE_MISMATCH',
          'a',
        );
      });
    });

    if (b.crossProductInto) {
      const into = b.crossProductInto.bind(b);
      describe('crossProductInto (optional)', () => {
        it('adds AᵀB to out (twice = 2·AᵀB, starting from a nonzero out)', () => {
          const a = random(size, 4, 70);
          const c = random(size, 3, 71, true);
          const want = naiveMatmul(a, c, true);
          const out = new Float64Array(12).fill(1);
          into(a, c, out);
          into(a, c, out);
          close(
            'crossProductInto',
            out,
            Array.from(want, (v) => 2 * v + 1),
            tol,
          );
        });
        it('SHAPE_MISMATCH naming out; ROW_MISMATCH naming b', () => {
          throwsCode(
            'crossProductInto',
            () => into(random(3, 2, 1), random(3, 2, 2), new Float64Array(3)),
            'SHAPE_MISMATCH',
            'out',
          );
          throwsCode(
            'crossProductInto',
            () => into(random(3, 2, 1), random(4, 2, 2), new Float64Array(4)),
            'ROW_MISMATCH',
            'b',
          );
        });
      });
    }

    if (b.solveCholesky) {
      const solveCholesky = b.solveCholesky.bind(b);
      describe('solveCholesky (optional)', () => {
        it('with the factor of cholesky, solves A X = B (A·A⁻¹ = I)', () => {
          for (const n of [1, 6, size]) {
            const a = randomSpd(n, 80 + n);
            const l = b.cholesky(a);
            if (!l) fail('cholesky failed on an SPD matrix');
            const inv = solveCholesky(l, dense(n, n, identity(n)));
            close(`A·A⁻¹ = I via solveCholesky (${n})`, naiveMatmul(a, inv), identity(n), tol * n);
          }
        });
        it('SHAPE_MISMATCH naming b when the rows differ', () => {
          throwsCode(
            'solveCholesky',
            () => solveCholesky(dense(2, 2, [1, 0, 0, 1]), dense(1, 1, [1])),
            'SHAPE_MISMATCH',
            'b',
          );
        });
      });
    }

    if (b.pivotedCholesky) {
      const pc = b.pivotedCholesky.bind(b);
      describe('pivotedCholesky (optional)', () => {
        it('finds the rank of X Xᵀ and reconstructs a[perm, perm] = L Lᵀ', () => {
          const x = random(7, 3, 90); // rank 3
          const a = dense(7, 7, naiveMatmul(x, transpose(x)));
          const { factor, perm, rank } = pc(a);
          if (rank !== 3) fail(`rank ${rank}, expected 3`);
          shape('pivotedCholesky factor', factor, 7, 3);
          if ([...perm].sort((p, q) => p - q).join() !== '0,1,2,3,4,5,6')
            fail(`perm [${perm}] is not a permutation`);
          const llt = naiveMatmul(factor, transpose(factor));
          const ap = new Float64Array(49);
          for (let i = 0; i < 7; i++)
            for (let j = 0; j < 7; j++) ap[i * 7 + j] = a.data[perm[i] * 7 + perm[j]];
          close('a[perm, perm] = L Lᵀ', llt, ap, 1e-9);
        });
        it('SHAPE_MISMATCH naming a when not square', () => {
          throwsCode('pivotedCholesky', () => pc(dense(1, 2, [1, 2])), 'SHAPE_MISMATCH', 'a');
        });
      });
    }

    if (b.eighProject) {
      const ep = b.eighProject.bind(b);
      describe('eighProject (optional)', () => {
        it('eigenvalues as eigh, and |Vᵀb| as eigh’s vectors give (up to each eigenvector’s sign)', () => {
          const x = random(size, size, 100);
          const a = dense(size, size, naiveMatmul(x, transpose(x)));
          const rhs = random(size, 2, 101, true);
          const { values, projected } = ep(a, rhs);
          const ref = b.eigh(a);
          close('eighProject values', values, ref.values, tol * size);
          const want = naiveMatmul(ref.vectors, rhs, true);
          close('|Vᵀb|', Array.from(projected.data, Math.abs), Array.from(want, Math.abs), 1e-7);
        });
        it('SHAPE_MISMATCH naming b when its rows differ', () => {
          throwsCode(
            'eighProject',
            () => ep(dense(2, 2, [1, 0, 0, 1]), random(3, 1, 1)),
            'SHAPE_MISMATCH',
            'b',
          );
        });
      });
    }
  });
}
