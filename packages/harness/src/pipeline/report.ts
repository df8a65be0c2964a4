// The last piece of a run: the report around the tasks' sections (run facts, summaries over tasks).
import { availableParallelism, cpus, totalmem } from 'node:os';
import { EmmsError } from '@emms/tensor-io';
import { BENCH_CODES } from '../bench/codes';
import { publishedTruth } from '../published-truth';
import { crossTaskSection } from '../report/cross-task-section';
import { type BenchReport, type BenchReportInput, parseReport, type TaskReport } from '../report/schema';
import { summarizeAgreement } from '../report/summary';
import type { ReportPaths } from '../report/write';
import type { BenchSpec } from '../spec';
import type { CacheCounts } from '../store';

/** Facts of the run that the report records besides the tasks. */
export interface RunFacts {
  /** The command line (with any secret already removed), or what started the run. */
  readonly command: string;
  /** Wall-clock seconds of the run. */
  readonly seconds: number;
  /** The linear-algebra backend's name. */
  readonly backend: string;
  readonly counts: CacheCounts;
  /** Notes about the run as a whole. */
  readonly notes?: readonly string[];
}

/**
 * The validated report of a run: the tasks' sections, the machine and run facts, for a published
 * ground truth the mean agreement over the tasks beside the published values, and with two or more
 * tasks the cross-task statistics (`crossTask`, see `crossTaskSection`).
 *
 * @param spec - the spec that was run.
 * @param tasks - the tasks' sections (from `runPipeline`).
 * @param facts - {@link RunFacts}.
 * @returns the {@link BenchReport}.
 * @throws EmmsError `REPORT_INVALID` when a section does not match the report schema.
 * @example
 * ```ts
 * const report = buildReport(spec, tasks, { command: 'emms bench', seconds: 4.2, backend: 'js', counts });
 * ```
 */
export function buildReport(spec: BenchSpec, tasks: readonly TaskReport[], facts: RunFacts): BenchReport {
  const input: BenchReportInput = {
    schema: 'emms-bench-report',
    version: 1,
    run: {
      createdAt: new Date().toISOString(),
      command: facts.command,
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model,
        platform: process.platform,
        arch: process.arch,
        nodeVersion: process.version,
        totalMemoryBytes: totalmem(),
        backend: facts.backend,
      },
      seconds: facts.seconds,
      cacheHits: facts.counts.hits,
      cacheMisses: facts.counts.misses,
    },
    tasks: [...tasks],
    summaries: [],
    notes: [...(facts.notes ?? [])],
  };
  const gt = spec.groundTruth;
  if ('published' in gt && tasks.length > 0) {
    const pub = publishedTruth(gt.published);
    input.summaries = [
      summarizeAgreement(tasks, gt.published, {
        ...(pub.publishedMeanWeightedTau
          ? { published: { source: pub.source, values: { ...pub.publishedMeanWeightedTau } } }
          : {}),
      }),
    ];
  }
  const crossTask = crossTaskSection(tasks, { reps: 'measured' in gt ? gt.bootstrapReps : 1000 });
  if (crossTask) input.crossTask = crossTask;
  return parseReport(input);
}

/**
 * Throws when no task has a score value for any model: a run where every (model, score) pair failed
 * answers nothing and must not pass for a result (the reports, already written, show each pair's error).
 *
 * @param report - the run's report.
 * @param paths - where its files were written, for the message.
 * @throws EmmsError `NOTHING_SCORED`.
 */
export function assertSomethingScored(report: BenchReport, paths?: ReportPaths): void {
  if (report.tasks.some((t) => Object.values(t.scores).some((s) => Object.keys(s.values).length > 0))) return;
  throw new EmmsError(
    BENCH_CODES.NOTHING_SCORED,
    `no score could be computed for any model${paths ? ` (see ${paths.md} for each pair's error)` : ''}; check the scores' inputs (e.g. LEEP and NCE need a classifier output) or choose other scores`,
    { input: 'scores', ...(paths ? { details: { paths } } : {}) },
  );
}
