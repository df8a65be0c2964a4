// The report view's cross-task section (scores across tasks, Friedman, critical difference, the held-out
// validation of the preset, the ensemble, EMMS against LogME per kind) and a task's ground-truth
// precision. No Node imports.
import type { CrossTaskInfo, TruthPrecisionInfo } from '../cross-task-schema';
import { fmtFixed, modelLabel } from './format';
import type { BenchReport, TaskReport } from './schema';
import { type Block, heading, para, plain, type Rich, t, table } from './view-parts';

const pct = (v: number | undefined, digits = 1) => (v === undefined ? '' : `${fmtFixed(v, digits)}%`);
const times = (v: number | undefined) => (v === undefined ? '' : `${fmtFixed(v, 2)}×`);
const pValue = (p: number) => (p < 1e-4 ? p.toExponential(1) : fmtFixed(p, 4));

function scoresTable(c: CrossTaskInfo): Block {
  const ids = Object.keys(c.scores).sort(
    (a, b) => c.scores[b]!.meanWeightedTau - c.scores[a]!.meanWeightedTau || (a < b ? -1 : 1),
  );
  const level = Math.round(c.bootstrap.level * 100);
  const ref = c.beats?.reference;
  return table(
    [
      'ranking',
      'kind',
      `mean weighted τ [${level}% interval]`,
      'average rank',
      ...(ref ? [`P(${ref} beats it)`] : []),
      ...c.tasks,
    ],
    ids.map((id) => {
      const s = c.scores[id]!;
      const mark = id === c.recommended ? t(' ★', 'strong', 'recommended') : undefined;
      const p = ref && id !== ref ? c.beats?.probability[id] : undefined;
      return {
        ...(s.kind === 'baseline' ? { kind: 'baseline' as const } : {}),
        cells: [
          [t(id, s.kind === 'baseline' ? 'em' : undefined), ...(mark ? [mark] : [])],
          plain(s.complete ? s.kind : `${s.kind} (not on every task)`),
          plain(`${fmtFixed(s.meanWeightedTau)} [${fmtFixed(s.interval[0])}, ${fmtFixed(s.interval[1])}]`),
          plain(s.averageRank === undefined ? '' : fmtFixed(s.averageRank, 2)),
          ...(ref ? [plain(p === undefined ? '' : fmtFixed(p, 2))] : []),
          ...c.tasks.map((task) => plain(s.perTask[task] === undefined ? '' : fmtFixed(s.perTask[task]!))),
        ],
      };
    }),
    [false, false, true, true, ...(ref ? [true] : []), ...c.tasks.map(() => true)],
  );
}

function testsBlocks(c: CrossTaskInfo): Block[] {
  const out: Block[] = [];
  const f = c.friedman;
  if (f) {
    const id = f.imanDavenport;
    out.push(
      para(
        plain(
          `Friedman test that the ${f.scores} rankings on every task rank alike over ${f.tasks} tasks: ` +
            `χ²_F = ${fmtFixed(f.chiSquare, 3)} (df ${f.df}), p = ${pValue(f.pValue)}` +
            (id
              ? `; Iman–Davenport F = ${fmtFixed(id.f, 3)} (df ${id.df1}, ${id.df2}), p = ${pValue(id.pValue)}.`
              : '.'),
        ),
      ),
    );
  } else {
    out.push(para(plain('No Friedman test: it needs two tasks and three rankings on every task.'), true));
  }
  const n = c.nemenyi;
  if (n) {
    out.push(
      para(
        plain(
          `Nemenyi critical difference at α = ${n.alpha}: CD = ${fmtFixed(n.criticalDifference, 3)} ` +
            `(q = ${fmtFixed(n.q, 3)}); two rankings whose average ranks differ by less cannot be told apart. ` +
            (n.cliques.length
              ? `Groups it cannot tell apart: ${n.cliques.map((g) => g.join(', ')).join('; ')}.`
              : 'Every pair differs by more than the CD.'),
        ),
      ),
      {
        kind: 'charts',
        charts: [{ kind: 'cd' }],
        caption: plain(
          'Critical-difference diagram (Demšar 2006): average rank over the tasks, 1 = best; a bar joins rankings the Nemenyi test cannot tell apart; grey: static baselines.',
        ),
      },
    );
  }
  return out;
}

