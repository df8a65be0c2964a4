#!/usr/bin/env node
// Writes the playground's example (site/public/examples): a synthetic 4-class task of 240 examples,
// five candidate "models" whose features separate the classes to different degrees, one F-label
// matrix (a noisy embedding of the class), and a ground truth: each model's nearest-class-mean
// accuracy on 400 held-out examples drawn the same way. Seeded; run once, the output is committed.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy, normalFrom, seededRandom } from '@emms/tensor-io';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'site', 'public', 'examples');
mkdirSync(out, { recursive: true });
const write = (name, bytes) => {
  const tmp = join(out, `${name}.tmp`);
  writeFileSync(tmp, bytes);
  renameSync(tmp, join(out, name));
};

const C = 4;
const perClass = 60;
const testPerClass = 100;
const rand = seededRandom(20261203);
const gauss = normalFrom(rand);
// id, width D, class separation (distance of class means in units of the noise), informative dims
const models = [
  ['vit-small', 32, 0.75, 12],
  ['resnet50', 24, 0.65, 10],
  ['convnext-tiny', 28, 0.6, 8],
  ['mobilenet', 16, 0.45, 6],
  ['random-init', 20, 0.1, 4],
];

function sample(n, labels, D, sep, informative, means) {
  const x = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++)
      x[i * D + d] = gauss() + (d < informative ? sep * means[labels[i] * D + d] : 0);
  }
  return x;
}
const labelsOf = (k) => Int32Array.from({ length: k * C }, (_, i) => i % C);
const yTrain = labelsOf(perClass);
const yTest = labelsOf(testPerClass);
const N = yTrain.length;

const truth = {};
for (const [id, D, sep, informative] of models) {
  const means = Float64Array.from({ length: C * D }, () => gauss());
  const train = sample(N, yTrain, D, sep, informative, means);
  write(`${id}.npy`, encodeNpy({ dtype: 'float32', shape: [N, D], data: train }));
  // Ground truth: nearest class mean (fitted on train) accuracy on held-out examples.
  const centroid = new Float64Array(C * D);
  for (let i = 0; i < N; i++)
    for (let d = 0; d < D; d++) centroid[yTrain[i] * D + d] += train[i * D + d] / perClass;
  const test = sample(yTest.length, yTest, D, sep, informative, means);
  let right = 0;
  for (let i = 0; i < yTest.length; i++) {
    let best = -1;
    let bestDist = Number.POSITIVE_INFINITY;
    for (let c = 0; c < C; c++) {
      let dist = 0;
      for (let d = 0; d < D; d++) dist += (test[i * D + d] - centroid[c * D + d]) ** 2;
      if (dist < bestDist) [best, bestDist] = [c, dist];
    }
    if (best === yTest[i]) right++;
  }
  truth[id] = right / yTest.length;
}
write(
  'labels.npy',
  encodeNpy({ dtype: 'int64', shape: [N], data: BigInt64Array.from(yTrain, (v) => BigInt(v)) }),
);
const L = 8;
const classEmbedding = Float64Array.from({ length: C * L }, () => gauss());
const z = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let l = 0; l < L; l++) z[i * L + l] = classEmbedding[yTrain[i] * L + l] + 0.05 * gauss();
write('flabels-text.npy', encodeNpy({ dtype: 'float32', shape: [N, L], data: z }));
write('ground-truth.json', `${JSON.stringify(truth, null, 2)}\n`);
write(
  'manifest.json',
  `${JSON.stringify({ models: models.map(([id]) => `${id}.npy`), labels: 'labels.npy', flabels: ['flabels-text.npy'], truth: 'ground-truth.json' }, null, 2)}\n`,
);
console.log(`wrote ${out}:`, truth);
