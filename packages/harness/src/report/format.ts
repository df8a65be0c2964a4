/**
 * Small shared helpers of the report renderers: ranking, number formatting, model ordering. No Node
 * imports (the docs app renders reports in the browser).
 */
import type { BenchReport, IntervalInfo, ModelInfo, TaskReport } from './schema';

/**
 * Competition ranks ("1224") of models by value: rank 1 is the best, tied values share the smallest rank.
 *
 * @param values - value per model id.
 * @param higherIsBetter - whether a larger value ranks first.
 * @returns rank per model id (1-based).
 * @example
 * ```ts
 * rankModels({ a: 0.9, b: 0.5, c: 0.9 }, true); // Map { a → 1, c → 1, b → 3 }
 * ```
 */
export function rankModels(values: Record<string, number>, higherIsBetter: boolean): Map<string, number> {
  const entries = Object.entries(values).sort((p, q) => (higherIsBetter ? q[1] - p[1] : p[1] - q[1]));
  const ranks = new Map<string, number>();
  entries.forEach(([id, v], i) => {
    const prev = entries[i - 1];
    ranks.set(id, prev !== undefined && prev[1] === v ? ranks.get(prev[0])! : i + 1);
  });
  return ranks;
}

/**
 * Formats a finite number with `digits` decimals (no exponent for ordinary magnitudes, no "-0").
 *
 * @param x - the number.
 * @param digits - decimals (default 3).
 * @returns the text; "–" for a non-finite input (reports never hold one).
 * @example
 * ```ts
 * fmtFixed(0.83); // '0.830'
 * ```
 */
export function fmtFixed(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  const s = x.toFixed(digits);
  return s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s;
}

/**
 * Formats a value compactly: integers in full (grouped by thousands from 10,000), other numbers with 4
 * significant digits, an exponent only when very large or small.
 *
 * @param x - the number.
 * @returns the text; "–" for a non-finite input.
 * @example
 * ```ts
 * fmtValue(46_800_000); // '46,800,000'
 * fmtValue(0.123456); // '0.1235'
 * ```
 */
