/**
 * report.csv: the report as one tidy CSV (RFC 4180, comma separated, `\n` line ends, UTF-8, header row).
 *
 * Every row has the same columns; `kind` says what the row holds:
 *
 * | kind        | filled columns                                                                    |
 * |-------------|-----------------------------------------------------------------------------------|
 * | `model`     | task, model, figure (`featureDim`, `fileBytes`, `params`, `extractSeconds`), value; error_code/error_message for a failed model |
 * | `truth`     | task, truth, model, value, rank, seconds (when measured), error_code/error_message |
 * | `score`     | task, ranking (score id), model, value, rank, seconds, warning, error_code, error_message |
 * | `baseline`  | task, ranking (baseline id), model, value, rank                                    |
 * | `agreement` | task, truth, ranking, ranking_kind, figure, value (and on the weightedTau row, warning: the degenerate figures) — one row per figure: `weightedTau`, `weightedTauLow`, `weightedTauHigh`, `kendallTau`, `pearson`, `spearman`, `weightedPearson`, `rel1`, `rel3`, `regret1`, `beatsBaselines` (1/0) |
 * | `sweep`     | task, truth, ranking (score id), figure `trainPerClass=N:weightedTau` (or `:weightedTauLow`, `:weightedTauHigh`), value |
 * | `summary`   | truth, ranking, ranking_kind, figure `meanWeightedTau` (over the summary's tasks) or `publishedWeightedTau`, value; task empty |
 * | `cross-task` | ranking, ranking_kind, figure `meanWeightedTau`, `meanWeightedTauLow`, `meanWeightedTauHigh`, `averageRank`, `pReferenceBeats` (P(EMMS beats it)), `recommended` (1), or task + figure `weightedTau`; value |
 *
 * Ranks are 1-based competition ranks (ties share the smallest rank), best first under the ranking's
 * own direction. Empty cells mean "not applicable". Numbers are written in full precision; text that a
 * spreadsheet would read as a formula starts with `'`.
 */
import { rankModels } from './format';
import type { BenchReport } from './schema';

/** The columns of report.csv, in order. */
export const CSV_COLUMNS = [
  'kind',
  'task',
  'truth',
  'ranking',
  'ranking_kind',
  'model',
  'figure',
  'value',
  'rank',
  'seconds',
  'warning',
  'error_code',
  'error_message',
] as const;

/** One row of report.csv; absent columns are written empty. */
export type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number>>;

/**
 * One CSV field: text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return) gets a leading `'` so it stays text; a field holding a comma, a quote, a line break
 * or edge spaces is quoted (RFC 4180). Numbers are written as they are.
 *
 * @param v - the cell (undefined → empty).
 * @returns the field as written.
 * @example
 * ```ts
 * csvField('a "b", c'); // '"a ""b"", c"'
 * csvField('=HYPERLINK("x")'); // '"\'=HYPERLINK(""x"")"'
 * ```
 */
export function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The rows of report.csv (see the module comment for what each `kind` holds).
 *
 * @param report - a validated bench report.
 * @returns the rows, tasks in order.
 * @example
 * ```ts
 * const rows = reportCsvRows(report).filter((r) => r.kind === 'agreement' && r.figure === 'weightedTau');
 * ```
 */
