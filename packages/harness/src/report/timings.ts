import type { BenchReport } from './schema';

/**
 * A report without what depends on the machine and the moment (testing only, from `@emms/harness/testing`):
 * the run facts (date, command, machine, seconds, cache counts), extraction seconds and cache flags, the
 * seconds of every score and probe, and the speed comparison. What is left must be equal for equal inputs
 * on every executor and run.
 *
 * @param report - a bench report (not modified).
 * @returns a plain object to compare with `toEqual`.
 * @example
 * ```ts
 * expect(withoutTimings(threaded.report)).toEqual(withoutTimings(inProcess.report));
 * ```
 */
export function withoutTimings(report: BenchReport): Omit<BenchReport, 'run'> {
  const { run: _run, ...rest } = structuredClone(report);
  for (const t of rest.tasks) {
    for (const m of t.models as { extractSeconds?: number; cached?: boolean }[]) {
      delete m.extractSeconds;
      delete m.cached;
    }
    for (const s of Object.values(t.scores) as { seconds?: unknown; cached?: unknown }[]) {
      delete s.seconds;
      delete s.cached;
    }
    for (const g of Object.values(t.groundTruth) as { seconds?: unknown }[]) delete g.seconds;
    delete (t as { speed?: unknown }).speed;
  }
  return rest;
}
