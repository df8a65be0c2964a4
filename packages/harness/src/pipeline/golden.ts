// The golden bench of the executor tests (testing only, from `@emms/harness/testing`).
import { type BenchReport, parseReport } from '../report/schema';
import { withoutTimings } from '../report/timings';
import type { BenchSpecInput } from '../spec';
import report from './test-data/golden-report.json';
import spec from './test-data/golden-spec.json';

/**
 * A small real bench (MNIST, 5 + 5 digits per class, ppocr-rec, ppocr-cls, blazeface-front and pixels,
 * USE-lite F-labels, linear-probe and kNN ground truth, a sweep) and the report the code before the
 * pipeline gave for it (main at 83efa78, portable backend, timings zeroed): every executor must give this
 * report, timings aside (compare with `withoutTimings`).
 *
 * @returns the spec (without `out` and `cache`) and the report.
 * @example
 * ```ts
 * const { spec, report } = goldenBench();
 * ```
 */
export function goldenBench(): { spec: BenchSpecInput; report: BenchReport } {
  return { spec: structuredClone(spec) as BenchSpecInput, report: parseReport(structuredClone(report)) };
}

/**
 * A report without its timings and without what reports gained after the golden report was made (each
 * ground truth's `precision`, each model's pretrained/reference `kind`, the note naming where the prompt
 * templates came from): compare it with `withoutTimings(golden)`.
 *
 * @example
 * ```ts
 * expect(withoutAdditions(report)).toEqual(withoutTimings(goldenBench().report));
 * ```
 */
export function withoutAdditions(r: BenchReport): unknown {
  const copy = structuredClone(withoutTimings(r)) as BenchReport;
  for (const t of copy.tasks) {
    for (const g of Object.values(t.groundTruth)) delete (g as { precision?: unknown }).precision;
    for (const m of t.models) delete (m as { kind?: unknown }).kind;
    t.notes = t.notes.filter((n) => !n.startsWith('prompt templates: '));
  }
  return copy;
}
