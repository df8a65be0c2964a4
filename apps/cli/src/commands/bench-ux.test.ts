// emms bench (and rank) on bad folders, conflicting flags, nothing to score, Redis down.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedis } from '@emms/queue/testing';
import { writeNpyFile } from '@emms/tensor-io/node';
import { describe, expect, it } from 'vitest';
import { run } from '../test-helpers';

const BIN = join(__dirname, '..', '..', 'dist', 'bin.js');
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

/** dir/<model>.npy (3 models, no classifier probabilities), labels.npy and a truth table. */
async function featuresTask(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const labels = Int32Array.from({ length: 30 }, (_, i) => i % 3);
  await writeNpyFile(join(dir, 'labels.npy'), { dtype: 'int32', shape: [30], data: labels });
  for (const [i, m] of ['a', 'b', 'c'].entries()) {
    const x = Float32Array.from(
      { length: 30 * 4 },
      (_, k) => Math.sin(k * (i + 1)) + labels[Math.floor(k / 4)]! * i,
    );
    await writeNpyFile(join(dir, `${m}.npy`), { dtype: 'float32', shape: [30, 4], data: x });
  }
  writeFileSync(join(dir, 'truth.json'), JSON.stringify({ a: 0.1, b: 0.5, c: 0.9 }));
}

/** A signal to send once stderr shows `after`. */
interface SendSignal {
  after: (err: string) => boolean;
  send: NodeJS.Signals;
}

/** The CLI as a process (so that whatever a library prints on its own is seen too). */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  signal?: SendSignal,
): Promise<{ code: number | null; out: string; err: string; ms: number; stoppedIn?: number }> {
  const t0 = Date.now();
  let sentAt: number | undefined;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, EMMS_LINALG: 'js', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
    if (signal && sentAt === undefined && signal.after(err)) {
      sentAt = Date.now();
      child.kill(signal.send);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((res) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      const now = Date.now();
      res({ code, out, err, ms: now - t0, ...(sentAt ? { stoppedIn: now - sentAt } : {}) });
    }),
  );
}

