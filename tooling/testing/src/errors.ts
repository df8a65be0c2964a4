// What a call threw, for tests that check an error's code, input and message.

/** The fields of a typed error the tests look at. */
export interface ThrownError {
  readonly code?: string;
  readonly input?: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Runs `f` and returns what it threw; fails the test (throws) when it returned instead.
 *
 * @example
 * ```ts
 * expect(thrown(() => registry.get('nope')).code).toBe('UNKNOWN_METRIC');
 * ```
 */
export function thrown(f: () => unknown): ThrownError {
  try {
    f();
  } catch (e) {
    return e as ThrownError;
  }
  throw new Error('expected an error, but the call returned');
}
