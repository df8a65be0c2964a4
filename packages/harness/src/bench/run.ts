// The bench runner: from a validated spec to a BenchReport (extraction, F-labels, scores, ground truth,
// agreement with bootstrap intervals, static baselines, speed), every long step reporting progress.
import { statSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type Dataset,
  type DatasetItem,
  extractFeatures,
  findZooEntry,
  openDataset,
  openModel,
  zooSizeBytes,
} from '@emms/feature-extractors';
import { classificationFLabels, createEmbedder } from '@emms/label-embedders';
import { getBackend, type LinalgBackend } from '@emms/linalg';
import {
  defaultRegistry,
  loadPlugin,
  type MetricRegistry,
  PRESETS,
  type Preset,
  type RunSettings,
  reduceInputs,
  resolveRunSettings,
  scoreReduced,
} from '@emms/metrics';
import {
  EmmsError,
  firstPerClass,
  isEmmsError,
  type Matrix,
  type ProgressListener,
  seededRandom,
  takeRows,
} from '@emms/tensor-io';
import { readMatrixFile } from '@emms/tensor-io/node';
import { agreement, bootstrapWeightedTau } from '../agreement';
import { contentKey, ResultCache, sha256File } from '../cache';
import { readTruthTable } from '../ground-truth';
import { knnAccuracy, linearProbe } from '../probe';
import { publishedTruth, truthForDataset } from '../published-truth';
import { markBeatsBaselines, staticBaselines } from '../report/assemble';
import {
  type AgreementInfo,
  type BenchReport,
  type BenchReportInput,
  encodeCorrect,
  type GroundTruthInfo,
  type ModelInfo,
  parseReport,
  type ScoreInfo,
  type TaskReport,
} from '../report/schema';
import { summarizeAgreement } from '../report/summary';
import { type ReportPaths, writeReports } from '../report/write';
import type { BenchSpec, TaskSpec } from '../spec';
import { BENCH_CODES } from './codes';
import { readFeaturesFolder, readLabels } from './features-dir';
import { modelParameterCount } from './params';
import {
  matrixKey,
  type ScoreCandidate,
  type ScoreRequest,
  type ScoreTable,
  scoreCandidates,
} from './score-task';

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  /** Score registry (built-ins + plugins); default: built-ins plus the spec's plugins imported by name. */
  readonly registry?: MetricRegistry;
  /** Linear-algebra backend of the scores and probes (default: the current one of `@emms/linalg`). */
  readonly backend?: LinalgBackend;
  /** Progress of every long step (extraction, F-labels, scores, probes). */
  readonly onProgress?: ProgressListener;
  /** One line per finished step, for logs. */
  readonly log?: (line: string) => void;
  /** The command line, recorded in the report. */
  readonly command?: string;
  /** Do not write report files (the caller writes them). */
  readonly noWrite?: boolean;
  readonly signal?: AbortSignal;
  /** Folder relative paths of the spec resolve against (default: the working directory). */
  readonly cwd?: string;
}

/** Result of {@link runBench}. */
export interface RunBenchResult {
  readonly report: BenchReport;
  /** Where the reports were written (absent with `noWrite`). */
  readonly paths?: ReportPaths;
}

/** Digit class names as words, for label embedders (an embedding of "7" says little). */
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * Candidates whose own classifier gives source-class probabilities (LEEP, NCE): output tensor and pooling.
 * The queue's extraction jobs read the same outputs, so their file names and cache keys match a local run.
 */
export const CLASSIFIER_OUTPUTS: Readonly<Record<string, { output: string; pool: 'none' | 'mean' }>> = {
  'ppocr-cls': { output: 'softmax_0.tmp_0', pool: 'none' },
  'ppocr-rec': { output: 'softmax_11.tmp_0', pool: 'mean' },
};

/**
 * A seeded, class-balanced split: in each class the items are shuffled with `seededRandom(seed)`, the first
 * `trainPerClass` are train and the next `testPerClass` test (disjoint).
 *
 * @param ds - the dataset.
 * @param trainPerClass - train items per class.
 * @param testPerClass - test items per class.
 * @param seed - the seed.
 * @returns a dataset holding only the chosen items, each with split "train" or "test".
 * @throws EmmsError `DATASET_INVALID` when a class has fewer than trainPerClass + testPerClass items.
 * @example
 * ```ts
 * const sub = balancedSplit(readMnistPackage(), 50, 30, 0); // 500 train + 300 test digits
 * ```
 */
export function balancedSplit(
  ds: Dataset,
  trainPerClass: number,
  testPerClass: number,
  seed: number,
): Dataset {
  const byClass = ds.classes.map(() => [] as DatasetItem[]);
  for (const it of ds.items) byClass[it.label]?.push(it);
  const rand = seededRandom(seed);
  const items: DatasetItem[] = [];
  byClass.forEach((list, c) => {
    if (list.length < trainPerClass + testPerClass) {
      throw new EmmsError(
        'DATASET_INVALID',
        `dataset ${ds.name}: class ${ds.classes[c]} has ${list.length} items, fewer than trainPerClass + testPerClass = ${trainPerClass + testPerClass}`,
        { input: ds.origin },
      );
    }
    const idx = list.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    for (const i of idx.slice(0, trainPerClass)) items.push({ ...list[i]!, split: 'train' });
    for (const i of idx.slice(trainPerClass, trainPerClass + testPerClass)) {
      items.push({ ...list[i]!, split: 'test' });
    }
  });
  return { ...ds, items };
}

