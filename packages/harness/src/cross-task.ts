// Statistics across the tasks of a suite: how well each score ranks models, with what certainty.
// Browser-safe (no Node imports).
import { EmmsError, seededRandom } from '@emms/tensor-io';
import { weightedTau } from './agreement';
import {
  drawCounts,
  type ItemTruth,
  type ItemTruthEvaluator,
  itemTruthEvaluator,
  quantileSorted,
} from './item-truth';
import {
  cliques,
  type FriedmanResult,
  friedmanTest,
  type NemenyiResult,
  nemenyiCriticalDifference,
  rankTable,
} from './rank-tests';
import { TRUTH_CODES } from './truth-codes';

/** One ranking (a score, a static baseline or an ensemble) on one task. */
export interface TaskRanking {
  /** model → value. */
  readonly values: Readonly<Record<string, number>>;
  /** False when a smaller value predicts a better model (default true). */
  readonly higherIsBetter?: boolean;
  /** 'score' (default), 'baseline' (static: parameter count, file size, feature width) or 'ensemble'. */
  readonly kind?: 'score' | 'baseline' | 'ensemble';
  /** Wall-clock seconds it took on this task (all models), for speed comparisons. */
  readonly seconds?: number;
}

/** One task of a suite, as the cross-task statistics need it. */
export interface CrossTaskInput {
  /** Task id. */
  readonly id: string;
  /** Task kind, e.g. 'recognition', 'referring', 'captioning', 'vqa', 'text-qa'. */
  readonly kind?: string;
  /** The measured (or published) ground truth, model → value (higher = better). */
  readonly truth: Readonly<Record<string, number>>;
  /** Per-item results behind `truth`, for the item level of the bootstrap (absent for a table). */
  readonly items?: ItemTruth;
  /** Ranking id → its values on this task. */
  readonly rankings: Readonly<Record<string, TaskRanking>>;
}

/** Options of {@link crossTaskStatistics}. */
export interface CrossTaskOptions {
  /** Bootstrap replicates (default 1000). */
  readonly reps?: number;
  /** Seed (default 0). */
  readonly seed?: number;
  /** Coverage of the intervals (default 0.95). */
  readonly level?: number;
  /** Significance level of the Nemenyi critical difference (default 0.05). */
  readonly alpha?: number;
  /** The score whose probability of beating each other one is reported (default 'emms'). */
  readonly reference?: string;
  /** The ensemble's id, if any: it is recommended only where it beats every single score ({@link recommendScore}). */
  readonly ensemble?: string;
}

/** Cross-task figures of one ranking. */
export interface CrossTaskScore {
  /** Mean weighted τ over the tasks it ran on. */
  readonly meanWeightedTau: number;
  /** Two-level bootstrap percentile interval of that mean. */
  readonly interval: readonly [number, number];
  /** Average rank among the complete rankings (1 = best), over all tasks; absent when incomplete. */
  readonly averageRank?: number;
  /** Weighted τ per task id. */
  readonly perTask: Record<string, number>;
  /** 'score', 'baseline' or 'ensemble'. */
  readonly kind: 'score' | 'baseline' | 'ensemble';
  /** True when it ran on every task (then it takes part in the ranks, Friedman and Nemenyi). */
  readonly complete: boolean;
}

/** Result of {@link crossTaskStatistics}: the report's `crossTask`. */
export interface CrossTaskResult {
  /** Task ids, in input order. */
  readonly tasks: readonly string[];
  /** Per ranking id. */
  readonly scores: Record<string, CrossTaskScore>;
  /** The recommended ranking and why ({@link recommendScore}). */
  readonly recommended: string;
  readonly recommendation: string;
  /** The Friedman test over the complete rankings (absent with fewer than 2 tasks or 3 rankings). */
  readonly friedman?: FriedmanResult;
  /** The Nemenyi critical difference and the groups it cannot tell apart (with `friedman`). */
  readonly nemenyi?: NemenyiResult & { readonly cliques: readonly (readonly string[])[] };
  /** P(the reference's mean τ exceeds each other ranking's) under the paired two-level bootstrap (ties ½). */
  readonly beats?: { readonly reference: string; readonly probability: Record<string, number> };
  /** The bootstrap that made the intervals. */
  readonly bootstrap: {
    readonly reps: number;
    readonly level: number;
    readonly seed: number;
    readonly scheme: string;
  };
  /** Remarks (rankings left out of the ranks, tasks without per-item results, …). */
  readonly notes: readonly string[];
}

