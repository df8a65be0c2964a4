import type { Writable } from 'node:stream';
import type { RuntimeConfig } from '@emms/runtime';

/** Output streams and environment a command runs with; tests pass their own. */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * The run-time configuration (backend, OpenBLAS library, WASM, tfjs, model cache, remote models),
   * read from `env` once by the CLI entry before a command runs; commands pass it down and never
   * read the environment themselves.
   */
  readonly runtime: RuntimeConfig;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  readonly interactive: boolean;
}

/** One option of a subcommand, for parsing and for --help. */
export interface CliOption {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean;
  readonly description: string;
  /** Placeholder in help, e.g. "FILE". */
  readonly value?: string;
  /** For string options: the only values accepted (anything else is bad usage, exit 2). */
  readonly choices?: readonly string[];
}

/** A subcommand: `emms <name> ...`. Each lives in its own file under src/commands/. */
export interface CliCommand {
  readonly name: string;
  /** One line for `emms --help`. */
  readonly summary: string;
  /** Usage line(s) after "emms <name>". */
  readonly usage: string;
  readonly options: readonly CliOption[];
  /** Longer help text shown after the options (examples, notes). */
  readonly details?: string;
  /**
   * Runs the command with parsed options and positionals. Returns the exit code
   * (0 success). Throw EmmsError for bad input (exit 1) and UsageError for bad usage (exit 2).
   */
  run(
    args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] },
    io: CliIo,
  ): Promise<number>;
}

/**
 * Bad usage of the command line (unknown command or option, missing argument): exit code 2,
 * the message on stderr with a hint to `--help`.
 */
export class UsageError extends Error {
  /** The subcommand whose usage was wrong, for the `--help` hint; undefined for the top level. */
  readonly command?: string;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
