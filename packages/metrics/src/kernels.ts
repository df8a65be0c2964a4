import type { Dense, LinalgBackend } from '@emms/linalg';

/**
 * log det of a symmetric positive definite matrix through its Cholesky factor; falls back to the
 * eigenvalues (sum of log |λ|) when the factorisation fails on round-off.
 */
export function logDetSpd(backend: LinalgBackend, a: Dense): number {
  const l = backend.cholesky(a);
  const n = a.rows;
  if (l) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log(l.data[i * n + i]);
    return 2 * s;
  }
  const { values } = backend.eigh(a);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(Math.abs(values[i]));
  return s;
}

/**
 * Solves a X = b for symmetric positive definite `a` by Cholesky; when round-off makes `a` fail the
 * factorisation, uses its eigendecomposition with |λ| below 1e-15·max dropped (a pseudo-inverse).
 */
export function solveSpdSafe(backend: LinalgBackend, a: Dense, b: Dense): Dense {
  try {
    return backend.solveSpd(a, b);
  } catch {
    // not positive definite on round-off: fall through to the eigendecomposition
  }
  const n = a.rows;
  const { values, vectors } = backend.eigh(a);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(values[i]));
  const v = vectors.data;
  const k = b.cols;
  const out = new Float64Array(n * k);
  const t = new Float64Array(k);
  for (let j = 0; j < n; j++) {
    if (Math.abs(values[j]) <= 1e-15 * max) continue;
    t.fill(0);
    for (let i = 0; i < n; i++) {
      const w = v[i * n + j];
      for (let c = 0; c < k; c++) t[c] += w * b.data[i * k + c];
    }
    for (let c = 0; c < k; c++) t[c] /= values[j];
    for (let i = 0; i < n; i++) {
      const w = v[i * n + j];
      for (let c = 0; c < k; c++) out[i * k + c] += w * t[c];
    }
  }
  return { rows: n, cols: k, data: out };
}
