// Row subsets of a matrix and of a labelled set (browser-safe).
import type { Matrix } from './tensor';

/**
 * The indices of the first `perClass` rows of each class, in row order.
 *
 * @example
 * ```ts
 * firstPerClass(Int32Array.from([0, 1, 0, 1, 0]), 2); // [0, 1, 2, 3]
 * ```
 */
export function firstPerClass(labels: ArrayLike<number>, perClass: number): number[] {
  const seen = new Map<number, number>();
  const rows: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const n = seen.get(labels[i]) ?? 0;
    if (n < perClass) {
      rows.push(i);
      seen.set(labels[i], n + 1);
    }
  }
  return rows;
}

/**
 * The given rows of `m`, in the order given, as a new matrix of the same element type.
 *
 * @example
 * ```ts
 * takeRows({ rows: 3, cols: 1, data: Float32Array.of(5, 6, 7) }, [2, 0]).data; // Float32Array [7, 5]
 * ```
 */
export function takeRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  const out =
    m.data instanceof Float32Array
      ? new Float32Array(rows.length * m.cols)
      : new Float64Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++)
    out.set(m.data.subarray(rows[i] * m.cols, (rows[i] + 1) * m.cols), i * m.cols);
  return { rows: rows.length, cols: m.cols, data: out };
}
