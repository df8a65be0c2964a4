/**
 * Small shared helpers of the report renderers: ranking, number formatting, model ordering. No Node
 * imports (the docs app renders reports in the browser).
 */
import type { BenchReport, IntervalInfo, TaskReport } from './schema';

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

/** Formats a finite number with `digits` decimals (no exponent for ordinary magnitudes). */
export function fmtFixed(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  const s = x.toFixed(digits);
  return s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s;
}

/**
 * Formats a value compactly: integers in full (grouped by thousands from 10,000), other numbers with 4
 * significant digits, an exponent only when very large or small.
 */
export function fmtValue(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e15) return a >= 10_000 ? x.toLocaleString('en-US') : String(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** Formats seconds: milliseconds below one second, otherwise seconds with two decimals. */
export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms`;
  return `${s.toFixed(2)} s`;
}

/** Formats a byte count in binary units. */
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

/** Formats a weighted τ with its interval: `0.812 [0.700, 0.901]`. */
export function fmtTau(tau: number, interval?: IntervalInfo): string {
  return interval
    ? `${fmtFixed(tau)} [${fmtFixed(interval.low)}, ${fmtFixed(interval.high)}]`
    : fmtFixed(tau);
}

/** The primary ground truth of a task: the first one listed, or undefined when there is none. */
export function primaryTruth(task: TaskReport): string | undefined {
  return Object.keys(task.groundTruth)[0];
}

/**
 * The task's model ids in report order: by the primary ground truth (best first), then models with
 * features but no ground truth, then failed models, each group in listed order.
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

/** The display name of a model id. */
export function modelLabel(task: TaskReport, id: string): string {
  return task.models.find((m) => m.id === id)?.label ?? id;
}

/** The score ids and baseline ids of a task's agreement with one truth, scores first. */
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

/** Total seconds a score took over all models of a task. */
export function scoreSeconds(task: TaskReport, scoreId: string): number {
  return Object.values(task.scores[scoreId]?.seconds ?? {}).reduce((s, v) => s + v, 0);
}

/** A one-line description of a run, for titles. */
export function runSummary(report: BenchReport): string {
  const m = report.run.machine;
  return `${report.run.createdAt} · ${m.cpus} CPUs · Node ${m.nodeVersion} · backend ${m.backend}`;
}
