import { defineMetric, type MetricResampling, scoreFunction } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { requireEveryClass } from '../resample-rows';
import { numClasses } from '../util';
import { nceDocs } from './docs/nce';

/**
 * NCE (Tran et al., ICCV 2019) from source-model probabilities: z_i = argmax_z P_iz (first on ties),
 * score = −H(Y | Z) = Σ_z p(z) Σ_c q log q with q = p(c|z) + 1e-20 over z seen at least once.
 * As thuml's NCE.py.
 */
export function nceValue(probs: Matrix, labels: Int32Array): number {
  return nceFromArgmax(argmaxRows(probs), labels, probs.cols, new Float64Array(labels.length).fill(1));
}

/** argmax_z P_iz per row (first on ties). */
function argmaxRows(probs: Matrix): Int32Array {
  const { rows: n, cols: cs, data: p } = probs;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * cs;
    let best = 0;
    let top = p[o];
    for (let z = 1; z < cs; z++) {
      const v = p[o + z];
      if (v > top) {
        top = v;
        best = z;
      }
    }
    out[i] = best;
  }
  return out;
}

/** −H(Y | Z) from each row's source argmax, each row counted `counts[i]` times (N = Σ counts). */
function nceFromArgmax(best: Int32Array, labels: Int32Array, cs: number, counts: Float64Array): number {
  const c = numClasses(labels);
  const count = new Float64Array(c * cs);
  const pz = new Float64Array(cs);
  let n = 0;
  for (let i = 0; i < best.length; i++) {
    const w = counts[i];
    if (w === 0) continue;
    count[labels[i] * cs + best[i]] += w;
    pz[best[i]] += w;
    n += w;
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

/** NCE under row multiplicities: the argmax once, then weighted counts per resample. */
function nceResampling(probs: Matrix, labels: Int32Array): MetricResampling {
  const best = argmaxRows(probs);
  const c = numClasses(labels);
  return {
    resample(counts) {
      const present = new Float64Array(c);
      for (let i = 0; i < counts.length; i++) present[labels[i]] += counts[i];
      requireEveryClass('nce', present);
      return nceFromArgmax(best, labels, probs.cols, counts);
    },
  };
}

/**
 * NCE as a metric (id `nce`). Paper: Tran, Nguyen, Hassner, "Transferability and Hardness of
 * Supervised Classification Tasks", ICCV 2019, arXiv 1908.08142. Reference implementation: NCE.py of
 * github.com/thuml/LogME.
 */
export const nceMetric = defineMetric({
  id: 'nce',
  description:
    'NCE: negative conditional entropy of target labels given source argmax labels (Tran et al. 2019)',
  inputs: { required: ['probs', 'labels'] },
  higherIsBetter: true,
  references: [
    {
      title:
        'Tran, Nguyen, Hassner, "Transferability and Hardness of Supervised Classification Tasks", ICCV 2019',
      arxiv: '1908.08142',
      repository: 'github.com/thuml/LogME',
    },
  ],
  regime:
    'Needs source-model probabilities; uses only their argmax. Values are ≤ 0; 0 when the source classes determine the target labels.',
  docs: nceDocs,
  compute({ probs, labels }) {
    return { value: nceValue(probs!, labels!), details: {} };
  },
  resample: ({ probs, labels }) => nceResampling(probs!, labels!),
});

/**
 * NCE: −H(Y | Z) with Z the source model's argmax class.
 *
 * @param inputs - `probs` N×Cs (rows sum to 1), `labels` N integers in [0, C).
 * @param options - none of its own; `relabel` for labels with unused class ids.
 * @returns `{ value, details }`, value ≤ 0 (higher is better).
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, PROBS_NOT_NORMALISED, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES.
 * @see arXiv 1908.08142; github.com/thuml/LogME (NCE.py)
 * @example
 * ```ts
 * const probs = { rows: 4, cols: 2, data: new Float64Array([0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.1, 0.9]) };
 * const { value } = nceScore({ probs, labels: Int32Array.from([0, 1, 0, 1]) });
 * console.assert(Math.abs(value) < 1e-12); // the argmax determines the label
 * ```
 */
export const nceScore = scoreFunction(nceMetric);
