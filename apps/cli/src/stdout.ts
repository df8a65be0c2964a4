import { Writable } from 'node:stream';
import { declareErrorCodes } from '@emms/tensor-io';

/** The CLI's own error codes: the output itself could not be written. */
export const OUTPUT_CODES = declareErrorCodes('emms', {
  STDOUT_CLOSED: 'stdout was closed before all output was written (a reader such as `head` stopped early)',
  STDOUT_UNWRITABLE: 'stdout could not be written (a full disk, an I/O error)',
});

/** The exit code of a run whose output could not be written (documented in the README). */
export const OUTPUT_FAILED_EXIT = 3;

/** A stream watched for write failures while a command runs. */
export interface OutputWatch {
  /**
   * Waits until everything written so far has been handed on, then returns the one-line message
   * for the first write failure (undefined when there was none).
   */
  settle(): Promise<string | undefined>;
  /** Stops watching a healthy stream; a failed one stays watched, so a late error is ignored. */
  dispose(): void;
}

function describe(e: NodeJS.ErrnoException): string {
  const code = e.code ?? 'error';
  if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') {
    return `emms: stdout was closed before all output was written (${code}) [${OUTPUT_CODES.STDOUT_CLOSED}]`;
  }
  const why =
    code === 'ENOSPC'
      ? 'no space left on the device'
      : code === 'EIO'
        ? 'an input/output error'
        : e.message.replace(/^[A-Z]+: /, '');
  return `emms: cannot write the output to stdout: ${why} (${code}) [${OUTPUT_CODES.STDOUT_UNWRITABLE}]`;
}

/**
 * Watches `stream` (the CLI's stdout) for write errors: a full disk (`> /dev/full`) or a reader
 * that closed the pipe emits an 'error' event that would otherwise crash the process with a stack
 * trace, or go unnoticed.
 *
 * @param stream - the stream the command writes its output to.
 * @returns an {@link OutputWatch}.
 * @example
 * ```ts
 * const watch = watchOutput(process.stdout);
 * process.stdout.write('data\n');
 * const failure = await watch.settle(); // e.g. "emms: cannot write the output to stdout: …"
 * ```
 */
export function watchOutput(stream: Writable): OutputWatch {
  let first: NodeJS.ErrnoException | undefined;
  const onError = (e: NodeJS.ErrnoException) => {
    first ??= e;
  };
  stream.on('error', onError);
  return {
    async settle() {
      if (!first && !stream.destroyed && stream.writable) {
        // The callback of an empty write runs once every earlier write has been handed on.
        await new Promise<void>((done) => {
          stream.write('', () => done());
        });
      }
      const failure = first ?? (stream.errored as NodeJS.ErrnoException | null) ?? undefined;
      return failure ? describe(failure) : undefined;
    },
    dispose() {
      // A failed stream may still emit its error later: keep listening to it (it is dead anyway).
      if (first === undefined && !stream.destroyed && !stream.errored) stream.off('error', onError);
    },
  };
}

/**
 * A stream that keeps what is written to it, for running the CLI in process (tests, the fuzz pass).
 *
 * @example
 * ```ts
 * const out = sink();
 * await runCli(['--version'], { stdout: out.stream });
 * out.text(); // '0.1.0\n'
 * ```
 */
export function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}
