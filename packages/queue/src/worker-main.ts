// A worker process for the tests: node dist/worker-main.js --queue URL --store DIR [--allow-path DIR]…
// [--concurrency N] [--lock-ms N] [--stalled-ms N] [--retries N] [--backoff-ms N]. SIGTERM/SIGINT stop it
// within seconds. Prints "ready" once taking jobs.
import { parseArgs } from 'node:util';
import { ArtifactStore } from '@emms/harness';
import { parseQueueUrl, redactSecrets } from './connection';
import { runWorker } from './worker';

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    store: { type: 'string' },
    'allow-path': { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    'lock-ms': { type: 'string' },
    'stalled-ms': { type: 'string' },
    retries: { type: 'string' },
    'backoff-ms': { type: 'string' },
  },
});
const conn = parseQueueUrl(values.queue ?? 'redis://127.0.0.1:6379');
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());
const num = (v: string | undefined) => (v ? Number(v) : undefined);
async function main(): Promise<void> {
  process.stdout.write(`connecting ${conn.display}\n`);
  await runWorker({
    connection: conn.options,
    store: new ArtifactStore(values.store ?? '.emms-store'),
    allowedPaths: values['allow-path'] ?? [],
    concurrency: num(values.concurrency) ?? 1,
    lockDuration: num(values['lock-ms']),
    stalledInterval: num(values['stalled-ms']),
    retries: num(values.retries),
    ...(values['backoff-ms']
      ? { stepJobOptions: { backoff: { type: 'exponential', delay: Number(values['backoff-ms']) } } }
      : {}),
    signal: stop.signal,
    log: (line) => process.stdout.write(`${line}\n`),
    onReady: () => process.stdout.write(`ready ${conn.display}\n`),
  });
  process.stdout.write('stopped\n');
}
main().catch((e: unknown) => {
  process.stderr.write(`worker: ${redactSecrets((e as Error).message, [conn.options.password])}\n`);
  process.exit(1);
});
