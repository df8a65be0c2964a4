import { type Dense, kernelsOf, type LinalgBackend, OPTIONAL_KERNELS } from './backend';
import { singlePrecisionConformance } from './conformance-f32';
import {
  checkEigen,
  close,
  dense,
  fail,
  identity,
  mat,
  naiveMatmul,
  poisonUpper,
  random,
  randomSpd,
  shape,
  throwsCode,
  transpose,
  untouched,
} from './conformance-helpers';

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

    singlePrecisionConformance(b, runner, size);

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
