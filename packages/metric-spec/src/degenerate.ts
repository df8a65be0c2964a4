import { EmmsError } from '@emms/tensor-io';
import { METRIC_ERROR_CODES } from './errors';

/**
 * The DEGENERATE_INPUT error a metric throws when its inputs are well-formed but the score is
 * undefined on them. The message is `metric "<id>": <input> <problem>; <fix>`.
 *
 * @param metric - the metric id.
 * @param input - the input at fault, e.g. "features" or "labels".
 * @param problem - what is wrong with it, e.g. "is constant (every column has one value)".
 * @param fix - what would fix it, in the library's terms (inputs, options).
 * @param details - extra machine-readable facts.
 * @returns the error, to throw.
 * @example
 * ```ts
 * const e = degenerate('sfda', 'features', 'is constant', 'give features that vary between samples');
 * console.assert(e.code === 'DEGENERATE_INPUT' && e.input === 'features');
 * ```
 */
export function degenerate(
  metric: string,
  input: string,
  problem: string,
  fix: string,
  details: Record<string, unknown> = {},
): EmmsError {
  return new EmmsError(
    METRIC_ERROR_CODES.DEGENERATE_INPUT,
    `metric "${metric}": ${input} ${problem}; ${fix}`,
    {
      input,
      details: { metric, ...details },
    },
  );
}
