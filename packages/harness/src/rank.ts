// `emms rank`: which of my models should I fine-tune? Scores every model of a features folder, ranks
// them, and says how sure that is without ground truth: a bootstrap over the target samples gives
// P(best) and rank intervals, Kendall's W gives the agreement among the scores.

import { checkClassNames, readClassesFile } from '@emms/feature-extractors';
import type { LinalgBackend } from '@emms/linalg';
import {
  defaultRegistry,
  givenOptions,
  type MetricRegistry,
  type Preset,
  type RunSettings,
  resolveRunSettings,
} from '@emms/metrics';
import { EmmsError, type Matrix, type ProgressListener } from '@emms/tensor-io';
import { readMatrixFile } from '@emms/tensor-io/node';
import { BENCH_CODES } from './bench/codes';
import { readFeaturesFolder, readLabels } from './bench/features-dir';
import { type ScoreCell, type ScoreRequest, scoreCandidates } from './bench/score-task';
import type { ResultCache } from './cache';
import { readTargets } from './rank-targets';
import { type BootstrapScore, bootstrapScores } from './trust/bootstrap';
import { type RankBootstrapSummary, summariseBootstrap } from './trust/bootstrap-ranks';
import { recommendationLine, regimeWarnings } from './trust/rank-text';
import { rankScores, type ScoreRanking } from './trust/rankings';

export { regimeWarnings } from './trust/rank-text';

import { stratifiedCounts } from './trust/resample';
import { type KendallW, type PBestRecommendation, recommendByPBest } from './trust/stats';

/** Default bootstrap resamples of {@link rankFeatures}. */
export const DEFAULT_BOOTSTRAP_REPS = 200;

