import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchSpec, parseReport, runBench } from '@emms/harness';
import { builtinMetrics, defineMetric, emmsMetric } from '@emms/metrics';
import * as cli from 'emms';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderCliPages } from './cli-pages.mjs';
import { renderResultsPages } from './results-pages.mjs';
import { optionRows, renderScorePages, saturationRows } from './score-pages.mjs';
import { updateData } from './update-data.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'emms-docs-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('score pages', () => {
  it("reads a defined metric's option descriptions, allowed values in words included", () => {
    const rows = optionRows(emmsMetric);
    expect(rows.map((r) => r.name)).toEqual(emmsMetric.options.map((o) => o.name));
    for (const [i, o] of emmsMetric.options.entries()) {
      expect(rows[i].default).toBe(o.default);
      expect(rows[i].description).toBe(o.description);
      if ('allowed' in o && typeof o.allowed === 'string') expect(rows[i].allowed).toBe(o.allowed);
    }
  });

  it('reads a v2 zod options schema: types, defaults, allowed values and descriptions', () => {
    const metric = {
      id: 'demo',
      options: z.object({
        iterations: z.enum(['one-step', 'converge']).default('one-step').describe('how many refits'),
        tol: z.number().min(0).max(1).default(0.25).describe('tolerance'),
        seed: z.number().int().optional().describe('mixture seed'),
      }),
    };
    expect(optionRows(metric)).toEqual([
      {
        name: 'iterations',
        type: 'string',
        default: 'one-step',
        allowed: '`one-step`, `converge`',
        description: 'how many refits',
      },
      { name: 'tol', type: 'number', default: 0.25, allowed: '≥ 0, ≤ 1', description: 'tolerance' },
      {
        name: 'seed',
        type: 'integer',
        default: undefined,
        allowed: expect.any(String),
        description: 'mixture seed',
      },
    ]);
  });

  it('writes one page per built-in score with its formula, cost, references and every option', () => {
    const { pages, sidebar } = renderScorePages(builtinMetrics);
    for (const m of builtinMetrics) {
      const page = pages[`${m.id}.md`];
      expect(page, m.id).toContain('## Formula');
      expect(page, m.id).toContain(m.docs.formula!.split('\n')[0]!);
      expect(page, m.id).toContain('## Cost in N, D, C');
      expect(page, m.id).toContain('## When the score is meaningful');
      expect(page, m.id).toContain('## Paper and reference implementation');
      for (const o of m.options) expect(page, `${m.id}.${o.name}`).toContain(`| \`${o.name}\` |`);
      if (m.options.length === 0) expect(page).toContain('This score has no options.');
      expect(sidebar.some((s: { link: string }) => s.link === `/scores/${m.id}`)).toBe(true);
    }
    expect(pages['index.md'].split('\n').filter((l: string) => l.startsWith('| [')).length).toBe(
      builtinMetrics.length,
    );
  });

  it('shows the facts a metric declares: regime, references, docs, presets and where it saturates', () => {
    const metric = defineMetric({
      id: 'demo',
      description: 'Demo: a declared score',
      inputs: { required: ['features'] },
      higherIsBetter: true,
      options: z.object({ careful: z.boolean().default(false).describe('be careful') }),
      regime: 'Only when N exceeds D by a wide margin.',
      references: [
        { title: 'A paper', arxiv: '2308.06262', repository: 'example/repo', commit: 'abcdef1234567890' },
      ],
      saturation: ({ samples, features }, { careful }) =>
        !careful && features >= samples / 2 ? `D = ${features} ≥ N/2` : undefined,
      presets: { rank: { careful: true } },
      docs: {
        summary: 'A summary.',
        formula: '$x$',
        cost: 'O(N).',
        notes: [{ title: 'A quirk', body: 'Kept.' }],
      },
      compute: () => ({ value: 1 }),
    });
    const page = renderScorePages([metric]).pages['demo.md'];
    expect(page).toContain('Only when N exceeds D by a wide margin.');
    expect(page).toContain(
      '- *A paper*, arXiv:2308.06262, reference implementation: `example/repo`, commit `abcdef123456`',
    );
    expect(page).toContain('A summary.');
    expect(page).toContain('## Cost in N, D, C\n\nO(N).');
    expect(page).toContain('## A quirk\n\nKept.');
    expect(page).toContain('Under the `rank` preset it runs with `careful` = `true` unless you set it.');
    // published: warns from D = N/2; rank (careful): never
    expect(page).toContain('| published | 1000 | 10 | 500 | D = 500 ≥ N/2 |');
    expect(page).not.toMatch(/\| rank \| 1000/);
    expect(saturationRows(emmsMetric).find((r) => r.preset === 'published' && r.samples === 1000)?.d).toBe(
      500,
    );
  });
});

describe('CLI pages', () => {
  it('documents every command and each of its options from the definitions', () => {
    const { pages } = renderCliPages(cli);
    expect(cli.commands.length).toBeGreaterThan(3);
    for (const c of cli.commands) {
      const page = pages[`${c.name}.md`];
      expect(page).toContain(`# emms ${c.name}`);
      for (const o of c.options) expect(page, `${c.name} --${o.name}`).toContain(`--${o.name}`);
      expect(page).toContain(cli.commandHelp(c).split('\n')[0]);
    }
  });
});

