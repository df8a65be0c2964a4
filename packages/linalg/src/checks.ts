import { declareErrorCodes, EmmsError, type Matrix } from '@emms/tensor-io';

/**
 * The error codes @emms/linalg declares on top of tensor-io's (SHAPE_MISMATCH, ROW_MISMATCH,
 * NON_FINITE, BACKEND_UNAVAILABLE). Every backend throws these for the same mistakes.
 */
export const LINALG_ERRORS = declareErrorCodes('@emms/linalg', {
  NOT_POSITIVE_DEFINITE:
    'a matrix that must be symmetric positive definite (solveSpd) failed its Cholesky factorisation',
  NO_CONVERGENCE: 'an iterative kernel (the symmetric eigensolver) did not converge',
});

/**
 * Throws SHAPE_MISMATCH unless `m` holds exactly rows×cols values.
 *
 * @param name the argument's name in the kernel's signature ("a", "b", "l"), used in the message.
 * @param op the kernel's name ("gram", "solveSpd"), used in the message.
 * @throws EmmsError SHAPE_MISMATCH
 */
export function assertMatrix(m: Matrix, name: string, op: string): void {
  if (
    !Number.isInteger(m.rows) ||
    !Number.isInteger(m.cols) ||
    m.rows < 0 ||
    m.cols < 0 ||
    m.data.length !== m.rows * m.cols
  ) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${op}: ${name} claims ${m.rows}×${m.cols} but holds ${m.data.length} values; build it with matrix(data, rows, cols)`,
      { input: name, details: { rows: m.rows, cols: m.cols, length: m.data.length } },
    );
  }
}

/**
 * Throws SHAPE_MISMATCH unless `m` is a well-formed square matrix.
 *
 * @throws EmmsError SHAPE_MISMATCH
 */
export function assertSquare(m: Matrix, name: string, op: string): void {
  assertMatrix(m, name, op);
  if (m.rows !== m.cols) {
    throw new EmmsError('SHAPE_MISMATCH', `${op}: ${name} must be square, got ${m.rows}×${m.cols}`, {
      input: name,
      details: { rows: m.rows, cols: m.cols },
    });
  }
}

/**
 * Checks a square left-hand side `a` (called `aName`) and a right-hand side `b` with as many
 * rows, as the solvers need.
 *
 * @throws EmmsError SHAPE_MISMATCH
 */
export function assertSystem(a: Matrix, aName: string, b: Matrix, bName: string, op: string): void {
  assertSquare(a, aName, op);
  assertMatrix(b, bName, op);
  if (b.rows !== a.rows) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${op}: ${aName} is ${a.rows}×${a.rows} but ${bName} has ${b.rows} rows; they must agree`,
      { input: bName, details: { expected: a.rows, found: b.rows } },
    );
  }
}

/**
 * Checks the two operands of AᵀB: well formed, with the same number of rows (the same samples).
 *
 * @throws EmmsError SHAPE_MISMATCH, ROW_MISMATCH
 */
export function assertSameRows(a: Matrix, b: Matrix, op: string): void {
  assertMatrix(a, 'a', op);
  assertMatrix(b, 'b', op);
  if (a.rows !== b.rows) {
    throw new EmmsError(
      'ROW_MISMATCH',
      `${op}: a has ${a.rows} rows but b has ${b.rows}; both must describe the same samples`,
      { input: 'b', details: { expected: a.rows, found: b.rows } },
    );
  }
}

/**
 * Checks the operands of AB: well formed, a.cols equal to b.rows.
 *
 * @throws EmmsError SHAPE_MISMATCH
 */
export function assertMultipliable(a: Matrix, b: Matrix, op: string): void {
  assertMatrix(a, 'a', op);
  assertMatrix(b, 'b', op);
  if (a.cols !== b.rows) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `${op}: a is ${a.rows}×${a.cols} and b is ${b.rows}×${b.cols}; a.cols must equal b.rows`,
      { input: 'b', details: { expected: a.cols, found: b.rows } },
    );
  }
}

/**
 * Throws UNSUPPORTED_DTYPE unless `m` holds float32 data (the single-precision kernels), after the
 * shape check of {@link assertMatrix}.
 *
 * @throws EmmsError SHAPE_MISMATCH, UNSUPPORTED_DTYPE
 */
export function assertFloat32(m: Matrix, name: string, op: string): asserts m is Matrix<Float32Array> {
  assertMatrix(m, name, op);
  if (!(m.data instanceof Float32Array)) {
    throw new EmmsError(
      'UNSUPPORTED_DTYPE',
      `${op}: ${name} must hold float32 data (a Float32Array), got ${m.data.constructor.name}; convert it with Float32Array.from or call the float64 kernel`,
      { input: name },
    );
  }
}

/**
 * Throws NON_FINITE when the lower triangle of the square matrix `a` (the part the symmetric
 * kernels read) holds NaN or ±Infinity.
 *
 * @throws EmmsError NON_FINITE
 */
export function assertFiniteLower(a: Matrix, name: string, op: string): void {
  const n = a.rows;
  const d = a.data;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j <= i; j++) {
      const v = d[row + j];
      if (!Number.isFinite(v)) {
        throw new EmmsError(
          'NON_FINITE',
          `${op}: ${name}[${i}][${j}] is ${v}; the matrix must hold finite values only`,
          { input: name, details: { row: i, col: j } },
        );
      }
    }
  }
}

/**
 * The error every backend's `solveSpd` throws when its left-hand side fails the Cholesky
 * factorisation.
 */
export function notPositiveDefinite(op: string, name: string, detail = ''): EmmsError {
  return new EmmsError(
    LINALG_ERRORS.NOT_POSITIVE_DEFINITE,
    `${op}: ${name} is not positive definite${detail}; add a small multiple of the identity to it or use a pseudo-inverse (symmetricPinv)`,
    { input: name },
  );
}