describe('emms bench: what the spec decides, folders, nothing scored', () => {
  it('--spec with a flag the spec decides is bad usage (exit 2) naming the flags', async () => {
    const dir = tmp('emms-spec-');
    writeFileSync(join(dir, 'bench.json'), JSON.stringify({ tasks: [{ dataset: 'mnist' }] }));
    const r = await run([
      'bench',
      '--spec',
      join(dir, 'bench.json'),
      '--models',
      'pixels',
      '--train-per-class',
      '3',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--spec decides --models, --train-per-class');
  });

  it('--suite offline needs no --features-dir, and decides the dataset, models and templates', async () => {
    const withDir = await run(['bench', '--suite', 'offline-small', '--features-dir', 'x']);
    expect(withDir.code).toBe(2);
    expect(withDir.stderr).toContain('--suite offline-small needs no --features-dir');
    const withModels = await run(['bench', '--suite', 'offline', '--models', 'pixels', '--templates', '{}']);
    expect(withModels.code).toBe(2);
    expect(withModels.stderr).toContain('--suite decides --models, --templates');
  });

  it('--templates without "{}" is a typed error naming the template and the fix', async () => {
    const r = await run(['bench', '--templates', 'a photo of a digit', '--no-cache']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('TEMPLATE_INVALID');
    expect(r.stderr).toContain('"a photo of a digit"');
  });

  it('--cache naming a file and --out on /proc are typed errors at once, not INTERNAL or a loop', async () => {
    const dir = tmp('emms-folders-');
    const file = join(dir, 'taken');
    writeFileSync(file, 'x');
    const args = [
      'bench',
      '--models',
      'ppocr-cls,ppocr-rec,pixels',
      '--train-per-class',
      '1',
      '--test-per-class',
      '1',
    ];
    const cache = await run([...args, '--cache', file, '--out', join(dir, 'out'), '--format', 'json']);
    expect(cache.code).toBe(1);
    expect(JSON.parse(cache.stdout).error).toMatchObject({ code: 'CACHE_UNWRITABLE' });
    expect(JSON.parse(cache.stdout).error.message).toContain(`${file}: is a file`);
    const out = await run([...args, '--cache', join(dir, 'c'), '--out', '/proc/emms-x', '--format', 'json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout).error.message).toContain('/proc/emms-x: is on the proc pseudo file system');
  });

  it('rank --cache naming a file or /proc is CACHE_UNWRITABLE, not "a bug in emms"', async () => {
    const dir = tmp('emms-rank-');
    await featuresTask(dir);
    for (const cache of [join(dir, 'truth.json'), '/proc/emms-cache']) {
      const r = await run([
        'rank',
        '--features-dir',
        dir,
        '--labels',
        join(dir, 'labels.npy'),
        '--cache',
        cache,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[CACHE_UNWRITABLE]');
      expect(r.stderr).not.toContain('bug in emms');
    }
  });

  it.each(['inprocess', 'threads'])(
    'a bench where no pair can be scored exits 1 with NOTHING_SCORED (%s)',
    async (executor) => {
      const dir = tmp('emms-nothing-');
      await featuresTask(join(dir, 'f'));
      const spec = {
        tasks: [{ id: 'f', featuresDir: join(dir, 'f'), labels: join(dir, 'f', 'labels.npy') }],
        scores: ['leep'], // needs source probabilities: none of the models has them
        groundTruth: { table: join(dir, 'f', 'truth.json') },
        out: join(dir, 'out'),
        cache: join(dir, 'cache'),
      };
      writeFileSync(join(dir, 'bench.json'), JSON.stringify(spec));
      const r = await run(['bench', '--spec', join(dir, 'bench.json'), '--executor', executor]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[NOTHING_SCORED]');
      expect(r.stderr).toContain('report.md'); // the reports are written, with each pair's error
    },
    60_000,
  );

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'a local run stops within seconds on %s (exit 130)',
    async (send) => {
      const dir = tmp('emms-stop-');
      const r = await cli(
        [
          'bench',
          '--models',
          'ppocr-det,ppocr-cls,pixels',
          '--train-per-class',
          '20',
          '--test-per-class',
          '5',
          '--out',
          join(dir, 'out'),
          '--cache',
          join(dir, 'cache'),
        ],
        {},
        { after: (err) => err.includes('extract:'), send },
      );
      expect(r.code).toBe(130);
      expect(r.err).toContain('interrupted');
      expect(r.stoppedIn).toBeLessThan(10_000);
    },
    120_000,
  );

  it('--attach stops following within seconds on SIGTERM; the run stays in the queue', async () => {
    const redis = await startRedis();
    const dir = tmp('emms-attach-');
    try {
      const common = ['--queue', redis.url, '--store', join(dir, 'store')];
      const detached = await cli(['bench', ...common, '--models', 'ppocr-cls,ppocr-rec,pixels', '--detach']);
      expect(detached.code).toBe(0);
      const runId = detached.out.trim();
      expect(runId).toMatch(/^[0-9a-f]{20}$/);
      // no worker: the run waits; attaching follows it until the signal
      const r = await cli(
        ['bench', ...common, '--attach', runId, '--out', join(dir, 'out')],
        {},
        {
          after: (err) => err.includes(`run ${runId}`),
          send: 'SIGTERM',
        },
      );
      expect(r.code).toBe(130);
      expect(r.err).toContain('the run goes on on the workers');
      expect(r.stoppedIn).toBeLessThan(5_000);
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it('--queue with Redis down: one typed error after the retries, no dump, no hang', async () => {
    const port = await freePort();
    const dir = tmp('emms-down-');
    const r = await cli([
      'bench',
      '--queue',
      `redis://127.0.0.1:${port}`,
      '--models',
      'ppocr-cls,ppocr-rec,pixels',
      '--store',
      join(dir, 'store'),
      '--out',
      join(dir, 'out'),
      '--redis-retries',
      '1',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[REDIS_UNAVAILABLE]');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.ms).toBeLessThan(30_000);
  }, 60_000);
});
