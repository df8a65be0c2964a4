/**
 * The report view model: one function decides what a report shows (sections, facts, tables, lists, notes,
 * which charts), as plain styled text; the Markdown and HTML renderers only print it. No Node imports (the
 * docs app renders reports in the browser).
 */
import { summaryIds } from './charts';
import {
  agreementRows,
  fmtFixed,
  fmtSeconds,
  fmtTau,
  fmtValue,
  modelFactColumns,
  modelLabel,
  orderedModels,
  rankModels,
  runSummary,
  scoreSeconds,
} from './format';
import type { BenchReport, SummaryInfo, TaskReport } from './schema';
import { crossTaskView, precisionBlocks } from './view-cross-task';
import { type Block, heading, para, plain, type Rich, t, table } from './view-parts';

export type { Block, ChartRef, Rich, Span, SpanStyle, ViewTable } from './view-parts';

/** A section: the head, a summary, a task (with its anchor) or the notes. */
export interface ViewSection {
  /** Anchor of a task section (`task-1`, …), for the HTML contents. */
  readonly anchor?: string;
  readonly blocks: readonly Block[];
}

/** What a report shows, in order. */
export interface ReportView {
  /** The page title (HTML `<title>`). */
  readonly title: string;
  /** The task anchors and ids, for a table of contents (only with more than one task). */
  readonly contents: readonly { readonly anchor: string; readonly label: string }[];
  readonly sections: readonly ViewSection[];
}

/** Errors that mean "this score does not apply to this model", shown as "n/a", not as a failure. */
const NOT_APPLICABLE = 'NOT_APPLICABLE';

function facts(task: TaskReport): Block {
  const items: Rich[] = [];
  if (task.split) {
    const s = task.split;
    items.push(
      plain(
        `Split: seed ${s.seed}; ${s.trainPerClass} train per class (${s.nTrain} in all) for scoring, ` +
          `${s.testPerClass} test per class (${s.nTest} in all) held out for the ground truth; ` +
          `${s.classes.length} classes${s.source ? `; data: ${s.source}` : ''}.`,
      ),
    );
  }
  if (task.flabels) {
    const f = task.flabels;
    items.push([
      t(
        `F-labels: K = ${f.K} label embedding${f.K === 1 ? '' : 's'} from ${f.embedders.join(', ') || 'no embedder'} × ` +
          `${f.templates.length} template${f.templates.length === 1 ? '' : 's'}`,
      ),
      ...f.templates.flatMap((tpl, i) => [t(i === 0 ? ' (' : ', '), t(tpl, 'code')]),
      t(f.templates.length ? ').' : '.'),
    ]);
  }
  const p = task.preprocessing;
  const ks = Object.entries(p.resolvedK ?? {});
  items.push([
    t('Preprocessing: reduce '),
    t(p.reduce, 'code'),
    t(
      (ks.length
        ? `; components kept: ${ks.map(([m, k]) => `${modelLabel(task, m)} ${k}`).join(', ')}`
        : '') +
        (p.rule ? `; rule: ${p.rule}` : '') +
        '.',
    ),
  ]);
  const s = task.speed;
  if (s && (s.emmsOverLogme !== undefined || s.note)) {
    items.push([
      t('Speed:', 'strong'),
      t(
        (s.emmsOverLogme !== undefined ? ` EMMS is ${fmtFixed(s.emmsOverLogme, 1)}× faster than LogME` : '') +
          (s.emmsSeconds !== undefined && s.logmeSeconds !== undefined
            ? ` (EMMS ${fmtSeconds(s.emmsSeconds)}, LogME ${fmtSeconds(s.logmeSeconds)})`
            : '') +
          (s.note ? ` — ${s.note}` : '') +
          '.',
      ),
    ]);
  }
  return { kind: 'list', items };
}

