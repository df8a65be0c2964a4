import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CrossTaskInput, crossTaskStatistics, recommendScore } from './cross-task';
import { CrossTaskSchema, ItemTruthSchema, TruthPrecisionSchema } from './cross-task-schema';
import { itemTruthEvaluator } from './item-truth';
import { emmsVsLogme, PAPER_HEADLINE } from './paper-headline';
import { truthPrecision } from './precision';
import { cliques, friedmanTest, nemenyiCriticalDifference, rankTable } from './rank-tests';
import { cdDiagramOption, cdDiagramSvg } from './report/cd-diagram';

const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('./test-data/cross-task-reference.json', import.meta.url)), 'utf8'),
);

describe('Friedman test and Iman–Davenport F against scipy (scripts/cross_task_reference.py)', () => {
  const cases = reference.friedman as {
    table: number[][];
    chiSquare: number;
    pValue: number;
    averageRank: number[];
    f: number;
    fPValue: number;
  }[];
  it.each(cases.map((c, i) => ({ i, c })))('table $i', ({ c }) => {
    const r = friedmanTest(c.table);
    expect(r.chiSquare).toBeCloseTo(c.chiSquare, 10);
    expect(r.pValue).toBeCloseTo(c.pValue, 10);
    expect(rankTable(c.table).average).toEqual(c.averageRank.map((v) => expect.closeTo(v, 12)));
    expect(r.imanDavenport!.f).toBeCloseTo(c.f, 10);
    // jStat's incomplete beta is good to about 1e-9
    expect(Math.abs(r.imanDavenport!.pValue - c.fPValue)).toBeLessThan(1e-8);
    expect(r.df).toBe(c.table[0].length - 1);
    expect(r.imanDavenport!.df2).toBe((c.table[0].length - 1) * (c.table.length - 1));
  });

  it('follows Demšar’s worked example (14 data sets, 4 classifiers): χ²_F 9.28, F_F 3.69, CD 1.25', () => {
    // Demšar 2006, section 3.2.4: average ranks 3.143, 2.000, 2.893, 1.964 (no ties needed for χ²_F)
    const ranks = [3.143, 2.0, 2.893, 1.964];
    const chi = ((12 * 14) / (4 * 5)) * (ranks.reduce((s, r) => s + r * r, 0) - (4 * 25) / 4);
    expect(chi).toBeCloseTo(9.28, 2);
    expect((13 * chi) / (14 * 3 - chi)).toBeCloseTo(3.69, 2);
    expect(nemenyiCriticalDifference(4, 14).criticalDifference).toBeCloseTo(1.25, 2);
  });

  it('has no F when every task ranks the scores alike (F unbounded)', () => {
    const r = friedmanTest([
      [0.9, 0.5, 0.1],
      [0.8, 0.4, 0.2],
      [0.7, 0.6, 0.3],
    ]);
    expect(r.chiSquare).toBeCloseTo(6, 12);
    expect(r.imanDavenport).toBeUndefined();
    expect(r.pValue).toBeCloseTo(Math.exp(-3), 12); // χ²₂ survival e^(−x/2)
  });
});

