// The bootstrap of `emms rank`: every (model, score) pair recomputed on the same resamples of the
// target samples, through each score's resampling path (prepareResampling), cached per pair.
import type { LinalgBackend } from '@emms/linalg';
import { type Metric, type MetricInputs, type MetricResampler, reduceFeatures } from '@emms/metrics';
import { isEmmsError, type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';
import { matrixKey, regressionInput, type ScoreCandidate } from '../bench/score-task';
import { contentKey, type ResultCache } from '../cache';

/** One model of the bootstrap: its features as given (the reduction is applied here, once). */
export type BootstrapModel = ScoreCandidate;

/** One score of the bootstrap, with its resolved options and the models it ranks. */
export interface BootstrapScore {
  readonly metric: Metric;
  readonly options: Readonly<Record<string, unknown>>;
  /** The models to resample (those the score scored on the full data). */
  readonly models: readonly string[];
}

/** Input of {@link bootstrapScores}. */
export interface BootstrapScoresInput {
  readonly task: string;
  /** N class labels (absent for a regression task, which gives `targets`). */
  readonly labels?: Int32Array;
  /**
   * N×T regression targets: each score takes them as `scoreCandidates` gives them (LogME as targets,
   * EMMS as its F-label); a score without a resampling path for them is rescored on the resampled
   * rows themselves (the reduced features' rows and the targets repeated by their counts).
   */
  readonly targets?: Matrix;
  readonly flabels?: readonly Matrix[];
  readonly models: readonly BootstrapModel[];
  readonly scores: readonly BootstrapScore[];
  /** The runner's reduce option ("none", "auto", "pca:K"), fitted once per model on all samples. */
  readonly reduce: string;
  /** The resamples as row multiplicities (from `stratifiedCounts`). */
  readonly counts: readonly Float64Array[];
  /** What identifies the resamples in cache keys (e.g. `{ scheme, reps, seed }`). */
  readonly resamplesKey: unknown;
  readonly backend?: LinalgBackend;
  readonly cache?: ResultCache;
  /** Per model id, its features already reduced with `reduce` (from the scoring): not reduced again. */
  readonly reduced?: ReadonlyMap<string, Matrix>;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** Per score: each model's value on every resample, or why the score was not resampled. */
export type BootstrapOutcome =
  | { readonly values: ReadonlyMap<string, Float64Array> }
  | { readonly unavailable: string };

type Cell = { values: number[] } | { unavailable: string };

/**
 * Recomputes every score on every model for each resample (`counts`): the model's features are
 * reduced once on all samples (the reduction is held fixed, as a model's representation), then each
 * score's resampler is prepared once and called per resample, so a resample costs the K×K work of
 * the score and no copy of rows. A score whose metric has no resampling path, or none for these inputs
 * (e.g. NLEEP refits a mixture per call), is `unavailable` with the reason; so is a score that fails
 * on one resample (the message names the model and the resample). Results are cached per (model,
 * score) under the features, labels, F-labels, probabilities, score, options, reduction and resamples.
 *
 * @param input - {@link BootstrapScoresInput}.
 * @returns per score id, a {@link BootstrapOutcome}.
 * @throws the abort reason; non-EmmsError exceptions of a score (bugs).
 * @example
 * ```ts
 * const counts = stratifiedCounts(labels, { reps: 200, seed: 0 });
 * const out = await bootstrapScores({ task: 'mnist', labels, models, scores, reduce: 'auto', counts,
 *   resamplesKey: { reps: 200, seed: 0 } });
 * ```
 */
export async function bootstrapScores(input: BootstrapScoresInput): Promise<Map<string, BootstrapOutcome>> {
  const { labels, targets } = input;
  const labelsKey = labels
    ? contentKey(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength))
    : contentKey({ targets: matrixKey(targets!) });
  const flabels = input.flabels ?? [];
  const flabelsKey = contentKey(flabels.map(matrixKey));
  const resamplesKey = contentKey(input.resamplesKey);
  let classes = 0;
  for (const y of labels ?? []) classes = Math.max(classes, y + 1);
  const cells = new Map<string, Map<string, Cell>>(input.scores.map((s) => [s.metric.id, new Map()]));
  const progress = progressTracker(`bootstrap:${input.task}`, input.models.length, input.onProgress);
  for (const model of input.models) {
    const wanted = input.scores.filter((s) => s.models.includes(model.id));
    const keys = new Map(
      wanted.map((s) => [
        s.metric.id,
        contentKey({
          kind: 'bootstrap',
          v: 1,
          ...(targets ? { regression: regressionInput(s.metric, flabels.length > 0) } : {}),
          features: model.featuresKey ?? matrixKey(model.features),
          labels: labelsKey,
          flabels: flabelsKey,
          probs: model.probs ? matrixKey(model.probs) : null,
          score: s.metric.id,
          options: s.options,
          reduce: input.reduce,
          resamples: resamplesKey,
        }),
      ]),
    );
    const todo: { score: BootstrapScore; resample: MetricResampler }[] = [];
    let reduced: Matrix | string | undefined;
    const reduce = (): Matrix | string => {
      const given = input.reduced?.get(model.id);
      if (given) return given;
      try {
        return reduceFeatures(model.features, input.reduce, { classes, backend: input.backend }).features;
      } catch (e) {
        if (!isEmmsError(e)) throw e;
        return `the reduction failed on ${model.id} (${e.code}): ${e.message}`;
      }
    };
    for (const s of wanted) {
      const hit = input.cache?.get<Cell>(keys.get(s.metric.id)!);
      if (hit) {
        cells.get(s.metric.id)!.set(model.id, hit);
        continue;
      }
      const uses = [...s.metric.inputs.required, ...(s.metric.inputs.optional ?? [])];
      if (uses.includes('features') && reduced === undefined) reduced = reduce();
      const features = uses.includes('features') ? reduced : undefined;
      const prepared =
        typeof features === 'string' ? { unavailable: features } : prepare(s, model, features, input);
      if ('resample' in prepared) todo.push({ score: s, resample: prepared.resample });
      else cells.get(s.metric.id)!.set(model.id, prepared);
    }
    const values = todo.map(() => new Array<number>(input.counts.length));
    const failed = new Map<number, string>();
    for (let r = 0; r < input.counts.length; r++) {
      if (input.signal?.aborted) throw input.signal.reason ?? new Error('aborted');
      todo.forEach((t, k) => {
        if (failed.has(k)) return;
        try {
          values[k][r] = t.resample(input.counts[r]);
        } catch (e) {
          if (!isEmmsError(e)) throw e;
          failed.set(k, `resample ${r + 1} failed on ${model.id} (${e.code}): ${e.message}`);
        }
      });
    }
    todo.forEach((t, k) => {
      const reason = failed.get(k);
      const cell: Cell = reason ? { unavailable: reason } : { values: values[k] };
      cells.get(t.score.metric.id)!.set(model.id, cell);
      input.cache?.put(keys.get(t.score.metric.id)!, cell);
    });
    progress.advance(1, model.id);
  }
  const out = new Map<string, BootstrapOutcome>();
  for (const s of input.scores) {
    const byModel = cells.get(s.metric.id)!;
    const missing = s.models.map((m) => [m, byModel.get(m)] as const).find(([, c]) => !c || !('values' in c));
    if (missing) {
      const [m, c] = missing;
      out.set(s.metric.id, {
        unavailable: c && 'unavailable' in c ? c.unavailable : `no resampled values for ${m}`,
      });
      continue;
    }
    out.set(s.metric.id, {
      values: new Map(
        s.models.map((m) => [m, Float64Array.from((byModel.get(m) as { values: number[] }).values)]),
      ),
    });
  }
  return out;
}

/** A score's resampler for one model, or why it has none. */
function prepare(
  s: BootstrapScore,
  model: BootstrapModel,
  features: Matrix | undefined,
  input: BootstrapScoresInput,
): { resample: MetricResampler } | { unavailable: string } {
  if (!s.metric.prepareResampling && !input.targets) {
    return { unavailable: `${s.metric.id} declares no resampling path (a plugin score)` };
  }
  const flabels = input.flabels ?? [];
  const way = input.targets ? regressionInput(s.metric, flabels.length > 0) : undefined;
  if (typeof way === 'object') return { unavailable: way.reason };
  const inputs: MetricInputs = {
    ...(features ? { features } : {}),
    ...(input.labels ? { labels: input.labels } : {}),
    ...(way === 'targets' ? { targets: input.targets } : {}),
    ...(way === 'flabels' ? { flabels: [input.targets!] } : flabels.length ? { flabels } : {}),
    ...(model.probs ? { probs: model.probs } : {}),
  };
  const context = { ...(input.backend ? { backend: input.backend } : {}) };
  try {
    const r = s.metric.prepareResampling
      ? s.metric.prepareResampling(inputs, s.options, context)
      : { unavailable: `${s.metric.id} declares no resampling path (a plugin score)` };
    // regression: a score with no resampling path for targets is rescored on the resampled rows
    return 'resample' in r || !way ? r : { resample: materialised(s, inputs, context) };
  } catch (e) {
    if (!isEmmsError(e)) throw e;
    return { unavailable: `${s.metric.id} cannot be resampled on ${model.id} (${e.code}): ${e.message}` };
  }
}

/**
 * A resampler that materialises each resample: every row (of every N-row input) repeated by its
 * count, then the score computed as on full data. Exact for any score; costs one full scoring per
 * resample (used for regression targets, whose scores have no moment-based resampling path).
 */
function materialised(
  s: BootstrapScore,
  inputs: MetricInputs,
  context: { readonly backend?: LinalgBackend },
): MetricResampler {
  return (counts) => {
    const rows = repeatRows(counts);
    const pick = (m: Matrix): Matrix => {
      const out = new Float64Array(rows.length * m.cols);
      rows.forEach((i, r) => {
        for (let j = 0; j < m.cols; j++) out[r * m.cols + j] = m.data[i * m.cols + j];
      });
      return { rows: rows.length, cols: m.cols, data: out };
    };
    const r = s.metric.compute(
      {
        ...(inputs.features ? { features: pick(inputs.features) } : {}),
        ...(inputs.targets ? { targets: pick(inputs.targets) } : {}),
        ...(inputs.flabels ? { flabels: inputs.flabels.map(pick) } : {}),
      },
      s.options,
      context,
    );
    if (r instanceof Promise) throw new Error(`${s.metric.id}: an asynchronous score cannot be resampled`);
    return r.value;
  };
}

/** Row indices repeated by their counts, in row order. */
function repeatRows(counts: Float64Array): number[] {
  const rows: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) rows.push(i);
  });
  return rows;
}
