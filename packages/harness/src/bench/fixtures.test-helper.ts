// Small generated tasks for the harness tests: models whose features carry more or less class signal.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { normalFrom, seededRandom } from '@emms/tensor-io';
import { writeNpyFile } from '@emms/tensor-io/node';

/** Features N×D: class means scaled by `signal` plus unit Gaussian noise (seeded). */
export function makeFeatures(labels: Int32Array, d: number, signal: number, seed: number): Float32Array {
  const rand = normalFrom(seededRandom(seed));
  const classes = Math.max(...labels) + 1;
  const means = Float32Array.from({ length: classes * d }, () => rand());
  const x = new Float32Array(labels.length * d);
  for (let i = 0; i < labels.length; i++)
    for (let j = 0; j < d; j++) x[i * d + j] = signal * means[labels[i]! * d + j]! + rand();
  return x;
}

/** Balanced labels: `perClass` of each of `classes` classes. */
export function makeLabels(classes: number, perClass: number): Int32Array {
  return Int32Array.from({ length: classes * perClass }, (_, i) => i % classes);
}

/**
 * Writes `dir/<model>.npy` for each model (signal strengths), plus `dir/labels.npy`.
 * @returns the labels.
 */
export async function writeTask(
  dir: string,
  models: Record<string, { d: number; signal: number }>,
  opts: { classes?: number; perClass?: number; seed?: number; flabels?: number } = {},
): Promise<Int32Array> {
  mkdirSync(dir, { recursive: true });
  const labels = makeLabels(opts.classes ?? 3, opts.perClass ?? 20);
  await writeNpyFile(join(dir, 'labels.npy'), {
    dtype: 'int64',
    shape: [labels.length],
    data: BigInt64Array.from(labels, BigInt),
  });
  let seed = opts.seed ?? 1;
  for (const [id, m] of Object.entries(models)) {
    const data = makeFeatures(labels, m.d, m.signal, seed++);
    await writeNpyFile(join(dir, `${id}.npy`), { dtype: 'float32', shape: [labels.length, m.d], data });
  }
  for (let k = 0; k < (opts.flabels ?? 0); k++) {
    const data = makeFeatures(labels, 8, 3, 1000 + k);
    await writeNpyFile(join(dir, `flabels-${k}.npy`), { dtype: 'float32', shape: [labels.length, 8], data });
  }
  return labels;
}
