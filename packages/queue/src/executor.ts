// The BullMQ executor: inside a run job, each stage's step calls become child jobs (deterministic ids); the
// run job waits for them in BullMQ's waiting-children state and re-enters the pipeline when they are done.
import type { ArtifactStore, Executor, StepCall, StepOutcome } from '@emms/harness';
import { stepKey } from '@emms/harness';
import { type Job, Job as JobClass, type JobsOptions, type Queue } from 'bullmq';
import { decodeFailure, type StepJob, stepJobIdOf } from './jobs';

/**
 * Thrown out of the pipeline when the run job has been moved to waiting-children: the run continues when
 * its children are done, on whichever worker takes it (finished steps are then found by their job ids).
 */
export class Suspended extends Error {
  constructor() {
    super('waiting for step jobs');
    this.name = 'Suspended';
  }
}

/** What a step job leaves in Redis (its result is the step's record in the store). */
export interface StepJobResult {
  readonly pid: number;
  readonly seconds: number;
  readonly counts: { readonly hits: number; readonly misses: number };
}

/** Options of {@link queueStageExecutor}. */
export interface QueueStageExecutorOptions {
  /** The run job being processed, and the token of its lock. */
  readonly job: Job;
  readonly token: string;
  /** The queue the step jobs go to. */
  readonly queue: Queue;
  /** The shared store the step jobs write their records to. */
  readonly store: ArtifactStore;
  readonly runId: string;
  /** Attempts, back-off, … of every step job. */
  readonly jobOptions: JobsOptions;
  /** Called when a stage's missing jobs were added, before the run job waits. */
  readonly onWait?: (stage: {
    readonly step: string;
    readonly added: number;
    readonly pending: number;
  }) => void;
}

/**
 * The executor a run job hands to the harness's `runPipeline`. For each stage it looks up every call's job
 * (`<runId>-<step>-<key>`): a completed job's outcome is the step's record in the store, a failed one's is
 * its typed error; missing jobs are added as children of the run job (retried with back-off; a failure does
 * not fail the run job, the pipeline decides). While any child is unfinished the run job moves to
 * waiting-children and {@link Suspended} stops the pipeline until BullMQ hands the run job back.
 *
 * @param o - {@link QueueStageExecutorOptions}.
 * @returns the executor.
 */
export function queueStageExecutor(o: QueueStageExecutorOptions): Executor {
  return {
    name: 'queue',
    async close() {},
    async run(calls: readonly StepCall[]): Promise<StepOutcome[]> {
      const ids = calls.map((c) => stepJobIdOf(o.runId, c));
      for (;;) {
        const outcomes: StepOutcome[] = [];
        const missing: number[] = [];
        let pending = 0;
        for (const [i, id] of ids.entries()) {
          const j = await JobClass.fromId<StepJob, StepJobResult>(o.queue, id);
          const state = j ? await j.getState() : 'missing';
          if (!j || state === 'missing' || state === 'unknown') missing.push(i);
          else if (state === 'completed') {
            const counts = j.returnvalue?.counts ?? { hits: 0, misses: 0 };
            const result = o.store.getRecord(stepKey(calls[i]!));
            outcomes[i] =
              result === undefined
                ? {
                    ok: false,
                    counts,
                    error: {
                      code: 'CACHE_UNWRITABLE',
                      message: `job ${id} completed but its record is not in the store ${o.store.dir}; every worker must use the same store`,
                    },
                  }
                : { ok: true, result, counts };
          } else if (state === 'failed') {
            outcomes[i] = {
              ok: false,
              error: decodeFailure(j.failedReason ?? ''),
              counts: { hits: 0, misses: 0 },
            };
          } else pending++;
        }
        if (missing.length === 0 && pending === 0) return outcomes;
        for (const i of missing) {
          const data: StepJob = { kind: 'step', runId: o.runId, call: calls[i]! };
          await o.queue.add(calls[i]!.step, data, {
            ...o.jobOptions,
            jobId: ids[i]!,
            parent: { id: o.job.id!, queue: o.job.queueQualifiedName },
            ignoreDependencyOnFailure: true,
          });
        }
        o.onWait?.({ step: calls[0]?.step ?? '', added: missing.length, pending: pending + missing.length });
        if (await o.job.moveToWaitingChildren(o.token)) throw new Suspended();
        // every child finished meanwhile: look again
      }
    },
  };
}
