// Runs the built probes in a worker thread (see probe-reproducible.test.ts): the ground truth must be
// the same in a worker, with the WebAssembly kernels off, as in the main thread on any backend.
import { parentPort, workerData } from 'node:worker_threads';
import { knnAccuracy, linearProbe } from '../../dist/index.js';

const { train, test } = workerData;
const probe = linearProbe(train, test);
const knn = knnAccuracy(train, test, { k: 5 });
parentPort.postMessage({
  l2: probe.l2,
  accuracy: probe.accuracy,
  cvLogLoss: probe.cvLogLoss,
  predictions: Array.from(probe.predictions),
  correct: Array.from(probe.correct),
  knn: Array.from(knn.predictions),
  wasm: process.env.EMMS_LINALG_WASM ?? 'on',
});
