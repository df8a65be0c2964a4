// A worker process: node dist/worker-main.js --queue URL --store DIR [--allow-path DIR]… [--concurrency N]
// [--lock-ms N] [--stalled-ms N]. SIGTERM/SIGINT stop it after the current job. Prints "ready" once taking jobs.
import { parseArgs } from 'node:util';
import { parseQueueUrl } from './connection';
import { ArtifactStore } from './store';
import { runWorker } from './worker';

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    store: { type: 'string' },
    'allow-path': { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    'lock-ms': { type: 'string' },
    'stalled-ms': { type: 'string' },
  },
});
const conn = parseQueueUrl(values.queue ?? 'redis://127.0.0.1:6379');
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());
async function main(): Promise<void> {
  await runWorker({
    connection: conn.options,
    store: new ArtifactStore(values.store ?? '.emms-store'),
    allowedPaths: values['allow-path'] ?? [],
    concurrency: values.concurrency ? Number(values.concurrency) : 1,
    lockDuration: values['lock-ms'] ? Number(values['lock-ms']) : undefined,
    stalledInterval: values['stalled-ms'] ? Number(values['stalled-ms']) : undefined,
    signal: stop.signal,
    log: (line) => process.stdout.write(`${line}\n`),
    onReady: () => process.stdout.write(`ready ${conn.display}\n`),
  });
  process.stdout.write('stopped\n');
}
main().catch((e: unknown) => {
  process.stderr.write(`worker: ${(e as Error).message}\n`);
  process.exit(1);
});
