/**
 * `pnpm --filter @emms/bench precision`: does EMMS with precision 'float32' rank models as the
 * float64 default does? Scores every model both ways and prints the weighted τ between the two
 * rankings, the largest relative difference and the seconds of each.
 *
 *   node dist/precision.js [--synthetic M] [--zoo CACHE_DIR] [--seed S]
 *
 * --synthetic M (default 40): M seeded synthetic models of N = 20,000 rows (50 classes, feature
 *   widths 128…1024, class separation drawn per model) against one set of K = 3 F-labels (L = 256),
 *   on the features route (N > D), where the float32 products apply.
 * --zoo DIR: the train features an `emms bench --cache DIR` run left in DIR/features
 *   (`<model>__<task>__train.npy` and its labels), F-labels from USE-lite with the benchmark's
 *   templates, scored as the benchmark scores them (preset rank: reduce auto) and on the raw
 *   features with the features route.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TEMPLATES, weightedTau } from '@emms/harness';
import { classificationFLabels, createEmbedder } from '@emms/label-embedders';
import type { LinalgBackend } from '@emms/linalg';
import { type MetricInputs, scoreMetrics } from '@emms/metrics';
import { selectBackend } from '@emms/metrics/node';
import type { Matrix } from '@emms/tensor-io';
import { readLabelsFile, readMatrixFile } from '@emms/tensor-io/node';
import { Rng } from './generate';

interface Scored {
  readonly model: string;
  readonly f64: number;
  readonly f32: number;
  readonly s64: number;
  readonly s32: number;
  readonly precision: string;
}

async function emms(
  inputs: MetricInputs,
  backend: LinalgBackend,
  precision: 'float64' | 'float32',
  extra: { preset?: 'rank'; route?: 'features' },
): Promise<{ value: number; seconds: number; precision: string }> {
  const t0 = performance.now();
  const r = await scoreMetrics(inputs, ['emms'], {
    backend,
    ...(extra.preset ? { preset: extra.preset } : {}),
    options: { emms: { precision, ...(extra.route ? { route: extra.route } : {}) } },
  });
  const e = r.errors.emms;
  if (e) throw new Error(`emms: ${e.code} ${e.message}`);
  const d = r.details.emms as { precision?: string } | undefined;
  return { value: r.scores.emms!, seconds: (performance.now() - t0) / 1000, precision: d?.precision ?? '?' };
}

async function both(
  model: string,
  inputs: MetricInputs,
  backend: LinalgBackend,
  extra: { preset?: 'rank'; route?: 'features' },
): Promise<Scored> {
  const a = await emms(inputs, backend, 'float64', extra);
  const b = await emms(inputs, backend, 'float32', extra);
  return { model, f64: a.value, f32: b.value, s64: a.seconds, s32: b.seconds, precision: b.precision };
}

function report(title: string, rows: Scored[]): void {
  console.log(`\n${title}`);
  console.log('| model | float64 | float32 | relative difference | float64 s | float32 s | ran in |');
  console.log('|---|---|---|---|---|---|---|');
  let worst = 0;
  for (const r of rows) {
    const rel = Math.abs(r.f32 - r.f64) / Math.max(Math.abs(r.f64), 1e-300);
    worst = Math.max(worst, rel);
    console.log(
      `| ${r.model} | ${r.f64.toPrecision(10)} | ${r.f32.toPrecision(10)} | ${rel.toExponential(1)} | ${r.s64.toFixed(2)} | ${r.s32.toFixed(2)} | ${r.precision} |`,
    );
  }
  const tau = weightedTau(
    rows.map((r) => r.f64),
    rows.map((r) => r.f32),
  );
  const sum = (f: (r: Scored) => number) => rows.reduce((s, r) => s + f(r), 0);
  console.log(
    `weighted τ(float64, float32) = ${tau} over ${rows.length} models; largest relative difference ${worst.toExponential(1)}; seconds ${sum((r) => r.s64).toFixed(1)} (float64) vs ${sum((r) => r.s32).toFixed(1)} (float32)`,
  );
}

/** M seeded models: class means at a per-model separation plus unit noise, one set of F-labels. */
async function synthetic(models: number, seed: number, backend: LinalgBackend): Promise<Scored[]> {
  const n = 20000;
  const c = 50;
  const l = 256;
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % c);
  const flabels: Matrix[] = [0, 1, 2].map((k) => {
    const emb = Float64Array.from({ length: c * l }, () => rng.normal());
    const z = new Float32Array(n * l);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < l; j++) z[i * l + j] = emb[labels[i]! * l + j]! + (0.5 + 0.25 * k) * rng.normal();
    return { rows: n, cols: l, data: z };
  });
  const widths = [128, 256, 512, 1024];
  const out: Scored[] = [];
  for (let m = 0; m < models; m++) {
    const d = widths[m % widths.length]!;
    const separation = 0.05 + 0.45 * rng.uniform();
    const means = Float64Array.from({ length: c * d }, () => separation * rng.normal());
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) x[i * d + j] = means[labels[i]! * d + j]! + rng.normal();
    out.push(
      await both(
        `synthetic-${m} (D=${d}, separation ${separation.toFixed(3)})`,
        { features: { rows: n, cols: d, data: x }, flabels },
        backend,
        { route: 'features' },
      ),
    );
  }
  return out;
}

const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The zoo's cached MNIST train features, with USE-lite F-labels as the benchmark makes them. */
async function zoo(dir: string, backend: LinalgBackend): Promise<{ rank: Scored[]; raw: Scored[] }> {
  const folder = join(dir, 'features');
  const files = readdirSync(folder)
    .filter((f) => /__train\.npy$/.test(f))
    .sort();
  const embedder = await createEmbedder('use-lite');
  const rank: Scored[] = [];
  const raw: Scored[] = [];
  for (const f of files) {
    const model = f.replace(/__train\.npy$/, '');
    const features = await readMatrixFile(join(folder, f));
    const labels = (await readLabelsFile(join(folder, f.replace(/\.npy$/, '.labels.npy')))).labels;
    const classes = Math.max(...labels) + 1;
    const flabels: Matrix[] = [];
    for (const template of DEFAULT_TEMPLATES) {
      const z = await classificationFLabels(
        embedder,
        { classNames: DIGITS.slice(0, classes), labels },
        { template },
      );
      flabels.push(z.matrix);
    }
    const inputs = { features, labels, flabels };
    rank.push(
      await both(`${model} (${features.rows}×${features.cols})`, inputs, backend, { preset: 'rank' }),
    );
    raw.push(
      await both(`${model} (${features.rows}×${features.cols})`, inputs, backend, { route: 'features' }),
    );
  }
  return { rank, raw };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seed = Number(value('--seed') ?? 1);
  const { backend } = await selectBackend('openblas');
  if (!backend.gramIntoF32)
    console.log(`notice: backend ${backend.name} has no float32 kernels; both runs are float64`);
  const zooDir = value('--zoo');
  if (zooDir) {
    const { rank, raw } = await zoo(zooDir, backend);
    report(`Zoo features in ${zooDir}, as the benchmark scores them (preset rank, reduce auto)`, rank);
    report(`Zoo features in ${zooDir}, raw, features route`, raw);
  }
  if (!zooDir || argv.includes('--synthetic')) {
    const models = Number(value('--synthetic') ?? 40);
    report(
      `Synthetic: ${models} models, N = 20000, C = 50, K = 3 F-labels of 256 (seed ${seed})`,
      await synthetic(models, seed, backend),
    );
  }
}

main().catch((e) => {
  console.error((e as Error).stack ?? e);
  process.exit(1);
});
