// Rank tests for comparing several scores over several tasks (Demšar, "Statistical comparisons of
// classifiers over multiple data sets", JMLR 7, 2006): average ranks, the Friedman test with the
// Iman–Davenport F, and the Nemenyi critical difference. Browser-safe (jstat has no Node imports).
import { EmmsError } from '@emms/tensor-io';
import jStat from 'jstat';
import { averageRanks } from './agreement';

/** The Friedman test of k scores over N tasks. */
export interface FriedmanResult {
  /** Tasks (blocks) N. */
  readonly tasks: number;
  /** Scores (treatments) k. */
  readonly scores: number;
  /** Friedman's χ²_F with scipy's correction for tied ranks (Demšar's formula when there are no ties). */
  readonly chiSquare: number;
  /** Degrees of freedom of χ²_F: k − 1. */
  readonly df: number;
  /** P(χ²_{k−1} ≥ χ²_F). */
  readonly pValue: number;
  /**
   * Iman and Davenport's F_F = (N − 1)χ²_F / (N(k − 1) − χ²_F) on (k − 1, (k − 1)(N − 1)) degrees of
   * freedom, less conservative than χ²_F (Demšar, section 3.2.2). Absent when every task ranks the
   * scores identically (χ²_F = N(k − 1): F is unbounded and its p-value 0).
   */
  readonly imanDavenport?: {
    readonly f: number;
    readonly df1: number;
    readonly df2: number;
    readonly pValue: number;
  };
}

function checkTable(table: readonly (readonly number[])[], what: string): { n: number; k: number } {
  const n = table.length;
  const k = n > 0 ? table[0].length : 0;
  if (n < 2 || k < 3) {
    throw new EmmsError(
      'INVALID_OPTION',
      `${what}: ${n} task(s) × ${k} score(s); the Friedman test needs at least 2 tasks and 3 scores`,
      { input: 'table' },
    );
  }
  table.forEach((row, i) => {
    if (row.length !== k || row.some((v) => !Number.isFinite(v))) {
      throw new EmmsError('NON_FINITE', `${what}: task ${i} needs ${k} finite values (one per score)`, {
        input: 'table',
        details: { task: i },
      });
    }
  });
  return { n, k };
}

/**
 * Ranks of k scores on each of N tasks, higher value = better = rank 1, tied values sharing the mean
 * of their ranks, and each score's average rank over the tasks (Demšar's R_j).
 *
 * @param table - N rows (tasks) of k values (e.g. weighted τ of each score).
 * @returns `{ ranks: N×k, average: k }`.
 * @example
 * ```ts
 * rankTable([[0.9, 0.5, 0.7], [0.8, 0.8, 0.1]]).average; // [1.25, 2.25, 2.5]
 * ```
 */
export function rankTable(table: readonly (readonly number[])[]): { ranks: number[][]; average: number[] } {
  const ranks = table.map((row) => Array.from(averageRanks(row.map((v) => -v))));
  const k = table[0]?.length ?? 0;
  const average = Array.from({ length: k }, (_, j) => ranks.reduce((s, r) => s + r[j], 0) / ranks.length);
  return { ranks, average };
}

/**
 * The Friedman test that k scores perform alike over N tasks, as `scipy.stats.friedmanchisquare`
 * (with its tie correction), and Iman and Davenport's F from it (Demšar 2006, section 3.2.2).
 *
 * @param table - N ≥ 2 rows (tasks) of k ≥ 3 values (higher = better).
 * @returns {@link FriedmanResult}.
 * @throws EmmsError `INVALID_OPTION` (too few tasks or scores), `NON_FINITE`.
 * @example
 * ```ts
 * friedmanTest([[0.9, 0.5, 0.7], [0.8, 0.6, 0.1], [0.7, 0.2, 0.3]]).pValue;
 * ```
 */
