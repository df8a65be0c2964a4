// kNN accuracy on frozen features: the cheaper second measured ground truth.
import type { LinalgBackend } from '@emms/linalg';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { checkPairOfSplits, type ProbeSplit } from './probe-input';
import { dense, timesTransposed } from './probe-kernels';

/** Options of {@link knnAccuracy}. */
export interface KnnOptions {
  /** Neighbours that vote (default 10; at most the number of train rows). */
  readonly k?: number;
  /** 'cosine' (default: rows scaled to unit length, largest similarity first) or 'euclidean'. */
  readonly metric?: 'cosine' | 'euclidean';
  /**
   * Ignored: kept so that existing callers compile. The products run on the probes' own fixed-order
   * kernels, so the neighbours (and the ground truth) are the same on every backend.
   */
  readonly backend?: LinalgBackend;
}

/** Result of {@link knnAccuracy}. */
export interface KnnResult {
  /** Test accuracy in [0, 1]. */
  readonly accuracy: number;
  /** Per test item: 1 when classified correctly. */
  readonly correct: Uint8Array;
  /** Per test item: the predicted class. */
  readonly predictions: Int32Array;
  /** Neighbours used. */
  readonly k: number;
}

/**
 * k-nearest-neighbour accuracy on frozen features, a cheaper second ground truth. Each test row
 * takes the majority label of its k nearest train rows, by cosine similarity of the raw features
 * (default; a zero row has similarity 0 to everything) or by Euclidean distance; features are not
 * standardised. Deterministic ties: among equally near train rows the earlier row is nearer; a tie
 * in the vote goes to the class whose voters are nearer in total (summed similarity, or smaller
 * summed squared distance), then to the lower class index.
 *
 * @param train - `{ x: N×D, y: N labels }`.
 * @param test - `{ x: M×D, y: M labels }`.
 * @param options - {@link KnnOptions}: `k` (10), `metric` ('cosine').
 * @returns {@link KnnResult} `{ accuracy, correct (M), predictions (M), k }`.
 * @throws EmmsError `ROW_MISMATCH`, `SHAPE_MISMATCH`, `LABEL_OUT_OF_RANGE`, `NON_FINITE`,
 *   `SINGLE_CLASS`, `INVALID_OPTION` (k not an integer in [1, N]).
 * @example
 * ```ts
 * const knn = knnAccuracy({ x: trainFeatures, y: trainLabels }, { x: testFeatures, y: testLabels }, { k: 5 });
 * knn.accuracy; // e.g. 0.94
 * ```
 */
export function knnAccuracy(train: ProbeSplit, test: ProbeSplit, options: KnnOptions = {}): KnnResult {
  const classes = checkPairOfSplits(train, test);
  const n = train.x.rows;
  const k = options.k ?? Math.min(10, n);
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new EmmsError(
      'INVALID_OPTION',
      `k is ${k}; give an integer from 1 to the number of train rows (${n})`,
      {
        input: 'k',
      },
    );
  }
  const metric = options.metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'euclidean') {
    throw new EmmsError('INVALID_OPTION', `metric is "${metric}"; give 'cosine' or 'euclidean'`, {
      input: 'metric',
    });
  }
  const d = train.x.cols;
  const norms = (m: Matrix) => {
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m.data[i * d + j] * m.data[i * d + j];
      out[i] = s;
    }
    return out;
  };
  const toDense = (m: Matrix, sq: Float64Array | null) => {
    const out = new Float64Array(m.rows * d);
    for (let i = 0; i < m.rows; i++) {
      const s = sq === null ? 1 : sq[i] > 0 ? 1 / Math.sqrt(sq[i]) : 0;
      for (let j = 0; j < d; j++) out[i * d + j] = m.data[i * d + j] * s;
    }
    return dense(out, m.rows, d);
  };
  const trainSq = norms(train.x);
  const testSq = norms(test.x);
  const cosine = metric === 'cosine';
  const a = toDense(test.x, cosine ? testSq : null);
  const dots = timesTransposed(a, toDense(train.x, cosine ? trainSq : null)).data; // M×N, fixed order
  const m = test.x.rows;
  const correct = new Uint8Array(m);
  const predictions = new Int32Array(m);
  const nearIdx = new Int32Array(k);
  const nearKey = new Float64Array(k);
  const votes = new Float64Array(classes);
  const weight = new Float64Array(classes);
  let hits = 0;
  for (let i = 0; i < m; i++) {
    // key: larger is nearer (similarity, or minus the squared distance)
    let filled = 0;
    for (let j = 0; j < n; j++) {
      const dot = dots[i * n + j];
      const key = cosine ? dot : -(testSq[i] + trainSq[j] - 2 * dot);
      if (filled === k && key <= nearKey[k - 1]) continue;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && nearKey[p - 1] < key) {
        nearKey[p] = nearKey[p - 1];
        nearIdx[p] = nearIdx[p - 1];
        p--;
      }
      nearKey[p] = key;
      nearIdx[p] = j;
    }
    votes.fill(0);
    weight.fill(0);
    for (let p = 0; p < k; p++) {
      const c = train.y[nearIdx[p]];
      votes[c]++;
      weight[c] += nearKey[p];
    }
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (votes[c] > votes[best] || (votes[c] === votes[best] && weight[c] > weight[best])) best = c;
    }
    predictions[i] = best;
    correct[i] = best === test.y[i] ? 1 : 0;
    hits += correct[i];
  }
  return { accuracy: hits / m, correct, predictions, k };
}
