// Measured ground truth for captioning-style tasks: caption retrieval through a ridge probe.
import { EmmsError } from '@emms/tensor-io';
import { type RegressionSplit, type RidgeProbeOptions, ridgeProbe } from './ridge-probe';

/** Options of {@link retrievalProbe}: the ridge probe's options and the k's of recall@k. */
export interface RetrievalProbeOptions extends Omit<RidgeProbeOptions, 'boxes'> {
  /** The k's of recall@k (default [1, 5, 10]). */
  readonly recallAt?: readonly number[];
}

/** Result of {@link retrievalProbe}. */
export interface RetrievalProbeResult {
  /** Top-1 retrieval accuracy among the test captions, in [0, 1] (= recall@1). */
  readonly accuracy: number;
  /** Per test item: 1 when its own caption is retrieved first (the per-item results for the bootstrap). */
  readonly correct: Uint8Array;
  /** Per test item: the rank of its own caption (1 = first), ties counted against it. */
  readonly ranks: Int32Array;
  /** recall@k per k, keyed by `String(k)`. */
  readonly recall: Record<string, number>;
  /** Number of distinct test captions retrieved among. */
  readonly candidates: number;
  /** The ridge probe's held-out R² on the caption embeddings (mean over columns). */
  readonly r2: number;
  /** The chosen ridge strength α. */
  readonly alpha: number;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

function unit(v: ArrayLike<number>, o: number, e: number): Float64Array {
  let s = 0;
  for (let j = 0; j < e; j++) s += v[o + j] * v[o + j];
  const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
  return Float64Array.from({ length: e }, (_, j) => v[o + j] * scale);
}

/**
 * A caption-retrieval probe, the measured ground truth of a captioning-style task: a ridge probe
 * ({@link ridgeProbe}) maps each model's frozen features to the embedding of the item's caption;
 * each test item's predicted embedding then ranks the distinct test captions by cosine similarity,
 * and the item scores when its own caption comes first.
 *
 * - Candidates are the distinct caption embeddings of the test items (identical captions, which
 *   attribute-built captions can produce, are one candidate; retrieving it is correct for each).
 * - Ties are counted against the item: its rank is 1 + the number of other candidates at least as
 *   similar, so a model that predicts nothing (a constant) cannot score.
 * - recall@k is the fraction of items whose own caption ranks ≤ k.
 *
 * Limits: head-only and linear (it measures how linearly the frozen features encode the caption's
 * embedding, not what a fine-tuned captioner would write), retrieval is among the test captions only
 * (the chance level is 1/candidates), and it inherits the text encoder's notion of similarity.
 *
 * @param train - `{ x: N×D features, y: N×E caption embeddings }`.
 * @param test - `{ x: M×D, y: M×E }`.
 * @param options - {@link RetrievalProbeOptions}: the ridge options and `recallAt` ([1, 5, 10]).
 * @returns {@link RetrievalProbeResult}.
 * @throws EmmsError as {@link ridgeProbe}, and `INVALID_OPTION` for a k that is not a positive integer.
 * @example
 * ```ts
 * const r = retrievalProbe({ x: trainFeatures, y: trainCaptionEmb }, { x: testFeatures, y: testCaptionEmb });
 * r.accuracy; // top-1 retrieval accuracy
 * r.recall['5']; // recall@5
 * ```
 */
export function retrievalProbe(
  train: RegressionSplit,
  test: RegressionSplit,
  options: RetrievalProbeOptions = {},
): RetrievalProbeResult {
  const started = performance.now();
  const ks = options.recallAt ?? [1, 5, 10];
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) {
      throw new EmmsError('INVALID_OPTION', `recallAt holds ${k}; give positive integers`, {
        input: 'recallAt',
      });
    }
  }
  const probe = ridgeProbe(train, test, { ...options, boxes: false });
  const m = test.y.rows;
  const e = test.y.cols;
  // distinct captions: an item's candidate is the first test item with an identical embedding
  const key = (i: number) => Array.from(test.y.data.subarray(i * e, (i + 1) * e)).join(',');
  const firstOf = new Map<string, number>();
  const own = new Int32Array(m);
  const candidates: number[] = [];
  for (let i = 0; i < m; i++) {
    const k = key(i);
    let c = firstOf.get(k);
    if (c === undefined) {
      c = candidates.length;
      firstOf.set(k, c);
      candidates.push(i);
    }
    own[i] = c;
  }
  const captions = candidates.map((i) => unit(test.y.data, i * e, e));
  const ranks = new Int32Array(m);
  const correct = new Uint8Array(m);
  const sims = new Float64Array(candidates.length);
  for (let i = 0; i < m; i++) {
    const p = unit(probe.predictions, i * e, e);
    for (let c = 0; c < captions.length; c++) {
      let s = 0;
      for (let j = 0; j < e; j++) s += p[j] * captions[c][j];
      sims[c] = s;
    }
    let rank = 1;
    for (let c = 0; c < captions.length; c++) if (c !== own[i] && sims[c] >= sims[own[i]]) rank++;
    ranks[i] = rank;
    correct[i] = rank === 1 ? 1 : 0;
  }
  const recall: Record<string, number> = {};
  for (const k of ks) recall[String(k)] = ranks.reduce((a, r) => a + (r <= k ? 1 : 0), 0) / m;
  return {
    accuracy: correct.reduce((a, c) => a + c, 0) / m,
    correct,
    ranks,
    recall,
    candidates: candidates.length,
    r2: probe.r2,
    alpha: probe.alpha,
    seconds: (performance.now() - started) / 1000,
  };
}
