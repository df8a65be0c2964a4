import { isAbsolute, resolve } from 'node:path';
import { type BenchSpec, defaultBenchSpec, readBenchSpec, writeReports } from '@emms/harness';
import { ArtifactStore, enqueueBench, parseQueueUrl, waitForRun } from '@emms/queue';
import type { CliCommand, CliIo, CliOption } from '../command';
import { UsageError } from '../command';
import { renderJson } from '../format';
import { progressRenderer } from '../progress';
import { taskSummary } from './bench';

/** Options a bench command needs to run on a queue (shared with `emms bench` when it hooks them in). */
export const queueOptions: readonly CliOption[] = [
  {
    name: 'queue',
    type: 'string',
    value: 'URL',
    description:
      'Run on workers: redis://HOST:PORT[/DB] or rediss:// (password from the URL or EMMS_REDIS_PASSWORD).',
  },
  {
    name: 'store',
    type: 'string',
    value: 'DIR',
    description: 'With --queue: the artifact folder shared with the workers (default .emms-store).',
  },
  { name: 'detach', type: 'boolean', description: 'With --queue: enqueue, print the run id and return.' },
  {
    name: 'attach',
    type: 'string',
    value: 'ID',
    description: 'With --queue: follow (or collect) the run with this id and write its reports.',
  },
];

/**
 * Runs a bench spec on a queue: enqueue (unless attaching), then follow with a progress bar over the
 * whole grid, and write the same report files as a local run.
 */
export async function runOnQueue(
  spec: BenchSpec | undefined,
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
  command: string,
): Promise<number> {
  const conn = parseQueueUrl(values.queue as string, io.env);
  const storeDir = (values.store as string | undefined) ?? '.emms-store';
  const store = new ArtifactStore(isAbsolute(storeDir) ? storeDir : resolve(io.cwd, storeDir));
  let runId = values.attach as string | undefined;
  if (runId === undefined) {
    if (!spec) throw new UsageError('nothing to run', command);
    const r = await enqueueBench(spec, { connection: conn.options });
    runId = r.runId;
    io.stderr.write(
      `run ${runId}: ${r.jobIds.length} jobs ${r.added ? 'enqueued' : 'already in the queue'} on ${conn.display}\n`,
    );
    if (values.detach === true) {
      io.stdout.write(`${runId}\n`);
      return 0;
    }
  }
  const bar = progressRenderer(io);
  let lastLine = '';
  let report: Awaited<ReturnType<typeof waitForRun>>;
  try {
    report = await waitForRun(runId, {
      connection: conn.options,
      store,
      onProgress: (p) => {
        const e = {
          task: `run ${p.runId}`,
          done: p.done,
          total: p.total,
          message: p.failed ? `${p.failed} failed` : p.state,
        };
        if (bar.listener) bar.listener(e);
        else {
          const line = `${e.task} ${p.done}/${p.total} ${e.message}`;
          if (line !== lastLine) io.stderr.write(`${line}\n`);
          lastLine = line;
        }
      },
    });
  } finally {
    bar.finish();
  }
  const out = spec?.out ?? `emms-bench-${runId}`;
  const paths = await writeReports(report, resolve(io.cwd, out));
  if (values.format === 'json') io.stdout.write(renderJson(report));
  else {
    for (const t of report.tasks) io.stdout.write(`${taskSummary(t)}\n`);
    io.stdout.write(`run ${runId}; reports: ${Object.values(paths).join(', ')}\n`);
  }
  return 0;
}

function list(v: unknown): string[] | undefined {
  return typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${v}"`, 'queue-bench');
  return n;
}

/** `emms queue-bench`: `emms bench` on a Redis queue of workers. */
export const queueBenchCommand: CliCommand = {
  name: 'queue-bench',
  summary: 'Run a benchmark on workers through a Redis queue (see `emms worker`), or follow a run.',
  usage: [
    '--queue URL [--store DIR] [--spec FILE | --models IDS --dataset D ...] [--out DIR] [--detach]',
    '--queue URL [--store DIR] --attach ID [--out DIR]',
  ].join('\n'),
  options: [
    ...queueOptions,
    { name: 'spec', type: 'string', value: 'FILE', description: 'A bench spec (JSON).' },
    { name: 'dataset', type: 'string', value: 'DATASET', description: 'Dataset (default mnist).' },
    { name: 'models', type: 'string', value: 'IDS', description: 'Comma-separated candidates.' },
    { name: 'metrics', type: 'string', value: 'IDS', description: 'Comma-separated score ids.' },
    { name: 'train-per-class', type: 'string', value: 'N', description: 'Train items per class.' },
    { name: 'test-per-class', type: 'string', value: 'N', description: 'Test items per class.' },
    { name: 'out', type: 'string', value: 'DIR', description: 'Report folder (default emms-bench).' },
    {
      name: 'format',
      type: 'string',
      value: 'FORMAT',
      default: 'table',
      choices: ['table', 'json'],
      description: 'Output: table or json (the report).',
    },
  ],
  details: [
    'The workers resolve models and datasets themselves; this command only enqueues, follows and writes reports.',
    '',
    'Examples:',
    '  emms queue-bench --queue redis://127.0.0.1:6379 --store /mnt/emms-store --models ppocr-cls,ppocr-rec,pixels',
    '  emms queue-bench --queue redis://127.0.0.1:6379 --store /mnt/emms-store --attach 4df89ae041490a4d5870',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, 'queue-bench');
    if (typeof values.queue !== 'string') throw new UsageError('--queue URL is required', 'queue-bench');
    if (values.attach !== undefined) {
      if (values.detach === true) throw new UsageError('give either --attach or --detach', 'queue-bench');
      return runOnQueue(undefined, values, io, 'queue-bench');
    }
    let spec: BenchSpec;
    if (values.spec !== undefined) spec = await readBenchSpec(resolve(io.cwd, values.spec as string));
    else {
      spec = defaultBenchSpec({
        dataset: values.dataset as string | undefined,
        models: list(values.models),
        metrics: list(values.metrics),
        trainPerClass: positiveInt(values['train-per-class'], '--train-per-class'),
        testPerClass: positiveInt(values['test-per-class'], '--test-per-class'),
      });
    }
    if (values.out !== undefined) spec = { ...spec, out: values.out as string };
    return runOnQueue(spec, values, io, 'queue-bench');
  },
};
