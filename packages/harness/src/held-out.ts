// Honest defaults: every tuned choice validated leave-one-task-out, and a mean-rank ensemble of scores
// whose members are chosen the same way. Browser-safe (no Node imports).
import { EmmsError } from '@emms/tensor-io';
import { averageRanks, weightedTau } from './agreement';
import type { TaskRanking } from './cross-task';

/** The choice made for one held-out task. */
export interface HeldOutChoice {
  /** The held-out task. */
  readonly task: string;
  /** The configuration with the best mean τ on the other tasks. */
  readonly chosen: string;
  /** Its mean τ on the other tasks. */
  readonly trainTau: number;
  /** The τ it then gets on the held-out task. */
  readonly heldOutTau: number;
  /** The best configuration on the held-out task itself (what tuning on it would have picked). */
  readonly best: string;
  /** The τ of `best` on the held-out task. */
  readonly bestTau: number;
}

/** Result of {@link leaveOneTaskOut}. */
export interface LeaveOneTaskOutResult {
  /** One entry per task, in input order. */
  readonly perTask: readonly HeldOutChoice[];
  /** Mean over tasks of the held-out τ: the honest estimate of the tuned choice. */
  readonly meanHeldOutTau: number;
  /** Mean over tasks of the best τ on each task: the optimistic, tuned-on-the-test figure. */
  readonly meanBestTau: number;
  /** The configuration with the best mean τ on all tasks (what the defaults should be). */
  readonly chosenOnAll: string;
  /** Configurations left out because they lack a τ on some task. */
  readonly incomplete: readonly string[];
}

/** Index of the largest value, the first on a tie (within 1e-12). */
function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best] + 1e-12) best = i;
  return best;
}

/**
 * Leave-one-task-out validation of a tuned choice (a reduce rule, a LogME variant, EMMS options, …):
 * for each task, the configuration with the highest mean weighted τ on the other tasks is chosen
 * and its τ on the held-out task reported, so nothing is judged on the task it was tuned on.
 * Deterministic: ties in mean τ (within 1e-12) go to the configuration listed first (list the
 * current default first).
 *
 * @param table - task id → configuration id → weighted τ on that task (at least two tasks).
 * @param order - configuration ids in tie-break order (default: first seen in `table`).
 * @returns {@link LeaveOneTaskOutResult}.
 * @throws EmmsError `INVALID_OPTION` (fewer than two tasks, or no configuration on every task).
 * @example
 * ```ts
 * const r = leaveOneTaskOut({ mnist: { a: 0.9, b: 0.7 }, fashion: { a: 0.2, b: 0.5 }, digits: { a: 0.8, b: 0.6 } });
 * r.perTask[1]; // fashion: chosen 'a' on mnist + digits, held-out τ 0.2 (best there: b, 0.5)
 * ```
 */
export function leaveOneTaskOut(
  table: Readonly<Record<string, Readonly<Record<string, number>>>>,
  order?: readonly string[],
): LeaveOneTaskOutResult {
  const tasks = Object.keys(table);
  const seen = order ?? [...new Set(tasks.flatMap((t) => Object.keys(table[t])))];
  const configs = seen.filter((c) => tasks.every((t) => Number.isFinite(table[t][c])));
  const incomplete = seen.filter((c) => !configs.includes(c));
  if (tasks.length < 2 || configs.length === 0) {
    throw new EmmsError(
      'INVALID_OPTION',
      `table: ${tasks.length} task(s), ${configs.length} configuration(s) on every task; leave-one-task-out needs two tasks and one complete configuration`,
      { input: 'table' },
    );
  }
  const perTask = tasks.map((held) => {
    const others = tasks.filter((t) => t !== held);
    const train = configs.map((c) => others.reduce((s, t) => s + table[t][c], 0) / others.length);
    const chosen = argmax(train);
    const best = argmax(configs.map((c) => table[held][c]));
    return {
      task: held,
      chosen: configs[chosen],
      trainTau: train[chosen],
      heldOutTau: table[held][configs[chosen]],
      best: configs[best],
      bestTau: table[held][configs[best]],
    };
  });
  const all = configs.map((c) => tasks.reduce((s, t) => s + table[t][c], 0) / tasks.length);
  return {
    perTask,
    meanHeldOutTau: perTask.reduce((s, p) => s + p.heldOutTau, 0) / tasks.length,
    meanBestTau: perTask.reduce((s, p) => s + p.bestTau, 0) / tasks.length,
    chosenOnAll: configs[argmax(all)],
    incomplete,
  };
}

/**
 * The mean-rank ensemble of several rankings on one task: each member ranks the models (1 = predicted
 * best, ties share the mean rank, `higherIsBetter` respected), and the ensemble's value of a model is
 * minus its mean rank over the members (higher = better). Only models every member scored take part.
 *
 * @param rankings - ranking id → its values on the task.
 * @param members - the member ids (at least one).
 * @returns model → −mean rank.
 * @throws EmmsError `INVALID_OPTION` when a member is missing or no model is shared.
 * @example
 * ```ts
 * meanRankEnsemble({ a: { values: { x: 3, y: 1, z: 2 } }, b: { values: { x: 2, y: 3, z: 1 } } }, ['a', 'b']);
 * // { x: -1.5, y: -2, z: -2.5 }
 * ```
 */
