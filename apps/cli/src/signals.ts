// Long-running commands stop cleanly on SIGINT (Ctrl-C) and SIGTERM: an abort signal, then exit code 130.

/**
 * Runs `work` with an abort signal that SIGINT and SIGTERM trigger, and removes the handlers afterwards.
 *
 * @param work - the long-running part of a command.
 * @returns what `work` returns, or `interrupted: true` when a signal aborted it (its abort error swallowed).
 */
export async function untilInterrupted<T>(
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ value?: T; interrupted: boolean }> {
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return { value: await work(ctl.signal), interrupted: false };
  } catch (e) {
    if (ctl.signal.aborted) return { interrupted: true };
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The exit code of a command stopped by SIGINT/SIGTERM (128 + SIGINT). */
export const INTERRUPTED = 130;