/** Raw pixels of in-memory grey items as features (values in [0, 1]): the reference candidate. */
function pixelFeatures(items: readonly DatasetItem[], task: string): Matrix<Float32Array> {
  const first = items[0]?.source;
  if (first?.kind !== 'pixels') {
    throw new EmmsError(
      BENCH_CODES.NOT_APPLICABLE,
      `task ${task}: the "pixels" candidate needs in-memory images (e.g. the mnist dataset)`,
      { input: 'pixels' },
    );
  }
  const d = first.width * first.height * first.channels;
  const data = new Float32Array(items.length * d);
  items.forEach((it, r) => {
    const s = it.source;
    if (s.kind !== 'pixels' || s.data.length !== d)
      throw new EmmsError(BENCH_CODES.NOT_APPLICABLE, `task ${task}: item ${it.id} has another size`, {
        input: it.id,
      });
    for (let k = 0; k < d; k++) data[r * d + k] = s.data[k]! / 255;
  });
  return { rows: items.length, cols: d, data };
}

function errorInfo(e: unknown): { code: string; message: string; input?: string } {
  if (isEmmsError(e)) return { code: e.code, message: e.message, ...(e.input ? { input: e.input } : {}) };
  return { code: 'INTERNAL', message: String((e as Error)?.message ?? e) };
}

interface Prepared {
  readonly models: ModelInfo[];
  readonly train: Map<string, ScoreCandidate>;
  readonly test: Map<string, Matrix>;
  readonly trainLabels: Int32Array;
  readonly testLabels?: Int32Array;
  readonly flabels: Matrix[];
  readonly flabelInfo?: TaskReport['flabels'];
  readonly split?: TaskReport['split'];
  readonly notes: string[];
}

