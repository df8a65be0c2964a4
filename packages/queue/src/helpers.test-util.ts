// Shared pieces of the queue tests: worker child processes and a small spec.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const WORKER = join(__dirname, '..', 'dist', 'worker-main.js');

/** A real worker process; resolves once it prints "ready". */
export async function startWorker(
  url: string,
  store: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{
  child: ChildProcess;
  output: () => string;
  stop: (sig?: NodeJS.Signals) => Promise<number | null>;
}> {
  const child = spawn(
    process.execPath,
    [WORKER, '--queue', url, '--store', store, '--lock-ms', '10000', '--stalled-ms', '5000', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((res, rej) => {
    const t = setInterval(() => {
      if (out.includes('ready')) {
        clearInterval(t);
        res();
      }
    }, 20);
    void exited.then(() => {
      clearInterval(t);
      rej(new Error(`worker exited: ${out}`));
    });
  });
  return {
    child,
    output: () => out,
    stop: async (sig = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      return exited;
    },
  };
}

/** The small spec of the tests: two cheap zoo models and raw pixels on 3+3 digits per class. */
export function smallSpec(extra: Record<string, unknown> = {}) {
  return {
    tasks: [{ dataset: 'mnist', trainPerClass: 3, testPerClass: 3, seed: 1 }],
    candidates: ['ppocr-cls', 'ppocr-rec', 'pixels'],
    flabels: { embedders: [], templates: ['{}'] },
    scores: ['logme', 'hscore', 'leep'],
    groundTruth: { measured: ['knn'], knnK: 3, bootstrapReps: 50 },
    ...extra,
  };
}
