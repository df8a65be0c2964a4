// `emms rank`: which of my models should I fine-tune? Scores every model of a features folder, ranks
// them, recommends one and warns when the scores disagree or a score is in a regime where it saturates.
import type { LinalgBackend } from '@emms/linalg';
import {
  defaultRegistry,
  givenOptions,
  type Metric,
  type MetricRegistry,
  type Preset,
  type RunSettings,
  resolveRunSettings,
} from '@emms/metrics';
import { EmmsError, type Matrix, type ProgressListener } from '@emms/tensor-io';
import { readMatrixFile } from '@emms/tensor-io/node';
import { BENCH_CODES } from './bench/codes';
import { readFeaturesFolder, readLabels } from './bench/features-dir';
import { type ScoreRequest, type ScoreTable, scoreCandidates } from './bench/score-task';
import type { ResultCache } from './cache';

/** Options of {@link rankFeatures}. */
export interface RankOptions {
  /** Folder of `<model>.npy` files (N×D each); model name = file stem. */
  readonly featuresDir: string;
  /** N labels file. */
  readonly labels: string;
  /** F-label files (N×L each). */
  readonly flabels?: readonly string[];
  /** Score ids (default: every score of the registry). */
  readonly metrics?: readonly (string | ScoreRequest)[];
  readonly registry?: MetricRegistry;
  /** Linear-algebra backend of the scores (default: the current one). */
  readonly backend?: LinalgBackend;
  /** `rank` (default: reduce "auto", LogME corrected) or `published` (the reference implementations). */
  readonly preset?: Preset;
  /** Preprocessing of the score runner ("none", "pca:K", "auto"; default: the preset's). */
  readonly reduce?: string;
  /** The run settings already resolved (`resolveRunSettings` of @emms/metrics), instead of `preset` and `reduce`. */
  readonly settings?: RunSettings;
  readonly cache?: ResultCache;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** One model of a ranking. */
export interface RankedModel {
  readonly id: string;
  readonly path: string;
  readonly featureDim: number;
  /** Mean rank over the scores that scored every model (1 = best). */
  readonly meanRank: number;
  /** Per score id, the model's rank (1 = best), when the score succeeded. */
  readonly ranks: Record<string, number>;
}

/** Result of {@link rankFeatures}. */
export interface RankResult {
  /** Samples N. */
  readonly samples: number;
  readonly classes: number;
  /** Models, best first by mean rank. */
  readonly models: readonly RankedModel[];
  /** Per score id, per model id, the cell (value, seconds, warning or error). */
  readonly scores: ScoreTable;
  /** Per score id, whether higher is better. */
  readonly higherIsBetter: Record<string, boolean>;
  /** Per score id, its top model. */
  readonly top: Record<string, string>;
  /** One line: which model to fine-tune, and how sure the scores are. */
  readonly recommendation: string;
  /** Disagreement about the top model, saturation regimes, failed scores. */
  readonly warnings: readonly string[];
}

function ranksOf(values: Record<string, number>, higherIsBetter: boolean): Record<string, number> {
  const ids = Object.keys(values).sort((a, b) =>
    higherIsBetter ? values[b]! - values[a]! : values[a]! - values[b]!,
  );
  const out: Record<string, number> = {};
  // ties (equal up to rounding: 1e-9 of the largest magnitude) share the average rank
  const scale = Math.max(1e-300, ...Object.values(values).map(Math.abs));
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * scale;
  let i = 0;
  while (i < ids.length) {
    let j = i;
    while (j + 1 < ids.length && same(values[ids[j + 1]!]!, values[ids[i]!]!)) j++;
    for (let k = i; k <= j; k++) out[ids[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/**
 * Saturation warnings of the regime: a feature dimension at or above the number of samples (least
 * squares fits exactly) or at or above half of it, naming the scores whose declared saturation
 * regime (`metric.saturation`) holds at that dimension.
 *
 * @param dims - feature dimension per model id.
 * @param samples - N.
 * @param metrics - the scores to ask (default: the built-in ones), each with the options it runs with.
 * @param classes - C (0 when unknown).
 * @returns one warning per model in such a regime.
 * @example
 * ```ts
 * regimeWarnings({ big: 2048, small: 64 }, 500); // ['big: feature dimension 2048 ≥ 500 samples; emms, sfda, transrate, hscore saturate …']
 * ```
 */
export function regimeWarnings(
  dims: Record<string, number>,
  samples: number,
  metrics: readonly {
    metric: Pick<Metric, 'id' | 'saturation'>;
    options?: Record<string, unknown>;
  }[] = defaultRegistry.list().map((metric) => ({ metric })),
  classes = 0,
): string[] {
  const out: string[] = [];
  for (const [id, d] of Object.entries(dims)) {
    if (d < samples / 2) continue;
    const shape = { samples, features: d, classes };
    const ids = metrics.filter(({ metric, options }) => {
      try {
        return metric.saturation(shape, options) !== undefined;
      } catch {
        return false; // options the metric refuses: its own cells say so
      }
    });
    if (ids.length === 0) continue;
    const which = ids.map(({ metric }) => metric.id).join(', ');
    out.push(
      d >= samples
        ? `${id}: feature dimension ${d} ≥ ${samples} samples; ${which} saturate in this regime (use more samples or reduce the features, e.g. pca)`
        : `${id}: feature dimension ${d} ≥ N/2 = ${samples / 2}; ${which} are near saturation`,
    );
  }
  return out;
}

/**
 * Ranks the models of a features folder for one labelled task: every score on every model (each pair
 * isolated, cached when `cache` is given), per-score ranks, a mean rank, a one-line recommendation and
 * warnings (scores that disagree about the top model, saturation regimes, scores that failed).
 *
 * @param options - {@link RankOptions}.
 * @returns {@link RankResult}.
 * @throws EmmsError `FEATURES_DIR_EMPTY`, `DUPLICATE_MODEL_NAME`, `ROW_MISMATCH` (naming the model and file),
 *   `TASK_TOO_SMALL` (fewer than two models), `UNKNOWN_METRIC`, and the file readers' codes.
 * @example
 * ```ts
 * const r = await rankFeatures({ featuresDir: 'features', labels: 'features/labels.npy' });
 * console.log(r.recommendation); // "Fine-tune ppocr-rec: first by 6 of 8 scores …"
 * ```
 */
export async function rankFeatures(options: RankOptions): Promise<RankResult> {
  const registry = options.registry ?? defaultRegistry;
  const settings =
    options.settings ??
    resolveRunSettings({ preset: options.preset, reduce: options.reduce }, registry, {
      defaultPreset: 'rank',
    });
  const labels = await readLabels(options.labels);
  const task = options.featuresDir;
  const models = await readFeaturesFolder(options.featuresDir, labels.length, task);
  if (models.length < 2) {
    throw new EmmsError(
      BENCH_CODES.TASK_TOO_SMALL,
      `task ${task}: only ${models.length} model (${models.map((m) => m.id).join(', ')}); ranking needs at least two feature files`,
      { input: options.featuresDir, details: { task, models: models.map((m) => m.id) } },
    );
  }
  const flabels: Matrix[] = [];
  for (const f of options.flabels ?? []) {
    const m = await readMatrixFile(f);
    if (m.rows !== labels.length) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `task ${task}: F-label file ${f} has ${m.rows} rows but there are ${labels.length} labels`,
        { input: f, details: { task, file: f } },
      );
    }
    flabels.push(m);
  }
  const requests: ScoreRequest[] = (options.metrics ?? registry.list().map((m) => m.id)).map((s) =>
    typeof s === 'string' ? { id: s } : s,
  );
  const scores = await scoreCandidates({
    task,
    labels,
    flabels,
    candidates: models.map((m) => ({
      id: m.id,
      features: m.features,
      featuresKey: m.featuresKey,
      ...(m.probs ? { probs: m.probs } : {}),
    })),
    scores: requests,
    registry,
    ...(options.backend ? { backend: options.backend } : {}),
    settings,
    cache: options.cache,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const higherIsBetter: Record<string, boolean> = {};
  const perScoreRanks: Record<string, Record<string, number>> = {};
  const top: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [id, cells] of Object.entries(scores)) {
    higherIsBetter[id] = registry.get(id).higherIsBetter;
    const values: Record<string, number> = {};
    for (const [m, c] of Object.entries(cells)) if (c.value !== undefined) values[m] = c.value;
    const failed = Object.entries(cells).filter(([, c]) => c.error);
    if (failed.length === models.length) {
      const codes = [...new Set(failed.map(([, c]) => c.error!.code))].join(', ');
      warnings.push(`${id}: not scored (${codes}): ${failed[0]![1].error!.message}`);
      continue;
    }
    for (const [m, c] of failed)
      warnings.push(`${id} failed on ${m} (${c.error!.code}): ${c.error!.message}`);
    perScoreRanks[id] = ranksOf(values, higherIsBetter[id]!);
    const sorted = Object.entries(perScoreRanks[id]!).sort((a, b) => a[1] - b[1]);
    const firsts = sorted.filter(([, r]) => r === sorted[0]?.[1]).map(([m]) => m);
    if (firsts.length === 1) top[id] = firsts[0]!;
    else if (firsts.length > 1 && firsts.length < sorted.length) {
      warnings.push(`${id}: ${firsts.length} models tie for first (${firsts.join(', ')})`);
    }
    const sat = Object.entries(cells).filter(([, c]) => c.warning);
    for (const [m, c] of sat) warnings.push(`${id} on ${m}: ${c.warning}`);
    if (
      Object.keys(values).length === models.length &&
      new Set(Object.values(perScoreRanks[id]!)).size === 1
    ) {
      warnings.push(
        `${id}: every model has the same score (${Object.values(values)[0]}); it cannot rank them`,
      );
    }
  }
  const full = Object.keys(perScoreRanks).filter(
    (id) => Object.keys(perScoreRanks[id]!).length === models.length,
  );
  const ranked: RankedModel[] = models.map((m) => {
    const ranks: Record<string, number> = {};
    for (const [id, r] of Object.entries(perScoreRanks)) if (r[m.id] !== undefined) ranks[id] = r[m.id]!;
    const used = full.map((id) => ranks[id]!);
    return {
      id: m.id,
      path: m.path,
      featureDim: m.features.cols,
      meanRank: used.length ? used.reduce((a, b) => a + b, 0) / used.length : models.length,
      ranks,
    };
  });
  ranked.sort((a, b) => a.meanRank - b.meanRank || a.id.localeCompare(b.id));
  const tops = Object.values(top);
  const distinctTops = [...new Set(tops)];
  if (distinctTops.length > 1) {
    const by = distinctTops
      .map(
        (m) =>
          `${m} (${Object.keys(top)
            .filter((s) => top[s] === m)
            .join(', ')})`,
      )
      .join('; ');
    warnings.unshift(`the scores disagree about the top model: ${by}`);
  }
  // With a reduction the features the scores see are narrower: their own warnings (above) speak for them.
  if (settings.reduce.spec.mode === 'none') {
    const asked = requests.map((r) => {
      const metric = registry.get(r.id);
      return { metric, options: { ...givenOptions(settings, metric), ...r.options } };
    });
    warnings.push(
      ...regimeWarnings(
        Object.fromEntries(models.map((m) => [m.id, m.features.cols])),
        labels.length,
        asked,
        classCount(labels),
      ),
    );
  }
  const best = ranked[0]!;
  const firstBy = Object.keys(top).filter((s) => top[s] === best.id);
  const recommendation =
    tops.length === 0
      ? 'No score could rank these models; see the warnings.'
      : `Fine-tune ${best.id}: best mean rank (${best.meanRank.toFixed(1)}) over ${full.length} score(s), first by ${firstBy.length} of ${tops.length}${firstBy.length ? ` (${firstBy.join(', ')})` : ''}${distinctTops.length > 1 ? '; the scores disagree, so check the runner-up too' : ''}.`;
  return {
    samples: labels.length,
    classes: classCount(labels),
    models: ranked,
    scores,
    higherIsBetter,
    top,
    recommendation,
    warnings,
  };
}

/** C = max(label) + 1. */
function classCount(labels: Int32Array): number {
  let classes = 0;
  for (const y of labels) classes = Math.max(classes, y + 1);
  return classes;
}