async function prepareDatasetTask(
  spec: BenchSpec,
  task: Extract<TaskSpec, { dataset: string }>,
  taskId: string,
  cache: ResultCache,
  opts: RunBenchOptions,
): Promise<Prepared> {
  const log = opts.log ?? (() => undefined);
  const where = task.dataset === 'mnist' ? 'mnist' : resolve(opts.cwd ?? '.', task.dataset);
  const ds = balancedSplit(openDataset(where), task.trainPerClass, task.testPerClass, task.seed);
  const trainItems = ds.items.filter((i) => i.split === 'train');
  const testItems = ds.items.filter((i) => i.split === 'test');
  const trainLabels = Int32Array.from(trainItems, (i) => i.label);
  const testLabels = Int32Array.from(testItems, (i) => i.label);
  const featuresDir = join(cache.dir ?? resolve(opts.cwd ?? '.', spec.out, '.features'), 'features');
  const models: ModelInfo[] = [];
  const train = new Map<string, ScoreCandidate>();
  const test = new Map<string, Matrix>();
  const notes: string[] = [];
  const names = new Set<string>();
  for (const cand of spec.candidates) {
    const c = typeof cand === 'string' ? { id: cand, model: cand } : cand;
    if (names.has(c.id)) {
      throw new EmmsError(
        BENCH_CODES.DUPLICATE_MODEL_NAME,
        `task ${taskId}: two candidates are named "${c.id}"; give each a unique "id"`,
        { input: c.id, details: { task: taskId, model: c.id } },
      );
    }
    names.add(c.id);
    const started = performance.now();
    try {
      if (c.model === 'pixels') {
        const x = pixelFeatures(trainItems, taskId);
        train.set(c.id, { id: c.id, features: x });
        test.set(c.id, pixelFeatures(testItems, taskId));
        models.push({ id: c.id, source: 'pixels', featureDim: x.cols, extractSeconds: 0, cached: false });
        continue;
      }
      if (!c.model) {
        throw new EmmsError(
          BENCH_CODES.NOT_APPLICABLE,
          `task ${taskId}: candidate "${c.id}" is a feature file; a dataset task needs a model to extract train and test features`,
          { input: c.features },
        );
      }
      const local = /\.onnx$/i.test(c.model) ? resolve(opts.cwd ?? '.', c.model) : c.model;
      const model = await openModel(local, { output: c.output, pool: c.pool });
      let tr: Awaited<ReturnType<typeof extractFeatures>>;
      let te: Awaited<ReturnType<typeof extractFeatures>>;
      try {
        tr = await extractFeatures({
          dataset: ds,
          model,
          outDir: featuresDir,
          split: 'train',
          onProgress: opts.onProgress,
          signal: opts.signal,
          name: `${c.id}__${taskId}__train`,
        });
        te = await extractFeatures({
          dataset: ds,
          model,
          outDir: featuresDir,
          split: 'test',
          onProgress: opts.onProgress,
          signal: opts.signal,
          name: `${c.id}__${taskId}__test`,
        });
      } finally {
        await model.dispose();
      }
      let probs: Matrix | undefined;
      const head = CLASSIFIER_OUTPUTS[c.model];
      if (head && !c.output) {
        try {
          const clf = await openModel(c.model, head);
          try {
            probs = (
              await extractFeatures({
                dataset: ds,
                model: clf,
                outDir: featuresDir,
                split: 'train',
                onProgress: opts.onProgress,
                signal: opts.signal,
                name: `${c.id}__${taskId}__train.probs`,
              })
            ).features;
          } finally {
            await clf.dispose();
          }
        } catch (e) {
          notes.push(
            `${c.id}: its classifier output could not be read (${errorInfo(e).message}); LEEP/NCE not applicable`,
          );
        }
      }
      const zoo = findZooEntry(c.model);
      const fileBytes = zoo
        ? zooSizeBytes(zoo)
        : c.model.toLowerCase().endsWith('.onnx')
          ? statSync(local).size
          : undefined;
      const params = modelParameterCount(local);
      train.set(c.id, {
        id: c.id,
        features: tr.features,
        featuresKey: await sha256File(tr.featuresPath),
        ...(probs ? { probs } : {}),
      });
      test.set(c.id, te.features);
      const cached = tr.reused && te.reused;
      const seconds = cached ? 0 : (performance.now() - started) / 1000;
      models.push({
        id: c.id,
        ...(c.id !== c.model ? { label: c.model } : {}),
        source: zoo
          ? 'zoo'
          : c.model.startsWith('hf:')
            ? 'hf'
            : c.model.startsWith('local:')
              ? 'local'
              : 'onnx',
        featureDim: tr.features.cols,
        ...(fileBytes ? { fileBytes } : {}),
        ...(params !== undefined ? { params } : {}),
        extractSeconds: seconds,
        cached,
      });
      log(
        `${taskId}: ${c.id} features ${tr.features.rows}+${te.features.rows}×${tr.features.cols} ${cached ? '(cached)' : `in ${seconds.toFixed(1)}s`}`,
      );
    } catch (e) {
      if ((e as Error)?.name === 'AbortError' || opts.signal?.aborted) throw e;
      const err = errorInfo(e);
      models.push({
        id: c.id,
        source: c.model ? 'zoo' : 'features',
        extractSeconds: 0,
        cached: false,
        error: err,
      });
      log(`${taskId}: ${c.id} failed (${err.code}): ${err.message}`);
    }
  }
  const withProbs = [...train.values()].filter((c) => c.probs).map((c) => c.id);
  // Which scores need a classifier's probabilities is a fact each metric declares (inputs.required).
  const probsScores = (opts.registry ?? defaultRegistry)
    .list()
    .filter((m) => m.inputs.required.includes('probs'))
    .map((m) => m.id.toUpperCase());
  const needers =
    probsScores.length > 1
      ? `${probsScores.slice(0, -1).join(', ')} and ${probsScores.at(-1)}`
      : (probsScores[0] ?? 'No score');
  notes.push(
    `${needers} need the source-class probabilities of a model's own classifier: ${withProbs.length ? withProbs.join(', ') : 'no candidate'} ${withProbs.length === 1 ? 'gives' : 'give'} them (ppocr-cls: its 2-way direction softmax; ppocr-rec: its 6,625-character CTC softmax averaged over time steps); for the other candidates they are reported as NOT_APPLICABLE (detectors and raw pixels have no classifier; the nsfwjs models' 5-way head would need a second extraction pass, left out for time)`,
  );
  // F-labels: every embedder × template
  const flabels: Matrix[] = [];
  const used: string[] = [];
  const dims: number[] = [];
  const classNames =
    ds.classes.every((c, i) => c === String(i)) && ds.classes.length <= 10
      ? DIGIT_WORDS.slice(0, ds.classes.length)
      : [...ds.classes];
  // USE-lite brings its own copy of tfjs: once a zoo tfjs model has registered the WASM kernels, it warns
  // once per kernel that it is "already registered" (harmless; both copies share the registry). Only those
  // lines are held back while the embedders load and run.
  const warn = console.warn;
  const harmless = /already registered|Platform node has already been set/;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && harmless.test(args[0])) return;
    warn(...args);
  };
  try {
    for (const e of spec.flabels.embedders) {
      const { id, optional } = typeof e === 'string' ? { id: e, optional: false } : e;
      let embedder: Awaited<ReturnType<typeof createEmbedder>>;
      try {
        embedder = await createEmbedder(id, { cwd: opts.cwd });
      } catch (err) {
        if (!optional) throw err;
        notes.push(`F-label embedder ${id} is not installed; left out (${errorInfo(err).code})`);
        continue;
      }
      used.push(id);
      for (const template of spec.flabels.templates) {
        const f = await classificationFLabels(embedder, { classNames, labels: trainLabels }, { template });
        flabels.push(f.matrix);
        dims.push(f.matrix.cols);
      }
      opts.onProgress?.({
        task: `flabels:${id}`,
        done: spec.flabels.templates.length,
        total: spec.flabels.templates.length,
      });
    }
  } finally {
    console.warn = warn;
  }
  log(
    `${taskId}: ${flabels.length} F-labels (${used.join(', ')} × ${spec.flabels.templates.length} templates)`,
  );
  return {
    models,
    train,
    test,
    trainLabels,
    testLabels,
    flabels,
    flabelInfo: { embedders: used, templates: [...spec.flabels.templates], K: flabels.length, dims },
    split: {
      seed: task.seed,
      trainPerClass: task.trainPerClass,
      testPerClass: task.testPerClass,
      nTrain: trainItems.length,
      nTest: testItems.length,
      classes: [...ds.classes],
      source: ds.origin,
    },
    notes: [...notes, `class names given to the label embedders: ${classNames.join(', ')}`],
  };
}

