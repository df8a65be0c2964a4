import type { CliIo } from './command';
import { runCli } from './index';
import { sink } from './stdout';

/** What a run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured streams (not a terminal) and EMMS_LINALG=js unless set. */
export async function run(argv: string[], io: Partial<CliIo> = {}): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, {
    stdout: out.stream,
    stderr: err.stream,
    interactive: false,
    env: { EMMS_LINALG: 'js', ...io.env },
    ...(io.cwd ? { cwd: io.cwd } : {}),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
