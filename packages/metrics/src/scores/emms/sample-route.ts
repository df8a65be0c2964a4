import { type Dense, eighProject } from '@emms/linalg';
import type { EmmsProblem, GramRoute } from './problem';
import { blockInner, columnScaling, standardiseRows } from './standardise';

/**
 * Sample route for N much smaller than D: the N×N Gram Xs Xsᵀ, whose range is col(Xs); its
 * eigenvectors with eigenvalue above relTol × max‖column of Xs‖² span that range, and
 * M_pq = ⟨Uᵀ Yp, Uᵀ Yq⟩ over them.
 */
export function sampleRoute(p: EmmsProblem): GramRoute {
  const { features, ys, ysc, n, d, k, l, kl, relTol, backend } = p;
  const opts = p;
  const xs = columnScaling(features, 'features');
  const active: number[] = [];
  for (let j = 0; j < d; j++) if (xs.scale[j] !== 0) active.push(j);
  const da = active.length;
  // Xsᵀ (da × N) so that its Gram is Xs Xsᵀ.
  const xt = new Float64Array(da * n);
  let maxNorm = 0;
  for (let a = 0; a < da; a++) {
    const j = active[a];
    const mean = xs.mean[j];
    const scale = xs.scale[j];
    let norm = 0;
    for (let i = 0; i < n; i++) {
      const v = (features.data[i * d + j] - mean) * scale;
      xt[a * n + i] = v;
      norm += v * v;
    }
    maxNorm = Math.max(maxNorm, norm);
  }
  const ystack = new Float64Array(n * kl);
  const row = new Float64Array(l);
  for (let q = 0; q < k; q++) {
    for (let i = 0; i < n; i++) {
      standardiseRows(ys[q].data, i * l, 1, l, ysc[q].mean, ysc[q].scale, row);
      ystack.set(row, i * kl + q * l);
    }
  }
  const ysm: Dense = { rows: n, cols: kl, data: ystack };
  const yg = new Float64Array(k * k);
  for (let p = 0; p < k; p++)
    for (let q = 0; q < k; q++) yg[p * k + q] = blockInner(ysm, p * l, ysm, q * l, l);
  const m = new Float64Array(k * k);
  let rank = 0;
  if (da > 0) {
    const kmat = backend.gram({ rows: da, cols: n, data: xt });
    const { values, projected } = eighProject(kmat, ysm, { backend });
    const tol = relTol * maxNorm;
    const pr = projected.data;
    for (let r = 0; r < n; r++) {
      if (!(values[r] > tol)) continue;
      rank++;
      const o = r * kl;
      for (let p = 0; p < k; p++) {
        for (let q = p; q < k; q++) {
          let sum = 0;
          for (let j = 0; j < l; j++) sum += pr[o + p * l + j] * pr[o + q * l + j];
          m[p * k + q] += sum;
        }
      }
    }
    for (let p = 0; p < k; p++) for (let q = 0; q < p; q++) m[p * k + q] = m[q * k + p];
  }
  opts.signal?.throwIfAborted();
  return { yg, m, rank, constantColumns: xs.constant };
}