export function fmtValue(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e15) return a >= 10_000 ? x.toLocaleString('en-US') : String(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/**
 * Formats seconds: milliseconds below one second, otherwise seconds with two decimals.
 *
 * @param s - seconds.
 * @returns e.g. "210 ms" or "8.71 s".
 * @example
 * ```ts
 * fmtSeconds(0.21); // '210 ms'
 * ```
 */
export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s === 0) return '0 s';
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms`;
  return `${s.toFixed(2)} s`;
}

/**
 * Formats a byte count in binary units.
 *
 * @param n - bytes.
 * @returns e.g. "44.6 MiB".
 * @example
 * ```ts
 * fmtBytes(46_800_000); // '44.6 MiB'
 * ```
 */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/**
 * Formats a weighted τ with its interval.
 *
 * @param tau - the weighted τ.
 * @param interval - its bootstrap interval, if any.
 * @returns e.g. "0.812 [0.700, 0.901]", or "0.812" without an interval.
 * @example
 * ```ts
 * fmtTau(0.812, { low: 0.7, high: 0.901, level: 0.95, reps: 1000 }); // '0.812 [0.700, 0.901]'
 * ```
 */
export function fmtTau(tau: number, interval?: IntervalInfo): string {
  return interval
    ? `${fmtFixed(tau)} [${fmtFixed(interval.low)}, ${fmtFixed(interval.high)}]`
    : fmtFixed(tau);
}

/**
 * The primary ground truth of a task: the first one listed in `groundTruth`.
 *
 * @param task - the task.
 * @returns its id, or undefined when the task has none.
 * @example
 * ```ts
 * primaryTruth(report.tasks[0]); // 'linear-probe'
 * ```
 */
export function primaryTruth(task: TaskReport): string | undefined {
  return Object.keys(task.groundTruth)[0];
}

/**
 * The task's model ids in report order: by the primary ground truth (best first), then models with
 * features but no ground truth, then failed models, each group in listed order.
 *
 * @param task - the task.
 * @returns model ids.
 * @example
 * ```ts
 * orderedModels(report.tasks[0])[0]; // the best model by the primary ground truth
 * ```
 */
export function orderedModels(task: TaskReport): string[] {
  const truthId = primaryTruth(task);
  const truth = truthId ? task.groundTruth[truthId] : undefined;
  const ranks = truth ? rankModels(truth.values, truth.higherIsBetter) : new Map<string, number>();
  const withTruth = task.models.filter((m) => ranks.has(m.id)).map((m) => m.id);
  withTruth.sort((a, b) => ranks.get(a)! - ranks.get(b)!);
  const rest = task.models.filter((m) => !ranks.has(m.id) && !m.error).map((m) => m.id);
  const failed = task.models.filter((m) => !ranks.has(m.id) && m.error).map((m) => m.id);
  return [...withTruth, ...rest, ...failed];
}

/**
 * The display name of a model id (its `label`, else the id).
 *
 * @param task - the task.
 * @param id - a model id.
 * @returns the name to show.
 * @example
 * ```ts
 * modelLabel(task, 'mobilenet-v2'); // 'MobileNet v2' when labelled so
 * ```
 */
export function modelLabel(task: TaskReport, id: string): string {
  return task.models.find((m) => m.id === id)?.label ?? id;
}

/**
 * The score ids and baseline ids of a task's agreement with one truth, scores first.
 *
 * @param task - the task.
 * @param truthId - a ground-truth id.
 * @returns `{ id, kind }` per ranking, in listed order within each kind.
 * @example
 * ```ts
 * agreementRows(task, 'linear-probe').filter((r) => r.kind === 'baseline');
 * ```
 */
export function agreementRows(
  task: TaskReport,
  truthId: string,
): { id: string; kind: 'score' | 'baseline' }[] {
  const rows = task.agreement[truthId] ?? {};
  const ids = Object.keys(rows);
  const scores = ids.filter((id) => rows[id]!.kind === 'score');
  const baselines = ids.filter((id) => rows[id]!.kind === 'baseline');
  return [
    ...scores.map((id) => ({ id, kind: 'score' as const })),
    ...baselines.map((id) => ({ id, kind: 'baseline' as const })),
  ];
}

/**
 * Total seconds a score took over all models of a task.
 *
 * @param task - the task.
 * @param scoreId - a score id.
 * @returns the sum of `scores[scoreId].seconds` (0 when absent).
 * @example
 * ```ts
 * scoreSeconds(task, 'emms');
 * ```
 */
export function scoreSeconds(task: TaskReport, scoreId: string): number {
  return Object.values(task.scores[scoreId]?.seconds ?? {}).reduce((s, v) => s + v, 0);
}

/**
 * A one-line description of a run, for titles.
 *
 * @param report - the report.
 * @returns e.g. "2026-12-03T09:00:00.000Z · 2 CPUs · Node v20.19.0 · backend js".
 * @example
 * ```ts
 * console.log(runSummary(report));
 * ```
 */
export function runSummary(report: BenchReport): string {
  const m = report.run.machine;
  return `${report.run.createdAt} · ${m.cpus} CPUs · Node ${m.nodeVersion} · backend ${m.backend}`;
}

/**
 * The model-fact columns of the models tables: feature width, file size, parameter count (only when some
 * model has one) and extraction time ("cached" when read from the cache). Plain text, no markup.
 *
 * @param task - the task.
 * @returns the column headers and a function giving one model's cells.
 * @example
 * ```ts
 * const facts = modelFactColumns(task);
 * facts.header; // ['D', 'file', 'params', 'extract']
 * ```
 */
export function modelFactColumns(task: TaskReport): { header: string[]; cells(m: ModelInfo): string[] } {
  const withParams = task.models.some((m) => m.params !== undefined);
  return {
    header: ['D', 'file', ...(withParams ? ['params'] : []), 'extract'],
    cells: (m) => [
      m.featureDim === undefined ? '' : String(m.featureDim),
      m.fileBytes === undefined ? '' : fmtBytes(m.fileBytes),
      ...(withParams ? [m.params === undefined ? '' : fmtValue(m.params)] : []),
      m.cached ? 'cached' : fmtSeconds(m.extractSeconds),
    ],
  };
}
