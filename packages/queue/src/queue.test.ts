import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchSpec, runBench } from '@emms/harness';
import { isEmmsError } from '@emms/tensor-io';
import { Job, Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { openRedis } from './connection';
import { enqueueBench, waitForRun } from './enqueue';
import { comparable, smallSpec, startWorker } from './helpers.test-util';
import { ArtifactStore } from './store';
import { startRedis, type TestRedis } from './testing';
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
  return q;
}

async function waitFor<T>(f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('queued bench runs against a real Redis', () => {
  it('a worker killed with SIGKILL mid-job: another takes the job over and the report equals the local one', async () => {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const spec = parseBenchSpec(smallSpec());
    const local = await runBench({ ...spec, cache: tmp('emms-local-') }, { noWrite: true });

    const { runId } = await enqueueBench(spec, { connection: conn(r), backoffMs: 200 });
    const a = await startWorker(r.url, storeDir);
    cleanups.push(() => void a.stop('SIGKILL'));
    const queue = openQueue(r);
    cleanups.push(() => queue.close());
    const victim = await waitFor(async () => (await queue.getActive())[0]);
    a.child.kill('SIGKILL');
    await a.stop();
    const b = await startWorker(r.url, storeDir);
    cleanups.push(() => void b.stop());
    const report = await waitForRun(runId, {
      connection: conn(r),
      store: new ArtifactStore(storeDir),
      pollMs: 100,
      onProgress: process.env.EMMS_QUEUE_DEBUG
        ? (p) => console.log(JSON.stringify(p), b.output())
        : undefined,
    });

    const taken = await Job.fromId(queue, victim.id!);
    expect(taken?.returnvalue.pid).toBe(b.child.pid);
    expect(comparable(report)).toEqual(comparable(local.report));
    expect(report.tasks[0]!.models.map((m) => m.id)).toEqual(['ppocr-cls', 'ppocr-rec', 'pixels']);
  }, 180_000);

  it('a job that always fails is retried a bounded number of times with back-off, the rest completes', async () => {
    const r = await redis();
    const storeDir = tmp('emms-store-');
    const allowed = tmp('emms-models-');
    const broken = join(allowed, 'broken.onnx');
    writeFileSync(broken, 'not an onnx model');
    const spec = parseBenchSpec(smallSpec({ candidates: ['ppocr-cls', 'ppocr-rec', 'pixels', broken] }));
    const { runId, jobIds } = await enqueueBench(spec, { connection: conn(r), attempts: 3, backoffMs: 200 });
    const w = await startWorker(r.url, storeDir, ['--allow-path', allowed]);
    cleanups.push(() => void w.stop());
    const report = await waitForRun(runId, {
      connection: conn(r),
      store: new ArtifactStore(storeDir),
      pollMs: 100,
    });

    const queue = openQueue(r);
    cleanups.push(() => queue.close());
    const states = await Promise.all(jobIds.map(async (id) => [id, await queue.getJobState(id)] as const));
    const failed = states.filter(([, s]) => s === 'failed').map(([id]) => id);
    expect(failed.length).toBe(2); // train and test extraction of the broken model
    for (const id of failed) {
      const j = (await Job.fromId(queue, id))!;
      expect(j.attemptsMade).toBe(3);
      // two back-off waits: 200 ms then 400 ms
      expect(j.finishedOn! - j.timestamp).toBeGreaterThanOrEqual(600);
    }
    expect(states.filter(([, s]) => s === 'completed').length).toBe(jobIds.length - 2);
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

  it('Redis restarted mid-run with persistence: the run completes', async () => {
    const r = await redis(true);
    const storeDir = tmp('emms-store-');
    const spec = parseBenchSpec(smallSpec());
    const { runId } = await enqueueBench(spec, { connection: conn(r) });
    const w = await startWorker(r.url, storeDir);
    cleanups.push(() => void w.stop());
    const queue = openQueue(r);
    await waitFor(async () => ((await queue.getCompletedCount()) >= 1 ? true : undefined));
    expect(await queue.getJobState(`${runId}-report`)).not.toBe('completed'); // really mid-run
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

  it('an unknown run id is a typed error', async () => {
    const r = await redis();
    const err = await waitForRun('0123456789abcdef0123', {
      connection: conn(r),
      store: new ArtifactStore(tmp('emms-store-')),
    }).catch((e: unknown) => e);
    expect(isEmmsError(err, 'RUN_NOT_FOUND')).toBe(true);
  });
});