async function prepareFeaturesTask(
  task: Extract<TaskSpec, { featuresDir: string }>,
  opts: RunBenchOptions,
): Promise<Prepared> {
  const cwd = opts.cwd ?? '.';
  const labels = await readLabels(resolve(cwd, task.labels));
  const found = await readFeaturesFolder(resolve(cwd, task.featuresDir), labels.length, task.id);
  const flabels: Matrix[] = [];
  for (const f of task.flabels) {
    const m = await readMatrixFile(resolve(cwd, f));
    if (m.rows !== labels.length) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `task ${task.id}: F-label file ${f} has ${m.rows} rows but there are ${labels.length} labels`,
        {
          input: f,
          details: { task: task.id, file: f },
        },
      );
    }
    flabels.push(m);
  }
  return {
    models: found.map((m) => ({
      id: m.id,
      source: 'features',
      featureDim: m.features.cols,
      extractSeconds: 0,
      cached: true,
    })),
    train: new Map(
      found.map((m) => [
        m.id,
        {
          id: m.id,
          features: m.features,
          featuresKey: m.featuresKey,
          ...(m.probs ? { probs: m.probs } : {}),
        },
      ]),
    ),
    test: new Map(),
    trainLabels: labels,
    flabels,
    ...(flabels.length
      ? {
          flabelInfo: {
            embedders: ['files'],
            templates: [],
            K: flabels.length,
            dims: flabels.map((f) => f.cols),
          },
        }
      : {}),
    notes: [],
  };
}

interface ProbeCell {
  accuracy: number;
  correct: string;
  seconds: number;
  details: Record<string, number | string>;
}

async function measureTruth(
  spec: Extract<BenchSpec['groundTruth'], { measured: unknown }>,
  p: Prepared,
  taskId: string,
  cache: ResultCache,
  opts: RunBenchOptions,
): Promise<Record<string, GroundTruthInfo>> {
  const out: Record<string, GroundTruthInfo> = {};
  const ids = [...p.test.keys()];
  for (const kind of spec.measured) {
    const values: Record<string, number> = {};
    const seconds: Record<string, number> = {};
    const correct: Record<string, string> = {};
    const details: Record<string, Record<string, number | string>> = {};
    const errors: Record<string, { code: string; message: string }> = {};
    let done = 0;
    for (const id of ids) {
      const tr = p.train.get(id)!;
      const te = p.test.get(id)!;
      const key = contentKey({
        kind,
        v: 1,
        train:
          tr.featuresKey ??
          contentKey(
            new Uint8Array(tr.features.data.buffer, tr.features.data.byteOffset, tr.features.data.byteLength),
          ),
        test: contentKey(new Uint8Array(te.data.buffer, te.data.byteOffset, te.data.byteLength)),
        labels: [Array.from(p.trainLabels), Array.from(p.testLabels!)].map((a) => contentKey(a)),
        k: kind === 'knn' ? spec.knnK : undefined,
      });
      let cell = cache.get<ProbeCell>(key);
      if (!cell) {
        try {
          const t0 = performance.now();
          if (kind === 'linear-probe') {
            const r = linearProbe(
              { x: tr.features, y: p.trainLabels },
              { x: te, y: p.testLabels! },
              { signal: opts.signal, ...(opts.backend ? { backend: opts.backend } : {}) },
            );
            cell = {
              accuracy: r.accuracy,
              correct: encodeCorrect(r.correct),
              seconds: r.seconds,
              details: { l2: r.l2, iterations: r.iterations },
            };
          } else {
            const r = knnAccuracy(
              { x: tr.features, y: p.trainLabels },
              { x: te, y: p.testLabels! },
              { k: spec.knnK, ...(opts.backend ? { backend: opts.backend } : {}) },
            );
            cell = {
              accuracy: r.accuracy,
              correct: encodeCorrect(r.correct),
              seconds: (performance.now() - t0) / 1000,
              details: { k: r.k },
            };
          }
          cache.put(key, cell);
        } catch (e) {
          if ((e as Error)?.name === 'AbortError' || opts.signal?.aborted) throw e;
          errors[id] = errorInfo(e);
        }
      }
      if (cell) {
        values[id] = cell.accuracy;
        seconds[id] = cell.seconds;
        correct[id] = cell.correct;
        details[id] = cell.details;
      }
      opts.onProgress?.({ task: `${kind}:${taskId}`, done: ++done, total: ids.length, message: id });
    }
    out[kind] = {
      description:
        kind === 'linear-probe'
          ? 'test accuracy of a multinomial logistic-regression probe on frozen train features (L2 strength by 3-fold CV on train, L-BFGS): head-only transfer (linear probing)'
          : `test accuracy of a ${spec.knnK}-nearest-neighbour classifier (cosine) on frozen train features`,
      kind: 'measured',
      higherIsBetter: true,
      values,
      seconds,
      details,
      correct,
      ...(Object.keys(errors).length ? { errors } : {}),
    };
    opts.log?.(`${taskId}: ${kind} measured on ${Object.keys(values).length} models`);
  }
  return out;
}

