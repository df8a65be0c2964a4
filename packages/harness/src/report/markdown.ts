/**
 * report.md: the report view (see `view.ts`) printed as GitHub-flavoured Markdown. No Node imports.
 */
import { CD_DIAGRAM_FILE, cdDiagramOption } from './cd-diagram';
import type { BenchReport } from './schema';
import { type Block, type Rich, reportView, type Span, type ViewTable } from './view';

/**
 * Escapes text for a Markdown table cell or line, so that it renders literally and never as markup: pipes,
 * backslashes, emphasis marks, code ticks, HTML brackets and ampersands, line breaks, a `]` that would close
 * a link, image or link definition; and the dot or colon between a letter and what follows it, and an at
 * sign before a letter, so that no text becomes a live link (`javascript:…`, `www.…`, `http://…`,
 * `name@host`, a bare domain).
 *
 * @param text - any text from a report.
 * @returns text that renders literally.
 * @example
 * ```ts
 * mdEscape('a|b <c>'); // 'a\\|b &lt;c&gt;'
 * mdEscape('[x](javascript:alert(1))'); // '[x\\](javascript\\:alert(1))'
 * ```
 */
export function mdEscape(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('*', '\\*')
    .replaceAll('_', '\\_')
    .replaceAll('`', '\\`')
    .replace(/\](?=[([:])/g, '\\]')
    .replace(/([A-Za-z])([.:])(?=[A-Za-z0-9/])/g, '$1\\$2')
    .replace(/([A-Za-z0-9])@(?=[A-Za-z])/g, '$1\\@')
    .replace(/\r?\n|\r/g, ' ');
}

/** A code span that holds any text literally (fence longer than any run of ticks in it). */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n|\r/g, ' ')}${pad}${fence}`;
}

const MARKS: Partial<Record<NonNullable<Span['style']>, string>> = {
  strong: '**',
  bad: '**',
  em: '_',
  strike: '~~',
};

function span(s: Span): string {
  if (s.style === 'code') return s.text === '' ? '' : code(s.text);
  const mark = s.style ? MARKS[s.style] : undefined;
  const core = s.text.trim();
  if (!mark || core === '') return mdEscape(s.text);
  // emphasis marks must touch the text they mark: spaces stay outside
  const lead = s.text.slice(0, s.text.indexOf(core));
  const trail = s.text.slice(lead.length + core.length);
  return `${mdEscape(lead)}${mark}${mdEscape(core)}${mark}${mdEscape(trail)}`;
}

const rich = (r: Rich) => r.map(span).join('');

function table(tb: ViewTable): string {
  const sep = tb.header.map((_, i) => (tb.numeric[i] ? '---:' : '---'));
  const lines = [tb.header.map(rich), sep, ...tb.rows.map((row) => row.cells.map(rich))];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** How {@link blocksToMarkdown} shows a block of charts (undefined: leave it out). */
export type MarkdownCharts = (b: Extract<Block, { kind: 'charts' }>) => string | undefined;

function block(b: Block, charts: MarkdownCharts): string | undefined {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${rich(b.text)}`;
    case 'paragraph':
      return rich(b.text);
    case 'list':
      return b.items.map((i) => `- ${rich(i)}`).join('\n');
    case 'table':
      return table(b.table);
    case 'charts':
      return charts(b);
  }
}

/**
 * Renders a bench report as Markdown: the report view (see `reportView`) with every text escaped and no
 * chart but the critical-difference diagram, linked as the file `cd-diagram.svg` that `writeReports`
 * writes beside report.md.
 *
 * @param report - a validated bench report.
 * @returns the Markdown text, ending with a line break.
 * @example
 * ```ts
 * process.stdout.write(reportToMarkdown(parseReport(readFileSync('report.json', 'utf8'))));
 * ```
 */
export function reportToMarkdown(report: BenchReport): string {
  // charts are drawn in report.html; the critical-difference diagram is also a file beside report.md
  const cd = report.crossTask && cdDiagramOption(report.crossTask) !== undefined;
  const charts: MarkdownCharts = (b) =>
    cd && b.charts.some((c) => c.kind === 'cd')
      ? `![critical-difference diagram](${CD_DIAGRAM_FILE})${b.caption ? `\n\n${rich(b.caption)}` : ''}`
      : undefined;
  return blocksToMarkdown(
    reportView(report).sections.flatMap((s) => s.blocks),
    charts,
  );
}

/**
 * Prints blocks of a report view as Markdown, every text escaped, charts as `charts` decides (e.g. the
 * docs site shows the cross-task section of `crossTaskView` with its diagram as an image).
 *
 * @param blocks - blocks of a {@link reportView} or `crossTaskView`.
 * @param charts - how a block of charts is shown (default: left out).
 * @returns the Markdown text, ending with a line break.
 * @example
 * ```ts
 * blocksToMarkdown(crossTaskView(report), () => '![cd](/charts/cd.svg)');
 * ```
 */
export function blocksToMarkdown(blocks: readonly Block[], charts: MarkdownCharts = () => undefined): string {
  const parts = blocks.map((b) => block(b, charts)).filter((x) => x !== undefined);
  return `${parts.join('\n\n')}\n`;
}
