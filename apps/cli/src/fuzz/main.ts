// `pnpm --filter emms fuzz -- --count 2000 --seed 1`: the seeded fuzz pass of the command line.
// Inputs run in process in a worker thread watched from here (an input that blocks the thread is
// a hang: the worker is replaced and the pass goes on), then every Kth input again through the
// built binary. Prints counts per command and outcome and every failure with how to replay it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FUZZ_COMMANDS, makeFuzzInput } from './inputs';
import { FAILURES, type FuzzOutcome } from './judge';
import { type FuzzResult, fuzzOne } from './run';

interface Settings {
  readonly count: number;
  readonly seed: number;
  readonly timeoutMs: number;
  readonly binaryEvery: number;
  readonly only?: number;
  readonly root: string;
  readonly keep: boolean;
  readonly verbose: boolean;
}

type Message = { kind: 'start'; id: number } | { kind: 'result'; result: FuzzResult } | { kind: 'done' };

/** The worker: runs inputs `from`… in process, reporting each start and result. */
async function work(s: Settings, from: number): Promise<void> {
  const ids = s.only !== undefined ? [s.only] : Array.from({ length: s.count - from }, (_, i) => from + i);
  for (const id of ids) {
    parentPort?.postMessage({ kind: 'start', id } satisfies Message);
    const result = await fuzzOne(makeFuzzInput(s.seed, id), {
      root: s.root,
      timeoutMs: s.timeoutMs,
      keep: s.keep,
    });
    parentPort?.postMessage({ kind: 'result', result } satisfies Message);
  }
  parentPort?.postMessage({ kind: 'done' } satisfies Message);
}

/** Runs the in-process pass in workers; an input that does not return within the time limit is a hang. */
function inProcessPass(s: Settings, onResult: (r: FuzzResult) => void): Promise<void> {
  return new Promise((finish, fail) => {
    const start = (from: number) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { settings: s, from } });
      let current: { id: number; since: number } | undefined;
      let over = false;
      const watchdog = setInterval(() => {
        if (!current || performance.now() - current.since < s.timeoutMs + 5000) return;
        const id = current.id;
        over = true;
        clearInterval(watchdog);
        void worker.terminate();
        const input = makeFuzzInput(s.seed, id);
        onResult({
          id,
          command: input.command,
          via: 'in-process',
          outcome: 'hang',
          why: 'blocked the thread',
          mutation: input.mutation,
          argv: input.argv,
          ms: performance.now() - current.since,
        });
        if (s.only === undefined && id + 1 < s.count) start(id + 1);
        else finish();
      }, 1000);
      worker.on('message', (m: Message) => {
        if (m.kind === 'start') current = { id: m.id, since: performance.now() };
        else if (m.kind === 'result') {
          current = undefined;
          onResult(m.result);
        } else {
          over = true;
          clearInterval(watchdog);
          void worker.terminate();
          finish();
        }
      });
      worker.on('error', (e) => {
        clearInterval(watchdog);
        if (!over) fail(e);
      });
    };
    start(0);
  });
}

function table(results: readonly FuzzResult[]): string {
  const outcomes = (['ok', 'bad-input', 'usage', ...FAILURES] as FuzzOutcome[]).filter((o) =>
    results.some((r) => r.outcome === o),
  );
  const rows = FUZZ_COMMANDS.map((c) => {
    const mine = results.filter((r) => r.command === c);
    return [
      c,
      String(mine.length),
      ...outcomes.map((o) => String(mine.filter((r) => r.outcome === o).length)),
    ];
  });
  rows.push([
    'total',
    String(results.length),
    ...outcomes.map((o) => String(results.filter((r) => r.outcome === o).length)),
  ]);
  const head = ['command', 'inputs', ...outcomes];
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function settingsFrom(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      count: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '30' },
      'binary-every': { type: 'string', default: '20' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
  return {
    count: int('count', values.count, 1),
    seed: int('seed', values.seed, 0),
    timeoutMs: int('timeout', values.timeout, 1) * 1000,
    binaryEvery: int('binary-every', values['binary-every'], 0),
    only: values.only === undefined ? undefined : int('only', values.only, 0),
    root: mkdtempSync(join(tmpdir(), 'emms-fuzz-')),
    keep: values.keep === true,
    verbose: values.verbose === true,
  };
}

async function main(): Promise<number> {
  const s = settingsFrom(process.argv.slice(2));
  const started = performance.now();
  const results: FuzzResult[] = [];
  let shown = 0;
  process.stderr.write(
    `emms fuzz: seed ${s.seed}, ${s.only !== undefined ? `input ${s.only}` : `${s.count} inputs`}, ${s.timeoutMs / 1000} s per input\n`,
  );
  await inProcessPass(s, (r) => {
    results.push(r);
    if (results.length % 100 === 0) process.stderr.write(`  ${results.length} in process\n`);
    if (s.verbose)
      process.stderr.write(`  #${r.id} ${r.command} ${r.outcome} [${r.mutation}] ${r.said ?? ''}\n`);
    if (FAILURES.includes(r.outcome) && shown++ < 30)
      process.stderr.write(`  FAIL ${r.id} ${r.outcome}: ${r.why}\n`);
  });
  const bin = new URL('./bin.js', import.meta.url).pathname;
  // every Kth input, shifted by one each round so that every command is sampled
  const sampled = (id: number) =>
    s.binaryEvery > 0 && id % s.binaryEvery === Math.floor(id / s.binaryEvery) % FUZZ_COMMANDS.length;
  const sample = s.only !== undefined ? [s.only] : results.filter((r) => sampled(r.id)).map((r) => r.id);
  const binary: FuzzResult[] = [];
  for (const id of s.binaryEvery > 0 || s.only !== undefined ? sample : []) {
    binary.push(
      await fuzzOne(makeFuzzInput(s.seed, id), { root: s.root, timeoutMs: s.timeoutMs, bin, keep: s.keep }),
    );
  }
  if (!s.keep) rmSync(s.root, { recursive: true, force: true });
  const failures = [...results, ...binary].filter((r) => FAILURES.includes(r.outcome));
  const out = [
    `emms fuzz, seed ${s.seed}: ${results.length} inputs in process, ${binary.length} through the built binary, ${((performance.now() - started) / 1000).toFixed(0)} s`,
    '',
    'in process:',
    table(results),
    '',
    `built binary (every ${s.binaryEvery}th input):`,
    table(binary),
    '',
    failures.length === 0
      ? 'no crash, hang, stack trace, unexpected exit code or non-finite number printed with exit 0'
      : `${failures.length} failure(s):`,
    ...failures.map(
      (f) =>
        `  #${f.id} ${f.command} (${f.via}) ${f.outcome}: ${f.why}\n    damaged: ${f.mutation}\n    emms ${f.argv.join(' ')}\n    replay: pnpm --filter emms fuzz -- --seed ${s.seed} --only ${f.id} --keep`,
    ),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return failures.length > 0 ? 1 : 0;
}

if (isMainThread) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`emms fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
} else {
  const { settings, from } = workerData as { settings: Settings; from: number };
  void work(settings, from);
}
