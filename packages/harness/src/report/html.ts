/**
 * report.html: one self-contained page (inline CSS, inline SVG charts, no script, no external URL) that
 * opens offline.
 */
import {
  agreementBarsSvg,
  scoreScatterSvg,
  secondsBarsSvg,
  summaryBarsSvg,
  summaryIds,
  sweepLinesSvg,
} from './charts';
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

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @param text - any text from a report.
 * @returns text with `& < > " '` as entities.
 * @example
 * ```ts
 * escapeHtml('<b>&'); // '&lt;b&gt;&amp;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const e = escapeHtml;

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; background: #fff; }
h1 { font-size: 1.6em; margin: 0.4em 0; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 2em; }
h3 { font-size: 1.08em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; display: block; max-width: 100%; overflow-x: auto; }
svg { max-width: 100%; height: auto; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.baseline td { color: #666; font-style: italic; }
tr.failed td { color: #999; }
.bad { color: #b03a22; font-weight: 600; }
.warn { color: #a06000; }
.charts { display: flex; flex-wrap: wrap; gap: 8px; }
.charts figure { margin: 0; border: 1px solid #eee; }
.meta { color: #555; }
code { background: #f4f4f4; padding: 0 3px; border-radius: 3px; }
ul.plain { padding-left: 1.2em; }
`;

