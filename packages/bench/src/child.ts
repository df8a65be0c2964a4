/**
 * One measured run, in its own process so peak RSS belongs to it alone:
 *   node dist/child.js <task> <dir> <backend> [warm]
 * task = emms | emms-f32 (EMMS with precision 'float32') | logme | logme-flabels | micro, or any other score id (leep, nce, nleep, sfda,
 * transrate, hscore, gbc, parc, pactran-dirichlet, pactran-gamma, pactran-gauss), scored on X.npy,
 * y.npy and (LEEP, NCE) P.npy with its default options. With `warm`, the task first runs once on
 * a few rows of each class (compiling the hot code, as in a process that scores many models);
 * that run is reported as `warmup_seconds`, not in `seconds`.
 * Prints one JSON line (see {@link ChildResult}).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LinalgBackend } from '@emms/linalg';
import { openblasStatus } from '@emms/linalg-openblas';
import * as pactran from '@emms/metric-pactran';
import {
  builtinMetrics,
  createRegistry,
  loadPlugin,
  logmeEvidenceForTargets,
  logmeSpectrum,
  type MetricInputs,
  type MetricRegistry,
  scoreMetrics,
} from '@emms/metrics';
import { selectBackend } from '@emms/metrics/node';
import { firstPerClass, type Matrix, takeRows } from '@emms/tensor-io';
import { readLabelsFile, readMatrixFile } from '@emms/tensor-io/node';
import { Rng } from './generate';

/** What a child prints. */
export interface ChildResult {
  task: string;
  backend: string;
  value?: number;
  values?: number[];
  load_seconds: number;
  seconds: number;
  /** CPU seconds (user + system, all threads) of the measured part. */
  cpu_seconds?: number;
  gram_seconds?: number;
  eigh_seconds?: number;
  max_rss_kb: number;
  /** Seconds of the warm-up run on a few rows per class (with `warm`). */
  warmup_seconds?: number;
  /** The score's diagnostics (PCA size, mixture components and steps, subsampling, …). */
  details?: Record<string, unknown>;
  blas?: { library?: string; corename?: string; threads?: number };
  /** A checksum of the untimed pass over the inputs after reading (see `touch`). */
  touched?: number;
  error?: string;
}

/** Features, F-labels or probabilities from a generated .npy (tensor-io's reader, float32 kept). */
function readMatrix(path: string): Promise<Matrix> {
  return readMatrixFile(path);
}

/** The int64 labels of a generated task as Int32Array. */
async function readLabels(path: string): Promise<Int32Array> {
  return (await readLabelsFile(path)).labels;
}

function flabelFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('Z_') && f.endsWith('.npy'))
    .sort()
    .map((f) => join(dir, f));
}

/** Sum of every value (a pass that brings the data in; the sum is reported so it is not optimised away). */
function touch(data: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < data.length; i += 16) s += data[i]!;
  return s;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** The built-in scores plus the PACTran plugin's. */
function registry(): MetricRegistry {
  const r = createRegistry(builtinMetrics);
  for (const m of loadPlugin(pactran, '@emms/metric-pactran').metrics) r.register(m);
  return r;
}

async function score(
  inputs: MetricInputs,
  id: string,
  backend: LinalgBackend,
  out?: ChildResult,
  options?: Record<string, Record<string, unknown>>,
): Promise<number> {
  const report = await scoreMetrics(inputs, [id], { backend, registry: registry(), options });
  const err = report.errors[id];
  if (err) throw new Error(`${id}: ${err.code} ${err.message}`);
  if (out) out.details = report.details[id] as Record<string, unknown> | undefined;
  return report.scores[id]!;
}

interface TaskInputs {
  features: Matrix;
  labels: Int32Array;
  flabels: Matrix[];
  probs?: Matrix;
}

