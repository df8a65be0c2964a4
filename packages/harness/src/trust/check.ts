// Does P(best) ≥ 0.9 mean what it says? Checks confident picks against measured ground truth over tasks
// (browser-safe).
import { EmmsError } from '@emms/tensor-io';
import { RANK_CODES } from './codes';
import { CONFIDENT_P_BEST } from './stats';

/** A model's measured ground truth: accuracy with its standard error, or per-item correctness. */
export type TruthMeasure =
  | { readonly accuracy: number; readonly stderr: number }
  /** 1 where the model's probe got evaluation item j right; every model of a task on the same items. */
  | { readonly correct: Uint8Array };

/** One task: the bootstrap's P(best) per model and the ground truth per model. */
export interface TrustTask {
  readonly id: string;
  /** P(best) of the recommended ranking per model (from `rankFeatures`' bootstrap). */
  readonly pBest: ReadonlyMap<string, number>;
  /** Ground truth per model; every model of `pBest` needs one. */
  readonly truth: ReadonlyMap<string, TruthMeasure>;
}

/** Options of {@link checkConfidentPicks}. */
export interface TrustCheckOptions {
  /** P(best) that makes a pick confident (default 0.9). */
  readonly threshold?: number;
  /** Normal quantile of the ground-truth error (default 1.96, two-sided 95%). */
  readonly z?: number;
}

/** What happened on one task. */
export interface TrustTaskOutcome {
  readonly id: string;
  /** The model with P(best) ≥ threshold, when there is one. */
  readonly pick?: string;
  readonly pBest?: number;
  /** The ground truth's best model (first in name order on a tie). */
  readonly truthBest: string;
  /** Best accuracy − the pick's accuracy (≥ 0). */
  readonly gap?: number;
  /** z × the standard error of that gap. */
  readonly tolerance?: number;
  /** best: the pick ties the best accuracy; within-error: gap ≤ tolerance; worse; or not-confident. */
  readonly outcome: 'best' | 'within-error' | 'worse' | 'not-confident';
}

/** Result of {@link checkConfidentPicks}. */
export interface TrustCheck {
  readonly threshold: number;
  readonly z: number;
  readonly tasks: number;
  /** Tasks where some model had P(best) ≥ threshold. */
  readonly confident: number;
  /** Of those, how many picks were the ground truth's best. */
  readonly best: number;
  /** Of those, how many were the best or within its ground-truth error. */
  readonly withinError: number;
  /** best / confident and withinError / confident (absent when no pick was confident). */
  readonly rateBest?: number;
  readonly rateWithinError?: number;
  /** Mean P(best) of the confident picks: compare with rateBest (a calibrated P(best) matches it). */
  readonly meanPBest?: number;
  readonly perTask: readonly TrustTaskOutcome[];
}

function bad(message: string, details: Record<string, unknown>): EmmsError {
  return new EmmsError(RANK_CODES.TRUST_INPUT, message, { input: 'tasks', details });
}

function accuracyOf(t: TruthMeasure): number {
  if ('accuracy' in t) return t.accuracy;
  let s = 0;
  for (const v of t.correct) s += v;
  return s / t.correct.length;
}

/** Standard error of accuracy(a) − accuracy(b): paired over items, else from the two errors. */
function gapError(a: TruthMeasure, b: TruthMeasure): number {
  if ('correct' in a && 'correct' in b) {
    const m = a.correct.length;
    let mean = 0;
    for (let j = 0; j < m; j++) mean += a.correct[j] - b.correct[j];
    mean /= m;
    let ss = 0;
    for (let j = 0; j < m; j++) ss += (a.correct[j] - b.correct[j] - mean) ** 2;
    return m > 1 ? Math.sqrt(ss / (m - 1) / m) : 0;
  }
  const se = (t: TruthMeasure) => {
    if ('stderr' in t) return t.stderr;
    const p = accuracyOf(t);
    return Math.sqrt((p * (1 - p)) / t.correct.length);
  };
  return Math.hypot(se(a), se(b));
}