function modelsTable(task: TaskReport): Block[] {
  const truthIds = Object.keys(task.groundTruth);
  const scoreIds = Object.keys(task.scores);
  const truthRanks = truthIds.map((id) =>
    rankModels(task.groundTruth[id]!.values, task.groundTruth[id]!.higherIsBetter),
  );
  const scoreRanks = scoreIds.map((id) =>
    rankModels(task.scores[id]!.values, task.scores[id]!.higherIsBetter),
  );
  const f = modelFactColumns(task);
  const rows = orderedModels(task).map((id) => {
    const m = task.models.find((x) => x.id === id)!;
    const name: Rich = m.error
      ? [t(modelLabel(task, id), 'strike'), t(` ✗ ${m.error.code}`, 'bad', m.error.message)]
      : plain(modelLabel(task, id));
    const cells: Rich[] = [name, plain(m.source), ...f.cells(m).map(plain)];
    truthIds.forEach((tid, i) => {
      const v = task.groundTruth[tid]!.values[id];
      cells.push(plain(v === undefined ? '' : `${fmtValue(v)} (#${truthRanks[i]!.get(id)})`));
    });
    scoreIds.forEach((sid, i) => {
      const s = task.scores[sid]!;
      const e = s.errors[id];
      const r = scoreRanks[i]!.get(id);
      if (e) cells.push([e.code === NOT_APPLICABLE ? t('n/a', 'meta', e.message) : t('✗', 'bad', e.message)]);
      else if (r === undefined) cells.push([]);
      else cells.push([t(String(r)), ...(s.warnings[id] ? [t(' ⚠', 'warn', s.warnings[id])] : [])]);
    });
    return { cells, ...(m.error ? { kind: 'failed' as const } : {}) };
  });
  return [
    heading(3, t(`Models${truthIds[0] ? ` ranked by ${truthIds[0]}` : ''}`)),
    para(
      plain(
        'Ground-truth columns show the value and its rank; score columns show the rank each score gives ' +
          '(1 = predicted best; ⚠ = the score warned, ✗ = it failed, n/a = it does not apply to the model).',
      ),
      true,
    ),
    table(['model', 'source', ...f.header, ...truthIds, ...scoreIds], rows, [
      false,
      false,
      ...f.header.map(() => true),
      ...truthIds.map(() => true),
      ...scoreIds.map(() => true),
    ]),
  ];
}

