import { defineMetric, scoreFunction } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { type KeptRows, keptRows, requireEveryClass } from '../resample-rows';
import { numClasses } from '../util';
import { leepDocs } from './docs/leep';

/**
 * LEEP (Nguyen et al., ICML 2020) from source-model probabilities `probs` (N×Cs) and labels:
 * joint[c, z] = Σ_{y_i=c} P_iz / N, p(c|z) = joint[c, z] / Σ_c' joint[c', z],
 * score = mean_i log Σ_z P_iz p(y_i|z). As thuml's LEEP.py.
 */
export function leepValue(probs: Matrix, labels: Int32Array): number {
  return meanLog(empiricalPrediction(probs, labels), true);
}

/**
 * LEEP under row multiplicities: the joint p(y, z) and the average of log p(y_i | x_i) weighted by
 * the counts (N = Σ counts), equal to {@link leepValue} on the materialised rows.
 */
function leepResample(probs: Matrix, labels: Int32Array, counts: Float64Array): number {
  const rows = keptRows(counts);
  const present = new Float64Array(numClasses(labels));
  for (const i of rows.index) present[labels[i]] = 1;
  requireEveryClass('leep', present);
  const q = empiricalPrediction(probs, labels, rows);
  let s = 0;
  for (let k = 0; k < q.length; k++) s += rows.weight[k] * Math.log(q[k]);
  return s / rows.total;
}

/**
 * For each sample, Σ_z P_iz p(y_i|z) with p(c|z) from the empirical joint of `probs` and labels.
 * Shared by LEEP (mean log) and NLEEP (mean). With `rows` (a resample), only the kept rows, each
 * weighted by its count in the joint; one value per kept row.
 */
export function empiricalPrediction(probs: Matrix, labels: Int32Array, rows?: KeptRows): Float64Array {
  const { cols: cs, data: p } = probs;
  // the rows used (all, or a resample's kept rows), their weights and N
  const m = rows ? rows.index.length : probs.rows;
  const row = (k: number) => (rows ? rows.index[k] : k);
  const total = rows ? rows.total : m;
  const c = numClasses(labels);
  const joint = new Float64Array(c * cs);
  for (let k = 0; k < m; k++) {
    const i = row(k);
    const r = labels[i] * cs;
    const o = i * cs;
    if (rows) {
      const f = rows.weight[k] / total;
      for (let z = 0; z < cs; z++) joint[r + z] += f * p[o + z];
    } else for (let z = 0; z < cs; z++) joint[r + z] += p[o + z] / total;
  }
  // Column-normalise to p(c | z); a source class with zero total mass contributes nothing.
  for (let z = 0; z < cs; z++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += joint[k * cs + z];
    for (let k = 0; k < c; k++) joint[k * cs + z] = s > 0 ? joint[k * cs + z] / s : 0;
  }
  const q = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = row(k);
    const r = labels[i] * cs;
    const o = i * cs;
    let s = 0;
    for (let z = 0; z < cs; z++) s += p[o + z] * joint[r + z];
    q[k] = s;
  }
  return q;
}

function meanLog(q: Float64Array, log: boolean): number {
  let s = 0;
  for (let i = 0; i < q.length; i++) s += log ? Math.log(q[i]) : q[i];
  return s / q.length;
}

/**
 * LEEP as a metric (id `leep`). Paper: Nguyen, Hassner, Seeger, Archambeau, "LEEP: A New Measure to
 * Evaluate Transferability of Learned Representations", ICML 2020, arXiv 2002.12462. Reference
 * implementation: LEEP.py of github.com/thuml/LogME.
 */
export const leepMetric = defineMetric({
  id: 'leep',
  description: 'LEEP: log expected empirical prediction from source-model probabilities (Nguyen et al. 2020)',
  inputs: { required: ['probs', 'labels'] },
  higherIsBetter: true,
  references: [
    {
      title:
        'Nguyen, Hassner, Seeger, Archambeau, "LEEP: A New Measure to Evaluate Transferability of Learned Representations", ICML 2020',
      arxiv: '2002.12462',
      repository: 'github.com/thuml/LogME',
    },
  ],
  regime:
    "Needs the source model's class probabilities (rows summing to 1) for every target sample; any N ≥ 2. Values are ≤ 0.",
  docs: leepDocs,
  compute({ probs, labels }) {
    return { value: leepValue(probs!, labels!), details: {} };
  },
  resample: ({ probs, labels }) => ({ resample: (counts) => leepResample(probs!, labels!, counts) }),
});

/**
 * LEEP of source-model probabilities for target labels: mean_i log Σ_z P_iz p(y_i | z).
 *
 * @param inputs - `probs` N×Cs (rows sum to 1), `labels` N integers in [0, C).
 * @param options - none of its own; `relabel` for labels with unused class ids.
 * @returns `{ value, details }`, value ≤ 0 (higher is better).
 * @throws EmmsError MISSING_INPUT, ROW_MISMATCH, PROBS_NOT_NORMALISED, NON_FINITE, SINGLE_CLASS, MISSING_CLASSES.
 * @see arXiv 2002.12462; github.com/thuml/LogME (LEEP.py)
 * @example
 * ```ts
 * const probs = { rows: 4, cols: 2, data: new Float64Array([0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.1, 0.9]) };
 * const { value } = leepScore({ probs, labels: Int32Array.from([0, 1, 0, 1]) });
 * console.assert(value < 0 && value > Math.log(0.5));
 * ```
 */
export const leepScore = scoreFunction(leepMetric);
