// The same features give the same ground truth, bit for bit, with the js and OpenBLAS backends and through
// the in-process and worker-thread executors: every measured truth of every task kind (linear probe, kNN,
// ridge IoU and R² of boxes, caption retrieval), each run on a fresh store so that nothing is reused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsBackend, type LinalgBackend } from '@emms/linalg';
import { openblasBackend } from '@emms/linalg-openblas';
import { type Matrix, seededRandom } from '@emms/tensor-io';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../store';
import { saveLabels, saveMatrix } from './artifacts';
import { inProcessExecutor } from './executors/inprocess';
import { threadsExecutor } from './executors/threads';
import type { TruthInput } from './steps/truth';
import type { Executor, StepCall } from './types';

const native = openblasBackend() as LinalgBackend | null;
const root = mkdtempSync(join(tmpdir(), 'emms-truth-repro-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Few items, D > N, classes close together: where a λ choice could flip with rounding. */
function data(seed: number) {
  const random = seededRandom(seed);
  const d = 120;
  const classes = 5;
  const make = (rows: number) => {
    const x = new Float32Array(rows * d);
    const y = new Int32Array(rows);
    const box = new Float32Array(rows * 4);
    const caption = new Float32Array(rows * 16);
    for (let i = 0; i < rows; i++) {
      y[i] = i % classes;
      for (let j = 0; j < d; j++) x[i * d + j] = y[i] * 0.05 * Math.sin(j) + (random() - 0.5);
      const x0 = random() * 0.5;
      const y0 = random() * 0.5;
      box.set([x0, y0, x0 + 0.2 + x[i * d] * 0.05, y0 + 0.3], i * 4);
      for (let j = 0; j < 16; j++) caption[i * 16 + j] = (j === y[i] ? 1 : 0) + x[i * d + j] * 0.3;
    }
    const m = (cols: number, a: Float32Array): Matrix => ({ rows, cols, data: a });
    return { x: m(d, x), y, box: m(4, box), caption: m(16, caption) };
  };
  return { train: make(40), test: make(30) };
}

/** The truth calls of one candidate, written to a fresh store. */
async function calls(store: ArtifactStore): Promise<StepCall[]> {
  const { train, test } = data(7);
  const x = await saveMatrix(store, 'features', train.x);
  const xt = await saveMatrix(store, 'features', test.x);
  const labels = saveLabels(store, train.y, test.y);
  const targets = async (a: Matrix, b: Matrix) => ({
    train: await saveMatrix(store, 'targets', a),
    test: await saveMatrix(store, 'targets', b),
  });
  const probe: TruthInput = {
    kind: 'probe',
    task: 't',
    candidate: 'm',
    train: x,
    test: xt,
    labels,
    kinds: ['linear-probe', 'knn'],
    knnK: 5,
  };
  const boxes: TruthInput = {
    kind: 'targets',
    task: 't',
    candidate: 'm',
    train: x,
    test: xt,
    targets: await targets(train.box, test.box),
    kinds: ['ridge-iou', 'ridge-r2'],
  };
  const captions: TruthInput = {
    ...boxes,
    targets: await targets(train.caption, test.caption),
    kinds: ['caption-retrieval'],
  };
  return [probe, boxes, captions].map((input) => ({ step: 'truth', input }));
}

/** The outcomes without their timings. */
async function truths(name: string, make: (store: ArtifactStore) => Executor): Promise<unknown> {
  const store = new ArtifactStore(join(root, name));
  const executor = make(store);
  try {
    const out = await executor.run(await calls(store), {});
    return JSON.parse(JSON.stringify(out, (k, v) => (k === 'seconds' || k === 'counts' ? undefined : v)));
  } finally {
    await executor.close();
  }
}

describe('ground truth is the same on every backend and executor', () => {
  it('js and OpenBLAS, in-process and worker threads: identical cells', async () => {
    const reference = await truths('js-inprocess', (store) =>
      inProcessExecutor({ store, cwd: root, backend: jsBackend }),
    );
    const cells = reference as { ok: boolean; result: { cells: Record<string, { cell?: unknown }> } }[];
    expect(cells.every((o) => o.ok)).toBe(true);
    expect(cells.flatMap((o) => Object.keys(o.result.cells))).toHaveLength(5);
    for (const o of cells) for (const c of Object.values(o.result.cells)) expect(c.cell).toBeDefined();
    const threads = await truths('js-threads', (store) =>
      threadsExecutor({ store, cwd: root, threads: 2, scorer: { backend: 'js' } }),
    );
    expect(threads).toEqual(reference);
    if (native) {
      const blas = await truths('openblas-inprocess', (store) =>
        inProcessExecutor({ store, cwd: root, backend: native }),
      );
      expect(blas).toEqual(reference);
      const blasThreads = await truths('openblas-threads', (store) =>
        threadsExecutor({ store, cwd: root, threads: 2, scorer: { backend: 'openblas' } }),
      );
      expect(blasThreads).toEqual(reference);
    }
  }, 120_000);

  it('OpenBLAS is installed here (otherwise the comparison above covers js only)', () => {
    expect(native?.name).toBe('openblas');
  });
});