export function meanRankEnsemble(
  rankings: Readonly<Record<string, TaskRanking>>,
  members: readonly string[],
): Record<string, number> {
  const missing = members.filter((m) => !rankings[m]);
  if (members.length === 0 || missing.length > 0) {
    throw new EmmsError(
      'INVALID_OPTION',
      `members: ${missing.length > 0 ? `no ranking ${missing.join(', ')}` : 'none given'}`,
      {
        input: 'members',
      },
    );
  }
  const first = rankings[members[0]].values;
  const models = Object.keys(first).filter((m) =>
    members.every((id) => Number.isFinite(rankings[id].values[m])),
  );
  if (models.length === 0) {
    throw new EmmsError('INVALID_OPTION', `members ${members.join(', ')} share no scored model`, {
      input: 'members',
    });
  }
  const total = new Float64Array(models.length);
  for (const id of members) {
    const r = rankings[id];
    const sign = r.higherIsBetter === false ? 1 : -1; // rank 1 = predicted best
    const ranks = averageRanks(models.map((m) => sign * r.values[m]));
    for (let i = 0; i < models.length; i++) total[i] += ranks[i];
  }
  return Object.fromEntries(models.map((m, i) => [m, -total[i] / members.length + 0]));
}

/** A task as the ensemble selection sees it: its ground truth and its rankings. */
export interface EnsembleTask {
  readonly id: string;
  readonly truth: Readonly<Record<string, number>>;
  readonly rankings: Readonly<Record<string, TaskRanking>>;
}

/** A ranking that scores fewer than three of a task's models says nothing about its order there. */
function ranksThree(task: EnsembleTask, id: string): boolean {
  const r = task.rankings[id];
  return r !== undefined && Object.keys(task.truth).filter((m) => Number.isFinite(r.values[m])).length >= 3;
}

function ensembleTau(task: EnsembleTask, members: readonly string[]): number {
  const values = meanRankEnsemble(task.rankings, members);
  const models = Object.keys(values).filter((m) => Number.isFinite(task.truth[m]));
  return weightedTau(
    models.map((m) => values[m]),
    models.map((m) => task.truth[m]),
  );
}

/**
 * Greedy forward selection of ensemble members on the given tasks: start empty, add the candidate
 * that most raises the ensemble's mean weighted τ over the tasks, stop when no candidate raises it
 * (by more than 1e-12). Ties go to the candidate listed first. A candidate that scores fewer than three
 * models with a ground truth on some task (a score that is not applicable there) is not used.
 *
 * @param tasks - the tasks to select on (every candidate must rank models on each).
 * @param candidates - candidate ranking ids (e.g. the scores, not the static baselines).
 * @returns the members, in the order they were added.
 * @example
 * ```ts
 * selectEnsembleMembers(trainTasks, ['emms', 'logme', 'sfda', 'nleep']); // e.g. ['sfda', 'emms']
 * ```
 */
export function selectEnsembleMembers(
  tasks: readonly EnsembleTask[],
  candidates: readonly string[],
): string[] {
  const usable = candidates.filter((c) => tasks.every((t) => ranksThree(t, c)));
  const members: string[] = [];
  let current = Number.NEGATIVE_INFINITY;
  for (;;) {
    let bestId: string | undefined;
    let bestTau = current;
    for (const c of usable) {
      if (members.includes(c)) continue;
      const tau = tasks.reduce((s, t) => s + ensembleTau(t, [...members, c]), 0) / tasks.length;
      if (tau > bestTau + 1e-12) [bestId, bestTau] = [c, tau];
    }
    if (bestId === undefined) return members;
    members.push(bestId);
    current = bestTau;
  }
}

/** The held-out ensemble of one task (see {@link leaveOneTaskOutEnsemble}). */
export interface HeldOutEnsemble {
  readonly task: string;
  /** Members chosen on the other tasks. */
  readonly members: readonly string[];
  /** The ensemble's value per model on this task (−mean rank), to report like any score. */
  readonly values: Record<string, number>;
  /** Its weighted τ against this task's ground truth. */
  readonly weightedTau: number;
}

/**
 * The ensemble score, chosen leave-one-task-out: for each task, members are selected by
 * {@link selectEnsembleMembers} on the other tasks, and the mean-rank ensemble of those members is
 * that task's ensemble score. Report it like any score (e.g. as ranking 'ensemble' with kind
 * 'ensemble' in {@link crossTaskStatistics}); it is recommended only where it beats every single
 * score ({@link recommendScore}).
 *
 * @param tasks - at least two tasks.
 * @param candidates - candidate ranking ids.
 * @returns one {@link HeldOutEnsemble} per task, in input order.
 * @throws EmmsError `INVALID_OPTION` (fewer than two tasks, or no candidate on the other tasks).
 * @example
 * ```ts
 * for (const e of leaveOneTaskOutEnsemble(tasks, ['emms', 'logme', 'sfda']))
 *   tasksById[e.task].rankings.ensemble = { values: e.values, kind: 'ensemble' };
 * ```
 */
export function leaveOneTaskOutEnsemble(
  tasks: readonly EnsembleTask[],
  candidates: readonly string[],
): HeldOutEnsemble[] {
  if (tasks.length < 2) {
    throw new EmmsError('INVALID_OPTION', `tasks: ${tasks.length}; a held-out ensemble needs two or more`, {
      input: 'tasks',
    });
  }
  return tasks.map((held) => {
    const others = tasks.filter((t) => t !== held);
    const members = selectEnsembleMembers(
      others,
      candidates.filter((c) => ranksThree(held, c)),
    );
    if (members.length === 0) {
      throw new EmmsError(
        'INVALID_OPTION',
        `task "${held.id}": no candidate ranks models on every other task`,
        {
          input: 'candidates',
        },
      );
    }
    const values = meanRankEnsemble(held.rankings, members);
    return { task: held.id, members, values, weightedTau: ensembleTau(held, members) };
  });
}
