import type { Matrix } from '@emms/tensor-io';
import type { Metric } from '../metric';
import { numClasses } from '../util';

/**
 * LEEP (Nguyen et al., ICML 2020) from source-model probabilities `probs` (N×Cs) and labels:
 * joint[c, z] = Σ_{y_i=c} P_iz / N, p(c|z) = joint[c, z] / Σ_c' joint[c', z],
 * score = mean_i log Σ_z P_iz p(y_i|z). As thuml's LEEP.py.
 */
export function leepScore(probs: Matrix, labels: Int32Array): number {
  return meanLog(empiricalPrediction(probs, labels), true);
}

/**
 * For each sample, Σ_z P_iz p(y_i|z) with p(c|z) from the empirical joint of `probs` and labels.
 * Shared by LEEP (mean log) and NLEEP (mean).
 */
export function empiricalPrediction(probs: Matrix, labels: Int32Array): Float64Array {
  const { rows: n, cols: cs, data: p } = probs;
  const c = numClasses(labels);
  const joint = new Float64Array(c * cs);
  for (let i = 0; i < n; i++) {
    const r = labels[i] * cs;
    const o = i * cs;
    for (let z = 0; z < cs; z++) joint[r + z] += p[o + z] / n;
  }
  // Column-normalise to p(c | z); a source class with zero total mass contributes nothing.
  for (let z = 0; z < cs; z++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += joint[k * cs + z];
    for (let k = 0; k < c; k++) joint[k * cs + z] = s > 0 ? joint[k * cs + z] / s : 0;
  }
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = labels[i] * cs;
    const o = i * cs;
    let s = 0;
    for (let z = 0; z < cs; z++) s += p[o + z] * joint[r + z];
    q[i] = s;
  }
  return q;
}

function meanLog(q: Float64Array, log: boolean): number {
  let s = 0;
  for (let i = 0; i < q.length; i++) s += log ? Math.log(q[i]) : q[i];
  return s / q.length;
}

/** LEEP as a {@link Metric}. */
export const leepMetric: Metric = {
  specificationVersion: 'v1',
  id: 'leep',
  description: 'LEEP: log expected empirical prediction from source-model probabilities (Nguyen et al. 2020)',
  inputs: { required: ['probs', 'labels'] },
  higherIsBetter: true,
  options: [],
  compute(inputs) {
    return { value: leepScore(inputs.probs!, inputs.labels!) };
  },
};