describe('Nemenyi critical difference', () => {
  // Demšar 2006, table 5(a): q_0.05 and q_0.10 for k = 2..10
  const demsar = {
    '0.05': [1.96, 2.343, 2.569, 2.728, 2.85, 2.949, 3.031, 3.102, 3.164],
    '0.1': [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.78, 2.855, 2.92],
  };
  it.each(Object.entries(demsar))('q at α = %s matches Demšar’s table to three decimals', (alpha, qs) => {
    qs.forEach((q, i) => {
      // the table truncates (k = 3: 2.3437 printed 2.343)
      expect(Math.abs(nemenyiCriticalDifference(i + 2, 10, Number(alpha)).q - q)).toBeLessThan(1e-3);
    });
  });
  it('q matches scipy.stats.studentized_range / √2 for k = 2..20', () => {
    for (const [alpha, byK] of Object.entries(
      reference.studentizedRange as Record<string, Record<string, number>>,
    )) {
      for (const [k, q] of Object.entries(byK)) {
        expect(Math.abs(nemenyiCriticalDifference(Number(k), 5, Number(alpha)).q - q), `k=${k}`).toBeLessThan(
          1e-6,
        );
      }
    }
  });
  it('groups rankings whose average ranks are within the CD', () => {
    expect(cliques({ a: 1.2, b: 1.9, c: 3.5, d: 3.9 }, 1)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(cliques({ a: 1, b: 1.6, c: 2.2 }, 1)).toEqual([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    expect(cliques({ a: 1, b: 3 }, 1)).toEqual([]);
  });
});

function suiteTasks(): CrossTaskInput[] {
  return reference.suite.tasks.map(
    (t: { id: string; truth: Record<string, number>; rankings: Record<string, Record<string, number>> }) => ({
      id: t.id,
      truth: t.truth,
      rankings: {
        emms: { values: t.rankings.emms },
        logme: { values: t.rankings.logme },
        size: { values: t.rankings.size, kind: 'baseline' as const },
      },
    }),
  );
}

describe('crossTaskStatistics', () => {
  const tasks = suiteTasks();
  const cross = crossTaskStatistics(tasks, { reps: 20000, seed: 3 });

  it('gives each task’s weighted τ as scipy and their mean', () => {
    reference.suite.tasks.forEach((t: { id: string; weightedTau: Record<string, number> }) => {
      for (const r of ['emms', 'logme', 'size'])
        expect(cross.scores[r].perTask[t.id]).toBeCloseTo(t.weightedTau[r], 12);
    });
    for (const r of ['emms', 'logme', 'size']) {
      expect(cross.scores[r].meanWeightedTau).toBeCloseTo(reference.suite.exact[r].mean, 12);
    }
  });

  it('task-level bootstrap intervals and P(EMMS beats) match the exact bootstrap distribution', () => {
    for (const r of ['emms', 'logme', 'size']) {
      expect(Math.abs(cross.scores[r].interval[0] - reference.suite.exact[r].low), r).toBeLessThan(0.01);
      expect(Math.abs(cross.scores[r].interval[1] - reference.suite.exact[r].high), r).toBeLessThan(0.01);
    }
    for (const r of ['logme', 'size']) {
      expect(Math.abs(cross.beats!.probability[r] - reference.suite.beats[r]), r).toBeLessThan(0.01);
    }
    expect(cross.notes.join(' ')).toMatch(/task level only/);
  });

  it('ranks, tests and recommends; the result validates against CrossTaskSchema', () => {
    const table = tasks.map((t) => ['emms', 'logme', 'size'].map((r) => cross.scores[r].perTask[t.id]));
    const ranks = rankTable(table).average;
    expect(cross.scores.emms.averageRank).toBeCloseTo(ranks[0], 12);
    expect(cross.friedman!.chiSquare).toBeCloseTo(friedmanTest(table).chiSquare, 12);
    expect(cross.nemenyi!.criticalDifference).toBeCloseTo(
      nemenyiCriticalDifference(3, 5).criticalDifference,
      12,
    );
    expect(cross.recommended).toBe('emms');
    expect(CrossTaskSchema.parse(cross)).toBeTruthy();
  });

  it('widens with the item level and stays reproducible for a seed', () => {
    const withItems = tasks.map((t, i) => {
      const models = Object.keys(t.truth);
      // 60 items per model whose mean is near the task's truth
      const values = Object.fromEntries(
        models.map((m) => [
          m,
          Float64Array.from({ length: 60 }, (_, j) => (((j * 7 + i) % 60) / 60 < t.truth[m] ? 1 : 0)),
        ]),
      );
      const truth = Object.fromEntries(models.map((m) => [m, values[m].reduce((s, v) => s + v, 0) / 60]));
      return { ...t, truth, items: { kind: 'mean' as const, values } };
    });
    const a = crossTaskStatistics(withItems, { reps: 300, seed: 1 });
    expect(crossTaskStatistics(withItems, { reps: 300, seed: 1 })).toEqual(a);
    expect(a.notes.join(' ')).not.toMatch(/task level only/);
    for (const r of ['emms', 'logme'])
      expect(a.scores[r].interval[0]).toBeLessThanOrEqual(a.scores[r].meanWeightedTau + 1e-12);
  });

  it('leaves a ranking missing on a task out of the ranks and says so', () => {
    const partial = suiteTasks();
    const { logme: _, ...rest } = partial[0].rankings;
    partial[0] = { ...partial[0], rankings: rest };
    const c = crossTaskStatistics(partial, { reps: 50 });
    expect(c.scores.logme.complete).toBe(false);
    expect(c.scores.logme.averageRank).toBeUndefined();
    expect(Object.keys(c.scores.logme.perTask)).toEqual(['t1', 't2', 't3', 't4']);
    expect(c.notes[0]).toMatch(/logme \(t0\)/);
    expect(c.friedman).toBeUndefined(); // two complete rankings only
  });

  it('leaves out a ranking with fewer than three models on every task (no NaN)', () => {
    const tasks2 = suiteTasks().map((t) => ({
      ...t,
      rankings: { ...t.rankings, leep: { values: { m0: 1, m1: 2 } } },
    }));
    const c = crossTaskStatistics(tasks2, { reps: 50 });
    expect(c.scores.leep).toBeUndefined();
    expect(c.notes.join(' ')).toMatch(/fewer than three models on every task, so left out: leep/);
    expect(CrossTaskSchema.parse(c)).toBeTruthy();
  });
});

describe('recommendScore', () => {
  const s = (meanWeightedTau: number, kind: 'score' | 'baseline' | 'ensemble' = 'score') => ({
    meanWeightedTau,
    kind,
    complete: true,
  });
  it('recommends the ensemble only when it beats every single score', () => {
    expect(recommendScore({ emms: s(0.6), sfda: s(0.5), ens: s(0.61, 'ensemble') }, 'ens').recommended).toBe(
      'ens',
    );
    const r = recommendScore({ emms: s(0.6), sfda: s(0.5), ens: s(0.6, 'ensemble') }, 'ens');
    expect(r.recommended).toBe('emms');
    expect(r.recommendation).toMatch(/ensemble ens \(0\.600\) does not beat emms/);
  });
  it('never recommends a static baseline', () => {
    expect(recommendScore({ size: s(0.9, 'baseline'), emms: s(0.3) }).recommended).toBe('emms');
  });
});

describe('EMMS against LogME per task kind', () => {
  it('computes gains and speed-ups per kind beside the paper', () => {
    const r = emmsVsLogme([
      { task: 'a', kind: 'recognition', emmsTau: 0.8, logmeTau: 0.6, emmsSeconds: 1, logmeSeconds: 4 },
      { task: 'b', kind: 'recognition', emmsTau: 0.6, logmeTau: 0.6, emmsSeconds: 1, logmeSeconds: 6 },
      { task: 'c', kind: 'spam', emmsTau: 0.5, logmeTau: 0, emmsSeconds: 0, logmeSeconds: 1 },
    ]);
    expect(r[0]).toMatchObject({ kind: 'recognition', tasks: ['a', 'b'], speedup: 5 });
    expect(r[0].gain).toBeCloseTo(0.1, 12);
    expect(r[0].gainPercent).toBeCloseTo(16.666666666666668, 10);
    expect(r[0].paper).toEqual({ gainPercent: 9, speedup: 5.13 });
    expect(r[1].gainPercent).toBeUndefined();
    expect(r[1].speedup).toBeUndefined();
    expect(r[1].paper).toBeUndefined();
    expect(PAPER_HEADLINE.kinds.vqa).toEqual({ gainPercent: 54.8, speedup: 6.19 });
  });
});

describe('critical-difference diagram', () => {
  const input = {
    scores: {
      emms: { averageRank: 1.4 },
      sfda: { averageRank: 2.1 },
      logme: { averageRank: 2.6 },
      'file-size': { averageRank: 3.9, kind: 'baseline' },
    },
    nemenyi: {
      alpha: 0.05,
      criticalDifference: 1.2,
      cliques: [
        ['emms', 'sfda', 'logme'],
        ['logme', 'file-size'],
      ],
    },
    taskCount: 8,
  };
  it('builds an ECharts option with one label per ranking, the CD bar and the clique bars', () => {
    const cd = cdDiagramOption(input)!;
    const series = cd.option.series as { type: string; data: unknown[]; endLabel?: { formatter: string } }[];
    const labels = series
      .filter((s) => s.type === 'scatter')
      .map((s) => (s.data[0] as { name: string }).name);
    expect(labels.sort()).toEqual(['emms (1.40)', 'file-size (3.90)', 'logme (2.60)', 'sfda (2.10)']);
    expect(series.some((s) => s.endLabel?.formatter === 'CD = 1.20')).toBe(true);
    expect(cdDiagramOption({ scores: input.scores })).toBeUndefined();
  });
  it('renders to SVG with ECharts server-side', async () => {
    const svg = await cdDiagramSvg(input);
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(svg).toContain('CD = 1.20');
    expect(svg).toContain('emms (1.40)');
  });
});

describe('browser safety of @emms/harness/stats', () => {
  const files = [
    'stats.ts',
    'cross-task.ts',
    'cross-task-schema.ts',
    'held-out.ts',
    'item-truth.ts',
    'paper-headline.ts',
    'precision.ts',
    'rank-tests.ts',
  ];
  it.each(files)('%s imports only browser-safe modules', (file) => {
    const text = readFileSync(fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) expect(spec).toMatch(/^(@emms\/tensor-io|jstat|zod|\.\/[\w-]+)$/);
  });
});

describe('report schemas of per-item truth and precision', () => {
  it('round-trips per-item R² results through JSON and validates a precision', () => {
    const items = {
      kind: 'r2' as const,
      squaredError: { a: [0.1, 0.2, 0.0, 0.3], b: [0.4, 0.1, 0.2, 0.2], c: [0.9, 0.8, 0.7, 0.6] },
      targets: { rows: 4, cols: 1, data: [1, 2, 3, 4] },
    };
    const parsed = ItemTruthSchema.parse(JSON.parse(JSON.stringify(items)));
    if (parsed.kind !== 'r2') throw new Error('kind');
    const truth = { ...parsed, targets: { ...parsed.targets, data: Float64Array.from(parsed.targets.data) } };
    const out = new Float64Array(3);
    itemTruthEvaluator(truth, ['a', 'b', 'c']).evaluate(null, out);
    // SST = 5: R² = 1 − SSE/5
    expect(Array.from(out)).toEqual([1 - 0.6 / 5, 1 - 0.9 / 5, 1 - 3 / 5].map((v) => expect.closeTo(v, 12)));
    const p = truthPrecision(truth, { reps: 100 });
    expect(TruthPrecisionSchema.parse({ ...p, testItemsNeeded: 10 })).toBeTruthy();
    expect(() => ItemTruthSchema.parse({ kind: 'mean', values: { a: [Number.NaN] } })).toThrow();
  });
});
