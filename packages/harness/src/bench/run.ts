// runBench: a validated spec, run by an executor through the pipeline's steps, to a written BenchReport.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getBackend, type LinalgBackend } from '@emms/linalg';
import { type MetricRegistry, resolveRunSettings } from '@emms/metrics';
import { EmmsError, type ProgressListener } from '@emms/tensor-io';
import { ensureFolder } from '../folders';
import { inProcessExecutor } from '../pipeline/executors/inprocess';
import { threadsExecutor } from '../pipeline/executors/threads';
import { assertSomethingScored, buildReport } from '../pipeline/report';
import { runPipeline } from '../pipeline/run-pipeline';
import { registryWithPlugins, type ScorerRecipe } from '../pipeline/scorer';
import type { Executor } from '../pipeline/types';
import { validateSpec } from '../pipeline/validate';
import type { BenchReport } from '../report/schema';
import { type ReportPaths, writeReports } from '../report/write';
import type { BenchSpec } from '../spec';
import { ArtifactStore } from '../store';
import type { ScoreRequest } from './score-task';

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  /** Score registry (built-ins + plugins); default: built-ins plus the spec's plugins imported by name. */
  readonly registry?: MetricRegistry;
  /** Linear-algebra backend of the scores and probes (default: the current one of `@emms/linalg`). */
  readonly backend?: LinalgBackend;
  /** Progress of every long step (extraction, F-labels, scores, probes). */
  readonly onProgress?: ProgressListener;
  /** One line per finished step, for logs. */
  readonly log?: (line: string) => void;
  /** The command line, recorded in the report (give it without secrets). */
  readonly command?: string;
  /** Do not write report files (the caller writes them). */
  readonly noWrite?: boolean;
  readonly signal?: AbortSignal;
  /** Folder relative paths of the spec resolve against (default: the working directory). */
  readonly cwd?: string;
  /** Runs the steps (default: the spec's `executor`, else in-process). An executor given here is not closed. */
  readonly executor?: Executor;
  /** `inprocess` or `threads`, when no executor is given (default: the spec's, else `inprocess`). */
  readonly executorName?: 'inprocess' | 'threads';
  /** Worker threads of the threads executor (default: the spec's, else the available cores). */
  readonly threads?: number;
  /** onnxruntime intra-op threads per extraction (default: the spec's; threads executor: cores ÷ threads). */
  readonly onnxThreads?: number;
  /**
   * How worker threads rebuild the scorer (plugins, config, backend): needed with the threads executor when
   * `registry` holds metrics that cannot be imported by name.
   */
  readonly scorer?: ScorerRecipe;
}

/** Result of {@link runBench}. */
export interface RunBenchResult {
  readonly report: BenchReport;
  /** Where the reports were written (absent with `noWrite`). */
  readonly paths?: ReportPaths;
}

/** The score requests of a spec: its scores with their options, or every registered score. */
export function scoreRequests(spec: BenchSpec, registry: MetricRegistry): ScoreRequest[] {
  return spec.scores.length
    ? spec.scores.map((s) => (typeof s === 'string' ? { id: s } : { id: s.id, options: s.options }))
    : registry.list().map((m) => ({ id: m.id }));
}

/**
 * The preset and the reduce option in effect for a spec, resolved once (`resolveRunSettings` of
 * @emms/metrics), as the JSON the score steps take.
 */
export function runSettings(
  spec: BenchSpec,
  registry?: MetricRegistry,
): { preset: 'rank' | 'published'; reduce: string } {
  const s = resolveRunSettings({ preset: spec.preset, reduce: spec.preprocessing.reduce }, registry);
  return { preset: s.preset, reduce: s.reduce.text };
}

