import type { Matrix } from '@emms/tensor-io';

/** Rows of a row block packed per column: panel[j * rb + r] = a[(r0 + r), j], zero-padded. */
export function packColumns(a: Matrix, r0: number, rb: number, panel: Float64Array): void {
  const { cols, data } = a;
  const rows = Math.min(rb, a.rows - r0);
  // Padding rows (j >= cols) are never written, so they stay zero from allocation.
  if (rows < rb) panel.fill(0);
  for (let r = 0; r < rows; r++) {
    let src = (r0 + r) * cols;
    let dst = r;
    for (let j = 0; j < cols; j++) {
      panel[dst] = data[src];
      src++;
      dst += rb;
    }
  }
}

/** Round n up to a multiple of 4. */
export function pack4(n: number): number {
  return (n + 3) & ~3;
}