function checkTask(task: TrustTask): void {
  for (const m of task.pBest.keys()) {
    const t = task.truth.get(m);
    if (!t)
      throw bad(`task ${task.id}: model "${m}" has a P(best) but no ground truth; give one for every model`, {
        task: task.id,
        model: m,
      });
    const values = 'accuracy' in t ? [t.accuracy, t.stderr] : [];
    if ('correct' in t && t.correct.length === 0)
      throw bad(`task ${task.id}: model "${m}" has no evaluation items`, { task: task.id, model: m });
    if (values.some((v) => !Number.isFinite(v)) || ('stderr' in t && t.stderr < 0)) {
      throw bad(
        `task ${task.id}: model "${m}" has accuracy ${values[0]} ± ${values[1]}; give finite values and a standard error ≥ 0`,
        { task: task.id, model: m },
      );
    }
  }
  const lengths = new Set(
    [...task.truth.values()]
      .filter((t) => 'correct' in t)
      .map((t) => (t as { correct: Uint8Array }).correct.length),
  );
  if (lengths.size > 1)
    throw bad(
      `task ${task.id}: the models' correctness vectors differ in length (${[...lengths].join(', ')}); evaluate every model on the same items`,
      { task: task.id },
    );
}

/**
 * How often a confident recommendation is right, measured on tasks with ground truth: per task, the
 * model with P(best) ≥ `threshold` (at most one exists when P(best) sums to 1 and the threshold is
 * above ½) is compared with the ground truth's best: `best` when its accuracy equals the best, else
 * `within-error` when best − pick ≤ z × SE(best − pick) (paired over the items when both have
 * per-item correctness: the standard error of the mean per-item difference; otherwise
 * √(SE_best² + SE_pick²), an SE from correctness being √(p(1 − p)/M)), else `worse`. Tasks without a
 * confident pick count as `not-confident`. The mean P(best) of the confident picks beside the rate of
 * `best` says whether P(best) is calibrated.
 *
 * @param tasks - {@link TrustTask}s.
 * @param options - {@link TrustCheckOptions}: `threshold` (0.9), `z` (1.96).
 * @returns {@link TrustCheck}.
 * @throws EmmsError `TRUST_INPUT` (a model without ground truth, non-finite values, correctness of
 *   different lengths), `INVALID_OPTION` (threshold outside (0.5, 1], z < 0).
 * @example
 * ```ts
 * const check = checkConfidentPicks([{ id: 'pets', pBest: new Map([['a', 0.95], ['b', 0.05]]),
 *   truth: new Map([['a', { accuracy: 0.91, stderr: 0.01 }], ['b', { accuracy: 0.90, stderr: 0.01 }]]) }]);
 * check.rateWithinError; // 1
 * ```
 */
export function checkConfidentPicks(
  tasks: readonly TrustTask[],
  options: TrustCheckOptions = {},
): TrustCheck {
  const threshold = options.threshold ?? CONFIDENT_P_BEST;
  const z = options.z ?? 1.96;
  if (!(threshold > 0.5 && threshold <= 1)) {
    throw new EmmsError('INVALID_OPTION', `option threshold is ${threshold}; give a number in (0.5, 1]`, {
      input: 'threshold',
    });
  }
  if (!(z >= 0) || !Number.isFinite(z)) {
    throw new EmmsError('INVALID_OPTION', `option z is ${z}; give a finite number ≥ 0`, { input: 'z' });
  }
  const perTask: TrustTaskOutcome[] = [];
  for (const task of tasks) {
    checkTask(task);
    const models = [...task.pBest.keys()];
    if (models.length === 0) throw bad(`task ${task.id}: no model has a P(best)`, { task: task.id });
    const acc = new Map(models.map((m) => [m, accuracyOf(task.truth.get(m)!)]));
    const truthBest = [...models].sort((a, b) => acc.get(b)! - acc.get(a)! || a.localeCompare(b))[0];
    const pick = models.find((m) => task.pBest.get(m)! >= threshold);
    if (!pick) {
      perTask.push({ id: task.id, truthBest, outcome: 'not-confident' });
      continue;
    }
    const gap = acc.get(truthBest)! - acc.get(pick)!;
    const tolerance = z * gapError(task.truth.get(truthBest)!, task.truth.get(pick)!);
    const outcome = gap <= 0 ? 'best' : gap <= tolerance ? 'within-error' : 'worse';
    perTask.push({
      id: task.id,
      pick,
      pBest: task.pBest.get(pick)!,
      truthBest,
      gap: Math.max(gap, 0),
      tolerance,
      outcome,
    });
  }
  const confident = perTask.filter((t) => t.outcome !== 'not-confident');
  const best = confident.filter((t) => t.outcome === 'best').length;
  const withinError = best + confident.filter((t) => t.outcome === 'within-error').length;
  return {
    threshold,
    z,
    tasks: tasks.length,
    confident: confident.length,
    best,
    withinError,
    ...(confident.length > 0
      ? {
          rateBest: best / confident.length,
          rateWithinError: withinError / confident.length,
          meanPBest: confident.reduce((s, t) => s + t.pBest!, 0) / confident.length,
        }
      : {}),
    perTask,
  };
}
