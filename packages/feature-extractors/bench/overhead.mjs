// Pipeline overhead benchmark (not a test): extractFeatures vs the model's bare run (its onnxruntime
// session.run plus tensor wrapping) on the same preprocessed batches. Usage: node bench/overhead.mjs [model ids...] (after `pnpm build`).
// Both sides run in this process on the same batches with the same session (same thread settings), once
// untimed as a warm-up, then interleaved (alternating which goes first); the best of each is compared.
// Env: BENCH_LIMIT (items per class, default 20), BENCH_BATCH (default 16), BENCH_REPEATS (default 5),
// BENCH_THREADS (onnxruntime intra-op threads for both sides; default onnxruntime's choice).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  batchShape,
  channelCount,
  extractFeatures,
  loadPixels,
  openZooModel,
  readMnistPackage,
  selectItems,
  writeNormalised,
} from '../dist/index.js';

const ids = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['ppocr-cls', 'ppocr-det', 'blazeface-front'];
const limit = Number(process.env.BENCH_LIMIT ?? 20);
const batch = Number(process.env.BENCH_BATCH ?? 16);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
const ds = readMnistPackage();
const { items } = selectItems(ds, { limit });
const out = mkdtempSync(join(tmpdir(), 'emms-bench-'));

for (const id of ids) {
  const model = await openZooModel(id, { threads });
  const pre = model.preprocessing;
  // bare: the model's own onnxruntime session (the same edited graph), run on batches prepared before timing
  const step = model.maxBatch ?? batch;
  const feeds = [];
  for (let a = 0; a < items.length; a += step) {
    const chunk = items.slice(a, a + step);
    const data = new Float32Array(chunk.length * channelCount(pre) * pre.width * pre.height);
    for (const [k, it] of chunk.entries()) writeNormalised(await loadPixels(it.source, pre), pre, data, k);
    feeds.push({ data, shape: batchShape(pre, chunk.length) });
  }
  const runBare = async () => {
    const t0 = performance.now();
    for (const x of feeds) await model.runTensor(x.data, x.shape);
    return (performance.now() - t0) / 1000;
  };
  const runPipe = async (r) => {
    const t0 = performance.now();
    await extractFeatures({
      dataset: ds,
      model,
      outDir: out,
      limit,
      batchSize: batch,
      force: true,
      name: `${id}-${r}`,
    });
    return (performance.now() - t0) / 1000;
  };
  await runBare();
  await runPipe('warm');
  const bare = [];
  const pipe = [];
  for (let r = 0; r < repeats; r++) {
    if (r % 2 === 0) {
      bare.push(await runBare());
      pipe.push(await runPipe(r));
    } else {
      pipe.push(await runPipe(r));
      bare.push(await runBare());
    }
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
      overheadMsPerItem: +(((p - b) * 1000) / items.length).toFixed(3),
    }),
  );
  await model.dispose();
}