/** A small report in the emms-bench-report v1 shape. */
function report() {
  const models = ['a', 'b', 'c'];
  const values = (xs: number[]) => Object.fromEntries(models.map((m, i) => [m, xs[i]]));
  const agree = (kind: string, tau: number) => ({
    kind,
    models: 3,
    weightedTau: tau,
    kendallTau: tau,
    pearson: 0.5,
    spearman: 0.5,
    weightedPearson: 0.5,
    rel1: 1,
    rel3: 1,
    regret1: 0,
  });
  return {
    schema: 'emms-bench-report',
    version: 1,
    run: {
      createdAt: '2026-12-03T09:00:00Z',
      command: 'emms bench --models 3',
      gitCommit: 'abcdef1',
      machine: { cpus: 2, platform: 'linux', arch: 'x64', nodeVersion: 'v20.20.0', backend: 'js' },
      seconds: 12.5,
    },
    tasks: [
      {
        id: 'mnist-small',
        dataset: 'mnist',
        preprocessing: { reduce: 'none' },
        models: models.map((id) => ({
          id,
          source: 'features',
          featureDim: 8,
          extractSeconds: 0,
          cached: false,
        })),
        groundTruth: {
          'linear-probe': {
            description: 'linear probe accuracy',
            kind: 'measured',
            higherIsBetter: true,
            values: values([0.9, 0.8, 0.7]),
          },
        },
        scores: {
          emms: {
            higherIsBetter: true,
            values: values([-1, -2, -3]),
            seconds: values([0.1, 0.1, 0.1]),
            warnings: {},
            errors: {},
          },
        },
        baselines: {
          'feature-dim': { description: 'feature width', higherIsBetter: true, values: values([8, 8, 8]) },
        },
        agreement: { 'linear-probe': { emms: agree('score', 1), 'feature-dim': agree('baseline', 0) } },
        sweep: {
          truth: 'linear-probe',
          points: [
            { trainPerClass: 5, nTrain: 50, scores: { emms: { weightedTau: 0.2 } } },
            { trainPerClass: 10, nTrain: 100, scores: { emms: { weightedTau: 0.8 } } },
          ],
        },
        notes: [],
      },
    ],
    notes: [],
  };
}

describe('results pages', () => {
  it('skips the pages with a notice when there is no report', async () => {
    const out = await renderResultsPages(join(tmp, 'missing.json'));
    expect(out.pages).toEqual({});
    expect(out.notice).toMatch(/no bench report at .*missing\.json/);
  });

  it('skips a file that is not a bench report, saying why', async () => {
    const path = join(tmp, 'other.json');
    writeFileSync(path, JSON.stringify({ schema: 'something-else' }));
    const out = await renderResultsPages(path);
    expect(out.pages).toEqual({});
    expect(out.notice).toContain('other.json');
  });

  it('renders the run, agreement tables and SVG charts from a report', async () => {
    const path = join(tmp, 'report.json');
    writeFileSync(path, JSON.stringify(report()));
    const out = await renderResultsPages(path, ['emms']);
    expect(out.notice).toBeUndefined();
    expect(out.pages['index.md']).toContain('`emms bench --models 3`');
    expect(out.pages['index.md']).toContain('`abcdef1`');
    const task = out.pages['mnist-small.md'];
    expect(task).toContain('## Agreement with linear-probe');
    expect(task).toMatch(/\| \[emms\]\(\.\.\/scores\/emms\.md\) \| score \| 1\.000 \|/);
    expect(task).toMatch(/\| feature-dim \| baseline \| 0\.000 \|/);
    const charts = [...task.matchAll(/<img src="\/results-charts\/([^"]+)"/g)].map((m) => m[1]);
    expect(charts.length).toBe(2);
    for (const c of charts) expect(out.charts[c]).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(task).toContain('## Train-size sweep');
  });
});

// The pages cannot go stale: the committed data is a suite report the current schema accepts, and a small
// multi-task bench, regenerated here, renders the cross-task sections through the same script.
describe('results pages from a suite report', () => {
  it('the committed data/report.json is a multi-task report with a cross-task section', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const report = parseReport(readFileSync(join(here, '..', 'data', 'report.json'), 'utf8'));
    expect(report.tasks.length).toBeGreaterThanOrEqual(2);
    expect(report.crossTask?.tasks).toEqual(report.tasks.map((t) => t.id));
  });

  it('regenerates the data from a small multi-task bench and renders the cross-task section', async () => {
    const out = join(tmp, 'suite');
    const spec = parseBenchSpec({
      tasks: [
        { dataset: 'mnist', trainPerClass: 5, testPerClass: 5, seed: 0 },
        { dataset: 'fashion-mnist', trainPerClass: 5, testPerClass: 5, seed: 0 },
      ],
      candidates: ['pixels', 'ppocr-cls', 'blazeface-front'],
      scores: ['emms', 'logme', 'sfda', 'hscore'],
      groundTruth: { measured: ['linear-probe'], bootstrapReps: 100 },
      out,
      cache: join(tmp, 'suite-cache'),
    });
    await runBench(spec, { command: 'docs test: a small multi-task bench' });
    const data = updateData(join(out, 'report.json'), join(tmp, 'data', 'report.json'));
    expect(data.tasks).toEqual(['mnist', 'fashion-mnist']);
    expect(data.warning).toBeUndefined();
    const pages = await renderResultsPages(data.path, ['emms']);
    const index = pages.pages['index.md'];
    expect(index).toContain('## Across tasks');
    expect(index).toMatch(/\| emms \| score \| -?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\] \|/);
    expect(index).toContain('EMMS against LogME on the same F-labels');
    expect(index).toContain('**reduce**');
    const cd = [...index.matchAll(/<img src="\/results-charts\/(critical-difference[^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(cd).toHaveLength(1);
    expect(pages.charts[cd[0]]).toMatch(/^<svg[\s\S]*<\/svg>$/);
  }, 600_000);
});