interface PreparedTask {
  readonly models: string[];
  readonly truth: Float64Array;
  readonly evaluator?: ItemTruthEvaluator;
  readonly counts?: Uint32Array;
  /** per ranking index: its (signed) values on the models it scored (indices into `models`), or null */
  readonly x: ({
    readonly index: Int32Array;
    readonly values: Float64Array;
    readonly truth: Float64Array;
  } | null)[];
}

const SCHEME =
  'two-level percentile bootstrap: each replicate draws the tasks with replacement, then within each ' +
  'drawn task its test items with replacement (tasks with per-item results), recomputes every ' +
  'model’s ground truth and every ranking’s weighted τ, and averages over the drawn tasks; the same ' +
  'draws serve every ranking (paired)';

function prepare(task: CrossTaskInput, ids: readonly string[]): PreparedTask {
  const models = Object.keys(task.truth);
  const evaluator = task.items ? itemTruthEvaluator(task.items, models) : undefined;
  return {
    models,
    truth: Float64Array.from(models, (m) => task.truth[m]),
    evaluator,
    counts: evaluator ? new Uint32Array(evaluator.items) : undefined,
    x: ids.map((id) => {
      const r = task.rankings[id];
      if (!r) return null;
      const sign = r.higherIsBetter === false ? -1 : 1;
      const index = Int32Array.from(models.flatMap((m, i) => (Number.isFinite(r.values[m]) ? [i] : [])));
      // a ranking that scored fewer than three of the task's models is absent on it
      if (index.length < 3) return null;
      return {
        index,
        values: Float64Array.from(index, (i) => sign * r.values[models[i]] + 0),
        truth: new Float64Array(index.length),
      };
    }),
  };
}

/** Weighted τ of one ranking on one task against the given ground truth of all its models. */
function tauOf(x: NonNullable<PreparedTask['x'][number]>, truth: Float64Array): number {
  for (let i = 0; i < x.index.length; i++) x.truth[i] = truth[x.index[i]];
  return weightedTau(x.values, x.truth);
}

/**
 * The cross-task statistics of a suite (Demšar, JMLR 2006), for the report's `crossTask`:
 *
 * - per ranking (score, static baseline or ensemble alike): the mean weighted τ over the tasks it ran
 *   on, with a two-level bootstrap interval (each replicate resamples the tasks, and within each task
 *   its test items, recomputing the ground truth and every τ; tasks given without per-item results
 *   are resampled at the task level only);
 * - the average rank of each ranking that ran on every task (rank 1 = highest τ on a task, ties share
 *   the mean rank), the Friedman test with Iman and Davenport's F, the Nemenyi critical difference
 *   and the groups it cannot tell apart ({@link friedmanTest}, {@link nemenyiCriticalDifference});
 * - the paired bootstrap probability that the reference score (EMMS) has a higher mean τ than each
 *   other ranking (the same draws for all; ties count ½);
 * - the recommendation ({@link recommendScore}).
 *
 * @param tasks - the suite's tasks ({@link CrossTaskInput}).
 * @param options - {@link CrossTaskOptions}: `reps` (1000), `seed` (0), `level` (0.95), `alpha` (0.05), `reference` ('emms'), `ensemble`.
 * @returns {@link CrossTaskResult}.
 * A ranking is compared on the models of the ground truth it has a finite value for; one with fewer
 * than three such models on a task counts as absent there (a score that is not applicable).
 *
 * @throws EmmsError `TOO_FEW_MODELS` (a task with fewer than three models), `BOOTSTRAP_INPUT`,
 *   `NON_FINITE`, `INVALID_OPTION` (no tasks, bad reps or level).
 * @example
 * ```ts
 * const cross = crossTaskStatistics([
 *   { id: 'mnist', truth: probeAccuracy, items: { kind: 'mean', values: probeCorrect }, rankings: { emms: { values: emmsScores } } },
 *   // …
 * ]);
 * cross.scores.emms.meanWeightedTau; cross.scores.emms.interval;
 * ```
 */