function table(header: string[], rows: { cells: string[]; cls?: string }[], numeric: boolean[] = []): string {
  const head = `<tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr${r.cls ? ` class="${r.cls}"` : ''}>${r.cells
          .map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${c}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function figure(svg: string | undefined): string {
  return svg ? `<figure>${svg}</figure>` : '';
}

async function taskSection(task: TaskReport, index: number): Promise<string> {
  const out: string[] = [
    `<h2>Task ${e(task.id)} <span class="meta">(dataset ${e(task.dataset)})</span></h2>`,
  ];
  if (task.description) out.push(`<p>${e(task.description)}</p>`);

  const facts: string[] = [];
  if (task.split) {
    const s = task.split;
    facts.push(
      `<li>Split: seed ${s.seed}; ${s.trainPerClass} train per class (${s.nTrain} in all) for scoring, ` +
        `${s.testPerClass} test per class (${s.nTest} in all) held out for the ground truth; ` +
        `${s.classes.length} classes${s.source ? `; data: ${e(s.source)}` : ''}.</li>`,
    );
  }
  if (task.flabels) {
    const f = task.flabels;
    facts.push(
      `<li>F-labels: <strong>K = ${f.K}</strong> from ${e(f.embedders.join(', ') || 'no embedder')} × ` +
        `${f.templates.length} template(s)${
          f.templates.length ? ` (${f.templates.map((t) => `<code>${e(t)}</code>`).join(', ')})` : ''
        }.</li>`,
    );
  }
  const p = task.preprocessing;
  const ks = Object.entries(p.resolvedK ?? {});
  facts.push(
    `<li>Preprocessing: reduce <code>${e(p.reduce)}</code>${
      ks.length ? `; components kept: ${ks.map(([m, k]) => `${e(modelLabel(task, m))} ${k}`).join(', ')}` : ''
    }${p.rule ? `; rule: ${e(p.rule)}` : ''}.</li>`,
  );
  if (task.speed?.emmsOverLogme !== undefined) {
    const s = task.speed;
    facts.push(
      `<li>Speed: EMMS is <strong>${fmtFixed(s.emmsOverLogme!, 1)}×</strong> faster than LogME` +
        (s.emmsSeconds !== undefined && s.logmeSeconds !== undefined
          ? ` (EMMS ${fmtSeconds(s.emmsSeconds)}, LogME ${fmtSeconds(s.logmeSeconds)})`
          : '') +
        (s.note ? ` — ${e(s.note)}` : '') +
        '.</li>',
    );
  }
  out.push(`<ul class="plain">${facts.join('\n')}</ul>`);

  // Models table.
  const truthIds = Object.keys(task.groundTruth);
  const scoreIds = Object.keys(task.scores);
  const truthRanks = truthIds.map((id) =>
    rankModels(task.groundTruth[id]!.values, task.groundTruth[id]!.higherIsBetter),
  );
  const scoreRanks = scoreIds.map((id) =>
    rankModels(task.scores[id]!.values, task.scores[id]!.higherIsBetter),
  );
  out.push(
    `<h3>Models${truthIds[0] ? ` ranked by ${e(truthIds[0])}` : ''}</h3>` +
      '<p class="meta">Ground-truth columns: value (rank). Score columns: the rank each score gives ' +
      '(1 = predicted best); <span class="warn">⚠</span> the score warned, <span class="bad">✗</span> it failed.</p>',
  );
  const modelFacts = modelFactColumns(task);
  out.push(
    table(
      ['model', 'source', ...modelFacts.header, ...truthIds.map(e), ...scoreIds.map(e)],
      orderedModels(task).map((id) => {
        const m = task.models.find((x) => x.id === id)!;
        const cells = [
          e(modelLabel(task, id)) + (m.error ? ` <span class="bad">✗ ${e(m.error.code)}</span>` : ''),
          e(m.source),
          ...modelFacts.cells(m),
        ];
        truthIds.forEach((tid, i) => {
          const v = task.groundTruth[tid]!.values[id];
          cells.push(v === undefined ? '' : `${fmtValue(v)} (${truthRanks[i]!.get(id)})`);
        });
        scoreIds.forEach((sid, i) => {
          const s = task.scores[sid]!;
          const w = s.warnings[id];
          if (s.errors[id]) cells.push(`<span class="bad" title="${e(s.errors[id]!.message)}">✗</span>`);
          else {
            const r = scoreRanks[i]!.get(id);
            cells.push(
              r === undefined ? '' : `${r}${w ? ` <span class="warn" title="${e(w)}">⚠</span>` : ''}`,
            );
          }
        });
        return { cells, cls: m.error ? 'failed' : undefined };
      }),
      [
        false,
        false,
        ...modelFacts.header.map(() => true),
        ...truthIds.map(() => true),
        ...scoreIds.map(() => true),
      ],
    ),
  );

  // Agreement per ground truth: table, bar chart with error bars, scatters.
  for (const tid of truthIds) {
    const truth = task.groundTruth[tid]!;
    const about = [
      truth.description,
      truth.unit ? `unit: ${truth.unit}` : '',
      truth.source ? `source: ${truth.source}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    out.push(`<h3>Agreement with ${e(tid)}</h3><p class="meta">${e(about)}</p>`);
    const rows = agreementRows(task, tid);
    if (rows.length === 0) {
      out.push('<p>No agreement figures (fewer than two models with both a score and a ground truth).</p>');
      continue;
    }
    out.push(
      table(
        [
          'ranking',
          'weighted τ [interval]',
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
          const a = task.agreement[tid]![id]!;
          const beats =
            kind === 'baseline' || a.beatsBaselines === undefined
              ? ''
              : a.beatsBaselines
                ? 'yes'
                : `<span class="bad">no${
                    a.baselinesNotBeaten?.length ? ` (${e(a.baselinesNotBeaten.join(', '))})` : ''
                  }</span>`;
          return {
            cls: kind === 'baseline' ? 'baseline' : undefined,
            cells: [
              kind === 'baseline' ? `${e(id)} (baseline)` : e(id),
              fmtTau(a.weightedTau, a.weightedTauInterval),
              fmtFixed(a.kendallTau),
              fmtFixed(a.pearson),
              fmtFixed(a.spearman),
              fmtFixed(a.rel1),
              fmtFixed(a.rel3),
              fmtFixed(a.regret1, 4),
              beats,
              kind === 'score' && task.scores[id] ? fmtSeconds(scoreSeconds(task, id)) : '',
            ],
          };
        }),
        [false, true, true, true, true, true, true, true, false, true],
      ),
    );
    const degenerate = rows.filter(({ id }) => task.agreement[tid]![id]!.warnings?.length);
    if (degenerate.length) {
      out.push(
        `<ul class="warn">${degenerate
          .map(({ id }) => `<li>${e(id)}: ${e(task.agreement[tid]![id]!.warnings!.join('; '))}</li>`)
          .join('\n')}</ul>`,
      );
    }
    out.push(
      '<p class="meta">Blue: scores; grey: static baselines; red: a score that does not beat them. ' +
        'Whiskers: the bootstrap interval, where the ground truth has per-item results.</p>',
    );
    out.push(`<div class="charts">${figure(await agreementBarsSvg(task, tid))}</div>`);
    out.push(
      `<p class="meta">Each score against ${e(tid)}, one point per model; ` +
        '<span class="warn">orange</span> points are models the score warned about.</p>',
    );
    out.push(
      `<div class="charts">${(await Promise.all(scoreIds.map((sid) => scoreScatterSvg(task, sid, tid)))).map(figure).join('\n')}</div>`,
    );
  }

  // Baselines.
  const baselineIds = Object.keys(task.baselines);
  if (baselineIds.length) {
    const models = orderedModels(task);
    out.push('<h3>Static baselines</h3>');
    out.push(
      table(
        ['baseline', 'description', ...models.map((id) => e(modelLabel(task, id)))],
        baselineIds.map((bid) => {
          const b = task.baselines[bid]!;
          return {
            cells: [
              e(bid),
              e(b.description),
              ...models.map((id) => (b.values[id] === undefined ? '' : fmtValue(b.values[id]!))),
            ],
          };
        }),
        [false, false, ...models.map(() => true)],
      ),
    );
  }

  // Seconds.
  if (scoreIds.length) {
    out.push('<h3>Seconds per score</h3>');
    out.push(`<div class="charts">${figure(await secondsBarsSvg(task))}</div>`);
  }

  // Warnings and errors.
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const m of task.models) {
    if (m.error) {
      errors.push(
        `<li>model ${e(modelLabel(task, m.id))}: <code>${e(m.error.code)}</code> ${e(m.error.message)}</li>`,
      );
    }
  }
  for (const [tid, t] of Object.entries(task.groundTruth)) {
    for (const [mid, err] of Object.entries(t.errors ?? {})) {
      errors.push(
        `<li>${e(tid)} on ${e(modelLabel(task, mid))}: <code>${e(err.code)}</code> ${e(err.message)}</li>`,
      );
    }
  }
  for (const [sid, s] of Object.entries(task.scores)) {
    for (const [mid, w] of Object.entries(s.warnings)) {
      warnings.push(`<li>${e(sid)} on ${e(modelLabel(task, mid))}: ${e(w)}</li>`);
    }
    for (const [mid, err] of Object.entries(s.errors)) {
      errors.push(
        `<li>${e(sid)} on ${e(modelLabel(task, mid))}: <code>${e(err.code)}</code> ${e(err.message)}</li>`,
      );
    }
  }
  if (warnings.length) out.push(`<h3>Warnings</h3><ul class="warn">${warnings.join('\n')}</ul>`);
  if (errors.length) out.push(`<h3>Errors</h3><ul>${errors.join('\n')}</ul>`);

  // Sweep.
  if (task.sweep) {
    const sw = task.sweep;
    const ids = [...new Set(sw.points.flatMap((pt) => Object.keys(pt.scores)))];
    out.push(`<h3>Train-size sweep (weighted τ against ${e(sw.truth)})</h3>`);
    if (sw.maxFeatureDim) out.push(`<p class="meta">Widest feature dimension D = ${sw.maxFeatureDim}.</p>`);
    out.push(`<div class="charts">${figure(await sweepLinesSvg(task))}</div>`);
    out.push(
      table(
        ['train per class', 'N', ...ids.map(e)],
        sw.points.map((pt) => ({
          cells: [
            String(pt.trainPerClass),
            String(pt.nTrain),
            ...ids.map((id) => {
              const s = pt.scores[id];
              return s ? fmtTau(s.weightedTau, s.weightedTauInterval) : '';
            }),
          ],
        })),
        [true, true, ...ids.map(() => true)],
      ),
    );
  }
  if (task.notes.length)
    out.push(`<h3>Notes</h3><ul>${task.notes.map((n) => `<li>${e(n)}</li>`).join('\n')}</ul>`);
  return `<section id="task-${index + 1}">\n${out.join('\n')}\n</section>`;
}

