// Runs fuzz inputs: files written to a fresh folder, the command run there in process (runCli with
// captured streams) or through the built binary, each under a time limit, then judged.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from '../index';
import { sink } from '../stdout';
import type { FuzzCommand, FuzzInput } from './inputs';
import { type FuzzOutcome, type FuzzRun, judge, nonFiniteWords } from './judge';

/** How one input fared. */
export interface FuzzResult {
  readonly id: number;
  readonly command: FuzzCommand;
  readonly via: 'in-process' | 'binary';
  readonly outcome: FuzzOutcome;
  readonly why?: string;
  readonly mutation: string;
  readonly argv: readonly string[];
  readonly ms: number;
  /** The first line the run printed on stderr (what a failed input was refused with). */
  readonly said?: string;
}

/** Writes the files of `input` into `dir` (created; named pipes with mkfifo). */
export function materialise(input: FuzzInput, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [path, contents] of input.files) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    if (contents === 'folder') mkdirSync(full, { recursive: true });
    else if (contents === 'fifo') execFileSync('mkfifo', [full]);
    else writeFileSync(full, contents);
  }
}

/** The environment of every run: the portable backend (fast to load, the same numbers everywhere). */
const FUZZ_ENV = { EMMS_LINALG: 'js' };

/** Runs `argv` in process in `dir`; code null when it did not finish within `timeoutMs`. */
export async function runInProcess(
  argv: readonly string[],
  dir: string,
  timeoutMs: number,
): Promise<FuzzRun> {
  const out = sink();
  const err = sink();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((done) => {
    timer = setTimeout(() => done(null), timeoutMs);
  });
  try {
    const code = await Promise.race([
      runCli([...argv], {
        stdout: out.stream,
        stderr: err.stream,
        cwd: dir,
        env: { ...FUZZ_ENV },
        interactive: false,
      }),
      timeout,
    ]);
    return { code, stdout: out.text(), stderr: err.text() };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `argv` through the built binary `bin` in `dir`; code null when killed after `timeoutMs`. */
export function runBinary(argv: readonly string[], dir: string, timeoutMs: number, bin: string): FuzzRun {
  const r = spawnSync(process.execPath, [bin, ...argv], {
    cwd: dir,
    env: { ...process.env, ...FUZZ_ENV },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const code = r.error || r.signal ? null : r.status;
  return { code, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** The "NaN"/"Inf" words the input's files hold as text, which the output may print back as names. */
function echoedWords(input: FuzzInput): Set<string> {
  const decoder = new TextDecoder();
  return nonFiniteWords(
    [...input.files.values()].flatMap((f) => (f instanceof Uint8Array ? [decoder.decode(f)] : [])),
  );
}

/** Options of {@link fuzzOne}. */
export interface FuzzOneOptions {
  /** Folder under which each input gets its own folder (removed afterwards unless `keep`). */
  readonly root: string;
  readonly timeoutMs: number;
  /** Run through this built binary instead of in process. */
  readonly bin?: string;
  readonly keep?: boolean;
}

/** Writes, runs and judges one input. */
export async function fuzzOne(input: FuzzInput, opts: FuzzOneOptions): Promise<FuzzResult> {
  const dir = join(opts.root, `${input.id}${opts.bin ? '-bin' : ''}`);
  materialise(input, dir);
  const started = performance.now();
  try {
    const run = opts.bin
      ? runBinary(input.argv, dir, opts.timeoutMs, opts.bin)
      : await runInProcess(input.argv, dir, opts.timeoutMs);
    return {
      id: input.id,
      command: input.command,
      via: opts.bin ? 'binary' : 'in-process',
      ...judge(input.command, input.argv, run, echoedWords(input)),
      mutation: input.mutation,
      argv: input.argv,
      ms: performance.now() - started,
      said: run.stderr.split('\n').find((l) => l.startsWith('emms')),
    };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
