// Scores every candidate of one task with a list of scores, each (model, score) pair isolated and cached.
import type { LinalgBackend } from '@emms/linalg';
import {
  defaultRegistry,
  type Metric,
  type MetricInputs,
  type MetricRegistry,
  metricOptions,
  type Preset,
  type ReducedInputs,
  type RunSettings,
  reduceInputs,
  resolveRunSettings,
  scoreReduced,
} from '@emms/metrics';
import { EmmsError, isEmmsError, type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';
import { contentKey, type ResultCache } from '../cache';
import { BENCH_CODES } from './codes';

/** One candidate's inputs for scoring. */
export interface ScoreCandidate {
  /** Model id, unique in the task. */
  readonly id: string;
  /** N×D features on the train split. */
  readonly features: Matrix;
  /**
   * sha256 of the features (of the feature file's bytes when there is one); computed from the matrix
   * when left out.
   */
  readonly featuresKey?: string;
  /** N×Cs source-class probabilities of the model's own classifier, when it has one (LEEP, NCE). */
  readonly probs?: Matrix;
}

/** A score to run, with its options as given. */
export interface ScoreRequest {
  readonly id: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Input of {@link scoreCandidates}. */
export interface ScoreCandidatesInput {
  /** Task id, for progress and messages. */
  readonly task: string;
  /** N class labels of the train split (absent for a regression task, which gives `targets`). */
  readonly labels?: Int32Array;
  /**
   * N×T continuous regression targets instead of class labels. The scores that accept them run on
   * them (`targets` among their inputs, e.g. LogME); a score that regresses onto label embeddings
   * (`flabels` among its inputs and no `labels`/`probs` required, e.g. EMMS) takes the targets as
   * its one F-label when no F-labels are given; every other score is `NOT_APPLICABLE` with the reason.
   */
  readonly targets?: Matrix;
  /** F-labels (each N×L), the same for every candidate. */
  readonly flabels?: readonly Matrix[];
  /**
   * Set when the task's question is not the items' classes (referring, captioning): `reason`, for the
   * report. Scores that need class labels are then `NOT_APPLICABLE` with it and no score sees the labels;
   * scores that take regression targets get `targets` (e.g. the referring boxes), while scores that take
   * F-labels (EMMS) rank by the task's F-labels.
   */
  readonly classless?: { readonly reason: string; readonly targets?: Matrix };
  readonly candidates: readonly ScoreCandidate[];
  readonly scores: readonly ScoreRequest[];
  /** Where score ids are looked up (default: the built-in scores). */
  readonly registry?: MetricRegistry;
  /** Linear-algebra backend of the scores (default: the current one of `@emms/linalg`). */
  readonly backend?: LinalgBackend;
  /**
   * `rank` (default): reduce "auto" and LogME's corrected evidence (validated per task by a multi-task bench);
   * `published`: the reference implementations exactly. See `PRESETS` of @emms/metrics.
   */
  readonly preset?: Preset;
  /** Preprocessing applied by the score runner ("none", "pca:K", "auto"; default: the preset's); part of every cache key. */
  readonly reduce?: string;
  /**
   * The run settings already resolved with `resolveRunSettings` of @emms/metrics, instead of
   * `preset` and `reduce` (a request's own options still apply to its score).
   */
  readonly settings?: RunSettings;
  readonly cache?: ResultCache;
  /**
   * Called with each candidate's reduced features when they are computed (not for cached cells), so
   * a caller can reuse them (e.g. the bootstrap of `rankFeatures`).
   */
  readonly onReduced?: (candidate: string, features: Matrix) => void;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** The result of one (model, score) pair. */
export interface ScoreCell {
  /** Finite score value (absent on failure). */
  readonly value?: number;
  /** Seconds to compute it (the first time, when read from the cache). */
  readonly seconds: number;
  /** The score's `details.warning`, when it saturates or degenerates. */
  readonly warning?: string;
  /** The typed error when the pair failed; the rest of the run went on. */
  readonly error?: { readonly code: string; readonly message: string; readonly input?: string };
  /** Read from the cache instead of computed. */
  readonly cached: boolean;
  /** Everything else the score reported (JSON). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Per score id, per model id. */
export type ScoreTable = Record<string, Record<string, ScoreCell>>;

/** sha256 over a matrix's shape and bytes. */
export function matrixKey(m: Matrix): string {
  const bytes = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  return contentKey({ rows: m.rows, cols: m.cols, dtype: m.data.constructor.name, data: contentKey(bytes) });
}

function jsonSafe(details: unknown): Record<string, unknown> {
  try {
    const text = JSON.stringify(details, (_k, v: unknown) =>
      ArrayBuffer.isView(v) || (typeof v === 'number' && !Number.isFinite(v)) ? undefined : v,
    );
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * How a score takes regression targets: as `targets`, as its one F-label, or not at all (the reason).
 *
 * @param metric - the score's declared inputs.
 * @param flabels - whether F-labels are given.
 * @returns `targets`, `flabels`, or `{ reason }` for a score that needs class labels or probabilities.
 * @example
 * ```ts
 * regressionInput(defaultRegistry.get('sfda'), false); // { reason: 'sfda needs class labels; …' }
 * ```
 */
export function regressionInput(
  metric: Pick<Metric, 'id' | 'inputs'>,
  flabels: boolean,
): 'targets' | 'flabels' | { readonly reason: string } {
  const { required, optional = [] } = metric.inputs;
  const needs = required.filter((n) => n === 'labels' || n === 'probs');
  if (needs.length === 0 && (required.includes('targets') || optional.includes('targets'))) return 'targets';
  if (needs.length === 0 && (required.includes('flabels') || optional.includes('flabels'))) {
    return flabels
      ? { reason: `${metric.id} with F-labels ranks by them, not by the targets; leave out the F-labels` }
      : 'flabels';
  }
  const what = needs.includes('probs') ? 'class labels and source-class probabilities' : 'class labels';
  return {
    reason: `${metric.id} needs ${what}; the task has continuous regression targets (only scores that regress onto targets or label embeddings apply, e.g. logme, emms)`,
  };
}

const notApplicable = (reason: string, score: string): ScoreCell['error'] => ({
  code: BENCH_CODES.NOT_APPLICABLE,
  message: reason,
  input: score,
});

/** Why a score does not apply to a task without classes (undefined: it applies). */
function classlessReason(
  metric: { id: string; inputs: { required: readonly string[]; optional?: readonly string[] } },
  classless: NonNullable<ScoreCandidatesInput['classless']>,
  flabels: boolean,
): string | undefined {
  const req = metric.inputs.required;
  const opt = metric.inputs.optional ?? [];
  if (req.includes('labels') || req.includes('probs')) {
    return `${metric.id} needs class labels; ${classless.reason}`;
  }
  const usesFlabels = req.includes('flabels') || (opt.includes('flabels') && flabels);
  if (!usesFlabels && !classless.targets && (opt.includes('labels') || opt.includes('targets'))) {
    return `${metric.id} needs class labels or regression targets; ${classless.reason}`;
  }
  return undefined;
}

const noProbs = (model: string, score: string) =>
  new EmmsError(
    BENCH_CODES.NOT_APPLICABLE,
    `${score} needs the source-class probabilities of ${model}'s own classifier; this candidate has no classifier output`,
    { input: model },
  );

/**
 * Scores every candidate with every score. Each (model, score) pair runs on its own: a typed failure
 * is recorded in that cell (with its code) and the rest completes. The run settings are resolved once
 * and each candidate's features reduced once (`reduceInputs`), the reduction shared by every score of
 * that candidate (and computed only when some cell is not in the cache). Each cell is cached by content:
 * the features digest, the labels, F-labels and probabilities digests, the score id, its resolved options
 * and the preprocessing; a rerun computes only the cells missing from the cache. Scores that need
 * source probabilities (LEEP, NCE) are `NOT_APPLICABLE` for candidates without a classifier.
 *
 * @param input - {@link ScoreCandidatesInput}: labels (N), F-labels (K × N×L), candidates (N×D features each),
 *   scores, registry, reduce, cache, onProgress (one event per cell, task "score:<task>").
 * @returns per score id, per model id, a {@link ScoreCell}.
 * @throws EmmsError `UNKNOWN_METRIC` (before anything runs), `DUPLICATE_MODEL_NAME`; the abort reason.
 * @example
 * ```ts
 * const table = await scoreCandidates({
 *   task: 'mnist', labels, flabels: [f1, f2],
 *   candidates: [{ id: 'a', features: fa }, { id: 'b', features: fb }],
 *   scores: [{ id: 'emms' }, { id: 'logme' }],
 *   cache: new ResultCache('.emms-cache'),
 * });
 * table.emms.a.value; // a finite number
 * ```
 */
export async function scoreCandidates(input: ScoreCandidatesInput): Promise<ScoreTable> {
  const registry = input.registry ?? defaultRegistry;
  const metrics = input.scores.map((s) => ({ metric: registry.get(s.id), given: s.options ?? {} }));
  const seen = new Set<string>();
  for (const c of input.candidates) {
    if (seen.has(c.id)) {
      throw new EmmsError(
        BENCH_CODES.DUPLICATE_MODEL_NAME,
        `task ${input.task}: two candidates are named "${c.id}"; give each model a unique name`,
        { input: c.id, details: { task: input.task, model: c.id } },
      );
    }
    seen.add(c.id);
  }
  const { labels, targets } = input;
  if ((labels === undefined) === (targets === undefined)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `task ${input.task}: give exactly one of labels (classification) and targets (regression)`,
      { input: labels ? 'targets' : 'labels' },
    );
  }
  const labelsKey = labels
    ? contentKey(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength))
    : contentKey({ targets: matrixKey(targets!) });
  const flabelsKey = contentKey((input.flabels ?? []).map(matrixKey));
  const settings =
    input.settings ??
    resolveRunSettings({ preset: input.preset, reduce: input.reduce }, registry, { defaultPreset: 'rank' });
  const reduce = settings.reduce.text;
  // One reduction per candidate, computed when a cell first needs it and shared by every score.
  const reductions = new Map<string, ReducedInputs | EmmsError>();
  const reducedOf = (c: ScoreCandidate): ReducedInputs | EmmsError => {
    let r = reductions.get(c.id);
    if (!r) {
      const inputs: MetricInputs = {
        features: c.features,
        ...(input.classless
          ? input.classless.targets
            ? { targets: input.classless.targets }
            : {}
          : labels
            ? { labels }
            : { targets }),
        ...(input.flabels && input.flabels.length > 0 ? { flabels: input.flabels } : {}),
        ...(c.probs ? { probs: c.probs } : {}),
      };
      try {
        r = reduceInputs(inputs, settings, { ...(input.backend ? { backend: input.backend } : {}) });
      } catch (e) {
        if (!isEmmsError(e)) throw e;
        r = e; // the same typed error for every score of this candidate
      }
      reductions.set(c.id, r);
      if (!(r instanceof EmmsError) && r.inputs.features) input.onReduced?.(c.id, r.inputs.features);
    }
    return r;
  };
  const out: ScoreTable = {};
  const progress = progressTracker(
    `score:${input.task}`,
    input.candidates.length * metrics.length,
    input.onProgress,
  );
  for (const { metric, given } of metrics) {
    // A Map while filling (a model may be named "__proto__"), then own properties of the row.
    const row = new Map<string, ScoreCell>();
    let resolved: Record<string, unknown> | undefined;
    let optionError: ScoreCell['error'];
    // The request's own options over the run's, for this score only.
    const cellSettings = resolveRunSettings(
      {
        preset: settings.preset,
        reduce,
        relabel: settings.relabel,
        options: { ...settings.options, [metric.id]: { ...settings.options[metric.id], ...given } },
      },
      registry,
    );
    try {
      resolved = metricOptions(cellSettings, metric);
    } catch (e) {
      if (!isEmmsError(e)) throw e;
      optionError = { code: e.code, message: e.message, input: e.input };
    }
    const needsProbs = metric.inputs.required.includes('probs');
    const regression = targets ? regressionInput(metric, (input.flabels ?? []).length > 0) : undefined;
    if (typeof regression === 'object') optionError = notApplicable(regression.reason, metric.id);
    const classlessNA = input.classless
      ? classlessReason(metric, input.classless, (input.flabels ?? []).length > 0)
      : undefined;
    for (const c of input.candidates) {
      if (input.signal?.aborted) throw input.signal.reason ?? new Error('aborted');
      if (optionError) {
        row.set(c.id, { seconds: 0, error: optionError, cached: false });
        progress.advance(1, `${metric.id} ${c.id}`);
        continue;
      }
      if (classlessNA) {
        row.set(c.id, {
          seconds: 0,
          error: { code: BENCH_CODES.NOT_APPLICABLE, message: classlessNA, input: c.id },
          cached: false,
        });
        progress.advance(1, `${metric.id} ${c.id}: not applicable`);
        continue;
      }
      if (needsProbs && !c.probs) {
        const e = noProbs(c.id, metric.id);
        row.set(c.id, {
          seconds: 0,
          error: { code: e.code, message: e.message, input: e.input },
          cached: false,
        });
        progress.advance(1, `${metric.id} ${c.id}: not applicable`);
        continue;
      }
      const key = contentKey({
        kind: 'score',
        v: 1,
        features: c.featuresKey ?? matrixKey(c.features),
        labels: input.classless
          ? `classless:${input.classless.targets ? matrixKey(input.classless.targets) : ''}`
          : labelsKey,
        flabels: flabelsKey,
        probs: c.probs ? matrixKey(c.probs) : null,
        score: metric.id,
        options: resolved,
        reduce,
        ...(regression ? { regression } : {}),
      });
      const hit = input.cache?.get<Omit<ScoreCell, 'cached'>>(key);
      if (hit) {
        row.set(c.id, { ...hit, cached: true });
        progress.advance(1, `${metric.id} ${c.id} (cached)`);
        continue;
      }
      let cell: Omit<ScoreCell, 'cached'>;
      const t0 = performance.now();
      try {
        let reduced = reducedOf(c);
        if (reduced instanceof EmmsError) throw reduced;
        if (regression === 'flabels') {
          // the targets as the score's one F-label (a continuous target is its own label embedding)
          const { targets: t, ...rest } = reduced.inputs;
          reduced = { ...reduced, inputs: { ...rest, flabels: [t!] } };
        }
        const r = await scoreReduced(reduced, [metric.id], {
          registry,
          ...(input.backend ? { backend: input.backend } : {}),
          settings: cellSettings,
          signal: input.signal,
        });
        const seconds = r.seconds[metric.id] ?? (performance.now() - t0) / 1000;
        const err = r.errors[metric.id];
        if (err) cell = { seconds, error: { code: err.code, message: err.message, input: err.input } };
        else {
          const value = r.scores[metric.id]!;
          const details = jsonSafe(r.details[metric.id]);
          const warning = typeof details.warning === 'string' ? details.warning : undefined;
          cell = Number.isFinite(value)
            ? { value, seconds, details, ...(warning ? { warning } : {}) }
            : {
                seconds,
                error: { code: 'NON_FINITE', message: `${metric.id} gave ${value} on ${c.id}`, input: c.id },
              };
        }
      } catch (e) {
        if ((e as Error)?.name === 'AbortError' || input.signal?.aborted) throw e;
        // an unexpected failure of one pair is recorded; the rest of the run goes on
        cell = {
          seconds: (performance.now() - t0) / 1000,
          error: isEmmsError(e)
            ? { code: e.code, message: e.message, input: e.input }
            : { code: 'INTERNAL', message: `${metric.id} failed on ${c.id}: ${(e as Error)?.message ?? e}` },
        };
      }
      input.cache?.put(key, cell);
      row.set(c.id, { ...cell, cached: false });
      progress.advance(1, `${metric.id} ${c.id}`);
    }
    out[metric.id] = Object.fromEntries(row);
  }
  return out;
}
