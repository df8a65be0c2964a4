/**
 * Mean agreement over several tasks (e.g. the datasets of a published suite). No Node imports.
 */
import { EmmsError } from '@emms/tensor-io';
import { REPORT_ERROR_CODES, type SummaryInfo, type TaskReport } from './schema';

/**
 * Averages each score's and baseline's weighted τ against one ground truth over the tasks that have it,
 * for a report's `summaries` (the paper protocol's "mean weighted τ over the suite").
 *
 * @param tasks - the tasks (those without `truth` among their ground truths are skipped).
 * @param truth - the ground-truth id, e.g. `'paper-cnn'`.
 * @param opts - `description` (default: "mean weighted τ against <truth> over N tasks") and `published`
 *   values to print beside the means.
 * @returns a {@link SummaryInfo} ranking ids in first-seen order.
 * @throws EmmsError `REPORT_INVALID` (input `truth`) when no task has agreement figures against `truth`.
 * @example
 * ```ts
 * report.summaries.push(
 *   summarizeAgreement(report.tasks, 'paper-cnn', {
 *     published: { source: 'SFDA paper readme', values: { logme: 0.51, sfda: 0.71 } },
 *   }),
 * );
 * ```
 */
export function summarizeAgreement(
  tasks: readonly TaskReport[],
  truth: string,
  opts: { description?: string; published?: SummaryInfo['published'] } = {},
): SummaryInfo {
  const used = tasks.filter((t) => truth in t.groundTruth && t.agreement[truth]);
  if (used.length === 0) {
    throw new EmmsError(
      REPORT_ERROR_CODES.REPORT_INVALID,
      `truth: no task has agreement figures against "${truth}"; pass a ground-truth id the tasks share`,
      { input: 'truth' },
    );
  }
  const sums = new Map<string, number>();
  const counts: Record<string, number> = {};
  const kinds: Record<string, 'score' | 'baseline'> = {};
  for (const t of used) {
    for (const [id, a] of Object.entries(t.agreement[truth]!)) {
      sums.set(id, (sums.get(id) ?? 0) + a.weightedTau);
      counts[id] = (counts[id] ?? 0) + 1;
      kinds[id] = a.kind;
    }
  }
  const meanWeightedTau: Record<string, number> = {};
  for (const [id, sum] of sums) meanWeightedTau[id] = sum / counts[id]!;
  return {
    truth,
    description: opts.description ?? `mean weighted τ against ${truth} over ${used.length} task(s)`,
    tasks: used.map((t) => t.id),
    meanWeightedTau,
    counts,
    kinds,
    ...(opts.published ? { published: opts.published } : {}),
  };
}
