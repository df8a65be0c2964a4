/**
 * report.html: the report view (see `view.ts`) printed as one self-contained page (inline CSS, inline SVG
 * charts, no script, no external URL) that opens offline.
 */
import { cdDiagramSvg } from './cd-diagram';
import { agreementBarsSvg, scoreScatterSvg, secondsBarsSvg, summaryBarsSvg, sweepLinesSvg } from './charts';
import type { BenchReport } from './schema';
import { type Block, type ChartRef, type Rich, reportView, type Span, type ViewTable } from './view';

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

const TAGS: Record<NonNullable<Span['style']>, [string, string]> = {
  strong: ['<strong>', '</strong>'],
  em: ['<em>', '</em>'],
  code: ['<code>', '</code>'],
  strike: ['<s>', '</s>'],
  bad: ['<span class="bad">', '</span>'],
  warn: ['<span class="warn">', '</span>'],
  meta: ['<span class="meta">', '</span>'],
};

function span(s: Span): string {
  const text = e(s.text);
  const [open, close] = s.style ? TAGS[s.style] : ['', ''];
  const inner = `${open}${text}${close}`;
  return s.title ? `<span title="${e(s.title)}">${inner}</span>` : inner;
}

const rich = (r: Rich) => r.map(span).join('');

function table(tb: ViewTable): string {
  const head = `<tr>${tb.header.map((h) => `<th>${rich(h)}</th>`).join('')}</tr>`;
  const body = tb.rows
    .map(
      (r) =>
        `<tr${r.kind ? ` class="${r.kind}"` : ''}>${r.cells
          .map((c, i) => `<td${tb.numeric[i] ? ' class="n"' : ''}>${rich(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

async function chart(report: BenchReport, c: ChartRef): Promise<string | undefined> {
  switch (c.kind) {
    case 'agreement':
      return agreementBarsSvg(report.tasks[c.task]!, c.truth);
    case 'scatter':
      return scoreScatterSvg(report.tasks[c.task]!, c.score, c.truth);
    case 'seconds':
      return secondsBarsSvg(report.tasks[c.task]!);
    case 'sweep':
      return sweepLinesSvg(report.tasks[c.task]!);
    case 'summary':
      return summaryBarsSvg(report.summaries[c.summary]!);
    case 'cd':
      return report.crossTask
        ? cdDiagramSvg({ ...report.crossTask, taskCount: report.crossTask.tasks.length })
        : undefined;
  }
}

async function block(report: BenchReport, b: Block): Promise<string> {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${rich(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p${b.meta ? ' class="meta"' : ''}>${rich(b.text)}</p>`;
    case 'list': {
      const cls = b.tone === 'warn' ? 'plain warn' : b.tone === 'meta' ? 'plain meta' : 'plain';
      return `<ul class="${cls}">${b.items.map((i) => `<li>${rich(i)}</li>`).join('\n')}</ul>`;
    }
    case 'table':
      return table(b.table);
    case 'charts': {
      const svgs = (await Promise.all(b.charts.map((c) => chart(report, c)))).filter((s) => s !== undefined);
      if (svgs.length === 0) return '';
      const caption = b.caption ? `<p class="meta">${rich(b.caption)}</p>\n` : '';
      return `${caption}<div class="charts">${svgs.map((s) => `<figure>${s}</figure>`).join('\n')}</div>`;
    }
  }
}

/**
 * Renders a bench report as one self-contained HTML page: the report view (see `reportView`) with inline
 * CSS and its charts drawn server-side by ECharts as SVG (the summaries as bars beside the published values;
 * per ground truth the weighted τ of every score and baseline with bootstrap intervals, and one scatter per
 * score with three or more models; seconds per score; the train-size sweep). No script, no network; all
 * report text is escaped.
 *
 * @param report - a validated bench report.
 * @returns the HTML document (async: ECharts is loaded on first use).
 * @example
 * ```ts
 * writeFileSync('report.html', await reportToHtml(report));
 * ```
 */
export async function reportToHtml(report: BenchReport): Promise<string> {
  const view = reportView(report);
  const sections: string[] = [];
  for (const [i, s] of view.sections.entries()) {
    const inner = (await Promise.all(s.blocks.map((b) => block(report, b)))).filter(Boolean).join('\n');
    sections.push(
      i === 0 ? inner : `<section${s.anchor ? ` id="${e(s.anchor)}"` : ''}>\n${inner}\n</section>`,
    );
    if (i === 0 && view.contents.length) {
      sections.push(
        `<nav><p class="meta">Tasks: ${view.contents.map((c) => `<a href="#${e(c.anchor)}">${e(c.label)}</a>`).join(' · ')}</p></nav>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(view.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
