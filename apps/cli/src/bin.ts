import { runCli } from './index';

// runCli reports a failed write to stdout (a full disk, a closed pipe) in one line with exit code
// 3; these listeners only keep a late write error from crashing the process with a stack trace.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`emms: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
