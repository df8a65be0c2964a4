// Step "agreement": how well each score's (and static baseline's) ranking agrees with each ground truth,
// with bootstrap intervals over the test items, and the same along the train-size sweep.
import { agreement, bootstrapWeightedTau } from '../../agreement';
import type { ItemTruth } from '../../item-truth';
import { markBeatsBaselines } from '../../report/assemble';
import type { AgreementInfo, GroundTruthInfo, ScoreInfo, TaskReport } from '../../report/schema';
import type { StepContext } from '../types';
import { type CollectedTask, collectTask, itemTruthOf, scoreInfos } from './collect';

/** The per-item results of the given models only. */
function restrict(items: ItemTruth, models: readonly string[]): ItemTruth {
  const pick = <T>(r: Readonly<Record<string, T>>) => Object.fromEntries(models.map((m) => [m, r[m]!]));
  return items.kind === 'mean'
    ? { kind: 'mean', values: pick(items.values) }
    : { kind: 'r2', squaredError: pick(items.squaredError), targets: items.targets };
}

import type { ScoreResult } from './score';
import type { TaskInput } from './task-input';

/** Result of the agreement step. */
export interface AgreementResult {
  readonly agreement: TaskReport['agreement'];
  readonly sweep?: TaskReport['sweep'];
}

/**
 * The agreement rows of every score and baseline against one ground truth: weighted τ (with a bootstrap
 * interval when the truth has per-item results for every model), Kendall, Pearson, Spearman, weighted
 * Pearson, rel@k, regret@1; rankings over fewer than three models are left out.
 */
export function agreementRows(
  truth: GroundTruthInfo,
  scores: Record<string, ScoreInfo>,
  baselines: TaskReport['baselines'],
  reps: number,
  seed: number,
): Record<string, AgreementInfo> {
  const rows: Record<string, AgreementInfo> = {};
  const correct = truth.correct
    ? Object.fromEntries(
        Object.entries(truth.correct).map(([m, s]) => [m, Uint8Array.from(s, (ch) => (ch === '1' ? 1 : 0))]),
      )
    : undefined;
  const add = (
    id: string,
    kind: 'score' | 'baseline',
    values: Record<string, number>,
    higherIsBetter: boolean,
  ) => {
    const common = Object.fromEntries(Object.entries(values).filter(([m]) => m in truth.values));
    if (Object.keys(common).length < 3) return;
    const a = agreement(common, truth.values, { higherIsBetter });
    let interval: AgreementInfo['weightedTauInterval'];
    const items = itemTruthOf(truth);
    if (items) {
      const b = bootstrapWeightedTau({
        scores: common,
        items: restrict(items, Object.keys(common)),
        reps,
        seed,
        higherIsBetter,
      });
      interval = { low: b.low, high: b.high, level: b.level, reps: b.reps, estimate: b.estimate };
    } else if (correct && Object.keys(common).every((m) => correct[m])) {
      const b = bootstrapWeightedTau({
        scores: common,
        correct: Object.fromEntries(Object.keys(common).map((m) => [m, correct[m]!])),
        reps,
        seed,
        higherIsBetter,
      });
      interval = { low: b.low, high: b.high, level: b.level, reps: b.reps, estimate: b.estimate };
    }
    rows[id] = {
      kind,
      models: a.models,
      weightedTau: a.weightedTau,
      ...(interval ? { weightedTauInterval: interval } : {}),
      kendallTau: a.kendallTau,
      pearson: a.pearson,
      spearman: a.spearman,
      weightedPearson: a.weightedPearson,
      rel1: a.rel1,
      rel3: a.rel3,
      regret1: a.regret1,
      ...(a.warnings ? { warnings: [...a.warnings] } : {}),
    };
  };
  for (const [id, s] of Object.entries(scores)) add(id, 'score', s.values, s.higherIsBetter);
  for (const [id, b] of Object.entries(baselines)) add(id, 'baseline', b.values, b.higherIsBetter);
  return markBeatsBaselines(rows);
}

/**
 * The train-size sweep: every score's weighted τ (with its interval) at each sweep size against the first
 * ground truth, which stays the one measured with the whole train split. The full size is the last point.
 */
function sweepOf(t: CollectedTask, input: TaskInput): TaskReport['sweep'] {
  const truthId = Object.keys(t.groundTruth)[0];
  if (!truthId || !input.sweep?.length) return undefined;
  const truth = t.groundTruth[truthId]!;
  const points: NonNullable<TaskReport['sweep']>['points'] = [];
  const first = t.results.values().next().value;
  for (const [i, size] of input.sweep.entries()) {
    const tables = t.ok
      .filter((m) => t.results.has(m))
      .map((m): [string, ScoreResult['table']] => [m, t.results.get(m)!.sweep[i]!.table]);
    const infos = scoreInfos(tables, first?.metrics ?? {}, input.scores.requests);
    const scores: NonNullable<TaskReport['sweep']>['points'][number]['scores'] = {};
    for (const [id, a] of Object.entries(agreementRows(truth, infos, {}, t.reps, 0))) {
      scores[id] = {
        weightedTau: a.weightedTau,
        ...(a.weightedTauInterval ? { weightedTauInterval: a.weightedTauInterval } : {}),
      };
    }
    points.push({ trainPerClass: size, nTrain: first?.sweep[i]?.nTrain ?? 0, scores });
  }
  const maxFeatureDim = Math.max(...t.ok.map((m) => t.extracts.get(m)!.model.featureDim ?? 0));
  return { truth: truthId, maxFeatureDim, points };
}

/**
 * The agreement step: reads the task's records and computes, for every ground truth, the agreement of
 * every score (LogME on the F-labels included) and static baseline, and the train-size sweep.
 *
 * @param input - the task's records ({@link TaskInput}).
 * @param ctx - the step context (the store).
 * @returns the {@link AgreementResult}.
 */
export async function agreementStep(input: TaskInput, ctx: StepContext): Promise<AgreementResult> {
  const t = collectTask(input, ctx.store);
  const out: TaskReport['agreement'] = {};
  for (const [id, truth] of Object.entries(t.groundTruth)) {
    out[id] = agreementRows(truth, t.scores, t.baselines, t.reps, 0);
  }
  const sweep = sweepOf(t, input);
  return { agreement: out, ...(sweep ? { sweep } : {}) };
}
