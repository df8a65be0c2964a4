import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { afterAll, describe, expect, it } from 'vitest';
import reference from '../test-data/cross-task-report-reference.json';
import { crossTaskSection, ENSEMBLE_ID, paperKindOf } from './cross-task-section';
import { reportCsvRows } from './csv';
import { reportToHtml } from './html';
import { reportToMarkdown } from './markdown';
import { type BenchReport, parseReport, type TaskReport } from './schema';
import { sampleReport } from './testing';
import { writeReports } from './write';

type RefTask = (typeof reference.tasks)[number];

/** A task section of a report from one task of the scipy reference. */
function taskOf(r: RefTask, rename: (m: string) => string = (m) => m): TaskReport {
  const rec = (v: Record<string, number>) =>
    Object.fromEntries(Object.entries(v).map(([m, x]) => [rename(m), x]));
  const models = reference.models.map((m) => ({
    id: rename(m),
    source: 'features',
    extractSeconds: 0,
    cached: false,
  }));
  return {
    id: r.id,
    dataset: 'mnist',
    preprocessing: { reduce: 'auto' },
    models,
    groundTruth: {
      'linear-probe': {
        description: 'probe',
        kind: 'measured',
        higherIsBetter: true,
        values: rec(r.truth),
        correct: Object.fromEntries(Object.entries(r.correct).map(([m, c]) => [rename(m), c])),
      },
    },
    scores: Object.fromEntries(
      Object.entries(r.scores).map(([id, s]) => [
        id,
        { higherIsBetter: s.higherIsBetter, values: rec(s.values), seconds: {}, warnings: {}, errors: {} },
      ]),
    ),
    baselines: Object.fromEntries(
      Object.entries(r.baselines).map(([id, v]) => [
        id,
        { description: id, higherIsBetter: true, values: rec(v) },
      ]),
    ),
    agreement: {},
    speed: r.speed,
    alternatives: Object.fromEntries(
      Object.entries(r.alternatives).map(([id, a]) => [
        id,
        {
          choice: a.choice,
          option: a.option,
          current: a.current,
          description: id,
          scores: Object.fromEntries(Object.entries(a.scores).map(([s, v]) => [s, rec(v)])),
        },
      ]),
    ),
    notes: [],
  } as TaskReport;
}

function suiteReport(rename?: (m: string) => string): BenchReport {
  const base = sampleReport();
  const tasks = reference.tasks.map((r) => taskOf(r, rename));
  return parseReport({ ...base, tasks, summaries: [], crossTask: crossTaskSection(tasks, { reps: 200 }) });
}

const e = reference.expected;

describe('crossTaskSection against scipy (scripts/cross_task_report_reference.py)', () => {
  const report = suiteReport();
  const c = report.crossTask!;

  it('has every ranking with its weighted τ per task, mean and average rank', () => {
    expect(c.tasks).toEqual(reference.tasks.map((t) => t.id));
    for (const [id, mean] of Object.entries(e.meanWeightedTau)) {
      expect(c.scores[id]!.meanWeightedTau).toBeCloseTo(mean, 12);
      expect(c.scores[id]!.averageRank).toBeCloseTo(e.averageRank[id as keyof typeof e.averageRank], 12);
      for (const t of c.tasks) {
        const want = e.weightedTau[t as keyof typeof e.weightedTau][id as 'emms'];
        expect(c.scores[id]!.perTask[t]).toBeCloseTo(want, 12);
      }
      const [low, high] = c.scores[id]!.interval;
      expect(low).toBeLessThanOrEqual(high);
    }
    expect(c.scores['file-size']!.kind).toBe('baseline');
    expect(c.scores[ENSEMBLE_ID]!.kind).toBe('ensemble');
  });

  it('chooses the ensemble members on the other tasks as the reference does', () => {
    expect(c.ensemble!.perTask).toHaveLength(e.ensemble.length);
    c.ensemble!.perTask.forEach((p, i) => {
      expect(p.task).toBe(e.ensemble[i]!.task);
      expect(p.members).toEqual(e.ensemble[i]!.members);
      expect(p.weightedTau).toBeCloseTo(e.ensemble[i]!.weightedTau, 12);
    });
  });

  it('gives the Friedman statistic, p-value and critical difference of scipy', () => {
    expect(c.friedman!.chiSquare).toBeCloseTo(e.friedman.chiSquare, 10);
    expect(c.friedman!.pValue).toBeCloseTo(e.friedman.pValue, 8);
    expect(c.friedman!.df).toBe(e.friedman.df);
    expect(c.nemenyi!.criticalDifference).toBeCloseTo(e.criticalDifference, 3);
  });

  it('validates each tuned choice leave-one-task-out', () => {
    for (const [choice, rows] of Object.entries(e.heldOut)) {
      const h = c.heldOut![choice]!;
      expect(h.perTask.map((p) => p.task)).toEqual(rows.map((r) => r.task));
      h.perTask.forEach((p, i) => {
        expect(p.chosen).toBe(rows[i]!.chosen);
        expect(p.trainTau).toBeCloseTo(rows[i]!.trainTau, 12);
        expect(p.heldOutTau).toBeCloseTo(rows[i]!.heldOutTau, 12);
      });
    }
  });

  it('puts EMMS against LogME on the F-labels beside the paper', () => {
    const [v] = c.emmsVsLogme!;
    expect(v!.kind).toBe('recognition');
    expect(v!.emmsTau).toBeCloseTo(e.emmsVsLogme.emmsTau, 12);
    expect(v!.logmeTau).toBeCloseTo(e.emmsVsLogme.logmeTau, 12);
    expect(v!.gainPercent).toBeCloseTo(e.emmsVsLogme.gainPercent, 9);
    expect(v!.speedup).toBeCloseTo(e.emmsVsLogme.speedup, 12);
    expect(v!.paper).toEqual({ gainPercent: 9.0, speedup: 5.13 });
  });

  it('recommends the ensemble only where it beats every single score', () => {
    const singles = Object.entries(c.scores).filter(([id, s]) => s.kind === 'score' && id !== ENSEMBLE_ID);
    const best = Math.max(...singles.map(([, s]) => s.meanWeightedTau));
    const ens = c.scores[ENSEMBLE_ID]!.meanWeightedTau;
    if (ens > best) expect(c.recommended).toBe(ENSEMBLE_ID);
    else {
      expect(c.recommended).not.toBe(ENSEMBLE_ID);
      expect(c.recommendation).toMatch(/not recommended/);
    }
    expect(c.scores[c.recommended]!.kind).not.toBe('baseline');
  });
});