function scoreInfos(table: ScoreTable, registry: MetricRegistry, spec: BenchSpec): Record<string, ScoreInfo> {
  const out: Record<string, ScoreInfo> = {};
  for (const [id, cells] of Object.entries(table)) {
    const metric = registry.get(id);
    const given = spec.scores.find((s) => (typeof s === 'string' ? s : s.id) === id);
    const options = given && typeof given !== 'string' ? given.options : {};
    const values: Record<string, number> = {};
    const seconds: Record<string, number> = {};
    const warnings: Record<string, string> = {};
    const errors: Record<string, { code: string; message: string; input?: string }> = {};
    const cached: Record<string, boolean> = {};
    for (const [m, c] of Object.entries(cells)) {
      if (c.value !== undefined) values[m] = c.value;
      seconds[m] = c.seconds;
      if (c.warning) warnings[m] = c.warning;
      if (c.error)
        errors[m] = {
          code: c.error.code,
          message: c.error.message,
          ...(c.error.input ? { input: c.error.input } : {}),
        };
      cached[m] = c.cached;
    }
    out[id] = {
      description: metric.description,
      higherIsBetter: metric.higherIsBetter,
      options,
      values,
      seconds,
      warnings,
      errors,
      cached,
    };
  }
  return out;
}

function agreementRows(
  truth: GroundTruthInfo,
  scores: Record<string, ScoreInfo>,
  baselines: TaskReport['baselines'],
  reps: number,
  seed: number,
): Record<string, AgreementInfo> {
  const rows: Record<string, AgreementInfo> = {};
  const correct = truth.correct
    ? Object.fromEntries(
        Object.entries(truth.correct).map(([m, s]) => [m, Uint8Array.from(s, (ch) => (ch === '1' ? 1 : 0))]),
      )
    : undefined;
  const add = (
    id: string,
    kind: 'score' | 'baseline',
    values: Record<string, number>,
    higherIsBetter: boolean,
  ) => {
    const common = Object.fromEntries(Object.entries(values).filter(([m]) => m in truth.values));
    if (Object.keys(common).length < 3) return;
    const a = agreement(common, truth.values, { higherIsBetter });
    let interval: AgreementInfo['weightedTauInterval'];
    if (correct && Object.keys(common).every((m) => correct[m])) {
      const b = bootstrapWeightedTau({
        scores: common,
        correct: Object.fromEntries(Object.keys(common).map((m) => [m, correct[m]!])),
        reps,
        seed,
        higherIsBetter,
      });
      interval = { low: b.low, high: b.high, level: b.level, reps: b.reps, estimate: b.estimate };
    }
    rows[id] = {
      kind,
      models: a.models,
      weightedTau: a.weightedTau,
      ...(interval ? { weightedTauInterval: interval } : {}),
      kendallTau: a.kendallTau,
      pearson: a.pearson,
      spearman: a.spearman,
      weightedPearson: a.weightedPearson,
      rel1: a.rel1,
      rel3: a.rel3,
      regret1: a.regret1,
      ...(a.warnings ? { warnings: [...a.warnings] } : {}),
    };
  };
  for (const [id, s] of Object.entries(scores)) add(id, 'score', s.values, s.higherIsBetter);
  for (const [id, b] of Object.entries(baselines)) add(id, 'baseline', b.values, b.higherIsBetter);
  return markBeatsBaselines(rows);
}

/**
 * The train-size sweep (the D ≥ N study): every score recomputed on the first `size` train items of each
 * class, for each size below the task's train size, and its weighted τ (with the bootstrap interval) against
 * the first measured ground truth, which stays the one trained on the whole train split. The full train size
 * is the last point.
 */