/** One run of a score task; fills value(s) and details of `out`. */
async function runTask(
  task: string,
  inp: TaskInputs,
  backend: LinalgBackend,
  out: ChildResult,
): Promise<void> {
  const { features, labels, flabels, probs } = inp;
  if (task === 'emms') {
    out.value = await score({ features, labels, flabels }, 'emms', backend);
  } else if (task === 'emms-f32') {
    out.value = await score({ features, labels, flabels }, 'emms', backend, out, {
      emms: { precision: 'float32' },
    });
  } else if (task === 'logme') {
    out.value = await score({ features, labels }, 'logme', backend);
  } else if (task === 'logme-flabels') {
    // one eigendecomposition of the features for all K F-labels
    const spectrum = logmeSpectrum(features, backend);
    out.values = logmeEvidenceForTargets(
      spectrum,
      flabels.map((targets) => ({ targets })),
    ).map((r) => r.value);
    out.value = out.values.reduce((s, v) => s + v, 0) / out.values.length;
  } else {
    out.value = await score({ features, labels, ...(probs ? { probs } : {}) }, task, backend, out);
  }
}

async function main(): Promise<void> {
  const [task, dir, backendName, warm] = process.argv.slice(2);
  if (!task || !dir || !backendName) throw new Error('usage: child.js <task> <dir> <js|openblas>');
  if (backendName !== 'js' && backendName !== 'openblas') throw new Error('backend must be js or openblas');
  const { backend } = await selectBackend(backendName);
  const out: ChildResult = { task, backend: backend.name, load_seconds: 0, seconds: 0, max_rss_kb: 0 };
  if (backend.name === 'openblas') {
    const s = openblasStatus();
    out.blas = { library: s.library, corename: s.corename, threads: s.threads };
  }
  const t0 = performance.now();
  try {
    if (task === 'micro') {
      const rng = new Rng(7);
      const a = new Float64Array(20000 * 1024);
      for (let i = 0; i < a.length; i++) a[i] = rng.normal();
      const m: Matrix = { rows: 20000, cols: 1024, data: a };
      const s = backend.gram({ rows: 2048, cols: 1024, data: a.subarray(0, 2048 * 1024) });
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      const g = backend.gram(m);
      const t2 = performance.now();
      backend.eigh(s);
      const t3 = performance.now();
      out.load_seconds = (t1 - t0) / 1000;
      out.gram_seconds = (t2 - t1) / 1000;
      out.eigh_seconds = (t3 - t2) / 1000;
      out.seconds = (t3 - t1) / 1000;
      out.cpu_seconds = cpuSince(c1);
      out.value = g.data[0];
    } else {
      const features = await readMatrix(join(dir, 'X.npy'));
      const labels = await readLabels(join(dir, 'y.npy'));
      const flabels =
        task === 'emms' || task === 'emms-f32' || task === 'logme-flabels'
          ? await Promise.all(flabelFiles(dir).map(readMatrix))
          : [];
      const probs = task === 'leep' || task === 'nce' ? await readMatrix(join(dir, 'P.npy')) : undefined;
      const inputs: TaskInputs = { features, labels, flabels, ...(probs ? { probs } : {}) };
      // The first pass over freshly read file data is several times slower than later ones here
      // (about 0.35 s per 200 MB); np.load leaves its arrays without that cost. One untimed pass
      // counts it as loading on our side too.
      out.touched = [features, ...flabels, ...(probs ? [probs] : [])].reduce((s, m) => s + touch(m.data), 0);
      if (warm === 'warm') {
        const w0 = performance.now();
        const rows = firstPerClass(labels, 6);
        const few: TaskInputs = {
          features: takeRows(features, rows),
          labels: Int32Array.from(rows, (r) => labels[r]!),
          flabels: flabels.map((z) => takeRows(z, rows)),
          ...(probs ? { probs: takeRows(probs, rows) } : {}),
        };
        try {
          await runTask(task, few, backend, { ...out });
        } catch {
          // a warm-up that fails on so few rows only leaves the code colder
        }
        out.warmup_seconds = (performance.now() - w0) / 1000;
      }
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      out.load_seconds = (t1 - t0) / 1000 - (out.warmup_seconds ?? 0);
      await runTask(task, inputs, backend, out);
      out.seconds = (performance.now() - t1) / 1000;
      out.cpu_seconds = cpuSince(c1);
    }
  } catch (e) {
    out.error = (e as Error).message;
  }
  out.max_rss_kb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