export function crossTaskStatistics(
  tasks: readonly CrossTaskInput[],
  options: CrossTaskOptions = {},
): CrossTaskResult {
  const reps = options.reps ?? 1000;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 0;
  if (tasks.length === 0 || !Number.isInteger(reps) || reps < 1 || !(level > 0 && level < 1)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `crossTaskStatistics: ${tasks.length} task(s), reps ${reps}, level ${level}; give at least one task, reps ≥ 1 and 0 < level < 1`,
      { input: 'tasks' },
    );
  }
  for (const t of tasks) {
    if (Object.keys(t.truth).length < 3) {
      throw new EmmsError(
        TRUTH_CODES.TOO_FEW_MODELS,
        `task "${t.id}": fewer than three models with a ground truth`,
        {
          input: 'tasks',
          details: { task: t.id },
        },
      );
    }
  }
  // a ranking with fewer than three of a task's models counts as absent there; one absent everywhere
  // (e.g. a score that applies to two models only) has no figures at all and is left out, with a note
  const scoredOn = (t: CrossTaskInput, id: string) =>
    Object.keys(t.truth).filter((m) => Number.isFinite(t.rankings[id]?.values[m])).length >= 3;
  const all = [...new Set(tasks.flatMap((t) => Object.keys(t.rankings)))];
  const ids = all.filter((id) => tasks.some((t) => scoredOn(t, id)));
  const nowhere = all.filter((id) => !ids.includes(id));
  const kinds = new Map<string, 'score' | 'baseline' | 'ensemble'>();
  for (const t of tasks)
    for (const [id, r] of Object.entries(t.rankings)) if (!kinds.has(id)) kinds.set(id, r.kind ?? 'score');
  const prepared = tasks.map((t) => prepare(t, ids));
  const k = ids.length;
  const perTask = prepared.map((p) => p.x.map((x) => (x ? tauOf(x, p.truth) : Number.NaN)));
  const complete = ids.map((_, j) => perTask.every((row) => Number.isFinite(row[j])));

  // two-level bootstrap, paired across rankings
  const random = seededRandom(seed);
  const means = ids.map(() => new Float64Array(reps));
  const defined = ids.map(() => new Uint8Array(reps));
  const sums = new Float64Array(k);
  const hits = new Uint32Array(k);
  const truthBuffer = prepared.map((p) => new Float64Array(p.models.length));
  for (let r = 0; r < reps; r++) {
    sums.fill(0);
    hits.fill(0);
    for (let d = 0; d < tasks.length; d++) {
      const t = Math.floor(random() * tasks.length);
      const p = prepared[t];
      let truth = p.truth;
      if (p.evaluator && p.counts) {
        drawCounts(random, p.counts);
        p.evaluator.evaluate(p.counts, truthBuffer[t]);
        truth = truthBuffer[t];
      }
      for (let j = 0; j < k; j++) {
        const x = p.x[j];
        if (!x) continue;
        sums[j] += tauOf(x, truth);
        hits[j]++;
      }
    }
    for (let j = 0; j < k; j++) {
      if (hits[j] > 0) {
        means[j][r] = sums[j] / hits[j];
        defined[j][r] = 1;
      }
    }
  }

  const completeIds = ids.filter((_, j) => complete[j]);
  const notes: string[] = [];
  if (nowhere.length > 0) {
    notes.push(`ranked fewer than three models on every task, so left out: ${nowhere.join(', ')}`);
  }
  const incomplete = ids.filter((_, j) => !complete[j]);
  if (incomplete.length > 0) {
    notes.push(
      `not on every task, so left out of the ranks, the Friedman test and the critical difference: ${incomplete
        .map(
          (id) =>
            `${id} (${tasks
              .filter((_, i) => !Number.isFinite(perTask[i][ids.indexOf(id)]))
              .map((t) => t.id)
              .join(', ')})`,
        )
        .join('; ')}`,
    );
  }
  const withoutItems = tasks.filter((t) => !t.items).map((t) => t.id);
  if (withoutItems.length > 0) {
    notes.push(`resampled at the task level only (no per-item ground truth): ${withoutItems.join(', ')}`);
  }
  let averageRank: Record<string, number> = {};
  let friedman: FriedmanResult | undefined;
  let nemenyi: CrossTaskResult['nemenyi'];
  if (completeIds.length >= 2) {
    const table = perTask.map((row) => ids.flatMap((_, j) => (complete[j] ? [row[j]] : [])));
    const { average } = rankTable(table);
    averageRank = Object.fromEntries(completeIds.map((id, j) => [id, average[j]]));
    if (tasks.length >= 2 && completeIds.length >= 3) {
      friedman = friedmanTest(table);
      const cd = nemenyiCriticalDifference(completeIds.length, tasks.length, options.alpha ?? 0.05);
      nemenyi = { ...cd, cliques: cliques(averageRank, cd.criticalDifference) };
    }
  }

  const scores: Record<string, CrossTaskScore> = {};
  ids.forEach((id, j) => {
    const values = Array.from(means[j]).filter((_, r) => defined[j][r] === 1);
    const sorted = Float64Array.from(values).sort();
    const own = perTask.map((row) => row[j]).filter((v) => Number.isFinite(v));
    scores[id] = {
      meanWeightedTau: own.reduce((a, b) => a + b, 0) / own.length,
      interval: [quantileSorted(sorted, (1 - level) / 2), quantileSorted(sorted, (1 + level) / 2)],
      ...(complete[j] ? { averageRank: averageRank[id] } : {}),
      perTask: Object.fromEntries(
        tasks.flatMap((t, i) => (Number.isFinite(perTask[i][j]) ? [[t.id, perTask[i][j]]] : [])),
      ),
      kind: kinds.get(id) ?? 'score',
      complete: complete[j],
    };
  });

  const reference = options.reference ?? 'emms';
  const ref = ids.indexOf(reference);
  let beats: CrossTaskResult['beats'];
  if (ref >= 0) {
    const probability: Record<string, number> = {};
    ids.forEach((id, j) => {
      if (j === ref) return;
      let wins = 0;
      let both = 0;
      for (let r = 0; r < reps; r++) {
        if (!defined[ref][r] || !defined[j][r]) continue;
        both++;
        const d = means[ref][r] - means[j][r];
        wins += d > 0 ? 1 : d === 0 ? 0.5 : 0;
      }
      if (both > 0) probability[id] = wins / both;
    });
    beats = { reference, probability };
  } else notes.push(`no ranking "${reference}": no probability of beating the others`);

  const { recommended, recommendation } = recommendScore(scores, options.ensemble);
  return {
    tasks: tasks.map((t) => t.id),
    scores,
    recommended,
    recommendation,
    ...(friedman ? { friedman } : {}),
    ...(nemenyi ? { nemenyi } : {}),
    ...(beats ? { beats } : {}),
    bootstrap: { reps, level, seed, scheme: SCHEME },
    notes,
  };
}