async function trainSizeSweep(
  sizes: readonly number[],
  trainPerClass: number,
  p: Prepared,
  ok: readonly string[],
  groundTruth: Record<string, GroundTruthInfo>,
  scoreIds: readonly ScoreRequest[],
  c: {
    registry: MetricRegistry;
    spec: BenchSpec;
    settings: RunSettings;
    cache: ResultCache;
    reps: number;
    taskId: string;
    opts: RunBenchOptions;
  },
): Promise<TaskReport['sweep']> {
  const truthId = Object.keys(groundTruth)[0];
  if (!truthId) return undefined;
  const truth = groundTruth[truthId]!;
  const points: NonNullable<TaskReport['sweep']>['points'] = [];
  const all = [...new Set([...sizes.filter((s) => s < trainPerClass), trainPerClass])].sort((a, b) => a - b);
  for (const size of all) {
    const rows = firstPerClass(p.trainLabels, size); // the split is a seeded shuffle within each class
    const table = await scoreCandidates({
      task: `${c.taskId}@${size}`,
      labels: Int32Array.from(rows, (r) => p.trainLabels[r]!),
      flabels: p.flabels.map((f) => takeRows(f, rows)),
      candidates: ok.map((id) => {
        const cand = p.train.get(id)!;
        return {
          id,
          features: takeRows(cand.features, rows),
          ...(cand.probs ? { probs: takeRows(cand.probs, rows) } : {}),
        };
      }),
      scores: scoreIds,
      registry: c.registry,
      ...(c.opts.backend ? { backend: c.opts.backend } : {}),
      settings: c.settings,
      cache: c.cache,
      onProgress: c.opts.onProgress,
      signal: c.opts.signal,
    });
    const infos = scoreInfos(table, c.registry, c.spec);
    const agreementRowsAt = agreementRows(truth, infos, {}, c.reps, 0);
    const scores: Record<
      string,
      { weightedTau: number; weightedTauInterval?: AgreementInfo['weightedTauInterval'] }
    > = {};
    for (const [id, a] of Object.entries(agreementRowsAt)) {
      scores[id] = {
        weightedTau: a.weightedTau,
        ...(a.weightedTauInterval ? { weightedTauInterval: a.weightedTauInterval } : {}),
      };
    }
    points.push({ trainPerClass: size, nTrain: rows.length, scores });
    c.opts.log?.(`${c.taskId}: sweep at ${size} per class (N = ${rows.length}) done`);
  }
  const maxFeatureDim = Math.max(...ok.map((id) => p.train.get(id)!.features.cols));
  return { truth: truthId, maxFeatureDim, points };
}

/**
 * EMMS's speed-up over LogME on the same F-labels: EMMS takes the K F-labels at once; LogME, a regression
 * score, is run with each F-label in turn as its target (the way one would rank with LogME given label
 * embeddings). Seconds are summed over the models; each LogME time is cached with its inputs' content.
 */
async function measureSpeed(
  scores: Record<string, ScoreInfo>,
  p: Prepared,
  ok: readonly string[],
  registry: MetricRegistry,
  cache: ResultCache,
  settings: RunSettings,
  opts: RunBenchOptions,
): Promise<{ speed?: TaskReport['speed']; logmeFlabels?: ScoreInfo }> {
  const preset: Preset = settings.preset;
  const reduce = settings.reduce.text;
  const emms = scores.emms;
  if (!emms || !registry.has('logme') || p.flabels.length === 0) return {};
  const timed = ok.filter((m) => emms.values[m] !== undefined);
  if (timed.length === 0) return {};
  const values: Record<string, number> = {};
  const perModel: Record<string, number> = {};
  const flabelKeys = p.flabels.map(matrixKey);
  let logmeSeconds = 0;
  let done = 0;
  for (const id of timed) {
    const c = p.train.get(id)!;
    const key = contentKey({
      kind: 'logme-on-flabels',
      v: 2,
      features: c.featuresKey ?? matrixKey(c.features),
      flabels: flabelKeys,
      preset,
      reduce,
    });
    let hit = cache.get<{ secs: number; value?: number }>(key);
    if (hit === undefined) {
      let secs = 0;
      let sum = 0;
      let n = 0;
      // The features are reduced once; LogME then runs with each F-label as its target.
      const backend = opts.backend ? { backend: opts.backend } : {};
      const reduced = reduceInputs({ features: c.features }, settings, backend);
      for (const f of p.flabels) {
        const r = await scoreReduced({ ...reduced, inputs: { ...reduced.inputs, targets: f } }, ['logme'], {
          registry,
          ...backend,
          signal: opts.signal,
        });
        secs += r.seconds.logme ?? 0;
        if (r.scores.logme !== undefined) {
          sum += r.scores.logme;
          n++;
        }
      }
      hit = { secs, ...(n === p.flabels.length ? { value: sum / n } : {}) };
      cache.put(key, hit);
    }
    logmeSeconds += hit.secs;
    perModel[id] = hit.secs;
    if (hit.value !== undefined) values[id] = hit.value;
    opts.onProgress?.({ task: 'speed:logme-on-flabels', done: ++done, total: timed.length, message: id });
  }
  const emmsSeconds = timed.reduce((a, m) => a + (emms.seconds[m] ?? 0), 0);
  // LogME on the same F-labels as a ranking of its own: the mean over the K F-labels of its evidence.
  const logmeFlabels: ScoreInfo | undefined =
    Object.keys(values).length >= 3
      ? ({
          description: `LogME (${preset} preset) with each of the K=${p.flabels.length} F-labels as its regression target, averaged: the baseline EMMS is compared with on the same F-labels`,
          higherIsBetter: true,
          preset,
          values,
          seconds: Object.fromEntries(Object.keys(values).map((m) => [m, perModel[m]!])),
          warnings: {},
          errors: {},
        } as ScoreInfo)
      : undefined;
  if (!(emmsSeconds > 0) || !(logmeSeconds > 0)) return { ...(logmeFlabels ? { logmeFlabels } : {}) };
  return {
    speed: {
      emmsSeconds,
      logmeSeconds,
      emmsOverLogme: logmeSeconds / emmsSeconds,
      note: `EMMS on the K=${p.flabels.length} F-labels at once vs LogME run with each F-label as its regression target, summed over ${timed.length} models (each time from its first computation; cached results keep it)`,
    },
    ...(logmeFlabels ? { logmeFlabels } : {}),
  };
}

