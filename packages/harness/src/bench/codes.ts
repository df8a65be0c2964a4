// Error codes of the bench runner, the spec and `emms rank` (harness-bench's part of @emms/harness).
import { declareErrorCodes } from '@emms/tensor-io';

/** The codes the bench spec, the runner, the cache and `rankFeatures` throw. */
export const BENCH_CODES = declareErrorCodes('@emms/harness', {
  SPEC_INVALID: 'a bench spec does not match the schema (the message names the field by path)',
  FEATURES_DIR_EMPTY: 'a features folder holds no feature files',
  NOT_A_FOLDER: 'a path given as a folder (a features folder) is a file',
  DUPLICATE_MODEL_NAME: 'two candidates of one task have the same name',
  TASK_TOO_SMALL: 'a task has fewer than three models to rank',
  CACHE_UNWRITABLE: 'the result cache folder cannot be written',
  NOT_APPLICABLE: 'a score needs an input this candidate cannot give (e.g. source-class probabilities)',
  NOTHING_SCORED: 'a bench run ended with no score for any model of any task',
  STEP_INVALID: 'a step call names no step, or its input does not match the step',
  EXECUTOR_FAILED: 'an executor could not run a step (a worker thread died, a script is missing)',
});
