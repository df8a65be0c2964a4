#!/usr/bin/env node
// Does P(best) ≥ 0.9 mean what it says on real ground truth? For each dataset task of bench report(s),
// rebuilds the task's features folder from the bench cache (the train features each extraction step
// recorded, the train labels, the F-labels, raw pixels for the built-in MNIST), runs `rankFeatures`
// with its default bootstrap, and checks each confident pick against the report's measured ground
// truth (per-item correctness of the linear probe and of kNN) with `checkConfidentPicks`.
//
// Run after `pnpm build`, from the repository root:
//   node packages/harness/scripts/confident-picks.mjs --cache .emms-cache emms-bench/report.json [more reports]
//   [--keep DIR]  leave the features folder(s) in DIR/<task> (e.g. to time `emms rank` on them)
//   [--bootstrap N] [--seed N] [--threshold 0.9]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDataset } from '@emms/feature-extractors';
import {
  balancedSplit,
  checkConfidentPicks,
  decodeCorrect,
  parseReport,
  pixelFeatures,
  rankFeatures,
} from '@emms/harness';
import { readMatrixFile, writeNpyFile } from '@emms/tensor-io/node';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cache: { type: 'string', default: '.emms-cache' },
    keep: { type: 'string' },
    bootstrap: { type: 'string', default: '200' },
    seed: { type: 'string', default: '0' },
    threshold: { type: 'string', default: '0.9' },
  },
});
if (positionals.length === 0) {
  console.error('usage: confident-picks.mjs --cache DIR REPORT.json [REPORT.json …] [--keep DIR]');
  process.exit(2);
}
const cache = resolve(values.cache);

/** Every step record of the cache: { value } objects. */
function stepRecords() {
  const root = join(cache, 'steps');
  const out = [];
  for (const d of readdirSync(root))
    for (const f of readdirSync(join(root, d)))
      out.push(JSON.parse(readFileSync(join(root, d, f), 'utf8')).value);
  return out;
}