export function friedmanTest(table: readonly (readonly number[])[]): FriedmanResult {
  const { n, k } = checkTable(table, 'friedmanTest');
  const { ranks, average } = rankTable(table);
  let sumSq = 0;
  for (const r of average) sumSq += r * r;
  let ties = 0;
  for (const row of ranks) {
    const seen = new Map<number, number>();
    for (const r of row) seen.set(r, (seen.get(r) ?? 0) + 1);
    for (const t of seen.values()) ties += t * t * t - t;
  }
  const correction = 1 - ties / (n * k * (k * k - 1));
  const raw = ((12 * n) / (k * (k + 1))) * (sumSq - (k * (k + 1) ** 2) / 4);
  // every task ties every score: no evidence either way (scipy: NaN)
  const chiSquare = correction > 0 ? Math.max(0, raw / correction) : 0;
  const df = k - 1;
  const pValue = Math.min(1, Math.max(0, 1 - jStat.chisquare.cdf(chiSquare, df)));
  const denominator = n * (k - 1) - chiSquare;
  if (!(denominator > 1e-12 * n * (k - 1))) return { tasks: n, scores: k, chiSquare, df, pValue };
  const f = ((n - 1) * chiSquare) / denominator;
  const df2 = (k - 1) * (n - 1);
  const fp = Math.min(1, Math.max(0, 1 - jStat.centralF.cdf(f, df, df2)));
  return { tasks: n, scores: k, chiSquare, df, pValue, imanDavenport: { f, df1: df, df2, pValue: fp } };
}

/** The Nemenyi post-hoc test's critical difference. */
export interface NemenyiResult {
  /** Significance level α. */
  readonly alpha: number;
  /** q_α: the studentized range quantile for k groups and infinite degrees of freedom, divided by √2. */
  readonly q: number;
  /** CD = q_α·√(k(k + 1)/(6N)): two scores whose average ranks differ by more are significantly different. */
  readonly criticalDifference: number;
}

/**
 * The critical difference of the Nemenyi test (Demšar 2006, section 3.2.2): two of k scores compared
 * over N tasks differ significantly at level α when their average ranks differ by at least
 * CD = q_α·√(k(k + 1)/(6N)), q_α the studentized range quantile (k groups, infinite degrees of
 * freedom) divided by √2 (jStat's port of R's `qtukey`; Demšar's table 5 to three decimals).
 *
 * @param k - number of scores (≥ 2).
 * @param n - number of tasks (≥ 1).
 * @param alpha - significance level (default 0.05).
 * @returns {@link NemenyiResult}.
 * @throws EmmsError `INVALID_OPTION` for k < 2, n < 1 or α outside (0, 1).
 * @example
 * ```ts
 * nemenyiCriticalDifference(4, 14).criticalDifference; // 2.569·√(20/84) = 1.25 (Demšar's example)
 * ```
 */
export function nemenyiCriticalDifference(k: number, n: number, alpha = 0.05): NemenyiResult {
  if (!Number.isInteger(k) || k < 2 || !Number.isInteger(n) || n < 1 || !(alpha > 0 && alpha < 1)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `nemenyiCriticalDifference: k = ${k}, n = ${n}, alpha = ${alpha}; give k ≥ 2 scores, n ≥ 1 tasks, 0 < alpha < 1`,
      { input: 'alpha' },
    );
  }
  const q = jStat.tukey.inv(1 - alpha, k, Number.POSITIVE_INFINITY) / Math.SQRT2;
  return { alpha, q, criticalDifference: q * Math.sqrt((k * (k + 1)) / (6 * n)) };
}

/**
 * The groups a critical-difference diagram joins with a bar: maximal runs of scores, in order of
 * average rank, whose first and last average ranks differ by less than the critical difference
 * (no significant difference inside the run).
 *
 * @param averageRank - score id → average rank.
 * @param criticalDifference - the CD.
 * @returns the runs of two or more score ids, best first, each in rank order.
 * @example
 * ```ts
 * cliques({ a: 1.2, b: 1.9, c: 3.5 }, 1); // [['a', 'b']]
 * ```
 */
export function cliques(averageRank: Record<string, number>, criticalDifference: number): string[][] {
  const ids = Object.keys(averageRank).sort((a, b) => averageRank[a] - averageRank[b]);
  const out: string[][] = [];
  let lastEnd = -1;
  for (let i = 0; i < ids.length; i++) {
    let j = i;
    while (j + 1 < ids.length && averageRank[ids[j + 1]] - averageRank[ids[i]] < criticalDifference) j++;
    if (j > i && j > lastEnd) {
      out.push(ids.slice(i, j + 1));
      lastEnd = j;
    }
  }
  return out;
}
