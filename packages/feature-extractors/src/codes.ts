// Error codes of @emms/feature-extractors beyond tensor-io's shared ones.
import { declareErrorCodes } from '@emms/tensor-io';

/** The codes the dataset readers throw (each message names the input and the fix). */
export const DATASET_CODES = declareErrorCodes('@emms/feature-extractors', {
  DATA_PACKAGE_MISSING:
    "a built-in data set's package is not installed; the message names the package and the install command",
  CLASSES_MISMATCH:
    'a class-names list has another length (or other names) than the classes the dataset holds',
  EMPTY_TEXT: 'a text dataset row has an empty text',
  TARGET_NOT_FINITE: 'a regression target of a dataset row is missing, NaN or infinite',
});

/** The codes of opening models. */
export const MODEL_CODES = declareErrorCodes('@emms/feature-extractors', {
  MODEL_CHANGED:
    "a model's files changed while keeping their size and modification time, so its remembered facts were stale; run again",
});
