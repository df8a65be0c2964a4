import type { Matrix } from '@emms/tensor-io';
import type { Dense, EighResult } from '../backend';

/**
 * Symmetric eigendecomposition: Householder reduction to tridiagonal form (rank-2 updates on the
 * lower triangle, contiguous rows), explicit accumulation of the orthogonal factor, then the
 * implicit QL method with Wilkinson-type shifts on the tridiagonal matrix. Eigenvectors are
 * kept as rows during the rotations so that every rotation touches two contiguous rows.
 * Only the lower triangle of `a` is read.
 */
export function eigh(a: Dense): EighResult {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`eigh: matrix must be square, got ${a.rows}×${a.cols}`);
  if (n === 0)
    return { values: new Float64Array(0), vectors: { rows: 0, cols: 0, data: new Float64Array(0) } };
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const { hv, tau } = reduce(a, d, e);
  const qt = accumulateQt(hv, tau, n);
  implicitQl(d, e, qt, n, n);
  // Sort ascending; column j of the result is row order[j] of qt.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j];
    values[j] = d[src];
    const row = src * n;
    for (let r = 0; r < n; r++) vectors[r * n + j] = qt[row + r];
  }
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/**
 * Eigenvalues (ascending) of a symmetric matrix and Vᵀ b for its eigenvectors V, without
 * forming V: the Householder reflectors and the QL rotations are applied to the m columns of b
 * directly, so the cost beyond the tridiagonal reduction is O(n²·m) instead of O(n³).
 * Row j of `projected` belongs to values[j]. Only the lower triangle of `a` is read.
 */
export function eighProject(a: Dense, b: Matrix): { values: Float64Array; projected: Dense } {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`eighProject: matrix must be square, got ${a.rows}×${a.cols}`);
  if (b.rows !== n) throw new RangeError(`eighProject: b has ${b.rows} rows, the matrix is ${n}×${n}`);
  const m = b.cols;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, projected: { rows: 0, cols: m, data: new Float64Array(0) } };
  const { hv, tau } = reduce(a, d, e);
  // c = Qᵀ b = H_{n-3} ⋯ H_0 b.
  const c = Float64Array.from(b.data);
  const z = new Float64Array(m);
  for (let k = 0; k < n - 2; k++) {
    const t = tau[k];
    if (t === 0) continue;
    const vrow = k * n;
    z.fill(0);
    for (let i = k + 1; i < n; i++) {
      const vi = hv[vrow + i];
      const row = i * m;
      for (let j = 0; j < m; j++) z[j] += vi * c[row + j];
    }
    for (let i = k + 1; i < n; i++) {
      const f = t * hv[vrow + i];
      const row = i * m;
      for (let j = 0; j < m; j++) c[row + j] -= f * z[j];
    }
  }
  implicitQl(d, e, c, n, m);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n);
  const projected = new Float64Array(n * m);
  for (let j = 0; j < n; j++) {
    values[j] = d[order[j]];
    projected.set(c.subarray(order[j] * m, order[j] * m + m), j * m);
  }
  return { values, projected: { rows: n, cols: m, data: projected } };
}

/**
 * Reduces a to T = Qᵀ a Q (diagonal d, sub-diagonal e[i] between i and i+1). Returns the
 * Householder vectors (row k holds step k's vector in entries k+1..n-1) and their τ.
 */
