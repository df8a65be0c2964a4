// Error codes of the ground-truth side of @emms/harness (agreement, probes, truth tables).
// Browser-safe: imports only tensor-io's main entry.
import { declareErrorCodes } from '@emms/tensor-io';

/**
 * The codes that rank agreement, the probes and the truth tables throw (besides tensor-io's own
 * `NON_FINITE`, `SHAPE_MISMATCH`, `ROW_MISMATCH`, `LABEL_OUT_OF_RANGE`, `FILE_NOT_FOUND`, …).
 */
export const TRUTH_CODES = declareErrorCodes('@emms/harness', {
  TOO_FEW_MODELS: 'rank agreement needs at least two models',
  MODEL_NOT_IN_TRUTH: 'a scored model has no ground-truth value',
  DUPLICATE_MODEL: 'the same model name appears twice in one table',
  TRUTH_TABLE_INVALID: 'a ground-truth table file could not be read as JSON or CSV of model values',
  UNKNOWN_TRUTH_TABLE: 'no published ground-truth table has that id',
  BOOTSTRAP_INPUT: 'per-item correctness vectors are missing or disagree in length',
});
