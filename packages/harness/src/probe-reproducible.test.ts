// The measured ground truth must not depend on the linear-algebra backend or the executor: the same
// features give bit-identical λ, CV losses, predictions and accuracy with the js backend (WebAssembly
// kernels on and off), with OpenBLAS, and in a worker thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { jsBackend, type LinalgBackend, setBackend } from '@emms/linalg';
import { openblasBackend } from '@emms/linalg-openblas';
import { type Matrix, seededRandom } from '@emms/tensor-io';
import { afterAll, describe, expect, it } from 'vitest';
import { knnAccuracy, linearProbe } from './probe';

const native = openblasBackend() as LinalgBackend | null;

/** A hard case for reproducibility: few train items per class (8), D > 2N, classes close together. */
function fewShot(seed: number, perClass: number, testPerClass: number, d: number, classes: number) {
  const random = seededRandom(seed);
  const centre = Float64Array.from({ length: classes * d }, () => (random() - 0.5) * 0.5);
  const make = (per: number) => {
    const rows = per * classes;
    const x = new Float32Array(rows * d); // float32, as extracted features are
    const y = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      y[i] = i % classes;
      for (let j = 0; j < d; j++) x[i * d + j] = centre[y[i] * d + j] + (random() + random() - 1) * 1.5;
    }
    return { x: { rows, cols: d, data: x } as Matrix, y };
  };
  return { train: make(perClass), test: make(testPerClass) };
}

const cases = {
  'row space (8 per class, D = 300)': fewShot(1, 8, 16, 300, 10),
  'direct (30 per class, D = 40)': fewShot(2, 30, 20, 40, 6),
};

function summary(
  train: ReturnType<typeof fewShot>['train'],
  test: ReturnType<typeof fewShot>['test'],
  backend?: LinalgBackend,
) {
  const probe = linearProbe(train, test, backend ? { backend } : {});
  const knn = knnAccuracy(train, test, { k: 5, ...(backend ? { backend } : {}) });
  return {
    l2: probe.l2,
    accuracy: probe.accuracy,
    cvLogLoss: probe.cvLogLoss,
    predictions: Array.from(probe.predictions),
    correct: Array.from(probe.correct),
    knn: Array.from(knn.predictions),
  };
}

afterAll(() => setBackend(jsBackend));

describe.each(Object.entries(cases))('probe reproducibility: %s', (_name, { train, test }) => {
  const reference = summary(train, test, jsBackend);

  it('is the same on every run and with the global backend switched (js)', () => {
    setBackend(jsBackend);
    expect(summary(train, test)).toEqual(reference);
  });

  it.skipIf(!native && process.env.CI !== 'true')('is bit-identical with OpenBLAS', () => {
    expect(native, 'OpenBLAS must load on CI (tooling/setup.sh installs it)').not.toBeNull();
    expect(summary(train, test, native!)).toEqual(reference);
    setBackend(native!);
    expect(summary(train, test)).toEqual(reference);
    setBackend(jsBackend);
  });

  const worker = fileURLToPath(new URL('./test-data/probe-worker.mjs', import.meta.url));
  const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
  it.skipIf(!built && process.env.CI !== 'true')(
    'is bit-identical in a worker thread with the WebAssembly kernels off',
    async () => {
      const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const w = new Worker(worker, {
          workerData: { train, test },
          env: { ...process.env, EMMS_LINALG_WASM: '0' },
        });
        w.once('message', resolve);
        w.once('error', reject);
      });
      expect(result.wasm).toBe('0');
      const { wasm: _, ...rest } = result;
      expect(rest).toEqual(reference);
    },
  );
});
