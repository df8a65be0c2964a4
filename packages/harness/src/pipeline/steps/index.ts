// The steps by name, and running one call of a step: the only way any executor runs a step.
import { EmmsError } from '@emms/tensor-io';
import { z } from 'zod';
import { BENCH_CODES } from '../../bench/codes';
import { errorWithDetails, isAbort, stepKey } from '../artifacts';
import type { StepCall, StepContext, StepName, StepOutcome } from '../types';
import { agreementStep } from './agreement';
import { AssembleInputSchema, assembleStep } from './assemble';
import { ExtractInputSchema, extractStep } from './extract';
import { FlabelsInputSchema, flabelsStep } from './flabels';
import { ScoreInputSchema, scoreStep } from './score';
import { SplitInputSchema, splitStep } from './split';
import { TaskInputSchema } from './task-input';
import { TruthInputSchema, truthStep } from './truth';

/** A step: the schema of its input and the function from input to result. */
export interface StepDefinition {
  readonly input: z.ZodType;
  run(input: never, ctx: StepContext): Promise<unknown>;
}

/** Every step of the pipeline by name. */
export const STEPS: Readonly<Record<StepName, StepDefinition>> = {
  split: { input: SplitInputSchema, run: splitStep },
  extract: { input: ExtractInputSchema, run: extractStep },
  flabels: { input: FlabelsInputSchema, run: flabelsStep },
  truth: { input: TruthInputSchema, run: truthStep },
  score: { input: ScoreInputSchema, run: scoreStep },
  agreement: { input: TaskInputSchema, run: agreementStep },
  assemble: { input: AssembleInputSchema, run: assembleStep },
};

/**
 * Checks a step call's name and input against the step's schema (what a queue worker does with a job
 * before it runs anything).
 *
 * @param call - the call as received.
 * @returns the call with its input parsed (defaults filled in).
 * @throws EmmsError `STEP_INVALID` naming the step and the bad field.
 */
export function parseStepCall(call: { step: unknown; input: unknown }): StepCall {
  const def = typeof call.step === 'string' ? STEPS[call.step as StepName] : undefined;
  if (!def || !Object.hasOwn(STEPS, call.step as string)) {
    throw new EmmsError(BENCH_CODES.STEP_INVALID, `no step named "${String(call.step)}"`, { input: 'step' });
  }
  const r = def.input.safeParse(call.input);
  if (!r.success) {
    throw new EmmsError(
      BENCH_CODES.STEP_INVALID,
      `step ${String(call.step)}: input is invalid: ${z.prettifyError(r.error)}`,
      { input: 'input' },
    );
  }
  return { step: call.step as StepName, input: r.data };
}

/**
 * Runs one step call: checks its input, runs the step with a view of the store that counts for this call
 * alone, and stores the result as the call's record (read back by later steps and by queue runs that
 * resume). A failure of the step is an outcome with its typed error; an abort rejects.
 *
 * @param call - the step and its input.
 * @param ctx - the context (store, cwd, scorer, progress, log, abort signal).
 * @returns the {@link StepOutcome}.
 * @example
 * ```ts
 * const outcome = await runStep({ step: 'split', input: { kind: 'dataset', dataset: 'mnist', trainPerClass: 5, testPerClass: 5, seed: 0 } }, ctx);
 * ```
 */
export async function runStep(call: StepCall, ctx: StepContext): Promise<StepOutcome> {
  const store = ctx.store.view();
  try {
    const parsed = parseStepCall(call);
    const result = await STEPS[parsed.step].run(parsed.input as never, { ...ctx, store });
    store.putRecord(stepKey(call), result);
    return { ok: true, result, counts: store.counts };
  } catch (e) {
    if (isAbort(e, ctx.signal)) throw e;
    return { ok: false, error: errorWithDetails(e), counts: store.counts };
  }
}
