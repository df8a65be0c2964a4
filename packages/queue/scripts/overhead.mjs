// Queue run with N workers and the queue's overhead per job (not a test). After `pnpm build`:
//   node scripts/overhead.mjs --spec bench.json --workers 1 [--store DIR] [--onnx-threads N]
// Starts a private redis-server on 127.0.0.1, N `emms worker` processes on one store, then
// `emms queue-bench …` with the spec, and prints from BullMQ's own timestamps: the run's wall time, the
// summed processing time of the step jobs, and the overhead per job, (wall × workers − Σ processing) ÷ jobs
// for one worker (with more workers, idle time waiting for a stage's last job counts as overhead too).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { startRedis } from '../dist/testing.js';

const { values } = parseArgs({
  options: {
    spec: { type: 'string' },
    workers: { type: 'string', default: '1' },
    store: { type: 'string' },
    'onnx-threads': { type: 'string' },
  },
});
if (!values.spec) throw new Error('give --spec bench.json');
const cli = resolve(import.meta.dirname, '../../../apps/cli/dist/bin.js');
const workers = Number(values.workers);
const store = values.store ?? mkdtempSync(join(tmpdir(), 'emms-queue-store-'));
const out = mkdtempSync(join(tmpdir(), 'emms-queue-out-'));
const redis = await startRedis();
const procs = [];

function run(args, { wait = true } = {}) {
  const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  if (!wait) return p;
  return new Promise((ok, fail) =>
    p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`emms ${args[0]} exited ${code}: ${err}`)))),
  );
}

try {
  for (let w = 0; w < workers; w++)
    procs.push(
      run(
        [
          'worker',
          '--queue',
          redis.url,
          '--store',
          store,
          ...(values['onnx-threads'] ? ['--onnx-threads', values['onnx-threads']] : []),
        ],
        { wait: false },
      ),
    );
  const t0 = performance.now();
  await run([
    'queue-bench',
    '--queue',
    redis.url,
    '--store',
    store,
    '--spec',
    resolve(values.spec),
    '--out',
    out,
  ]);
  const wall = (performance.now() - t0) / 1000;
  const q = new Queue('emms-bench', { connection: { host: redis.host, port: redis.port } });
  const jobs = (await q.getJobs(['completed', 'failed'])).filter((j) => j.name !== 'run');
  await q.close();
  const processing = jobs.reduce((a, j) => a + (j.finishedOn - j.processedOn) / 1000, 0);
  const first = Math.min(...jobs.map((j) => j.timestamp));
  const last = Math.max(...jobs.map((j) => j.finishedOn));
  // gaps between one job's end and the next job's start on a worker (one worker: exact; more: approximate,
  // jobs sorted by start): within a stage that is BullMQ handing out the next job, across stages it is the
  // run job resuming, planning the next stage and adding its jobs
  const sorted = [...jobs].sort((a, b) => a.processedOn - b.processedOn);
  const within = [];
  const across = [];
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i].processedOn - sorted[i - 1].finishedOn;
    if (gap < 0) continue; // overlapping jobs on two workers
    (sorted[i].name === sorted[i - 1].name ? within : across).push(gap);
  }
  const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null);
  const byStep = {};
  for (const j of jobs) byStep[j.name] = (byStep[j.name] ?? 0) + (j.finishedOn - j.processedOn) / 1000;
  console.log(
    JSON.stringify(
      {
        workers,
        jobs: jobs.length,
        wallSeconds: +wall.toFixed(2),
        firstJobToLastSeconds: +((last - first) / 1000).toFixed(2),
        processingSeconds: +processing.toFixed(2),
        overheadPerJobMs: +(((((last - first) / 1000) * workers - processing) / jobs.length) * 1000).toFixed(
          1,
        ),
        retried: jobs
          .filter((j) => (j.attemptsStarted ?? 0) > 1 || j.attemptsMade > 1)
          .map((j) => `${j.name} started ${j.attemptsStarted} made ${j.attemptsMade}`),
        firstJobWaitMs: sorted.length ? sorted[0].processedOn - sorted[0].timestamp : null,
        gapWithinStageSumMs: within.reduce((x, y) => x + y, 0),
        gapsAcrossStagesMs: across,
        gapWithinStageMedianMs: median(within),
        gapAcrossStagesMedianMs: median(across),
        gapsWithin: within.length,
        gapsAcross: across.length,
        byStep: Object.fromEntries(Object.entries(byStep).map(([k, v]) => [k, +v.toFixed(2)])),
        store,
      },
      null,
      1,
    ),
  );
} finally {
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((ok) => (p.exitCode !== null ? ok() : p.on('exit', ok)))));
  await redis.stop();
}
