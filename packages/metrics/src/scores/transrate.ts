import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';
import { logDetSpd } from '../kernels';
import type { Metric } from '../metric';
import { centred, numClasses, selectRows, transpose } from '../util';

/**
 * Coding rate R(A) = ½ log det(I + AᵀA/(n·eps)), n the rows of A. Uses the n×n form
 * I + AAᵀ/(n·eps) when n < d (same determinant by Sylvester's identity).
 */
function codingRate(backend: LinalgBackend, a: Dense, eps: number): number {
  const n = a.rows;
  const g = n < a.cols ? backend.gram(transpose(a)) : backend.gram(a);
  const k = g.rows;
  const scale = 1 / (n * eps);
  for (let i = 0; i < g.data.length; i++) g.data[i] *= scale;
  for (let i = 0; i < k; i++) g.data[i * k + i] += 1;
  return 0.5 * logDetSpd(backend, g);
}

/**
 * TransRate (Huang et al., ICML 2022), evaluated in float64: with Z the column-centred features,
 * R(Z) − (1/C) Σ_c R(Z_c), Z_c the rows of class c (not re-centred), eps = 1e-4 by default.
 */
export function transrateScore(
  features: Matrix,
  labels: Int32Array,
  options: { eps?: number; backend?: LinalgBackend } = {},
): number {
  const backend = options.backend ?? getBackend();
  const eps = options.eps ?? 1e-4;
  const z = centred(features);
  const c = numClasses(labels);
  const rz = codingRate(backend, z, eps);
  let rzy = 0;
  for (let k = 0; k < c; k++) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === k) idx.push(i);
    if (idx.length > 0) rzy += codingRate(backend, selectRows(z, idx), eps);
  }
  return rz - rzy / c;
}

/** TransRate as a {@link Metric}. */
export const transrateMetric: Metric = {
  specificationVersion: 'v1',
  id: 'transrate',
  description:
    'TransRate: coding-rate gain of features over their class-conditional parts (Huang et al. 2022)',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: [{ name: 'eps', type: 'number', default: 1e-4, description: 'distortion eps of the coding rate' }],
  compute(inputs, options, context) {
    const eps = (options.eps as number | undefined) ?? 1e-4;
    return { value: transrateScore(inputs.features!, inputs.labels!, { eps, backend: context.backend }) };
  },
};