async function summarySection(sum: SummaryInfo): Promise<string> {
  const published = sum.published?.values ?? {};
  const rows = summaryIds(sum).map((id) => {
    const mean = sum.meanWeightedTau[id];
    const kind = sum.kinds[id] ?? 'score';
    return {
      cls: kind === 'baseline' ? 'baseline' : undefined,
      cells: [
        kind === 'baseline' ? `${e(id)} (baseline)` : e(id),
        String(sum.counts[id] ?? 0),
        mean === undefined ? 'not run' : fmtFixed(mean),
        ...(sum.published ? [published[id] === undefined ? '' : fmtFixed(published[id]!)] : []),
      ],
    };
  });
  return (
    `<section>\n<h2>Summary: ${e(sum.description)}</h2>\n` +
    `<p class="meta">Tasks: ${e(sum.tasks.join(', '))}.${
      sum.published ? ` Published values: ${e(sum.published.source)}.` : ''
    }</p>\n` +
    table(['ranking', 'tasks', 'mean weighted τ', ...(sum.published ? ['published'] : [])], rows, [
      false,
      true,
      true,
      true,
    ]) +
    `\n<div class="charts">${figure(await summaryBarsSvg(sum))}</div>\n</section>`
  );
}

/**
 * Renders a bench report as one self-contained HTML page: inline CSS, and SVG charts drawn server-side
 * by ECharts (the summaries over tasks as bars beside the published values; per score a scatter against each ground truth with the models named; the weighted τ of
 * every score and baseline as bars with their bootstrap intervals as error bars; seconds per score; the
 * train-size sweep as lines). The page needs no script and no network. All report text is escaped.
 *
 * @param report - a validated bench report.
 * @returns the HTML document (async: ECharts is loaded on first use).
 * @example
 * ```ts
 * writeFileSync('report.html', await reportToHtml(report));
 * ```
 */
