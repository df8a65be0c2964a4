import type { Matrix } from '@emms/tensor-io';
import type { Metric } from '../metric';
import { numClasses } from '../util';

/**
 * NCE (Tran et al., ICCV 2019) from source-model probabilities: z_i = argmax_z P_iz (first on ties),
 * score = −H(Y | Z) = Σ_z p(z) Σ_c q log q with q = p(c|z) + 1e-20 over z seen at least once.
 * As thuml's NCE.py.
 */
export function nceScore(probs: Matrix, labels: Int32Array): number {
  const { rows: n, cols: cs, data: p } = probs;
  const c = numClasses(labels);
  const count = new Float64Array(c * cs);
  const pz = new Float64Array(cs);
  for (let i = 0; i < n; i++) {
    const o = i * cs;
    let best = 0;
    for (let z = 1; z < cs; z++) if (p[o + z] > p[o + best]) best = z;
    count[labels[i] * cs + best]++;
    pz[best]++;
  }
  let score = 0;
  for (let z = 0; z < cs; z++) {
    if (pz[z] === 0) continue;
    let h = 0;
    for (let k = 0; k < c; k++) {
      const q = count[k * cs + z] / n / (pz[z] / n) + 1e-20;
      h += q * Math.log(q);
    }
    score += (pz[z] / n) * h;
  }
  return score;
}

/** NCE as a {@link Metric}. */
export const nceMetric: Metric = {
  specificationVersion: 'v1',
  id: 'nce',
  description:
    'NCE: negative conditional entropy of target labels given source argmax labels (Tran et al. 2019)',
  inputs: { required: ['probs', 'labels'] },
  higherIsBetter: true,
  options: [],
  compute(inputs) {
    return { value: nceScore(inputs.probs!, inputs.labels!) };
  },
};
