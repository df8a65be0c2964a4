// Results pages rendered at build time from a bench report (report.json, schema emms-bench-report v1,
// written by `emms bench`), with the harness's report charts (ECharts rendered server-side to SVG, the same
// as report.html). A suite report (two or more tasks) adds its cross-task section to the overview: scores
// across tasks, Friedman test, critical-difference diagram, the preset's held-out validation, the ensemble,
// EMMS against LogME beside the paper; a task page shows its ground-truth precision when it has one.
// Without a report the pages are skipped and a notice says why.
import { existsSync, readFileSync } from 'node:fs';
import {
  agreementBarsSvg,
  BenchReportSchema,
  blocksToMarkdown,
  cdDiagramSvg,
  crossTaskView,
  precisionBlocks,
  sweepLinesSvg,
} from '@emms/harness';
import { cell } from './score-pages.mjs';

const AGREEMENT_COLUMNS = [
  ['weightedTau', 'weighted τ'],
  ['kendallTau', 'Kendall τ'],
  ['pearson', 'Pearson'],
  ['spearman', 'Spearman'],
  ['weightedPearson', 'weighted Pearson'],
  ['rel1', 'rel@1'],
  ['rel3', 'rel@3'],
  ['regret1', 'regret@1'],
];

const num = (v, digits = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');
const sig = (v) =>
  typeof v === 'number' && Number.isFinite(v)
    ? Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(3)
      : v.toPrecision(5)
    : '–';

/**
 * Charts are written as .svg files beside the pages' assets (site/public/results-charts, git-ignored)
 * and shown as images: SVG from ECharts may carry attribute text that Vue's template compiler rejects
 * when inlined in markdown.
 */
let chartFiles = {};
function chartBlock(raw, label) {
  // The harness's charts name a quoted font family inside a double-quoted style attribute, which
  // ends the attribute early in a standalone .svg; single quotes keep the file well-formed.
  const svg = raw.replace(
    /style="[^>]*?;"(?=[\s/>])/g,
    (attr) => `style="${attr.slice(7, -1).replace(/"/g, "'")}"`,
  );
  const name = `${label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}-${Object.keys(chartFiles).length + 1}.svg`;
  chartFiles[name] = svg;
  return `<figure class="emms-chart"><img src="/results-charts/${name}" alt="${label.replace(/"/g, '')}" /></figure>`;
}

/** Markdown of the harness's report view, safe inside a VitePress page (no Vue interpolation). */
const vueSafe = (md) => md.replace(/{{/g, '{&#8203;{');

/**
 * The cross-task section of a suite report (the harness's view, as report.md shows it), with the
 * critical-difference diagram as a chart file.
 */
async function crossTaskMarkdown(report) {
  const c = report.crossTask;
  const svg = await cdDiagramSvg({ ...c, taskCount: c.tasks.length });
  const cd = svg ? chartBlock(svg, 'critical-difference diagram') : undefined;
  const md = blocksToMarkdown(crossTaskView(report), (b) =>
    b.charts.some((x) => x.kind === 'cd') ? cd : undefined,
  );
  // the harness's heading levels fit report.md; on the results page the section sits under "# Results"
  return vueSafe(md);
}

/** The harness's report charts: the same SVGs as report.html. */
const agreementSvg = (task, truthId) => agreementBarsSvg(task, truthId, 720);
const sweepSvg = (task) => sweepLinesSvg(task, { width: 720, height: 360 });

async function taskPage(task) {
  const lines = [`# ${task.dataset}: ${task.id}`, ''];
  if (task.description) lines.push(task.description, '');
  if (task.split) {
    const s = task.split;
    lines.push(
      `Split: seed ${s.seed}, ${s.trainPerClass} train and ${s.testPerClass} test items per class (${s.nTrain} / ${s.nTest}), ${s.classes.length} classes${s.source ? `, from ${s.source}` : ''}.`,
      '',
    );
  }
  if (task.flabels)
    lines.push(
      `F-labels: ${task.flabels.embedders.join(', ')} × ${task.flabels.templates.length} template(s), K = ${task.flabels.K}.`,
      '',
    );
  if (task.preprocessing)
    lines.push(
      `Preprocessing: reduce \`${task.preprocessing.reduce}\`${task.preprocessing.rule ? ` (${task.preprocessing.rule})` : ''}.`,
      '',
    );
  for (const truthId of Object.keys(task.agreement ?? {})) {
    const truth = task.groundTruth?.[truthId];
    lines.push(`## Agreement with ${truthId}`, '');
    if (truth) lines.push(`${cell(truth.description)} (${truth.kind}).`, '');
    const bars = await agreementSvg(task, truthId);
    if (bars) lines.push(chartBlock(bars, `${task.id} weighted tau against ${truthId}`), '');
    lines.push(
      `| ranking | kind | ${AGREEMENT_COLUMNS.map(([, t]) => t).join(' | ')} | 95% interval of weighted τ |`,
    );
    lines.push(`|---|---|${AGREEMENT_COLUMNS.map(() => '---:').join('|')}|---|`);
    const rows = Object.entries(task.agreement[truthId]).sort((a, b) => b[1].weightedTau - a[1].weightedTau);
    for (const [id, a] of rows) {
      const iv = a.weightedTauInterval
        ? `${num(a.weightedTauInterval.low)} … ${num(a.weightedTauInterval.high)}`
        : '';
      const link = task.scores?.[id] ? `[${id}](../scores/${id}.md)` : id;
      lines.push(
        `| ${existsScorePage(id) ? link : id} | ${a.kind} | ${AGREEMENT_COLUMNS.map(([k]) => num(a[k])).join(' | ')} | ${iv} |`,
      );
    }
    lines.push('');
    const precision = precisionBlocks(task, truthId);
    if (precision.length) lines.push(vueSafe(blocksToMarkdown(precision)), '');
  }
  const models = task.models ?? [];
  const scoreIds = Object.keys(task.scores ?? {});
  const truthIds = Object.keys(task.groundTruth ?? {});
  lines.push('## Scores per model', '');
  lines.push(`| model | D | ${[...truthIds, ...scoreIds].join(' | ')} |`);
  lines.push(`|---|---:|${[...truthIds, ...scoreIds].map(() => '---:').join('|')}|`);
  for (const m of models) {
    const values = [
      ...truthIds.map((t) => sig(task.groundTruth[t].values?.[m.id])),
      ...scoreIds.map((s) => sig(task.scores[s].values?.[m.id])),
    ];
    lines.push(
      `| ${cell(m.label ?? m.id)}${m.error ? ` (failed: ${cell(m.error.code)})` : ''} | ${m.featureDim ?? ''} | ${values.join(' | ')} |`,
    );
  }
  lines.push('');
  const sweep = task.sweep ? await sweepSvg(task) : undefined;
  if (sweep) lines.push('## Train-size sweep', '', chartBlock(sweep, `${task.id} train-size sweep`), '');
  if (task.speed?.emmsOverLogme)
    lines.push(
      '## Speed',
      '',
      `EMMS over LogME: ${task.speed.emmsOverLogme.toFixed(2)}× (${task.speed.note ?? ''}).`,
      '',
    );
  if (task.notes?.length) lines.push('## Notes', '', ...task.notes.map((n) => `- ${cell(n)}`), '');
  return lines.join('\n');
}

let scorePageIds = new Set();
function existsScorePage(id) {
  return scorePageIds.has(id);
}

/** Checks a report against the harness's schema (zod); returns the parsed report or why it is unusable. */
function checkReport(report) {
  const r = BenchReportSchema.safeParse(report);
  if (!r.success)
    return `does not match the emms-bench-report schema: ${r.error.issues[0]?.path?.join('.')}: ${r.error.issues[0]?.message}`;
  return { report: r.data };
}

/**
 * Renders `results/index.md` and one page per task from the report at `path`, and the charts
 * (`charts`: file name → SVG). Without a usable report, returns no pages and a `notice` saying why
 * (the build goes on).
 */
export async function renderResultsPages(path, scoreIds = []) {
  scorePageIds = new Set(scoreIds);
  chartFiles = {};
  if (!existsSync(path)) {
    return {
      pages: {},
      sidebar: [],
      notice: `no bench report at ${path}: the results pages are skipped (run \`emms bench\` or set EMMS_DOCS_REPORT)`,
    };
  }
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return {
      pages: {},
      sidebar: [],
      notice: `${path}: not JSON (${e.message}); the results pages are skipped`,
    };
  }
  const checked = checkReport(parsed);
  if (typeof checked === 'string')
    return { pages: {}, sidebar: [], notice: `${path} ${checked}; the results pages are skipped` };
  const report = checked.report;
  const pages = {};
  const sidebar = [{ text: 'Overview', link: '/results/' }];
  const run = report.run ?? {};
  const index = [
    '# Results',
    '',
    'Rendered at build time from the bench report below; every number on these pages comes from it.',
    '',
    `- command: \`${run.command ?? 'unknown'}\``,
    `- commit: ${run.gitCommit ? `\`${run.gitCommit}\`` : 'not recorded'}`,
    `- made: ${run.createdAt ?? 'unknown'}, in ${num(run.seconds, 1)} s`,
    run.machine
      ? `- machine: ${run.machine.cpus} CPUs, ${run.machine.platform}/${run.machine.arch}, Node ${run.machine.nodeVersion}, backend \`${run.machine.backend}\``
      : '',
    '',
    '| task | dataset | models | scores | ground truths |',
    '|---|---|---:|---:|---|',
  ];
  for (const task of report.tasks) {
    const file = `${task.id.replace(/[^A-Za-z0-9_-]+/g, '-')}.md`;
    pages[file] = await taskPage(task);
    sidebar.push({ text: task.id, link: `/results/${file.replace(/\.md$/, '')}` });
    index.push(
      `| [${task.id}](./${file}) | ${task.dataset} | ${task.models?.length ?? 0} | ${Object.keys(task.scores ?? {}).length} | ${Object.keys(task.groundTruth ?? {}).join(', ')} |`,
    );
  }
  if (report.crossTask) index.push('', await crossTaskMarkdown(report));
  if (report.notes?.length) index.push('', '## Notes', '', ...report.notes.map((n) => `- ${cell(n)}`));
  pages['index.md'] = `${index.filter((l) => l !== null).join('\n')}\n`;
  return { pages, sidebar, charts: chartFiles };
}