/**
 * Runs a bench spec: checks the output and cache folders and the spec (models, names, files, task sizes)
 * before any work, then runs the pipeline's steps on an executor (in-process by default, or worker threads):
 * each task's split; every candidate's features and the F-labels; the ground truth and every (model, score)
 * pair in isolation with content-addressed caching; the agreement of every score and static baseline (with
 * bootstrap intervals when the ground truth is measured); and writes the reports
 * (report.json/.csv/.md/.html) atomically to `spec.out`. The numbers do not depend on the executor.
 *
 * @param spec - a validated {@link BenchSpec} (see `parseBenchSpec`).
 * @param opts - {@link RunBenchOptions}.
 * @returns the report and the written paths.
 * @throws EmmsError `FILE_UNWRITABLE` / `CACHE_UNWRITABLE` (the output or cache folder, before any work),
 *   `TASK_TOO_SMALL`, `DUPLICATE_MODEL_NAME`, `MODEL_NOT_FOUND`, `FILE_NOT_FOUND`, `DATASET_INVALID` (too few
 *   items in a class), `MODEL_NOT_IN_TRUTH`, `FEATURES_DIR_EMPTY`, `ROW_MISMATCH`, `UNKNOWN_METRIC`,
 *   `REPORT_INVALID`, `NOTHING_SCORED` (after writing the reports: no pair could be scored). A model or
 *   score that fails is recorded, not thrown.
 * @example
 * ```ts
 * const { report, paths } = await runBench(parseBenchSpec({ tasks: [{ dataset: 'mnist', trainPerClass: 5, testPerClass: 5 }], candidates: ['ppocr-rec', 'ppocr-cls', 'pixels'] }));
 * report.tasks[0].agreement['linear-probe'].emms.weightedTau;
 * ```
 */
export async function runBench(spec: BenchSpec, opts: RunBenchOptions = {}): Promise<RunBenchResult> {
  const started = performance.now();
  const cwd = opts.cwd ?? process.cwd();
  const out = opts.noWrite ? undefined : ensureFolder(resolve(cwd, spec.out), { name: 'out' });
  const scratch = spec.cache === false ? mkdtempSync(join(tmpdir(), 'emms-run-')) : undefined;
  const executors: Executor[] = [];
  try {
    const store =
      spec.cache === false
        ? new ArtifactStore(scratch, { reuse: false })
        : ArtifactStore.open(resolve(cwd, spec.cache));
    const registry = opts.registry ?? (await registryWithPlugins(spec.plugins));
    const scores = scoreRequests(spec, registry);
    validateSpec(spec, { cwd, registry });
    const backend = opts.backend ?? getBackend();
    const name = opts.executorName ?? spec.executor ?? 'inprocess';
    let executor = opts.executor;
    if (!executor) {
      const onnxThreads = opts.onnxThreads ?? spec.onnxThreads;
      if (name === 'threads') {
        if (opts.registry && !opts.scorer) {
          throw new EmmsError(
            'INVALID_OPTION',
            'registry: an in-memory registry cannot reach worker threads; give scorer (plugins, config, backend) too, or use the in-process executor',
            { input: 'registry' },
          );
        }
        const threads = opts.threads ?? spec.threads;
        executor = threadsExecutor({
          store,
          cwd,
          ...(threads ? { threads } : {}),
          ...(onnxThreads ? { onnxThreads } : {}),
          scorer: opts.scorer ?? { backend: backend.name === 'openblas' ? 'openblas' : 'js' },
        });
      } else {
        executor = inProcessExecutor({
          store,
          cwd,
          registry,
          backend,
          ...(onnxThreads ? { onnxThreads } : {}),
        });
      }
      executors.push(executor);
    }
    const { tasks, counts } = await runPipeline(spec, {
      executor,
      cwd,
      scores,
      registry,
      ...runSettings(spec, registry),
      onProgress: opts.onProgress,
      log: opts.log,
      signal: opts.signal,
    });
    const report = buildReport(spec, tasks, {
      command: opts.command ?? 'runBench',
      seconds: (performance.now() - started) / 1000,
      backend: backend.name,
      counts,
    });
    const paths = out ? await writeReports(report, out) : undefined;
    assertSomethingScored(report, paths);
    return { report, ...(paths ? { paths } : {}) };
  } finally {
    await Promise.all(executors.map((e) => e.close()));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
