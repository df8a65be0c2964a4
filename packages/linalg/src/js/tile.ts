/**
 * The one 4×4 register tile shared by the JavaScript kernels:
 * out[o + i·ldo + j] += alpha · Σ_{t < len} a[a0 + i·lda + t] · b[b0 + j·ldb + t] for i, j < 4.
 * Both operands are read along rows, so the inner loop runs over contiguous memory.
 */
export function tile4x4(
  alpha: number,
  a: Float64Array,
  a0: number,
  lda: number,
  b: Float64Array,
  b0: number,
  ldb: number,
  len: number,
  out: Float64Array,
  o: number,
  ldo: number,
): void {
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  const b1 = b0 + ldb;
  const b2 = b1 + ldb;
  const b3 = b2 + ldb;
  let s00 = 0,
    s01 = 0,
    s02 = 0,
    s03 = 0;
  let s10 = 0,
    s11 = 0,
    s12 = 0,
    s13 = 0;
  let s20 = 0,
    s21 = 0,
    s22 = 0,
    s23 = 0;
  let s30 = 0,
    s31 = 0,
    s32 = 0,
    s33 = 0;
  for (let t = 0; t < len; t++) {
    const y0 = b[b0 + t];
    const y1 = b[b1 + t];
    const y2 = b[b2 + t];
    const y3 = b[b3 + t];
    const x0 = a[a0 + t];
    s00 += x0 * y0;
    s01 += x0 * y1;
    s02 += x0 * y2;
    s03 += x0 * y3;
    const x1 = a[a1 + t];
    s10 += x1 * y0;
    s11 += x1 * y1;
    s12 += x1 * y2;
    s13 += x1 * y3;
    const x2 = a[a2 + t];
    s20 += x2 * y0;
    s21 += x2 * y1;
    s22 += x2 * y2;
    s23 += x2 * y3;
    const x3 = a[a3 + t];
    s30 += x3 * y0;
    s31 += x3 * y1;
    s32 += x3 * y2;
    s33 += x3 * y3;
  }
  out[o] += alpha * s00;
  out[o + 1] += alpha * s01;
  out[o + 2] += alpha * s02;
  out[o + 3] += alpha * s03;
  o += ldo;
  out[o] += alpha * s10;
  out[o + 1] += alpha * s11;
  out[o + 2] += alpha * s12;
  out[o + 3] += alpha * s13;
  o += ldo;
  out[o] += alpha * s20;
  out[o + 1] += alpha * s21;
  out[o + 2] += alpha * s22;
  out[o + 3] += alpha * s23;
  o += ldo;
  out[o] += alpha * s30;
  out[o + 1] += alpha * s31;
  out[o + 2] += alpha * s32;
  out[o + 3] += alpha * s33;
}