async function defaultRegistryWith(plugins: readonly string[]): Promise<MetricRegistry> {
  if (plugins.length === 0) return defaultRegistry;
  const { createRegistry, builtinMetrics } = await import('@emms/metrics');
  const registry = createRegistry([...builtinMetrics]);
  for (const name of plugins) {
    let mod: unknown;
    try {
      mod = await import(name);
    } catch (cause) {
      throw new EmmsError(
        'PLUGIN_LOAD',
        `spec plugins: cannot import "${name}" (${(cause as Error).message}); install it`,
        {
          input: name,
          cause,
        },
      );
    }
    for (const m of loadPlugin(mod, name).metrics) registry.register(m);
  }
  return registry;
}

/**
 * Runs a bench spec: for each task, prepares every candidate's features (extracting them for dataset
 * tasks, reading them for feature folders), the F-labels, scores every (model, score) pair in isolation
 * with content-addressed caching, measures or reads the ground truth, computes the agreement of every
 * score and static baseline (with bootstrap intervals when the ground truth is measured), and writes the
 * reports (report.json/.csv/.md/.html) atomically to `spec.out`.
 *
 * @param spec - a validated {@link BenchSpec} (see `parseBenchSpec`).
 * @param opts - {@link RunBenchOptions}: registry, onProgress, log, command, noWrite, signal, cwd.
 * @returns the report and the written paths.
 * @throws EmmsError `TASK_TOO_SMALL` (fewer than three models with features), `DUPLICATE_MODEL_NAME`,
 *   `MODEL_NOT_IN_TRUTH` (naming the task, the model and the table), `FEATURES_DIR_EMPTY`, `ROW_MISMATCH`,
 *   `UNKNOWN_METRIC`, `REPORT_INVALID`, `FILE_UNWRITABLE`. A model or score that fails is recorded, not thrown.
 * @example
 * ```ts
 * const { report, paths } = await runBench(parseBenchSpec({ tasks: [{ dataset: 'mnist', trainPerClass: 5, testPerClass: 5 }], candidates: ['ppocr-rec', 'ppocr-cls', 'pixels'] }));
 * report.tasks[0].agreement['linear-probe'].emms.weightedTau;
 * ```
 */