export function reportCsvRows(report: BenchReport): CsvRow[] {
  const rows: CsvRow[] = [];
  for (const task of report.tasks) {
    const t = task.id;
    for (const m of task.models) {
      for (const figure of ['featureDim', 'fileBytes', 'params', 'extractSeconds'] as const) {
        const v = m[figure];
        if (v !== undefined) rows.push({ kind: 'model', task: t, model: m.id, figure, value: v });
      }
      if (m.error) {
        rows.push({
          kind: 'model',
          task: t,
          model: m.id,
          figure: 'error',
          error_code: m.error.code,
          error_message: m.error.message,
        });
      }
    }
    for (const [truthId, truth] of Object.entries(task.groundTruth)) {
      const ranks = rankModels(truth.values, truth.higherIsBetter);
      for (const [model, value] of Object.entries(truth.values)) {
        rows.push({
          kind: 'truth',
          task: t,
          truth: truthId,
          model,
          value,
          rank: ranks.get(model),
          seconds: truth.seconds?.[model],
        });
      }
      for (const [model, e] of Object.entries(truth.errors ?? {})) {
        rows.push({
          kind: 'truth',
          task: t,
          truth: truthId,
          model,
          error_code: e.code,
          error_message: e.message,
        });
      }
    }
    for (const [scoreId, score] of Object.entries(task.scores)) {
      const ranks = rankModels(score.values, score.higherIsBetter);
      const models = new Set([...Object.keys(score.values), ...Object.keys(score.errors)]);
      for (const model of task.models.map((m) => m.id).filter((id) => models.has(id))) {
        const e = score.errors[model];
        rows.push({
          kind: 'score',
          task: t,
          ranking: scoreId,
          ranking_kind: 'score',
          model,
          value: score.values[model],
          rank: ranks.get(model),
          seconds: score.seconds[model],
          warning: score.warnings[model],
          error_code: e?.code,
          error_message: e?.message,
        });
      }
    }
    for (const [baselineId, b] of Object.entries(task.baselines)) {
      const ranks = rankModels(b.values, b.higherIsBetter);
      for (const [model, value] of Object.entries(b.values)) {
        rows.push({
          kind: 'baseline',
          task: t,
          ranking: baselineId,
          ranking_kind: 'baseline',
          model,
          value,
          rank: ranks.get(model),
        });
      }
    }
    for (const [truthId, byRanking] of Object.entries(task.agreement)) {
      for (const [rankingId, a] of Object.entries(byRanking)) {
        const figures: [string, number | undefined][] = [
          ['weightedTau', a.weightedTau],
          ['weightedTauLow', a.weightedTauInterval?.low],
          ['weightedTauHigh', a.weightedTauInterval?.high],
          ['kendallTau', a.kendallTau],
          ['pearson', a.pearson],
          ['spearman', a.spearman],
          ['weightedPearson', a.weightedPearson],
          ['rel1', a.rel1],
          ['rel3', a.rel3],
          ['regret1', a.regret1],
          ['beatsBaselines', a.beatsBaselines === undefined ? undefined : a.beatsBaselines ? 1 : 0],
        ];
        for (const [figure, value] of figures) {
          if (value === undefined) continue;
          rows.push({
            kind: 'agreement',
            task: t,
            truth: truthId,
            ranking: rankingId,
            ranking_kind: a.kind,
            figure,
            value,
            warning: figure === 'weightedTau' && a.warnings?.length ? a.warnings.join('; ') : undefined,
          });
        }
      }
    }
    if (task.sweep) {
      for (const p of task.sweep.points) {
        for (const [scoreId, s] of Object.entries(p.scores)) {
          const base = {
            kind: 'sweep',
            task: t,
            truth: task.sweep.truth,
            ranking: scoreId,
            ranking_kind: 'score',
          };
          rows.push({
            ...base,
            figure: `trainPerClass=${p.trainPerClass}:weightedTau`,
            value: s.weightedTau,
          });
          if (s.weightedTauInterval) {
            rows.push({
              ...base,
              figure: `trainPerClass=${p.trainPerClass}:weightedTauLow`,
              value: s.weightedTauInterval.low,
            });
            rows.push({
              ...base,
              figure: `trainPerClass=${p.trainPerClass}:weightedTauHigh`,
              value: s.weightedTauInterval.high,
            });
          }
        }
      }
    }
  }
  for (const sum of report.summaries) {
    for (const [id, value] of Object.entries(sum.meanWeightedTau)) {
      rows.push({
        kind: 'summary',
        truth: sum.truth,
        ranking: id,
        ranking_kind: sum.kinds[id],
        figure: 'meanWeightedTau',
        value,
      });
    }
    for (const [id, value] of Object.entries(sum.published?.values ?? {})) {
      rows.push({ kind: 'summary', truth: sum.truth, ranking: id, figure: 'publishedWeightedTau', value });
    }
  }
  rows.push(...crossTaskRows(report));
  return rows;
}

function crossTaskRows(report: BenchReport): CsvRow[] {
  const c = report.crossTask;
  if (!c) return [];
  const rows: CsvRow[] = [];
  for (const [id, s] of Object.entries(c.scores)) {
    const base = { kind: 'cross-task', ranking: id, ranking_kind: s.kind } as const;
    rows.push(
      { ...base, figure: 'meanWeightedTau', value: s.meanWeightedTau },
      { ...base, figure: 'meanWeightedTauLow', value: s.interval[0] },
      { ...base, figure: 'meanWeightedTauHigh', value: s.interval[1] },
    );
    if (s.averageRank !== undefined) rows.push({ ...base, figure: 'averageRank', value: s.averageRank });
    const p = c.beats?.probability[id];
    if (p !== undefined) rows.push({ ...base, figure: 'pReferenceBeats', value: p });
    if (id === c.recommended) rows.push({ ...base, figure: 'recommended', value: 1 });
    for (const [task, value] of Object.entries(s.perTask)) {
      rows.push({ ...base, task, figure: 'weightedTau', value });
    }
  }
  return rows;
}

/**
 * report.csv as text: a header of {@link CSV_COLUMNS} and one line per {@link reportCsvRows} row.
 *
 * @param report - a validated bench report.
 * @returns the CSV text, ending with a line break.
 * @example
 * ```ts
 * writeFileSync('report.csv', reportToCsv(report));
 * ```
 */
export function reportToCsv(report: BenchReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of reportCsvRows(report)) lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}