function heldOutBlocks(c: CrossTaskInfo): Block[] {
  const entries = Object.entries(c.heldOut ?? {});
  if (entries.length === 0) return [];
  const out: Block[] = [
    heading(3, t('Preset choices validated leave-one-task-out')),
    para(
      plain(
        'For each task, the option with the best mean weighted τ on the other tasks is chosen and judged on the held-out task; ' +
          '"best here" is what tuning on the task itself would pick (for comparison only). reduce: the mean weighted τ of the scores computed under both options; logme-variant: LogME’s weighted τ.',
      ),
      true,
    ),
  ];
  for (const [choice, h] of entries) {
    out.push(
      para([
        t(choice, 'strong'),
        t(
          `: chosen on all tasks: ${h.chosenOnAll}; mean held-out τ ${fmtFixed(h.meanHeldOutTau)} ` +
            `(tuned on each task itself: ${fmtFixed(h.meanBestTau)}).`,
        ),
      ]),
      table(
        ['held-out task', 'chosen on the others', 'their mean τ', 'τ on this task', 'best here', 'its τ'],
        h.perTask.map((p) => ({
          cells: [
            plain(p.task),
            plain(p.chosen),
            plain(fmtFixed(p.trainTau)),
            plain(fmtFixed(p.heldOutTau)),
            plain(p.best),
            plain(fmtFixed(p.bestTau)),
          ],
        })),
        [false, false, true, true, false, true],
      ),
    );
  }
  return out;
}

function ensembleBlocks(c: CrossTaskInfo): Block[] {
  const e = c.ensemble;
  if (!e) return [];
  const s = c.scores[e.id];
  const best = Object.entries(c.scores)
    .filter(([id, x]) => x.kind === 'score' && x.complete && id !== e.id)
    .sort((a, b) => b[1].meanWeightedTau - a[1].meanWeightedTau)[0];
  const beats = s && best && s.complete && s.meanWeightedTau > best[1].meanWeightedTau;
  return [
    heading(3, t('Ensemble')),
    para(
      plain(
        `"${e.id}": the mean rank of scores chosen on the other tasks (greedy forward selection on their mean weighted τ), reported like a score. ` +
          (s && best
            ? beats
              ? `Its mean weighted τ ${fmtFixed(s.meanWeightedTau)} beats every single score (best: ${best[0]}, ${fmtFixed(best[1].meanWeightedTau)}), so it is recommended.`
              : `Its mean weighted τ ${fmtFixed(s.meanWeightedTau)} does not beat every single score (best: ${best[0]}, ${fmtFixed(best[1].meanWeightedTau)}), so it is not recommended.`
            : ''),
      ),
    ),
    table(
      ['task', 'members (chosen without it)', 'weighted τ'],
      e.perTask.map((p) => ({
        cells: [plain(p.task), plain(p.members.join(', ')), plain(fmtFixed(p.weightedTau))],
      })),
      [false, false, true],
    ),
  ];
}

function versusBlocks(c: CrossTaskInfo): Block[] {
  const rows = c.emmsVsLogme ?? [];
  if (rows.length === 0) return [];
  return [
    heading(3, t('EMMS against LogME on the same F-labels, per task kind')),
    para(
      plain(
        'Gain: mean weighted τ of EMMS minus that of LogME run with each F-label as its target (and as a percentage of LogME’s); ' +
          `speed-up: LogME’s seconds over EMMS’s, both timed in this run over the same models. Paper: ${c.paperSource ?? 'the EMMS paper'}.`,
      ),
      true,
    ),
    table(
      ['kind', 'tasks', 'EMMS τ', 'LogME τ', 'gain', 'gain %', 'paper gain %', 'speed-up', 'paper speed-up'],
      rows.map((r) => ({
        cells: [
          plain(r.kind),
          plain(r.tasks.join(', ')),
          plain(fmtFixed(r.emmsTau)),
          plain(fmtFixed(r.logmeTau)),
          plain(fmtFixed(r.gain)),
          plain(pct(r.gainPercent)),
          plain(pct(r.paper?.gainPercent)),
          plain(times(r.speedup)),
          plain(times(r.paper?.speedup)),
        ],
      })),
      [false, false, true, true, true, true, true, true, true],
    ),
  ];
}