export async function runBench(spec: BenchSpec, opts: RunBenchOptions = {}): Promise<RunBenchResult> {
  const started = performance.now();
  const cwd = opts.cwd ?? process.cwd();
  const registry = opts.registry ?? (await defaultRegistryWith(spec.plugins));
  const cache = new ResultCache(spec.cache === false ? undefined : resolve(cwd, spec.cache));
  const scoreIds = spec.scores.length
    ? spec.scores.map((s) => (typeof s === 'string' ? { id: s } : s))
    : registry.list().map((m) => ({ id: m.id }));
  for (const s of scoreIds) registry.get(s.id); // unknown ids fail before anything runs
  const tasks: TaskReport[] = [];
  const gt = spec.groundTruth;
  for (const t of spec.tasks) {
    const taskId = t.id ?? ('dataset' in t ? t.dataset : 'task');
    const p =
      'dataset' in t
        ? await prepareDatasetTask(spec, t, taskId, cache, { ...opts, cwd, registry })
        : await prepareFeaturesTask(t, { ...opts, cwd });
    const ok = p.models.filter((m) => !m.error).map((m) => m.id);
    if (ok.length < 3) {
      throw new EmmsError(
        BENCH_CODES.TASK_TOO_SMALL,
        `task ${taskId}: ${ok.length} model(s) with features (${ok.join(', ') || 'none'}); ranking needs at least three`,
        { input: taskId, details: { task: taskId, models: ok } },
      );
    }
    // ground truth
    let groundTruth: Record<string, GroundTruthInfo> = {};
    let reps = 1000;
    if ('measured' in gt) {
      if (p.test.size === 0) {
        throw new EmmsError(
          BENCH_CODES.SPEC_INVALID,
          `task ${taskId}: a measured ground truth needs a dataset task (train and test features); give groundTruth.table or groundTruth.published`,
          { input: 'groundTruth', details: { task: taskId } },
        );
      }
      reps = gt.bootstrapReps;
      groundTruth = await measureTruth(gt, p, taskId, cache, opts);
    } else {
      const name = 'table' in gt ? gt.table : gt.published;
      const table =
        'table' in gt ? await readTruthTable(resolve(cwd, gt.table)) : publishedTruth(gt.published).table;
      const dataset =
        'table' in gt ? (gt.dataset ?? (Object.keys(table).length === 1 ? undefined : taskId)) : taskId;
      const values = truthForDataset(table, dataset, name);
      const missing = ok.filter((m) => !Object.hasOwn(values, m));
      if (missing.length) {
        throw new EmmsError(
          'MODEL_NOT_IN_TRUTH',
          `task ${taskId}: model(s) ${missing.map((m) => `"${m}"`).join(', ')} have no ground truth in ${name}${dataset ? ` (dataset ${dataset})` : ''}; it lists ${Object.keys(values).join(', ')}. Rename the feature files or remove them`,
          { input: name, details: { task: taskId, models: missing, file: name } },
        );
      }
      const id = 'published' in gt ? gt.published : 'table';
      groundTruth[id] = {
        description: 'published' in gt ? publishedTruth(gt.published).description : `user table ${gt.table}`,
        kind: 'published' in gt ? 'published' : 'user',
        higherIsBetter: true,
        values: Object.fromEntries(ok.map((m) => [m, values[m]!])),
      };
    }
    // scores
    const settings = resolveRunSettings({ preset: spec.preset, reduce: spec.preprocessing.reduce }, registry);
    const { preset } = settings;
    const reduce = settings.reduce.text;
    const table = await scoreCandidates({
      task: taskId,
      labels: p.trainLabels,
      flabels: p.flabels,
      candidates: ok.map((id) => p.train.get(id)!),
      scores: scoreIds,
      registry,
      ...(opts.backend ? { backend: opts.backend } : {}),
      settings,
      cache,
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
    const scores = scoreInfos(table, registry, spec);
    opts.log?.(`${taskId}: ${scoreIds.length} scores × ${ok.length} models done`);
    const baselines = staticBaselines(p.models.filter((m) => !m.error));
    const { speed, logmeFlabels } = await measureSpeed(scores, p, ok, registry, cache, settings, opts);
    if (logmeFlabels) scores['logme-flabels'] = logmeFlabels;
    const agreementByTruth: TaskReport['agreement'] = {};
    for (const [tid, truth] of Object.entries(groundTruth)) {
      agreementByTruth[tid] = agreementRows(truth, scores, baselines, reps, 0);
    }
    const sweep =
      'dataset' in t && t.sweep && t.sweep.length > 0
        ? await trainSizeSweep(t.sweep, t.trainPerClass, p, ok, groundTruth, scoreIds, {
            registry,
            spec,
            settings,
            cache,
            reps,
            taskId,
            opts,
          })
        : undefined;
    const excluded = spec.excluded.map((e) => `${e.id} left out of the candidates: ${e.reason}`);
    tasks.push({
      id: taskId,
      dataset: 'dataset' in t ? t.dataset : t.featuresDir,
      ...(p.split ? { split: p.split } : {}),
      ...(p.flabelInfo ? { flabels: p.flabelInfo } : {}),
      preprocessing: { reduce, rule: `preset ${preset}: ${PRESETS[preset]}` },
      models: p.models,
      groundTruth,
      scores,
      baselines,
      agreement: agreementByTruth,
      ...(speed ? { speed } : {}),
      ...(sweep ? { sweep } : {}),
      notes: [...excluded, ...p.notes],
    } as TaskReport);
  }
  const backend = opts.backend ?? getBackend();
  const counts = cache.counts;
  const input: BenchReportInput = {
    schema: 'emms-bench-report',
    version: 1,
    run: {
      createdAt: new Date().toISOString(),
      command: opts.command ?? 'runBench',
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model,
        platform: process.platform,
        arch: process.arch,
        nodeVersion: process.version,
        totalMemoryBytes: totalmem(),
        backend: backend.name,
      },
      seconds: (performance.now() - started) / 1000,
      cacheHits: counts.hits,
      cacheMisses: counts.misses,
    },
    tasks,
    summaries: [],
    notes: [],
  };
  if ('published' in gt && tasks.length > 0) {
    const pub = publishedTruth(gt.published);
    input.summaries = [
      summarizeAgreement(tasks, gt.published, {
        ...(pub.publishedMeanWeightedTau
          ? { published: { source: pub.source, values: { ...pub.publishedMeanWeightedTau } } }
          : {}),
      }),
    ];
  }
  const report = parseReport(input);
  if (opts.noWrite) return { report };
  const paths = await writeReports(report, resolve(cwd, spec.out));
  return { report, paths };
}
