// A planted Redis password must appear in no output: stdout, stderr, report files, the store, worker logs,
// the jobs in Redis. The CLI and the worker run as real processes, so that whatever a library prints on
// its own is caught too.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listJobs, startRedis, type TestRedis } from '@emms/queue/testing';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', '..', 'dist', 'bin.js');
const PLANTED = 'pl4nted-Secr3t';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function emms(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, EMMS_LINALG: 'js', EMMS_REDIS_PASSWORD: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
  return { child, output: () => out, exit };
}

/** Every file under a folder, as text. */
function everyFile(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: p, text: readFileSync(p, 'latin1') });
    }
  };
  walk(dir);
  return out;
}

function expectNowhere(texts: { path: string; text: string }[]): void {
  for (const { path, text } of texts)
    expect(text.includes(PLANTED), `the password is in ${path}`).toBe(false);
}

async function redisWith(password: string): Promise<TestRedis> {
  const r = await startRedis({ requirePass: password });
  cleanups.push(() => r.stop());
  return r;
}

describe('the Redis password is never printed or stored', () => {
  it('refused (in the URL or in EMMS_REDIS_PASSWORD): a typed error, for bench and worker, and the password nowhere', async () => {
    const r = await redisWith('the-right-one');
    const dir = tmp('emms-secret-');
    const common = ['--store', join(dir, 'store'), '--redis-retries', '1'];
    const runs = [
      emms([
        'bench',
        '--queue',
        `redis://user:${PLANTED}@127.0.0.1:${r.port}`,
        '--models',
        'ppocr-cls,ppocr-rec,pixels',
        '--out',
        join(dir, 'out'),
        ...common,
      ]),
      emms(
        [
          'bench',
          '--queue',
          `redis://127.0.0.1:${r.port}`,
          '--models',
          'ppocr-cls,ppocr-rec,pixels',
          '--out',
          join(dir, 'out2'),
          ...common,
        ],
        {
          EMMS_REDIS_PASSWORD: PLANTED,
        },
      ),
      emms(['worker', '--queue', `redis://127.0.0.1:${r.port}`, ...common], { EMMS_REDIS_PASSWORD: PLANTED }),
      emms(['worker', '--queue', `redis://default:${PLANTED}@127.0.0.1:${r.port}`, ...common]),
    ];
    for (const p of runs) {
      expect(await p.exit).not.toBe(0);
      expect(p.output()).toContain('REDIS_AUTH_FAILED');
    }
    expectNowhere([
      ...runs.map((p, i) => ({ path: `output of run ${i}`, text: p.output() })),
      ...everyFile(dir),
    ]);
  }, 120_000);

  it('accepted: the run completes, and the password is in no output, report, store file, worker log or job', async () => {
    const r = await redisWith(PLANTED);
    const dir = tmp('emms-secret-ok-');
    const store = join(dir, 'store');
    const worker = emms(['worker', '--queue', `redis://127.0.0.1:${r.port}`, '--store', store], {
      EMMS_REDIS_PASSWORD: PLANTED,
    });
    const spec = {
      tasks: [{ dataset: 'mnist', trainPerClass: 3, testPerClass: 3, seed: 1 }],
      candidates: ['ppocr-cls', 'ppocr-rec', 'pixels'],
      flabels: { embedders: [], templates: ['{}'] },
      scores: ['logme', 'hscore'],
      groundTruth: { measured: ['knn'], knnK: 3, bootstrapReps: 20 },
      queue: `redis://:${PLANTED}@127.0.0.1:${r.port}`,
      out: join(dir, 'out'),
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const bench = emms(['bench', '--spec', join(dir, 'spec.json'), '--store', store]);
    expect(await bench.exit, bench.output()).toBe(0);
    worker.child.kill('SIGTERM');
    expect(await worker.exit).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'report.csv',
      'report.html',
      'report.json',
      'report.md',
    ]);
    const jobs = await listJobs({ host: '127.0.0.1', port: r.port, password: PLANTED });
    expect(jobs.length).toBeGreaterThan(5);
    expectNowhere([
      { path: 'bench output', text: bench.output() },
      { path: 'worker log', text: worker.output() },
      { path: 'jobs in Redis', text: JSON.stringify(jobs) },
      ...everyFile(dir).filter((f) => f.path !== join(dir, 'spec.json')),
    ]);
  }, 180_000);
});