describe('the crossTask schema', () => {
  it('is left out with one task', () => {
    expect(crossTaskSection([taskOf(reference.tasks[0]!)])).toBeUndefined();
  });

  it('rejects a task that is not in the report, an unknown field and a NaN', () => {
    const good = suiteReport();
    const bad = (patch: (r: Record<string, unknown>) => void) => {
      const r = structuredClone(good) as unknown as Record<string, unknown>;
      patch(r);
      return () => parseReport(r);
    };
    expect(bad((r) => ((r.crossTask as { tasks: string[] }).tasks[0] = 'nope'))).toThrow(/crossTask/);
    expect(bad((r) => ((r.crossTask as Record<string, unknown>).extra = 1))).toThrow(/crossTask/);
    expect(
      bad(
        (r) =>
          ((r.crossTask as { scores: { emms: { meanWeightedTau: number } } }).scores.emms.meanWeightedTau =
            Number.NaN),
      ),
    ).toThrow(/crossTask\.scores\.emms\.meanWeightedTau/);
    expect(
      bad((r) => {
        (r.tasks as TaskReport[])[0]!.alternatives!['reduce=none']!.scores.emms!.ghost = 1;
      }),
    ).toThrow(/not a model of this task/);
  });

  it('resamples the items of a ground truth given as per-item results (IoU, R² errors)', () => {
    const tasks = reference.tasks.map((r) => taskOf(r));
    const withoutCorrect = tasks.map((t, i) => {
      const g = t.groundTruth['linear-probe']!;
      const { correct, ...rest } = g;
      const items =
        i === 0
          ? {
              kind: 'r2',
              squaredError: Object.fromEntries(
                reference.models.map((m, j) => [m, [j / 10, 0.2, 0.1, j / 20]]),
              ),
              targets: { rows: 2, cols: 2, data: [0, 1, 1, 3] },
            }
          : {
              kind: 'mean',
              values: Object.fromEntries(Object.entries(correct!).map(([m, c]) => [m, [...c].map(Number)])),
            };
      return { ...t, groundTruth: { 'linear-probe': { ...rest, items } } } as unknown as TaskReport;
    });
    const c = crossTaskSection(withoutCorrect, { reps: 50 })!;
    expect(c.notes.join(' ')).not.toMatch(/task level only/);
    const none = crossTaskSection(
      tasks.map((t) => {
        const { correct: _c, ...rest } = t.groundTruth['linear-probe']!;
        return { ...t, groundTruth: { 'linear-probe': rest } };
      }),
      { reps: 50 },
    )!;
    expect(none.notes.join(' ')).toMatch(/task level only/);
  });

  it('names the paper kind of a task from its ground truths', () => {
    const t = (dataset: string, truth = 'linear-probe') =>
      ({ dataset, groundTruth: { [truth]: {} } }) as unknown as TaskReport;
    expect(paperKindOf(t('fashion-mnist'))).toBe('recognition');
    expect(paperKindOf(t('captioned-fashion-mnist'))).toBe('recognition'); // classified, not captioned
    expect(paperKindOf(t('captioned-fashion-mnist', 'caption-retrieval'))).toBe('captioning');
    expect(paperKindOf(t('referring-mnist', 'ridge-iou'))).toBe('referring');
    expect(paperKindOf(t('referring-mnist', 'ridge-r2'))).toBe('referring');
    expect(paperKindOf(t('boxes.csv', 'ridge-r2'))).toBe('regression');
    expect(paperKindOf(t('spam-assassin'))).toBe('text-classification');
  });
});