function reduce(a: Dense, d: Float64Array, e: Float64Array): { hv: Float64Array; tau: Float64Array } {
  const n = a.rows;
  const w = new Float64Array(n * n); // lower triangle of the working matrix
  const src = a.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) w[i * n + j] = src[i * n + j];
  }
  const hv = new Float64Array(n * n); // Householder vector of step k in row k (entries k+1..n-1)
  const tau = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const k1 = k + 1;
    // x = column k below the diagonal.
    const x0 = w[k1 * n + k];
    let sigma = 0;
    for (let i = k1 + 1; i < n; i++) {
      const v = w[i * n + k];
      sigma += v * v;
    }
    d[k] = w[k * n + k];
    const vrow = k * n;
    if (sigma === 0) {
      tau[k] = 0;
      e[k] = x0;
      continue;
    }
    const mu = Math.sqrt(x0 * x0 + sigma);
    const beta = x0 <= 0 ? mu : -mu;
    const t = (beta - x0) / beta;
    const scale = 1 / (x0 - beta);
    tau[k] = t;
    e[k] = beta;
    hv[vrow + k1] = 1;
    for (let i = k1 + 1; i < n; i++) hv[vrow + i] = w[i * n + k] * scale;
    // p = t · B v on the trailing block B = w[k1.., k1..] (lower triangle).
    p.fill(0, k1, n);
    for (let i = k1; i < n; i++) {
      const row = i * n;
      const vi = hv[vrow + i];
      let s = 0;
      for (let j = k1; j < i; j++) {
        const bij = w[row + j];
        s += bij * hv[vrow + j];
        p[j] += bij * vi;
      }
      p[i] += s + w[row + i] * vi;
    }
    let pv = 0;
    for (let i = k1; i < n; i++) {
      p[i] *= t;
      pv += p[i] * hv[vrow + i];
    }
    // w = p − (t/2)(pᵀv) v, then B ← B − v wᵀ − w vᵀ.
    const c = 0.5 * t * pv;
    for (let i = k1; i < n; i++) p[i] -= c * hv[vrow + i];
    for (let i = k1; i < n; i++) {
      const row = i * n;
      const vi = hv[vrow + i];
      const pi = p[i];
      for (let j = k1; j <= i; j++) w[row + j] -= vi * p[j] + pi * hv[vrow + j];
    }
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2];
    e[n - 2] = w[(n - 1) * n + n - 2];
  }
  d[n - 1] = w[(n - 1) * n + n - 1];
  e[n - 1] = 0;

  return { hv, tau };
}

/** Qᵀ (row-major n×n) for Q = H_0 H_1 … H_{n-3}, accumulated backwards, then transposed. */
function accumulateQt(hv: Float64Array, tau: Float64Array, n: number): Float64Array {
  const q = new Float64Array(n * n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const z = p;
  for (let k = n - 3; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    const k1 = k + 1;
    const vrow = k * n;
    z.fill(0, k1, n);
    for (let i = k1; i < n; i++) {
      const vi = hv[vrow + i];
      const row = i * n;
      for (let j = k1; j < n; j++) z[j] += vi * q[row + j];
    }
    for (let i = k1; i < n; i++) {
      const f = t * hv[vrow + i];
      const row = i * n;
      for (let j = k1; j < n; j++) q[row + j] -= f * z[j];
    }
  }
  const qt = hv; // reuse: transpose q into it
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) qt[j * n + i] = q[i * n + j];
  }
  return qt;
}

/**
 * Implicit QL iterations on the symmetric tridiagonal (d, e); each rotation of columns i, i+1 of
 * the eigenvector matrix is applied to rows i, i+1 of `vt` (rows of length m), which holds Vᵀ
 * times whatever it started as. Leaves eigenvalues in d.
 */
function implicitQl(d: Float64Array, e: Float64Array, vt: Float64Array, n: number, width: number): void {
  const eps = 2 ** -52;
  let shiftSum = 0;
  let norm = 0;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * norm) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 60) throw new Error('eigh: QL iterations did not converge');
        // Shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        shiftSum += h;
        // Chase the bulge from m-1 up to l with plane rotations.
        p = d[m];
        let c = 1;
        let c2 = 1;
        let c3 = 1;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ri = i * width;
          const rj = ri + width;
          for (let k = 0; k < width; k++) {
            const x = vt[rj + k];
            const y = vt[ri + k];
            vt[rj + k] = s * y + c * x;
            vt[ri + k] = c * y - s * x;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * norm);
    }
    d[l] += shiftSum;
    e[l] = 0;
  }
}
