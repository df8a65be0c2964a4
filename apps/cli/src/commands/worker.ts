import { resolve } from 'node:path';
import { ArtifactStore } from '@emms/harness';
import { parseQueueUrl, runWorker } from '@emms/queue';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { loadScorer } from '../registry';
import { intFlag } from './queue-bench';

/** `emms worker`: take bench jobs from a Redis queue until stopped (SIGTERM/SIGINT finish the current job). */
export const workerCommand: CliCommand = {
  name: 'worker',
  summary: 'Take benchmark jobs (extraction, F-labels, scores, reports) from a Redis queue until stopped.',
  usage: '--queue redis://HOST:PORT[/DB] [--store DIR] [--allow-path DIR]... [--concurrency N]',
  options: [
    {
      name: 'queue',
      type: 'string',
      value: 'URL',
      description:
        'Redis address: redis://HOST:PORT[/DB] or rediss:// (TLS); the password from the URL or EMMS_REDIS_PASSWORD.',
    },
    {
      name: 'store',
      type: 'string',
      value: 'DIR',
      description: 'Shared artifact folder, the same on every worker and the client (default .emms-store).',
    },
    {
      name: 'allow-path',
      type: 'string',
      multiple: true,
      value: 'DIR',
      description: 'A folder jobs may name datasets, .onnx models and files in (repeatable; default none).',
    },
    {
      name: 'concurrency',
      type: 'string',
      value: 'N',
      description: 'Jobs at once in this process (default 1).',
    },
    {
      name: 'onnx-threads',
      type: 'string',
      value: 'N',
      description:
        'onnxruntime intra-op threads per extraction (default: the cores ÷ --concurrency); give 1 when several workers share a machine.',
    },
    {
      name: 'lock-ms',
      type: 'string',
      value: 'MS',
      description: 'Job lock time; a dead worker’s job is taken over after it (default 30000).',
    },
    {
      name: 'redis-retries',
      type: 'string',
      value: 'N',
      description:
        'Reconnection attempts (back-off 0.2 s doubling to 2 s) before the worker stops with REDIS_UNAVAILABLE (default 5).',
    },
  ],
  details: [
    'Jobs name zoo models, mnist, or files inside --allow-path folders; anything else is refused',
    '(JOB_NOT_ALLOWED) and never loaded. SIGTERM or SIGINT stops the worker within seconds: the step in',
    'progress stops (an extraction resumes later from its finished batches) and its job goes back to the queue.',
    'A Redis that cannot be reached, or refuses the password, stops the worker with a typed error.',
    '',
    'Example:',
    '  EMMS_REDIS_PASSWORD=… emms worker --queue rediss://queue.lan:6380/0 --store /mnt/emms-store',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'worker');
    if (typeof values.queue !== 'string') throw new UsageError('--queue URL is required', 'worker');
    const conn = parseQueueUrl(values.queue, io.env);
    const scorer = await loadScorer(io); // the backend this machine runs scores on
    const num = (v: unknown, flag: string, min = 1) => intFlag(v, flag, 'worker', min);
    const stop = new AbortController();
    const onSignal = () => {
      io.stderr.write('stopping: the job in progress goes back to the queue\n');
      stop.abort();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const storeDir = (values.store as string | undefined) ?? '.emms-store';
    try {
      await runWorker({
        connection: conn.options,
        store: ArtifactStore.open(resolve(io.cwd, storeDir), { name: '--store' }),
        scorer: {
          backend: scorer.backend.name === 'openblas' ? 'openblas' : 'js',
          config: io.cwd,
          cwd: io.cwd,
        },
        allowedPaths: (values['allow-path'] as string[] | undefined) ?? [],
        baseDir: io.cwd,
        concurrency: num(values.concurrency, '--concurrency'),
        onnxThreads: num(values['onnx-threads'], '--onnx-threads'),
        lockDuration: num(values['lock-ms'], '--lock-ms'),
        retries: num(values['redis-retries'], '--redis-retries', 0),
        signal: stop.signal,
        log: (line) => io.stderr.write(`${line}\n`),
        onReady: () => io.stderr.write(`worker ${process.pid} taking jobs from ${conn.display}\n`),
      });
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    io.stderr.write('worker stopped\n');
    return 0;
  },
};