describe('rendering the cross-task section', () => {
  const nasty = (m: string) => (m === 'm0' ? '<img src=x onerror=alert(1)>*m0*' : m);
  const report = suiteReport(nasty);
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('shows the table, the tests, the held-out choices, the ensemble and the paper in Markdown', () => {
    const md = reportToMarkdown(report);
    expect(md).toContain('## Across tasks');
    expect(md).toMatch(/\*\*Recommended: \*\*|Recommended/);
    expect(md).toContain('Friedman test');
    expect(md).toContain('Nemenyi critical difference');
    expect(md).toContain('![critical-difference diagram](cd-diagram.svg)');
    expect(md).toContain('Preset choices validated leave-one-task-out');
    expect(md).toContain('**logme-variant**');
    expect(md).toMatch(/\| recognition \| task0, task1, task2, task3 \|.*\| 9\.0% \|.*\| 5\.13× \|/);
    const html = new MarkdownIt({ linkify: true }).render(md);
    // the one image is the diagram the writer puts beside report.md; names make no markup
    expect(html.match(/<img[^>]*>/g)).toEqual([
      '<img src="cd-diagram.svg" alt="critical-difference diagram">',
    ]);
    expect(html).not.toMatch(/<a /);
  });

  it('shows a ground truth’s precision: verdict, standard errors and neighbouring pairs', async () => {
    const withPrecision = structuredClone(report) as BenchReport;
    const g = withPrecision.tasks[0]!.groundTruth['linear-probe']!;
    const order = Object.keys(g.values).sort((a, b) => g.values[b]! - g.values[a]!);
    g.precision = {
      values: g.values,
      order,
      maxStandardError: 0.079,
      separatedPairs: 1,
      standardErrors: Object.fromEntries(order.map((m, i) => [m, 0.05 + i / 1000])),
      medianGap: 0.05,
      precise: false,
      pairs: order.slice(1).map((worse, i) => ({
        better: order[i]!,
        worse,
        gap: g.values[order[i]!]! - g.values[worse]!,
        interval: [-0.01, 0.2] as [number, number],
        probability: 0.9,
        separated: i === 0,
      })),
      verdict: 'cannot-separate',
      summary: `cannot separate its models (pairs it can: ${order[0]} > ${order[1]})`,
      items: 40,
      reps: 1000,
      level: 0.95,
      testItemsNeeded: 640,
    };
    const valid = parseReport(withPrecision);
    const md = reportToMarkdown(valid);
    expect(md).toContain('### Ground-truth precision (linear-probe)');
    expect(md).toContain('**Cannot separate its models**');
    expect(md).toContain('about 640 test items would bring every standard error below half the median gap');
    const precision = md.slice(md.indexOf('### Ground-truth precision'));
    expect(precision).toContain('| &lt;img src=x onerror=alert(1)&gt;\\*m0\\* |');
    expect(precision).not.toContain('<img');
    expect(md).toMatch(/\| 0\.0500 \|/);
    const html = await reportToHtml(valid);
    expect(html).toContain('Ground-truth precision (linear-probe)');
    expect(html).not.toContain('<img src=x');
  });

  it('exports the cross-task figures to report.csv', () => {
    const rows = reportCsvRows(report).filter((r) => r.kind === 'cross-task');
    const emms = report.crossTask!.scores.emms!;
    expect(rows).toContainEqual({
      kind: 'cross-task',
      ranking: 'emms',
      ranking_kind: 'score',
      figure: 'meanWeightedTau',
      value: emms.meanWeightedTau,
    });
    expect(rows.filter((r) => r.figure === 'recommended')).toEqual([
      expect.objectContaining({ ranking: report.crossTask!.recommended, value: 1 }),
    ]);
    expect(rows.filter((r) => r.ranking === 'emms' && r.figure === 'weightedTau')).toHaveLength(4);
  });

  it('embeds the diagram in report.html and escapes names', async () => {
    const html = await reportToHtml(report);
    expect(html).toContain('id="across-tasks"');
    expect(html).toContain('Nemenyi');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThan(0);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x');
  });

  it('writes cd-diagram.svg beside report.md, and removes it when a report has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cross-'));
    dirs.push(dir);
    const paths = await writeReports(report, dir);
    expect(paths.cd).toBe(join(dir, 'cd-diagram.svg'));
    expect(readFileSync(paths.cd!, 'utf8')).toMatch(/^<svg/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const single = await writeReports(sampleReport(), dir);
    expect(single.cd).toBeUndefined();
    expect(readdirSync(dir)).not.toContain('cd-diagram.svg');
  });
});