/**
 * The blocks of the report's cross-task section (empty without `crossTask`): the recommendation, every
 * ranking's mean weighted τ with its interval, average rank, P(EMMS beats it) and per-task τ, the
 * Friedman test, the critical difference and its diagram, the held-out validation of the preset's
 * choices, the ensemble, EMMS against LogME per kind beside the paper, and the notes.
 *
 * @param report - a validated report.
 * @returns the blocks.
 * @example
 * ```ts
 * crossTaskView(report).length; // 0 for a single-task report
 * ```
 */
export function crossTaskView(report: BenchReport): Block[] {
  const c = report.crossTask;
  if (!c) return [];
  return [
    heading(2, t('Across tasks')),
    para(
      plain(
        `${c.tasks.length} tasks (${c.tasks.join(', ')}), each against its primary ground truth. ` +
          `Intervals: ${c.bootstrap.reps} replicates of a ${c.bootstrap.scheme} (seed ${c.bootstrap.seed}).`,
      ),
      true,
    ),
    para([
      t('Recommended: ', 'strong'),
      t(c.recommended, 'strong'),
      t(` — ${c.recommendation.replace(`${c.recommended}: `, '')}.`),
    ]),
    scoresTable(c),
    ...testsBlocks(c),
    ...heldOutBlocks(c),
    ...ensembleBlocks(c),
    ...versusBlocks(c),
    ...(c.notes.length ? [{ kind: 'list' as const, tone: 'meta' as const, items: c.notes.map(plain) }] : []),
  ];
}

/**
 * A ground truth's precision (when it has one): the verdict, each model's bootstrap standard error and
 * the neighbouring pairs the test items separate.
 *
 * @param task - the task.
 * @param tid - a ground-truth id of the task.
 * @returns the blocks (empty without a precision).
 * @example
 * ```ts
 * precisionBlocks(task, 'linear-probe');
 * ```
 */
export function precisionBlocks(task: TaskReport, tid: string): Block[] {
  const p: TruthPrecisionInfo | undefined = task.groundTruth[tid]?.precision;
  if (!p) return [];
  const verdict: Rich = [
    t(
      p.verdict === 'separates' ? 'Separates its models' : 'Cannot separate its models',
      p.precise ? 'strong' : 'bad',
    ),
    t(
      `: ${p.summary}. ${p.items} test items, ${p.reps} bootstrap resamples; largest standard error ${fmtFixed(p.maxStandardError, 4)}, ` +
        `median gap between neighbours ${fmtFixed(p.medianGap, 4)}; ${p.separatedPairs} of ${p.pairs.length} neighbouring pairs separated` +
        (p.testItemsNeeded
          ? `; about ${p.testItemsNeeded} test items would bring every standard error below half the median gap.`
          : '.'),
    ),
  ];
  return [
    heading(3, t(`Ground-truth precision (${tid})`)),
    para(verdict),
    table(
      ['model', 'value', 'standard error'],
      p.order.map((m) => ({
        cells: [
          plain(modelLabel(task, m)),
          plain(p.values[m] === undefined ? '' : fmtFixed(p.values[m]!, 4)),
          plain(p.standardErrors[m] === undefined ? '' : fmtFixed(p.standardErrors[m]!, 4)),
        ],
      })),
      [false, true, true],
    ),
    table(
      ['better', 'worse', 'gap', `${Math.round(p.level * 100)}% interval`, 'P(better ahead)', 'separated'],
      p.pairs.map((q) => ({
        cells: [
          plain(modelLabel(task, q.better)),
          plain(modelLabel(task, q.worse)),
          plain(fmtFixed(q.gap, 4)),
          plain(`[${fmtFixed(q.interval[0], 4)}, ${fmtFixed(q.interval[1], 4)}]`),
          plain(fmtFixed(q.probability, 2)),
          q.separated ? plain('yes') : [t('no', 'warn')],
        ],
      })),
      [false, false, true, true, true, false],
    ),
  ];
}