function agreementBlocks(task: TaskReport, index: number, tid: string): Block[] {
  const truth = task.groundTruth[tid]!;
  const about = [
    truth.description,
    truth.unit ? `unit: ${truth.unit}` : '',
    truth.source ? `source: ${truth.source}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const out: Block[] = [heading(3, t(`Agreement with ${tid}`)), para(plain(about), true)];
  const rows = agreementRows(task, tid);
  if (rows.length === 0) {
    out.push(
      para([t('No agreement figures (fewer than three models with both a score and a ground truth).', 'em')]),
    );
    return out;
  }
  const figures = task.agreement[tid]!;
  const level = Object.values(figures).find((a) => a.weightedTauInterval)?.weightedTauInterval?.level;
  out.push(
    table(
      [
        'ranking',
        'kind',
        `weighted τ${level ? ` [${Math.round(level * 100)}% interval]` : ''}`,
        'Kendall τ-b',
        'Pearson',
        'Spearman',
        'rel@1',
        'rel@3',
        'regret@1',
        'beats baselines',
        'seconds',
      ],
      rows.map(({ id, kind }) => {
        const a = figures[id]!;
        const beats: Rich =
          kind !== 'score' || a.beatsBaselines === undefined
            ? []
            : a.beatsBaselines
              ? plain('yes')
              : [
                  t('no', 'bad'),
                  ...(a.baselinesNotBeaten?.length ? [t(` (${a.baselinesNotBeaten.join(', ')})`)] : []),
                ];
        return {
          ...(kind === 'baseline' ? { kind: 'baseline' as const } : {}),
          cells: [
            [t(id, kind === 'baseline' ? 'em' : undefined)],
            plain(kind),
            plain(fmtTau(a.weightedTau, a.weightedTauInterval)),
            plain(fmtFixed(a.kendallTau)),
            plain(fmtFixed(a.pearson)),
            plain(fmtFixed(a.spearman)),
            plain(fmtFixed(a.rel1)),
            plain(fmtFixed(a.rel3)),
            plain(fmtFixed(a.regret1, 4)),
            beats,
            plain(kind === 'score' && task.scores[id] ? fmtSeconds(scoreSeconds(task, id)) : ''),
          ],
        };
      }),
      [false, false, true, true, true, true, true, true, true, false, true],
    ),
  );
  const degenerate = rows.filter(({ id }) => figures[id]!.warnings?.length);
  if (degenerate.length) {
    out.push({
      kind: 'list',
      tone: 'warn',
      items: degenerate.map(({ id }) => plain(`⚠ ${id}: ${figures[id]!.warnings!.join('; ')}`)),
    });
  }
  const losers = rows.filter(({ id, kind }) => kind === 'score' && figures[id]!.beatsBaselines === false);
  if (losers.length) {
    out.push(
      para([
        t('Not better than a static baseline', 'strong'),
        t(` against ${tid}: ${losers.map((l) => l.id).join(', ')}.`),
      ]),
    );
  }
  out.push({
    kind: 'charts',
    charts: [{ kind: 'agreement', task: index, truth: tid }],
    caption: plain(
      'Blue: scores; grey: static baselines; red: a score that does not beat them. Whiskers: the bootstrap interval, where the ground truth has per-item results.',
    ),
  });
  // a scatter needs three points to say anything
  const scatters = Object.keys(task.scores).filter(
    (sid) => Object.keys(task.scores[sid]!.values).filter((m) => truth.values[m] !== undefined).length >= 3,
  );
  if (scatters.length) {
    out.push({
      kind: 'charts',
      charts: scatters.map((sid) => ({ kind: 'scatter', task: index, score: sid, truth: tid })),
      caption: [
        t(`Each score against ${tid}, one point per model; `),
        t('orange', 'warn'),
        t(' points are models the score warned about.'),
      ],
    });
  }
  return out;
}

function problems(task: TaskReport): Block[] {
  const warnings: Rich[] = [];
  const na: Rich[] = [];
  const errors: Rich[] = [];
  const err = (what: string, e: { code: string; message: string }): Rich => [
    t(`${what}: `),
    t(e.code, 'code'),
    t(` ${e.message}`),
  ];
  for (const m of task.models) if (m.error) errors.push(err(`model ${modelLabel(task, m.id)}`, m.error));
  for (const [tid, g] of Object.entries(task.groundTruth)) {
    for (const [mid, e] of Object.entries(g.errors ?? {}))
      errors.push(err(`${tid} on ${modelLabel(task, mid)}`, e));
  }
  for (const [sid, s] of Object.entries(task.scores)) {
    for (const [mid, w] of Object.entries(s.warnings))
      warnings.push(plain(`${sid} on ${modelLabel(task, mid)}: ${w}`));
    for (const [mid, e] of Object.entries(s.errors)) {
      if (e.code === NOT_APPLICABLE) na.push(plain(`${sid} on ${modelLabel(task, mid)}: ${e.message}`));
      else errors.push(err(`${sid} on ${modelLabel(task, mid)}`, e));
    }
  }
  const out: Block[] = [];
  if (warnings.length) out.push(heading(3, t('Warnings')), { kind: 'list', tone: 'warn', items: warnings });
  if (na.length) out.push(heading(3, t('Not applicable')), { kind: 'list', tone: 'meta', items: na });
  if (errors.length) out.push(heading(3, t('Errors')), { kind: 'list', items: errors });
  return out;
}

function taskSection(task: TaskReport, index: number): ViewSection {
  const blocks: Block[] = [heading(2, t(`Task ${task.id}`), t(` (dataset ${task.dataset})`, 'meta'))];
  if (task.description) blocks.push(para(plain(task.description)));
  blocks.push(facts(task), ...modelsTable(task));
  for (const tid of Object.keys(task.groundTruth)) {
    blocks.push(...agreementBlocks(task, index, tid), ...precisionBlocks(task, tid));
  }
  const models = orderedModels(task);
  const baselineIds = Object.keys(task.baselines);
  if (baselineIds.length) {
    blocks.push(
      heading(3, t('Static baselines')),
      table(
        ['baseline', 'description', ...models.map((id) => modelLabel(task, id))],
        baselineIds.map((bid) => {
          const b = task.baselines[bid]!;
          return {
            cells: [
              bid,
              b.description,
              ...models.map((id) => (b.values[id] === undefined ? '' : fmtValue(b.values[id]!))),
            ].map(plain),
          };
        }),
        [false, false, ...models.map(() => true)],
      ),
    );
  }
  const scoreIds = Object.keys(task.scores);
  if (scoreIds.length) {
    blocks.push(
      heading(3, t('Seconds per score')),
      table(
        ['score', 'models', 'total', 'mean per model'],
        scoreIds.map((sid) => {
          const n = Object.keys(task.scores[sid]!.seconds).length;
          const total = scoreSeconds(task, sid);
          return { cells: [sid, String(n), fmtSeconds(total), n ? fmtSeconds(total / n) : ''].map(plain) };
        }),
        [false, true, true, true],
      ),
      { kind: 'charts', charts: [{ kind: 'seconds', task: index }] },
    );
  }
  blocks.push(...problems(task));
  if (task.sweep) {
    const sw = task.sweep;
    const ids = [...new Set(sw.points.flatMap((p) => Object.keys(p.scores)))];
    blocks.push(heading(3, t(`Train-size sweep (weighted τ against ${sw.truth})`)));
    if (sw.maxFeatureDim) blocks.push(para(plain(`Widest feature dimension D = ${sw.maxFeatureDim}.`), true));
    blocks.push(
      { kind: 'charts', charts: [{ kind: 'sweep', task: index }] },
      table(
        ['train per class', 'N', ...ids],
        sw.points.map((p) => ({
          cells: [
            String(p.trainPerClass),
            String(p.nTrain),
            ...ids.map((id) => {
              const s = p.scores[id];
              return s ? fmtTau(s.weightedTau, s.weightedTauInterval) : '';
            }),
          ].map(plain),
        })),
        [true, true, ...ids.map(() => true)],
      ),
    );
  }
  if (task.notes.length) blocks.push(heading(3, t('Notes')), { kind: 'list', items: task.notes.map(plain) });
  return { anchor: `task-${index + 1}`, blocks };
}

function summarySection(sum: SummaryInfo, index: number): ViewSection {
  const published = sum.published?.values ?? {};
  const rows = summaryIds(sum).map((id) => {
    const mean = sum.meanWeightedTau[id];
    const kind = sum.kinds[id] ?? 'score';
    return {
      ...(kind === 'baseline' ? { kind: 'baseline' as const } : {}),
      cells: [
        [t(id, kind === 'baseline' ? 'em' : undefined)],
        plain(kind),
        plain(String(sum.counts[id] ?? 0)),
        plain(mean === undefined ? 'not run' : fmtFixed(mean)),
        ...(sum.published ? [plain(published[id] === undefined ? '' : fmtFixed(published[id]!))] : []),
      ],
    };
  });
  return {
    blocks: [
      heading(2, t(`Summary: ${sum.description}`)),
      para(
        plain(
          `Tasks: ${sum.tasks.join(', ')}.${sum.published ? ` Published values: ${sum.published.source}.` : ''}`,
        ),
        true,
      ),
      table(['ranking', 'kind', 'tasks', 'mean weighted τ', ...(sum.published ? ['published'] : [])], rows, [
        false,
        false,
        true,
        true,
        true,
      ]),
      { kind: 'charts', charts: [{ kind: 'summary', summary: index }] },
    ],
  };
}

/**
 * What a bench report shows: the run facts; with two or more tasks the cross-task section (see
 * `crossTaskView`); the summaries over tasks (mean weighted τ beside published
 * values); per task its facts (split, F-labels, preprocessing, speed), the models ranked by the ground truth
 * with each score's rank ("n/a" where a score does not apply), the agreement table per ground truth with
 * its charts and the ground truth's precision, the static baselines, seconds per score, warnings, scores that do not apply, errors, the
 * train-size sweep and the notes; then the report's notes. Text stays text: names and messages are never
 * markup, whatever they contain.
 *
 * @param report - a validated bench report.
 * @returns the {@link ReportView} the Markdown and HTML renderers print.
 * @example
 * ```ts
 * const view = reportView(report);
 * view.sections.length; // head + summaries + tasks (+ notes)
 * ```
 */
export function reportView(report: BenchReport): ReportView {
  const r = report.run;
  const head: Block[] = [
    heading(1, t('EMMS bench report')),
    {
      kind: 'list',
      tone: 'meta',
      items: [
        plain(`Run: ${runSummary(report)}; ${fmtSeconds(r.seconds)} in all.`),
        [t('Command: '), t(r.command, 'code')],
        ...(r.gitCommit ? [[t('Commit: '), t(r.gitCommit, 'code')]] : []),
        ...(r.emmsVersion ? [plain(`emms ${r.emmsVersion}`)] : []),
        ...(r.machine.backendNotice ? [plain(`Backend: ${r.machine.backendNotice}`)] : []),
        ...(r.cacheHits !== undefined || r.cacheMisses !== undefined
          ? [plain(`Cache: ${r.cacheHits ?? 0} results reused, ${r.cacheMisses ?? 0} computed.`)]
          : []),
      ],
    },
  ];
  const cross = crossTaskView(report);
  const sections: ViewSection[] = [
    { blocks: head },
    ...(cross.length ? [{ anchor: 'across-tasks', blocks: cross }] : []),
    ...report.summaries.map(summarySection),
    ...report.tasks.map(taskSection),
  ];
  if (report.notes.length) {
    sections.push({ blocks: [heading(2, t('Notes')), { kind: 'list', items: report.notes.map(plain) }] });
  }
  return {
    title: `EMMS bench report — ${report.tasks.map((x) => x.id).join(', ') || 'no tasks'}`,
    contents:
      report.tasks.length > 1 ? report.tasks.map((x, i) => ({ anchor: `task-${i + 1}`, label: x.id })) : [],
    sections,
  };
}
