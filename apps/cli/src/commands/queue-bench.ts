import { resolve } from 'node:path';
import { type BenchSpec, defaultBenchSpec, readBenchSpec } from '@emms/harness';
import { runBenchOnQueue } from '@emms/queue';
import type { CliCommand, CliIo, CliOption } from '../command';
import { UsageError } from '../command';
import { renderJson } from '../format';
import { progressRenderer } from '../progress';
import { INTERRUPTED, untilInterrupted } from '../signals';
import { taskSummary } from './bench-print';

/** Options a bench command needs to run on a queue (shared with `emms bench`). */
export const queueOptions: readonly CliOption[] = [
  {
    name: 'queue',
    type: 'string',
    value: 'URL',
    description:
      'Run on workers: redis://HOST:PORT[/DB] or rediss:// (password from the URL or EMMS_REDIS_PASSWORD; never printed).',
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
  {
    name: 'redis-retries',
    type: 'string',
    value: 'N',
    description: 'With --queue: reconnection attempts before giving up with REDIS_UNAVAILABLE (default 5).',
  },
];

/** A positive (or, with `min: 0`, non-negative) integer flag value. */
export function intFlag(v: unknown, flag: string, command: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got "${String(v)}"`, command);
  return n;
}

/**
 * Runs a spec on a queue (or attaches to a run): enqueue, follow with a progress bar over the whole run,
 * write the same report files as a local run, print the summary. SIGINT/SIGTERM stop following (the run
 * goes on on the workers).
 */
export async function runOnQueue(
  spec: BenchSpec | undefined,
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
  command: string,
): Promise<number> {
  if (values.attach !== undefined && values.detach === true)
    throw new UsageError('give either --attach or --detach', command);
  const url = (values.queue as string | undefined) ?? spec?.queue;
  if (!url) throw new UsageError('--queue URL is required', command);
  const bar = progressRenderer(io);
  let lastLine = '';
  const run = await untilInterrupted((signal) =>
    runBenchOnQueue(spec, {
      url,
      env: io.env,
      store: (values.store as string | undefined) ?? '.emms-store',
      cwd: io.cwd,
      detach: values.detach === true,
      ...(typeof values.attach === 'string' ? { attach: values.attach } : {}),
      ...(typeof values.out === 'string' ? { out: values.out } : {}),
      retries: intFlag(values['redis-retries'], '--redis-retries', command, 0),
      signal,
      log: (line) => io.stderr.write(`${line}\n`),
      onProgress: (e) => {
        if (bar.listener) return bar.listener(e);
        const line = `${e.task} ${e.done}/${e.total} ${e.message ?? ''}`;
        if (line !== lastLine) io.stderr.write(`${line}\n`);
        lastLine = line;
      },
    }),
  ).finally(() => bar.finish());
  if (run.interrupted) {
    io.stderr.write('stopped following; the run goes on on the workers (collect it with --attach RUN_ID)\n');
    return INTERRUPTED;
  }
  const { runId, report, paths } = run.value!;
  if (!report) {
    io.stdout.write(`${runId}\n`);
    return 0;
  }
  if (values.format === 'json') io.stdout.write(renderJson(report));
  else {
    for (const t of report.tasks) io.stdout.write(`${taskSummary(t)}\n`);
    io.stdout.write(`run ${runId}; reports: ${Object.values(paths ?? {}).join(', ')}\n`);
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
    'Ctrl-C stops following; the run goes on on the workers.',
    '',
    'Examples:',
    '  emms queue-bench --queue redis://127.0.0.1:6379 --store /mnt/emms-store --models ppocr-cls,ppocr-rec,pixels',
    '  emms queue-bench --queue redis://127.0.0.1:6379 --store /mnt/emms-store --attach 4df89ae041490a4d5870',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, 'queue-bench');
    if (values.attach !== undefined) return runOnQueue(undefined, values, io, 'queue-bench');
    let spec: BenchSpec;
    if (values.spec !== undefined) {
      const decided = ['dataset', 'models', 'metrics', 'train-per-class', 'test-per-class'].filter(
        (f) => values[f] !== undefined,
      );
      if (decided.length)
        throw new UsageError(
          `--spec decides ${decided.map((f) => `--${f}`).join(', ')}; give one or the other`,
          'queue-bench',
        );
      spec = await readBenchSpec(resolve(io.cwd, values.spec as string));
    } else {
      spec = defaultBenchSpec({
        dataset: values.dataset as string | undefined,
        models: list(values.models),
        metrics: list(values.metrics),
        trainPerClass: intFlag(values['train-per-class'], '--train-per-class', 'queue-bench'),
        testPerClass: intFlag(values['test-per-class'], '--test-per-class', 'queue-bench'),
      });
    }
    return runOnQueue(spec, values, io, 'queue-bench');
  },
};