/** Writes DIR/<model>.npy (+ .probs.npy), labels.npy and flabels-<k>.npy for one report task. */
async function featuresFolder(task, dir) {
  const records = stepRecords();
  const wanted = task.models.map((m) => m.id).filter((id) => id !== 'pixels');
  // extraction records by split key (the 16 hex digits in the feature file names)
  const byKey = new Map();
  for (const r of records) {
    const path = r?.train?.path;
    if (!r?.model?.id || !path || !wanted.includes(r.model.id)) continue;
    const key = /__([0-9a-f]{16})__train\.npy$/.exec(path)?.[1];
    if (!key) continue;
    if (!byKey.has(key)) byKey.set(key, new Map());
    byKey.get(key).set(r.model.id, join(cache, path));
  }
  const nTrain = task.split.nTrain;
  // the task's split, re-opened with its seed: the cached split whose items are these is the one
  const ds = balancedSplit(
    openDataset(task.dataset),
    task.split.trainPerClass,
    task.split.testPerClass,
    task.split.seed,
  );
  const ids = JSON.stringify(ds.items.map((i) => i.id));
  const splitKeys = new Set(
    records
      .filter((r) => typeof r?.key === 'string' && r.items?.path && r.nTrain === nTrain)
      .filter((r) => {
        const snap = JSON.parse(readFileSync(join(cache, r.items.path), 'utf8'));
        return JSON.stringify(snap.items.map((i) => i.id)) === ids;
      })
      .map((r) => r.key.slice(0, 16)),
  );
  const fits = [...byKey].filter(([key, m]) => splitKeys.has(key) && wanted.every((id) => m.has(id)));
  if (fits.length !== 1)
    throw new Error(
      `task ${task.id}: ${fits.length} cached splits of this task's items hold every model; need exactly one`,
    );
  const [key, files] = fits[0];
  mkdirSync(dir, { recursive: true });
  for (const [id, file] of files) {
    symlinkSync(file, join(dir, `${id}.npy`));
    const probs = file.replace(/\.npy$/, '.probs.npy');
    if (existsSync(probs)) symlinkSync(probs, join(dir, `${id}.probs.npy`));
  }
  const labelsFile = files.get(wanted[0]).replace(/\.npy$/, '.labels.npy');
  symlinkSync(labelsFile, join(dir, 'labels.npy'));
  const labels = (await readMatrixFile(labelsFile)).data;
  // F-labels: the embedders' records whose files have nTrain rows, in the report's embedder order
  const flabels = [];
  for (const embedder of task.flabels?.embedders ?? []) {
    const r = records.filter((x) => x?.embedder === embedder && x.files?.length);
    const ok = [];
    for (const x of r) {
      const first = await readMatrixFile(join(cache, x.files[0].path));
      if (first.rows === nTrain) ok.push(x);
    }
    // the same items' F-labels are content-addressed: several records may name the same files
    const sets = new Set(ok.map((x) => x.files.map((f) => f.key).join(',')));
    if (sets.size > 1)
      throw new Error(
        `task ${task.id}: ${sets.size} different ${embedder} F-label sets of ${nTrain} rows in the cache`,
      );
    for (const f of ok[0]?.files ?? []) flabels.push(join(cache, f.path));
  }
  for (const [k, f] of flabels.entries()) symlinkSync(f, join(dir, `flabels-${k}.npy`));
  // raw pixels of a built-in dataset, from the same seeded split
  if (task.models.some((m) => m.id === 'pixels')) {
    const train = ds.items.filter((i) => i.split === 'train');
    if (train.some((it, i) => it.label !== Number(labels[i])))
      throw new Error(
        `task ${task.id}: the re-opened split's labels differ from the cached features' labels`,
      );
    const px = pixelFeatures(train, task.dataset);
    await writeNpyFile(join(dir, 'pixels.npy'), {
      dtype: 'float32',
      shape: [px.rows, px.cols],
      data: px.data,
    });
  }
  return {
    key,
    labels: join(dir, 'labels.npy'),
    flabels: flabels.map((_, k) => join(dir, `flabels-${k}.npy`)),
  };
}

const tasks = { 'linear-probe': [], knn: [] };
const runs = [];
for (const file of positionals) {
  const report = parseReport(JSON.parse(readFileSync(file, 'utf8')));
  for (const task of report.tasks) {
    if (!task.dataset || !task.groundTruth) continue;
    const dir = values.keep
      ? join(resolve(values.keep), task.id)
      : join(tmpdir(), `emms-confident-${process.pid}-${task.id}`);
    rmSync(dir, { recursive: true, force: true });
    const folder = await featuresFolder(task, dir);
    const t0 = performance.now();
    const r = await rankFeatures({
      featuresDir: dir,
      labels: folder.labels,
      flabels: folder.flabels,
      bootstrap: Number(values.bootstrap),
      seed: Number(values.seed),
    });
    const pBest = new Map(r.models.filter((m) => m.pBest !== undefined).map((m) => [m.id, m.pBest]));
    runs.push({
      report: file,
      task: task.id,
      models: r.models.length,
      recommendation: r.recommendation,
      seconds: { ...r.seconds, total: (performance.now() - t0) / 1000 },
    });
    for (const probe of Object.keys(tasks)) {
      const gt = task.groundTruth[probe];
      if (!gt?.correct) continue;
      const truth = new Map([...pBest.keys()].map((m) => [m, { correct: decodeCorrect(gt.correct[m]) }]));
      tasks[probe].push({ id: `${file}:${task.id}`, pBest, truth });
    }
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}
const threshold = Number(values.threshold);
const out = { runs, checks: {} };
for (const [probe, list] of Object.entries(tasks)) {
  if (list.length) out.checks[probe] = checkConfidentPicks(list, { threshold });
}
console.log(JSON.stringify(out, null, 2));
