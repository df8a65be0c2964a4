// Where a cold extraction's time goes, per candidate (not a test): opening the model, then the runtime's own
// inference (onnxruntime-node session.run / tfjs execute and data) against our preparing (decode, resize,
// normalise), pooling and writing, as extractFeatures measures them. Usage, after `pnpm build`:
//   node bench/profile.mjs [ids...]     (default: the candidates of the default `emms bench`)
//   node bench/profile.mjs --features DIR   (the table of a bench run's feature files, e.g. <cache>/features:
//                                            per candidate, train + test + classifier summed; files written
//                                            before `timings` was recorded give inference + pooling together)
// Env: BENCH_LIMIT (digits per class, default 60: the 40 + 20 of the default bench), BENCH_BATCH (default 16),
// BENCH_THREADS (onnxruntime intra-op threads; default onnxruntime's choice), BENCH_JSON=1 (one JSON line
// per model instead of the table).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFeatures, openModel, readMnistPackage, ZOO } from '../dist/index.js';

if (process.argv[2] === '--features') {
  const dir = process.argv[3];
  const rows = new Map();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json') && !n.endsWith('.part.json'))) {
    const side = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    if (side.format !== 'emms-features/1') continue;
    const id = f.split('__')[0];
    const t = side.timings ?? {
      prepare: NaN,
      inference: side.modelSeconds,
      pool: 0,
      write: NaN,
      total: side.seconds,
    };
    const r = rows.get(id) ?? {
      id,
      backend: side.model.backend,
      prepare: 0,
      inference: 0,
      pool: 0,
      write: 0,
      total: 0,
    };
    for (const k of ['prepare', 'inference', 'pool', 'write', 'total']) r[k] += t[k];
    rows.set(id, r);
  }
  const f2 = (s) => (Number.isNaN(s) ? '-' : s.toFixed(2));
  console.log('| candidate | backend | prepare s | inference s | pool s | write s | extract s | ours % |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const all = { prepare: 0, inference: 0, pool: 0, write: 0, total: 0 };
  for (const r of [...rows.values()].sort((a, b) => b.total - a.total)) {
    for (const k of Object.keys(all)) all[k] += r[k];
    console.log(
      `| ${r.id} | ${r.backend} | ${f2(r.prepare)} | ${f2(r.inference)} | ${f2(r.pool)} | ${f2(r.write)} | ${f2(r.total)} | ${((100 * (r.total - r.inference)) / r.total).toFixed(1)} |`,
    );
  }
  console.log(
    `| **all** | | ${f2(all.prepare)} | ${f2(all.inference)} | ${f2(all.pool)} | ${f2(all.write)} | ${f2(all.total)} | ${((100 * (all.total - all.inference)) / all.total).toFixed(1)} |`,
  );
  process.exit(0);
}

const EXCLUDED = new Set(['nsfw-inception-v3', 'mlsd-large-512']); // as the default bench
const ids = process.argv.slice(2).length
  ? process.argv.slice(2)
  : [...ZOO.filter((e) => !EXCLUDED.has(e.id)).map((e) => e.id), 'pixels'];
const limit = Number(process.env.BENCH_LIMIT ?? 60);
const batchSize = Number(process.env.BENCH_BATCH ?? 16);
const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
const json = process.env.BENCH_JSON === '1';
const ds = readMnistPackage();
const out = mkdtempSync(join(tmpdir(), 'emms-profile-'));
const f = (s) => s.toFixed(2);
const sum = { open: 0, prepare: 0, inference: 0, pool: 0, write: 0, other: 0, total: 0 };

if (!json) {
  console.log(
    `${limit} MNIST digits per class, batch ${batchSize}, onnxruntime threads ${threads ?? 'default'}\n`,
  );
  console.log(
    '| candidate | backend | open s | prepare s | inference s | pool s | write s | other s | extract s | ours % |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
}
for (const id of ids) {
  const t0 = performance.now();
  const model = await openModel(id, { ...(threads ? { threads } : {}) });
  const open = (performance.now() - t0) / 1000;
  let r;
  try {
    r = await extractFeatures({ dataset: ds, model, outDir: out, limit, batchSize, force: true, name: id });
  } finally {
    await model.dispose();
  }
  const t = r.timings;
  const other = Math.max(0, t.total - t.prepare - t.inference - t.pool - t.write);
  const ours = t.total - t.inference;
  const row = { id, backend: model.backend, open, ...t, other, ours: ours / t.total };
  for (const k of Object.keys(sum)) sum[k] += row[k];
  if (json) console.log(JSON.stringify(row));
  else
    console.log(
      `| ${id} | ${model.backend} | ${f(open)} | ${f(t.prepare)} | ${f(t.inference)} | ${f(t.pool)} | ${f(t.write)} | ${f(other)} | ${f(t.total)} | ${(100 * row.ours).toFixed(1)} |`,
    );
}
if (!json) {
  const ours = (sum.total - sum.inference) / sum.total;
  console.log(
    `| **all** | | ${f(sum.open)} | ${f(sum.prepare)} | ${f(sum.inference)} | ${f(sum.pool)} | ${f(sum.write)} | ${f(sum.other)} | ${f(sum.total)} | ${(100 * ours).toFixed(1)} |`,
  );
}
rmSync(out, { recursive: true, force: true });
