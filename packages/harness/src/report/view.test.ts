// The report view: what is not applicable says so, scatters need three points, and text from the report
// (model names above all) is never markup, a live link or a spreadsheet formula in any file.
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { reportToCsv } from './csv';
import { reportToHtml } from './html';
import { reportToMarkdown } from './markdown';
import { type BenchReport, parseReport } from './schema';
import { sampleReport } from './testing';
import { reportView } from './view';

/** The sample report with its first task's model ids (the keys of every record) and labels replaced. */
function renamed(names: string[]): BenchReport {
  const r = sampleReport();
  const task = r.tasks[0]!;
  let text = JSON.stringify(task);
  task.models.forEach((m, i) => {
    text = text.replaceAll(JSON.stringify(m.id), JSON.stringify(names[i]!));
  });
  const t = JSON.parse(text) as typeof task;
  for (const m of t.models) delete m.label;
  r.tasks[0] = t;
  return parseReport(r);
}

const HOSTILE = [
  '[click](javascript:alert(1))',
  '<a href="javascript:alert(2)">x</a>',
  'javascript:alert(3)',
  'www.evil.example/path',
  'https://evil.example/x',
  'mail@evil.example',
  '![img](https://evil.example/p.png)',
  '=HYPERLINK("https://evil.example","x")',
  '+cmd|/c calc',
  '-2+3',
  '@SUM(A1)',
  '\tTAB',
];

describe('what does not apply says "n/a", not a failure', () => {
  const r = sampleReport();
  const t = r.tasks[0]!;
  t.scores.logme!.errors.resnet18 = { code: 'NOT_APPLICABLE', message: 'logme needs what resnet18 lacks' };
  delete t.scores.logme!.values.resnet18;
  const report = parseReport(r);

  it('in report.md: n/a in the models table, listed under "Not applicable", not under "Errors"', () => {
    const md = reportToMarkdown(report);
    expect(md).toMatch(/\| resnet18 \| zoo \|[^\n]* \| 1 \| n\/a \| 5 \|/);
    const na = md.slice(md.indexOf('### Not applicable'), md.indexOf('### Errors'));
    expect(na).toContain('- logme on resnet18: logme needs what resnet18 lacks');
    const errors = md.slice(md.indexOf('### Errors'), md.indexOf('### Train-size sweep'));
    expect(errors).not.toContain('resnet18');
    expect(errors).toContain('DEGENERATE');
  });

  it('in report.html: n/a, not ✗', async () => {
    const html = await reportToHtml(report);
    expect(html).toContain(
      '<span title="logme needs what resnet18 lacks"><span class="meta">n/a</span></span>',
    );
    expect(html).not.toContain('title="logme needs what resnet18 lacks"><span class="bad">');
  });
});

describe('charts', () => {
  it('no scatter for a score with fewer than three models against the ground truth', async () => {
    const r = sampleReport();
    const t = r.tasks[1]!;
    const [first] = Object.keys(t.scores.emms!.values);
    t.scores.emms!.values = { [first!]: 0.5 };
    t.scores.emms!.seconds = { [first!]: 0.1 };
    const report = parseReport(r);
    const charts = reportView(report).sections.flatMap((s) =>
      s.blocks.flatMap((b) => (b.kind === 'charts' ? b.charts : [])),
    );
    expect(charts.some((c) => c.kind === 'scatter' && c.task === 1)).toBe(false);
    expect(charts.some((c) => c.kind === 'scatter' && c.task === 0)).toBe(true);
    expect(await reportToHtml(report)).not.toContain('emms vs paper-cnn');
  });
});

describe.each([
  ['links and markup', HOSTILE.slice(0, 7)],
  ['formulas', HOSTILE.slice(5, 12)],
])('names are neutralised in every report file: %s', (_kind, names) => {
  const report = renamed(names);

  it('report.md renders (CommonMark + GFM-style links) with no link, image or HTML from a name', () => {
    const md = reportToMarkdown(report);
    const html = new MarkdownIt({ html: true, linkify: true }).render(md);
    expect(html).not.toMatch(/<a\s/i);
    expect(html).not.toMatch(/<img/i);
    // the names are still there, as text
    expect(html).toContain('evil');
    if (names.includes(HOSTILE[2]!)) expect(html).toContain('<td>javascript:alert(3)</td>');
  });

  it('report.csv starts no text cell with a formula character', () => {
    const csv = reportToCsv(report);
    const cells = csv.split('\n').flatMap((line) => line.split(','));
    for (const c of cells) {
      const text = c.startsWith('"') ? c.slice(1) : c;
      if (/^-?\d/.test(text)) continue; // numbers
      expect(text, c).not.toMatch(/^[=+\-@\t\r]/);
    }
    if (names.includes('@SUM(A1)')) {
      expect(csv).toContain("'=HYPERLINK(");
      expect(csv).toContain("'@SUM(A1)");
    }
  });

  it('report.html has no link or script from a name', async () => {
    const html = await reportToHtml(report);
    expect(html).not.toMatch(/<a\s+href="(?!#task-)/i);
    expect(html).not.toMatch(/<script|<img/i);
    if (names.includes(HOSTILE[1]!)) expect(html).toContain('&lt;a href=&quot;javascript:alert(2)&quot;&gt;');
  });
});