/** Options of {@link rankFeatures}. */
export interface RankOptions {
  /** Folder of `<model>.npy` files (N×D each); model name = file stem. */
  readonly featuresDir: string;
  /** N class labels file (give this or `targets`). */
  readonly labels?: string;
  /**
   * Regression targets instead of labels: one or more files of N rows (N×T each, continuous), their
   * columns side by side. LogME runs on them and EMMS takes them as its one F-label; the scores that
   * need class labels are `NOT_APPLICABLE` with the reason. The bootstrap draws from all N samples.
   */
  readonly targets?: readonly string[];
  /**
   * Class names for integer labels (a list, or the path of a file with one name per line): checked
   * against the labels (max label + 1 names) and reported as `classNames`.
   */
  readonly classes?: readonly string[] | string;
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
  /**
   * Bootstrap resamples of the target samples (default {@link DEFAULT_BOOTSTRAP_REPS} = 200; 0 turns
   * the bootstrap off). Resampled within each class; see {@link RankBootstrap}.
   */
  readonly bootstrap?: number;
  /** Seed of the resamples (default 0). */
  readonly seed?: number;
  /** Coverage of the rank intervals (default 0.95). */
  readonly level?: number;
  readonly cache?: ResultCache;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** One model of a ranking. */
export interface RankedModel {
  readonly id: string;
  readonly path: string;
  readonly featureDim: number;
  /** Mean rank over the scores the recommendation rests on (1 = best); absent when left out. */
  readonly meanRank?: number;
  /** Per score id, the model's rank (1 = best) among the models that score ranked. */
  readonly ranks: ReadonlyMap<string, number>;
  /** P(best) of the recommended ranking over the resamples (absent without a bootstrap). */
  readonly pBest?: number;
  /** Its position in the recommended ranking over the resamples: [low, high] at the `level`. */
  readonly rankInterval?: readonly [number, number];
  /** Why it is left out of the recommendation (no score could score it, …). */
  readonly leftOut?: string;
}

/** How the bootstrap was run and what it could resample. */
export interface RankBootstrap extends RankBootstrapSummary {
  readonly reps: number;
  readonly seed: number;
  readonly level: number;
  /** 'within-class': each resample draws every class's own size from that class; 'none' (regression): N draws from all samples. */
  readonly stratified: 'within-class' | 'none';
  /** The reduction, fitted once per model on all samples and held fixed across resamples. */
  readonly reduce: string;
  /** Wall seconds of the bootstrap (cached pairs cost nothing). */
  readonly seconds: number;
}

/** Result of {@link rankFeatures}. */
export interface RankResult {
  /** Samples N. */
  readonly samples: number;
  /** C (0 for a regression task). */
  readonly classes: number;
  /** Classification (labels) or regression (targets; `targetColumns` continuous columns). */
  readonly kind: 'classification' | 'regression';
  readonly targetColumns?: number;
  /** The class names given with `classes`, index = class id. */
  readonly classNames?: readonly string[];
  /** The compared models best first by mean rank, then those left out. */
  readonly models: readonly RankedModel[];
  /** Per score id, per model id, the cell (value, seconds, warning or error). */
  readonly scores: ReadonlyMap<string, ReadonlyMap<string, ScoreCell>>;
  /** Per score id, whether higher is better. */
  readonly higherIsBetter: ReadonlyMap<string, boolean>;
  /** Per score id, its single top model (when one model is first on its own). */
  readonly top: ReadonlyMap<string, string>;
  /** Per score that ranked at least two models: its ranks, its top model, whether it counts. */
  readonly rankings: ReadonlyMap<string, ScoreRanking>;
  /** The scores the mean rank and the recommendation rest on (they ranked every compared model). */
  readonly restsOn: readonly string[];
  /** Kendall's W among the `restsOn` scores (absent with fewer than two, or when all tie). */
  readonly agreement?: KendallW;
  /** The bootstrap (absent when turned off). */
  readonly bootstrap?: RankBootstrap;
  /** The models the rule recommends, with their P(best) (absent without a bootstrap). */
  readonly recommended?: PBestRecommendation;
  /** One line: which model to fine-tune, how sure, and which scores it rests on. */
  readonly recommendation: string;
  /** Disagreement about the top model, left-out models, saturation regimes, failed scores. */
  readonly warnings: readonly string[];
  /** Wall seconds of scoring once (all pairs, cached ones free) and of the bootstrap. */
  readonly seconds: { readonly scoring: number; readonly bootstrap: number };
}

function checkOptions(o: RankOptions): { reps: number; seed: number; level: number } {
  const reps = o.bootstrap ?? DEFAULT_BOOTSTRAP_REPS;
  const seed = o.seed ?? 0;
  const level = o.level ?? 0.95;
  const bad = (option: string, value: unknown, allowed: string) =>
    new EmmsError('INVALID_OPTION', `option ${option} is ${String(value)}; give ${allowed}`, {
      input: option,
      details: { option, value: String(value) },
    });
  if (!Number.isInteger(reps) || reps < 0 || reps > 100_000) {
    throw bad('bootstrap', reps, 'a whole number of resamples from 0 (off) to 100000');
  }
  if (!Number.isInteger(seed)) throw bad('seed', seed, 'an integer');
  if (!(level > 0 && level < 1)) throw bad('level', level, 'a number in (0, 1), e.g. 0.95');
  return { reps, seed, level };
}

/**
 * Ranks the models of a features folder for one labelled task and says how sure the ranking is
 * without ground truth. Every score runs on every model (each pair isolated, cached when `cache` is
 * given); each score ranks the models it could score; the recommendation compares the models every
 * score of the largest common set ranked ({@link rankScores}) by their mean rank over those scores.
 *
 * The bootstrap (`bootstrap` resamples, default 200, seed 0) draws the N target samples again with
 * replacement within each class (every class keeps its size, so none goes missing), rescores every
 * (model, score) pair on each resample through the score's resampling path (the reduction fitted
 * once on all samples, then the resampled rows scored: the bootstrap measures how much the ranking
 * depends on which samples were drawn, for the representation as reduced, not the variability of the
 * reduction itself), and gives per score and for the mean-rank ranking each model's P(best) (ties
 * split evenly) and a rank interval at `level`. Scores without a resampling path (NLEEP, PARC,
 * plugins) keep their full-sample ranks in every resample and are listed in
 * `bootstrap.notBootstrapped` with the reason. The recommendation: the smallest set of models
 * whose P(best) sums to ≥ 0.9 (one model: "Fine-tune A (P(best) 0.93) …"; several: "Too close to
 * call: A, B (P(best) 0.48, 0.41) …").
 *
 * @param options - {@link RankOptions}.
 * @returns {@link RankResult}.
 * With `targets` instead of `labels` the task is a regression: the scores that accept continuous
 * targets run (LogME on the targets, EMMS with them as its one F-label), the others are
 * `NOT_APPLICABLE` with the reason, and the bootstrap draws from all N samples (no classes) and
 * rescores each resample's rows.
 *
 * @throws EmmsError `FEATURES_DIR_EMPTY`, `DUPLICATE_MODEL_NAME`, `ROW_MISMATCH` (naming the model and file),
 *   `TASK_TOO_SMALL` (fewer than two models), `UNKNOWN_METRIC`, `INVALID_OPTION` (bootstrap, seed,
 *   level), `NOTHING_RANKED` (every score failed: a recommendation over zero scores), the file
 *   readers' codes.
 * @example
 * ```ts
 * const r = await rankFeatures({ featuresDir: 'features', labels: 'features/labels.npy' });
 * console.log(r.recommendation); // "Fine-tune ppocr-rec (P(best) 0.97): mean rank 1.1 over 8 scores …"
 * ```
 */
export async function rankFeatures(options: RankOptions): Promise<RankResult> {
  const { reps, seed, level } = checkOptions(options);
  const registry = options.registry ?? defaultRegistry;
  const settings =
    options.settings ??
    resolveRunSettings({ preset: options.preset, reduce: options.reduce }, registry, {
      defaultPreset: 'rank',
    });
  const { labels, targets, classNames } = await readRankTargets(options);
  const n = labels?.length ?? targets!.rows;
  const task = options.featuresDir;
  const models = await readFeaturesFolder(options.featuresDir, n, task);
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
    if (m.rows !== n) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `task ${task}: F-label file ${f} has ${m.rows} rows but there are ${n} labels`,
        { input: f, details: { task, file: f } },
      );
    }
    flabels.push(m);
  }
  const requests: ScoreRequest[] = (options.metrics ?? registry.list().map((m) => m.id)).map((s) =>
    typeof s === 'string' ? { id: s } : s,
  );
  const reduce = settings.reduce.text;
  const candidates = models.map((m) => ({
    id: m.id,
    features: m.features,
    featuresKey: m.featuresKey,
    ...(m.probs ? { probs: m.probs } : {}),
  }));
  const t0 = performance.now();
  const reducedFeatures = new Map<string, Matrix>();
  const table = await scoreCandidates({
    task,
    ...(labels ? { labels } : { targets }),
    flabels,
    candidates,
    scores: requests,
    registry,
    ...(options.backend ? { backend: options.backend } : {}),
    settings,
    cache: options.cache,
    onReduced: (id, features) => reducedFeatures.set(id, features),
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const scoring = (performance.now() - t0) / 1000;
  const scores = new Map(Object.entries(table).map(([id, cells]) => [id, new Map(Object.entries(cells))]));
  const higherIsBetter = new Map([...scores.keys()].map((id) => [id, registry.get(id).higherIsBetter]));
  const r = rankScores({ models: models.map((m) => m.id), cells: scores, higherIsBetter });
  const warnings = [...r.warnings];
  const tops = new Map<string, string>();
  for (const [id, ranking] of r.rankings) if (ranking.top && ranking.complete) tops.set(id, ranking.top);
  const distinctTops = [...new Set(tops.values())];
  if (distinctTops.length > 1) {
    const by = distinctTops.map(
      (m) =>
        `${m} (${[...tops]
          .filter(([, t]) => t === m)
          .map(([s]) => s)
          .join(', ')})`,
    );
    warnings.unshift(`the scores disagree about the top model: ${by.join('; ')}`);
  }
  // With a reduction the features the scores see are narrower: their own warnings speak for them.
  if (settings.reduce.spec.mode === 'none') {
    const asked = requests.map((q) => {
      const metric = registry.get(q.id);
      return { metric, options: { ...givenOptions(settings, metric), ...q.options } };
    });
    warnings.push(
      ...regimeWarnings(new Map(models.map((m) => [m.id, m.features.cols])), n, asked, classCount(labels)),
    );
  }

  let bootstrap: RankBootstrap | undefined;
  if (reps > 0) {
    const t1 = performance.now();
    const bootScores: BootstrapScore[] = [...r.rankings.values()].map((ranking) => {
      const request = requests.find((q) => registry.get(q.id).id === ranking.id)!;
      const metric = registry.get(ranking.id);
      return {
        metric,
        options: metric.parseOptions({ ...givenOptions(settings, metric), ...(request.options ?? {}) }),
        models: [...ranking.ranks.keys()],
      };
    });
    const outcomes = await bootstrapScores({
      task,
      ...(labels ? { labels } : { targets }),
      flabels,
      models: candidates,
      scores: bootScores,
      reduce,
      counts: stratifiedCounts(labels ?? new Int32Array(n), { reps, seed }),
      resamplesKey: { scheme: 'stratified-v1', reps, seed },
      reduced: reducedFeatures,
      ...(options.backend ? { backend: options.backend } : {}),
      cache: options.cache,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    const summary = summariseBootstrap(r, outcomes, level);
    bootstrap = {
      ...summary,
      reps,
      seed,
      level,
      stratified: labels ? 'within-class' : 'none',
      reduce,
      seconds: (performance.now() - t1) / 1000,
    };
    const held = r.restsOn.filter((id) => summary.notBootstrapped.has(id));
    if (!summary.recommended) {
      warnings.push(
        `no score the recommendation rests on could be resampled (${held.map((id) => `${id}: ${summary.notBootstrapped.get(id)}`).join('; ')}): no P(best)`,
      );
    } else if (held.length > 0) {
      warnings.push(
        `held at their full-sample ranks in every resample (not resampled): ${held.map((id) => `${id} (${summary.notBootstrapped.get(id)})`).join('; ')}`,
      );
    }
  }
  const rec = bootstrap?.recommended
    ? recommendByPBest(
        bootstrap.recommended.pBest,
        (a, b) => r.meanRank.get(a)! - r.meanRank.get(b)! || a.localeCompare(b),
      )
    : undefined;
  const ranked: RankedModel[] = models.map((m) => ({
    id: m.id,
    path: m.path,
    featureDim: m.features.cols,
    ...(r.meanRank.has(m.id) ? { meanRank: r.meanRank.get(m.id)! } : {}),
    ranks: new Map(
      [...r.rankings].filter(([, g]) => g.ranks.has(m.id)).map(([id, g]) => [id, g.ranks.get(m.id)!]),
    ),
    ...(bootstrap?.recommended?.pBest.has(m.id)
      ? {
          pBest: bootstrap.recommended.pBest.get(m.id)!,
          rankInterval: bootstrap.recommended.interval.get(m.id)!,
        }
      : {}),
    ...(r.leftOut.has(m.id) ? { leftOut: r.leftOut.get(m.id)! } : {}),
  }));
  const order = (m: RankedModel) => m.meanRank ?? Number.POSITIVE_INFINITY;
  ranked.sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id));
  return {
    samples: n,
    classes: classCount(labels),
    kind: labels ? 'classification' : 'regression',
    ...(targets ? { targetColumns: targets.cols } : {}),
    ...(classNames ? { classNames } : {}),
    models: ranked,
    scores,
    higherIsBetter,
    top: new Map([...r.rankings].filter(([, g]) => g.top).map(([id, g]) => [id, g.top!])),
    rankings: r.rankings,
    restsOn: r.restsOn,
    ...(r.agreement ? { agreement: r.agreement } : {}),
    ...(bootstrap ? { bootstrap } : {}),
    ...(rec ? { recommended: rec } : {}),
    recommendation: recommendationLine(r, rec, tops),
    warnings,
    seconds: { scoring, bootstrap: bootstrap?.seconds ?? 0 },
  };
}

/** C = max(label) + 1 (0 without labels). */
function classCount(labels: Int32Array | undefined): number {
  let classes = 0;
  for (const y of labels ?? []) classes = Math.max(classes, y + 1);
  return classes;
}

/** The labels or the targets of a ranking (exactly one), and the class names checked against the labels. */
async function readRankTargets(
  o: RankOptions,
): Promise<{ labels?: Int32Array; targets?: Matrix; classNames?: string[] }> {
  if ((o.labels === undefined) === (o.targets === undefined)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `give exactly one of the options labels (class labels) and targets (regression targets)${o.labels ? ', not both' : ''}`,
      { input: o.labels ? 'targets' : 'labels' },
    );
  }
  if (o.targets) {
    if (o.classes !== undefined) {
      throw new EmmsError(
        'INVALID_OPTION',
        'option classes names classes, but the targets are continuous; leave it out',
        {
          input: 'classes',
        },
      );
    }
    if ((o.flabels ?? []).length > 0) {
      throw new EmmsError(
        'INVALID_OPTION',
        'option flabels goes with class labels; with regression targets EMMS takes the targets as its F-label, so leave the F-labels out',
        { input: 'flabels' },
      );
    }
    return { targets: await readTargets(o.targets) };
  }
  const labels = await readLabels(o.labels!);
  if (o.classes === undefined) return { labels };
  const input = typeof o.classes === 'string' ? o.classes : 'classes';
  const names = typeof o.classes === 'string' ? readClassesFile(o.classes) : [...o.classes];
  return { labels, classNames: checkClassNames(names, labels, input) };
}
