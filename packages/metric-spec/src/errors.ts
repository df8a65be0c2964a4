import { declareErrorCodes } from '@emms/tensor-io';

/**
 * The error codes @emms/metric-spec declares on the shared `EmmsError` base (besides tensor-io's
 * INVALID_OPTION, MISSING_INPUT and the input-validation codes it uses).
 *
 * - `DEGENERATE_INPUT`: the inputs are well-formed but the score is undefined on them (constant
 *   features, too few samples, a class with a single sample where a covariance is needed…); the
 *   message names the input and what would fix it.
 * - `NON_FINITE_SCORE`: a metric produced NaN or ±Infinity; reported as this error instead of a number.
 * - `INVALID_INPUT`: an input is not of the type the library takes (null, a plain array where a
 *   matrix is wanted…); the message names the input and the type to give.
 * - `VALUE_OVERFLOW`: an input's values are finite but so large that their squares overflow
 *   float64 (e.g. 1e300), so no score can be computed from them; the message names the input.
 *
 * @example
 * ```ts
 * console.assert(METRIC_ERROR_CODES.DEGENERATE_INPUT === 'DEGENERATE_INPUT');
 * ```
 */
export const METRIC_ERROR_CODES = declareErrorCodes('@emms/metric-spec', {
  DEGENERATE_INPUT:
    'the inputs are valid but degenerate for this score (constant features, too few samples or classes); the message names the input and the fix',
  NON_FINITE_SCORE: 'a metric produced NaN or ±Infinity; reported as an error instead of a number',
  INVALID_INPUT:
    'an input is not of the type the library takes (null, or a plain array where a matrix is wanted)',
  VALUE_OVERFLOW: 'an input holds values whose squares overflow float64 (e.g. 1e300); rescale it',
});
