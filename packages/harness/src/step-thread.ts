// The script of each worker thread of the threads executor: runs the step calls it is sent, by name, with
// the same `runStep` as the in-process executor, and sends back progress, log lines and the outcome.
import { parentPort, workerData } from 'node:worker_threads';
import { configureRuntime } from '@emms/runtime';
import { errorInfo } from './pipeline/artifacts';
import type { ThreadData, ThreadMessage } from './pipeline/executors/threads';
import { scorerFrom } from './pipeline/scorer';
import { runStep } from './pipeline/steps/index';
import type { StepCall } from './pipeline/types';
import { ArtifactStore } from './store';

const port = parentPort;
if (port) {
  const data = workerData as ThreadData;
  configureRuntime(data.runtime); // the model runtimes of this thread follow the calling thread's settings
  const store = new ArtifactStore(data.storeDir, { reuse: data.reuse });
  const scorer = scorerFrom({ recipe: data.recipe });
  const send = (m: ThreadMessage) => port.postMessage(m);
  port.on('message', async (m: { type: 'run'; id: number; call: StepCall }) => {
    if (m.type !== 'run') return;
    try {
      const outcome = await runStep(m.call, {
        store,
        cwd: data.cwd,
        scorer,
        onnxThreads: data.onnxThreads,
        onProgress: (event) => send({ type: 'progress', id: m.id, event }),
        log: (line) => send({ type: 'log', id: m.id, line }),
      });
      send({ type: 'done', id: m.id, outcome });
    } catch (e) {
      send({
        type: 'done',
        id: m.id,
        outcome: { ok: false, error: errorInfo(e), counts: { hits: 0, misses: 0 } },
      });
    }
  });
}
