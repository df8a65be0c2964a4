// Error codes of `emms rank`'s trust figures (bootstrap, Kendall's W, the ground-truth check).
// Browser-safe: imports only tensor-io's main entry.
import { declareErrorCodes } from '@emms/tensor-io';

/** The codes `rankFeatures`, the bootstrap and the trust statistics throw. */
export const RANK_CODES = declareErrorCodes('@emms/harness', {
  NOTHING_RANKED:
    'no score could rank the models (every score failed, or scored fewer than two): a recommendation would rest on zero scores',
  TRUST_INPUT: 'the input of a trust statistic (rankings, P(best), ground truth) is malformed',
});
