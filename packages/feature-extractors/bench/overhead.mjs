// Pipeline overhead benchmark (not a test): extractFeatures vs bare onnxruntime session.run on the
// same preprocessed batches. Usage: node bench/overhead.mjs [model ids...] (after `pnpm build`).
// Env: BENCH_LIMIT (items per class, default 20), BENCH_BATCH (default 16), BENCH_REPEATS (default 3),
// BENCH_THREADS (onnxruntime intra-op threads for both sides; default onnxruntime's choice).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  addGraphOutput,
  batchShape,
  channelCount,
  extractFeatures,
  findZooEntry,
  loadPixels,
  openZooModel,
  readMnistPackage,
  selectItems,
  writeNormalised,
  zooFiles,
} from '../dist/index.js';

const ids = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['ppocr-cls', 'ppocr-det', 'blazeface-front'];
const limit = Number(process.env.BENCH_LIMIT ?? 20);
const batch = Number(process.env.BENCH_BATCH ?? 16);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
const ds = readMnistPackage();
const { items } = selectItems(ds, { limit });
const out = mkdtempSync(join(tmpdir(), 'emms-bench-'));

for (const id of ids) {
  const entry = findZooEntry(id);
  const model = await openZooModel(id, { threads });
  const pre = model.preprocessing;
  // bare: the same graph edit, the same batches, prepared before timing
  let bytes = readFileSync(zooFiles(entry)[0]);
  bytes = addGraphOutput(bytes, entry.output, { replace: true });
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
    logSeverityLevel: 3,
    ...(threads ? { intraOpNumThreads: threads } : {}),
  });
  const step = model.maxBatch ?? batch;
  const feeds = [];
  for (let a = 0; a < items.length; a += step) {
    const chunk = items.slice(a, a + step);
    const data = new Float32Array(chunk.length * channelCount(pre) * pre.width * pre.height);
    for (const [k, it] of chunk.entries()) writeNormalised(await loadPixels(it.source, pre), pre, data, k);
    feeds.push(new ort.Tensor('float32', data, batchShape(pre, chunk.length)));
  }
  const inputName = session.inputNames[0];
  const bare = [];
  const pipe = [];
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    for (const x of feeds) await session.run({ [inputName]: x }, [entry.output]);
    bare.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    await extractFeatures({
      dataset: ds,
      model,
      outDir: out,
      limit,
      batchSize: batch,
      force: true,
      name: `${id}-${r}`,
    });
    pipe.push((performance.now() - t0) / 1000);
  }
  const b = Math.min(...bare);
  const p = Math.min(...pipe);
  console.log(
    JSON.stringify({
      model: id,
      threads: threads ?? 'default',
      items: items.length,
      batch: step,
      bareSeconds: +b.toFixed(3),
      pipelineSeconds: +p.toFixed(3),
      overheadPercent: +((p / b - 1) * 100).toFixed(1),
    }),
  );
  await session.release();
  await model.dispose();
}
