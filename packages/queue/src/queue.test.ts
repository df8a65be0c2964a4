import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore, parseBenchSpec } from '@emms/harness';
import { goldenBench, withoutAdditions, withoutTimings } from '@emms/harness/testing';
import { isEmmsError } from '@emms/tensor-io';
import { writeNpyFile } from '@emms/tensor-io/node';
import { Job, Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { openRedis } from './connection';
import { enqueueBench, runBenchOnQueue, waitForRun } from './enqueue';
import { smallSpec, startWorker } from './helpers.test-util';
import { runJobIdOf } from './jobs';
import { freePort, startRedis, type TestRedis } from './testing';
import { DEFAULT_QUEUE } from './worker';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function redis(persist = false): Promise<TestRedis> {
  const r = await startRedis({ persist });
  cleanups.push(() => r.stop());
  return r;
}

const conn = (r: TestRedis) => ({ host: r.host, port: r.port });

function openQueue(r: TestRedis): Queue {
  const client = openRedis(conn(r));
  const q = new Queue(DEFAULT_QUEUE, { connection: client });
  const close = q.close.bind(q);
  q.close = async () => {
    await close();
    client.disconnect();
  };
  cleanups.push(() => q.close());
  return q;
}

async function waitFor<T>(f: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A job of this step kind being processed right now. */
const activeStep = (q: Queue, name: string) => async () => (await q.getActive()).find((j) => j.name === name);

describe('queued bench runs against a real Redis', () => {
  /** The golden bench enqueued, one worker started, and one of its extraction jobs running. */
  async function goldenMidExtraction() {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const { spec, report: golden } = goldenBench();
    const { runId } = await enqueueBench(parseBenchSpec(spec), { connection: conn(r) });
    const a = await startWorker(r.url, storeDir);
    cleanups.push(() => void a.stop('SIGKILL'));
    const queue = openQueue(r);
    const busy = await waitFor(activeStep(queue, 'extract'));
    /** A second worker finishes the run; its report. */
    const finish = async () => {
      const b = await startWorker(r.url, storeDir);
      cleanups.push(() => void b.stop());
      const report = await waitForRun(runId, {
        connection: conn(r),
        store: new ArtifactStore(storeDir),
        pollMs: 100,
      });
      return { b, report };
    };
    return { golden, a, queue, busy, finish };
  }

  it('a worker killed with SIGKILL mid-extraction: another takes its job over; the report equals the local one (timings aside)', async () => {
    const { golden, a, queue, busy, finish } = await goldenMidExtraction();
    a.child.kill('SIGKILL');
    await a.stop();
    const { b, report } = await finish();
    const taken = await Job.fromId(queue, busy.id!);
    expect(taken?.returnvalue.pid).toBe(b.child.pid);
    expect(withoutAdditions(report)).toEqual(withoutTimings(golden));
  }, 300_000);

  it('SIGTERM stops a busy worker within seconds and hands its job back; the run still completes', async () => {
    const { golden, a, queue, busy, finish } = await goldenMidExtraction();
    const t0 = Date.now();
    const code = await a.stop('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(code).toBe(0);
    expect(a.output()).toContain('stopped');
    const state = await queue.getJobState(busy.id!);
    expect(['waiting', 'wait', 'prioritized']).toContain(state); // back in the queue, no attempt spent
    expect((await Job.fromId(queue, busy.id!))?.attemptsMade).toBe(0);
    const { report } = await finish();
    expect(withoutAdditions(report)).toEqual(withoutTimings(golden));
  }, 300_000);

  it('a step that always fails is retried a bounded number of times with back-off; the rest completes', async () => {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const allowed = tmp('emms-models-');
    const broken = join(allowed, 'broken.onnx');
    writeFileSync(broken, 'not an onnx model');
    const spec = parseBenchSpec(smallSpec({ candidates: ['ppocr-cls', 'ppocr-rec', 'pixels', broken] }));
    const { runId } = await enqueueBench(spec, { connection: conn(r) });
    const w = await startWorker(r.url, storeDir, ['--allow-path', allowed, '--backoff-ms', '200']);
    cleanups.push(() => void w.stop());
    const report = await waitForRun(runId, {
      connection: conn(r),
      store: new ArtifactStore(storeDir),
      pollMs: 100,
    });
    const queue = openQueue(r);
    const failed = await queue.getFailed();
    expect(failed.map((j) => j.name)).toEqual(['extract']); // the broken model's extraction only
    expect(failed[0]!.attemptsMade).toBe(3);
    // two back-off waits: 200 ms then 400 ms
    expect(failed[0]!.finishedOn! - failed[0]!.timestamp).toBeGreaterThanOrEqual(600);
    const m = report.tasks[0]!.models.find((x) => x.id === broken)!;
    expect(m.error?.code).toMatch(/^[A-Z_]+$/);
    expect(m.error?.code).not.toBe('INTERNAL');
    expect(Object.keys(report.tasks[0]!.scores.logme!.values).sort()).toEqual([
      'pixels',
      'ppocr-cls',
      'ppocr-rec',
    ]);
  }, 180_000);

  it('the same run enqueued twice computes no artifact twice and gives the same report', async () => {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const store = new ArtifactStore(storeDir);
    const spec = parseBenchSpec(smallSpec());
    const first = await enqueueBench(spec, { connection: conn(r) });
    const second = await enqueueBench(parseBenchSpec(smallSpec({ out: 'elsewhere' })), {
      connection: conn(r),
    });
    expect(first.added).toBe(true);
    expect(second.added).toBe(false);
    expect(second.runId).toBe(first.runId);
    const w1 = await startWorker(r.url, storeDir);
    const w2 = await startWorker(r.url, storeDir);
    cleanups.push(() => void w1.stop());
    cleanups.push(() => void w2.stop());
    const rep1 = await waitForRun(first.runId, { connection: conn(r), store, pollMs: 100 }).catch((e) => {
      throw new Error(`${e.message}\n--- worker 1\n${w1.output()}\n--- worker 2\n${w2.output()}`);
    });
    const third = await enqueueBench(spec, { connection: conn(r) });
    expect(third.added).toBe(false);
    const rep2 = await waitForRun(third.runId, { connection: conn(r), store, pollMs: 100 });
    expect(rep2).toEqual(rep1);
    const computed = store.computed();
    expect(computed.filter((c) => c.startsWith('extract.')).length).toBe(6); // 2 models × (train, test, probs)
    expect(new Set(computed).size).toBe(computed.length);
  }, 180_000);

  it('a detached run progresses with no client attached; attaching later collects its report', async () => {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const { runId } = await enqueueBench(parseBenchSpec(smallSpec()), { connection: conn(r) });
    const w = await startWorker(r.url, storeDir);
    cleanups.push(() => void w.stop());
    const queue = openQueue(r);
    await waitFor(async () =>
      (await queue.getJobState(runJobIdOf(runId))) === 'completed' ? true : undefined,
    );
    const report = await waitForRun(runId, { connection: conn(r), store: new ArtifactStore(storeDir) });
    expect(report.tasks[0]!.models.filter((m) => !m.error).length).toBe(3);
  }, 180_000);

  it('Redis restarted mid-run with persistence: the run completes', async () => {
    const r = await redis(true);
    const storeDir = tmp('emms-store-');
    const { runId } = await enqueueBench(parseBenchSpec(smallSpec()), { connection: conn(r) });
    const w = await startWorker(r.url, storeDir, ['--retries', '20']);
    cleanups.push(() => void w.stop());
    const queue = openQueue(r);
    await waitFor(async () => ((await queue.getCompletedCount()) >= 1 ? true : undefined));
    expect(await queue.getJobState(runJobIdOf(runId))).not.toBe('completed'); // really mid-run
    await queue.close();
    await r.stop({ keepDir: true });
    await new Promise((res) => setTimeout(res, 500));
    const again = await startRedis({ persist: true, port: r.port, dir: r.dir });
    cleanups.push(() => again.stop());
    const report = await waitForRun(runId, {
      connection: conn(again),
      store: new ArtifactStore(storeDir),
      pollMs: 100,
    });
    expect(report.tasks[0]!.models.filter((m) => !m.error).length).toBe(3);
    expect(w.output()).toContain('done');
  }, 180_000);

  it('a run naming a model outside --allow-path fails with the reason: code and message', async () => {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const outside = join(tmp('emms-outside-'), 'x.onnx');
    writeFileSync(outside, 'x');
    const spec = parseBenchSpec(smallSpec({ candidates: ['ppocr-cls', 'ppocr-rec', outside] }));
    const { runId } = await enqueueBench(spec, { connection: conn(r) });
    const w = await startWorker(r.url, storeDir, ['--allow-path', tmp('emms-allowed-')]);
    cleanups.push(() => void w.stop());
    const err = await waitForRun(runId, {
      connection: conn(r),
      store: new ArtifactStore(storeDir),
      pollMs: 100,
    }).catch((e: unknown) => e);
    expect(isEmmsError(err, 'RUN_FAILED')).toBe(true);
    expect((err as Error).message).toContain('JOB_NOT_ALLOWED');
    expect((err as Error).message).toContain(`"${outside}" is not allowed by this worker`);
    expect((err as { details: { cause: { code: string } } }).details.cause.code).toBe('JOB_NOT_ALLOWED');
  }, 120_000);

  it('a run where nothing can be scored ends in NOTHING_SCORED, its reports written', async () => {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const data = tmp('emms-data-');
    const labels = Int32Array.from({ length: 30 }, (_, i) => i % 3);
    await writeNpyFile(join(data, 'labels.npy'), { dtype: 'int32', shape: [30], data: labels });
    for (const [i, m] of ['a', 'b', 'c'].entries()) {
      const x = Float32Array.from(
        { length: 90 },
        (_, k) => Math.cos(k * (i + 2)) + labels[Math.floor(k / 3)]!,
      );
      await writeNpyFile(join(data, `${m}.npy`), { dtype: 'float32', shape: [30, 3], data: x });
    }
    writeFileSync(join(data, 'truth.json'), JSON.stringify({ a: 1, b: 2, c: 3 }));
    const spec = parseBenchSpec({
      tasks: [{ id: 'f', featuresDir: data, labels: join(data, 'labels.npy') }],
      scores: ['leep'], // no model has source probabilities
      groundTruth: { table: join(data, 'truth.json') },
    });
    const w = await startWorker(r.url, storeDir, ['--allow-path', data]);
    cleanups.push(() => void w.stop());
    const out = tmp('emms-out-');
    const err = await runBenchOnQueue(spec, {
      url: r.url,
      store: storeDir,
      cwd: out,
      out,
      pollMs: 100,
    }).catch((e: unknown) => e);
    expect(isEmmsError(err, 'NOTHING_SCORED')).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['report.csv', 'report.html', 'report.json', 'report.md']);
  }, 120_000);

  it('an unknown run id is a typed error', async () => {
    const r = await redis();
    const err = await waitForRun('0123456789abcdef0123', {
      connection: conn(r),
      store: new ArtifactStore(tmp('emms-store-')),
    }).catch((e: unknown) => e);
    expect(isEmmsError(err, 'RUN_NOT_FOUND')).toBe(true);
  });
});

describe('connections that fail are bounded, typed and interruptible', () => {
  it('Redis down: REDIS_UNAVAILABLE after the given retries, in seconds, naming the address', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const err = await enqueueBench(parseBenchSpec(smallSpec()), {
      connection: { host: '127.0.0.1', port },
      retries: 2,
    }).catch((e: unknown) => e);
    expect(isEmmsError(err, 'REDIS_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a refused password: REDIS_AUTH_FAILED at once, and the password is nowhere in the error', async () => {
    const r = await startRedis({ requirePass: 'right-password' });
    cleanups.push(() => r.stop());
    const err = await waitForRun('0123456789abcdef0123', {
      connection: { ...conn(r), username: 'default', password: 'WRONG-planted-secret' },
      store: new ArtifactStore(tmp('emms-store-')),
    }).catch((e: unknown) => e);
    expect(isEmmsError(err, 'REDIS_AUTH_FAILED')).toBe(true);
    expect(JSON.stringify({ m: (err as Error).message, s: (err as Error).stack })).not.toContain('planted');
  });

  it('a worker whose Redis is down stops with a typed error after its retries, and at once on SIGTERM', async () => {
    const port = await freePort();
    const worker = join(__dirname, '..', 'dist', 'worker-main.js');
    const run = (retries: string) => {
      const child = spawn(
        process.execPath,
        [worker, '--queue', `redis://127.0.0.1:${port}`, '--retries', retries],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      cleanups.push(() => void child.kill('SIGKILL'));
      const exit = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
      return { child, exit, out: () => out };
    };
    const t0 = Date.now();
    const bounded = run('2');
    expect(await bounded.exit).toBe(1);
    expect(bounded.out()).toContain('cannot reach Redis');
    expect(Date.now() - t0).toBeLessThan(15_000);
    const patient = run('1000');
    await waitFor(async () => (patient.out().includes('connecting') ? true : undefined));
    await new Promise((res) => setTimeout(res, 500));
    const t1 = Date.now();
    patient.child.kill('SIGTERM');
    expect(await patient.exit).toBe(0);
    expect(Date.now() - t1).toBeLessThan(3000);
  }, 60_000);
});