/**
 * The recommendation rule: among the scores that ran on every task (static baselines are never
 * recommended), the one with the highest mean weighted τ (ties: the first listed); an ensemble is
 * recommended only where it beats every single score on mean τ across tasks, otherwise the
 * recommendation says which score it does not beat.
 *
 * @param scores - ranking id → `{ meanWeightedTau, kind, complete }` (as in {@link CrossTaskResult}).
 * @param ensemble - the ensemble's id, if one is reported.
 * @returns `{ recommended, recommendation }` (the id, and the reason in words).
 * @throws EmmsError `INVALID_OPTION` when no score ran on every task.
 * @example
 * ```ts
 * recommendScore({ emms: { meanWeightedTau: 0.6, kind: 'score', complete: true },
 *   ensemble: { meanWeightedTau: 0.58, kind: 'ensemble', complete: true } }, 'ensemble');
 * // { recommended: 'emms', recommendation: 'emms: the highest mean weighted τ …; the ensemble (0.580) does not beat emms (0.600)' }
 * ```
 */
export function recommendScore(
  scores: Readonly<Record<string, Pick<CrossTaskScore, 'meanWeightedTau' | 'kind' | 'complete'>>>,
  ensemble?: string,
): { recommended: string; recommendation: string } {
  const singles = Object.entries(scores).filter(
    ([id, s]) => s.complete && s.kind === 'score' && id !== ensemble,
  );
  if (singles.length === 0) {
    throw new EmmsError('INVALID_OPTION', 'scores: no score ran on every task; nothing can be recommended', {
      input: 'scores',
    });
  }
  let [bestId, best] = singles[0];
  for (const [id, s] of singles) if (s.meanWeightedTau > best.meanWeightedTau) [bestId, best] = [id, s];
  const f = (v: number) => v.toFixed(3);
  const e = ensemble !== undefined ? scores[ensemble] : undefined;
  if (e?.complete && e.meanWeightedTau > best.meanWeightedTau) {
    return {
      recommended: ensemble!,
      recommendation: `${ensemble}: its mean weighted τ (${f(e.meanWeightedTau)}) beats every single score (best: ${bestId}, ${f(best.meanWeightedTau)})`,
    };
  }
  const why = `${bestId}: the highest mean weighted τ across tasks among the scores (${f(best.meanWeightedTau)})`;
  if (e) {
    return {
      recommended: bestId,
      recommendation: `${why}; the ensemble${ensemble === 'ensemble' ? '' : ` ${ensemble}`} (${f(e.meanWeightedTau)}${e.complete ? '' : ', not on every task'}) does not beat ${bestId}, so it is not recommended`,
    };
  }
  return { recommended: bestId, recommendation: why };
}