export async function reportToHtml(report: BenchReport): Promise<string> {
  const r = report.run;
  const head = [
    '<h1>EMMS bench report</h1>',
    `<p class="meta">${e(runSummary(report))}; ${fmtSeconds(r.seconds)} in all.</p>`,
    `<p class="meta">Command: <code>${e(r.command)}</code>${
      r.gitCommit ? ` · commit <code>${e(r.gitCommit)}</code>` : ''
    }${r.emmsVersion ? ` · emms ${e(r.emmsVersion)}` : ''}${
      r.cacheHits !== undefined || r.cacheMisses !== undefined
        ? ` · cache: ${r.cacheHits ?? 0} reused, ${r.cacheMisses ?? 0} computed`
        : ''
    }</p>`,
    r.machine.backendNotice ? `<p class="meta">Backend: ${e(r.machine.backendNotice)}</p>` : '',
  ];
  const summaries: string[] = [];
  for (const sum of report.summaries) summaries.push(await summarySection(sum));
  const tasks: string[] = [];
  for (const [i, task] of report.tasks.entries()) tasks.push(await taskSection(task, i));
  const contents =
    report.tasks.length > 1
      ? `<nav><p class="meta">Tasks: ${report.tasks
          .map((t, i) => `<a href="#task-${i + 1}">${e(t.id)}</a>`)
          .join(' · ')}</p></nav>`
      : '';
  const notes = report.notes.length
    ? `<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${e(n)}</li>`).join('\n')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EMMS bench report — ${e(report.tasks.map((t) => t.id).join(', ') || 'no tasks')}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${head.filter(Boolean).join('\n')}
${contents}
${summaries.join('\n')}
${tasks.join('\n')}
${notes}
</main>
</body>
</html>
`;
}
