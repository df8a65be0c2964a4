// The vocabulary of the pipeline: step calls, their outcomes, the context a step runs in, executors.
import type { LinalgBackend } from '@emms/linalg';
import type { MetricRegistry } from '@emms/metrics';
import type { ProgressListener } from '@emms/tensor-io';
import type { ArtifactStore, CacheCounts } from '../store';

/** The named steps of a bench run, in the order a task goes through them. */
export const STEP_NAMES = ['split', 'extract', 'flabels', 'truth', 'score', 'agreement', 'assemble'] as const;

/** One step's name. */
export type StepName = (typeof STEP_NAMES)[number];

/**
 * One call of a step: its name and its input, a JSON value made of references (dataset + split parameters,
 * candidate model, store artifacts with their content keys, resolved settings), never of data.
 */
export interface StepCall {
  readonly step: StepName;
  readonly input: unknown;
}

/** A typed failure as it crosses threads, processes and Redis. */
export interface StepError {
  readonly code: string;
  readonly message: string;
  readonly input?: string;
  /** The error's details (JSON), when it had any; not part of what reports show. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** How one step call ended: its small JSON result (also stored as the call's record), or its typed error. */
export type StepOutcome =
  | { readonly ok: true; readonly result: unknown; readonly counts: CacheCounts }
  | { readonly ok: false; readonly error: StepError; readonly counts: CacheCounts };

/** The scorer a step uses: a registry (built-ins and plugins) and a linear-algebra backend. */
export interface StepScorer {
  readonly registry: MetricRegistry;
  readonly backend: LinalgBackend;
}

/** Everything a step may use besides its input. */
export interface StepContext {
  /** The run's store, with counters of its own for this call. */
  readonly store: ArtifactStore;
  /** The folder relative paths resolve against (inputs normally carry absolute paths already). */
  readonly cwd: string;
  /** The scorer for these plugin packages (built once per executor). */
  scorer(plugins: readonly string[]): Promise<StepScorer>;
  /** onnxruntime intra-op threads per extraction (undefined: onnxruntime's own choice). */
  readonly onnxThreads?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** One line per finished piece of work, for logs. */
  readonly log: (line: string) => void;
}

/** Hooks an executor forwards from the steps it runs. */
export interface ExecutorHooks {
  readonly onProgress?: ProgressListener;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs step calls. The runner hands it one stage of calls at a time (calls of one stage never depend on
 * each other) and gets one outcome per call, in order. Executors differ only in where the calls run: in
 * this thread one after the other, on worker threads, or as jobs on queue workers; the steps are the same.
 */
export interface Executor {
  /** `inprocess`, `threads`, `queue`, …: recorded nowhere in the report (results do not depend on it). */
  readonly name: string;
  /**
   * Runs the calls and resolves with their outcomes in the same order. A failed call is an outcome, not a
   * rejection; the promise rejects only when the run must stop (abort, or the executor itself failed).
   */
  run(calls: readonly StepCall[], hooks: ExecutorHooks): Promise<StepOutcome[]>;
  /** Frees threads, connections, … (idempotent). */
  close(): Promise<void>;
}
