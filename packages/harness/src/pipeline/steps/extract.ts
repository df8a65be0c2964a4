// Step "extract": one candidate's features on one task's split (train, test and, for models with their own
// classifier, its source-class probabilities), written to the store; or a feature file of the user, checked.
import { statSync } from 'node:fs';
import {
  extractFeatures,
  fileStampKey,
  findZooEntry,
  type LoadedModel,
  listCandidates,
  type ModelRef,
  modelFiles,
  openModelLazily,
  parseModelRef,
  readRemembered,
  remember,
  zooSizeBytes,
} from '@emms/feature-extractors';
import { EmmsError } from '@emms/tensor-io';
import { z } from 'zod';
import { BENCH_CODES } from '../../bench/codes';
import { readFolderModel } from '../../bench/features-dir';
import { modelParameterCount } from '../../bench/params';
import { contentKey, sha256File } from '../../cache';
import type { ModelInfo } from '../../report/schema';
import {
  type ArtifactRef,
  ArtifactRefSchema,
  errorInfo,
  isAbort,
  loadDataset,
  saveMatrix,
} from '../artifacts';
import { CLASSIFIER_OUTPUTS, pixelFeatures } from '../dataset';
import type { StepContext } from '../types';
import { splitKey } from './split';

/** A candidate of a dataset task, as the spec gives it (model references resolved to absolute paths). */
export const CandidateInputSchema = z.strictObject({
  id: z.string().min(1),
  model: z.string().min(1).optional().describe('model reference (absolute paths); absent: a feature file'),
  label: z.string().min(1).optional().describe('the model reference as the user wrote it, when not the id'),
  output: z.string().min(1).optional(),
  pool: z.enum(['avg', 'mean', 'cls', 'flatten', 'none']).optional(),
});

/** Input of the extract step. */
export const ExtractInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('model'),
    /** The split's content key and its items (written by the split step). */
    split: z.strictObject({ key: z.string().min(1), items: ArtifactRefSchema }),
    candidate: CandidateInputSchema,
  }),
  z.strictObject({
    kind: z.literal('file'),
    task: z.string().min(1),
    id: z.string().min(1),
    path: z.string().min(1),
    rows: z.number().int().positive(),
  }),
]);
export type ExtractInput = z.output<typeof ExtractInputSchema>;

/** Result of the extract step. */
export interface ExtractResult {
  /** The report's entry for this model. */
  readonly model: ModelInfo;
  /** Train features; `key` is the file's sha256 (absent for pixels: keys are then taken from the matrix). */
  readonly train: ArtifactRef;
  /** Test features (dataset tasks). */
  readonly test?: ArtifactRef;
  /** Source-class probabilities on train (LEEP, NCE), when the model has its own classifier. */
  readonly probs?: ArtifactRef;
  /** For the task's notes (e.g. a classifier output that could not be read). */
  readonly notes: readonly string[];
}

let kinds: Record<string, 'pretrained' | 'reference'> | undefined;
/** Pretrained or reference, by model reference (the offline candidates). */
const KINDS = () => {
  kinds ??= Object.fromEntries(listCandidates().map((e) => [e.id, e.kind]));
  return kinds;
};

/** A file stem safe on every file system: the id's readable part, plus a digest when it had to change. */
function stem(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60);
  return safe === id ? id : `${safe}-${contentKey(id).slice(0, 8)}`;
}

/** The model's parameter count, remembered beside its facts (decoding an ONNX file costs more than a warm run). */
function parameterCount(ref: ModelRef, model: string, factsDir: string | undefined): number | undefined {
  const files = factsDir ? modelFiles(ref) : undefined;
  const key = files && fileStampKey({ params: model }, files);
  const known = key ? readRemembered<{ n?: number }>(factsDir!, key) : undefined;
  if (known) return known.n;
  const n = modelParameterCount(model);
  if (key) remember(factsDir!, key, n === undefined ? {} : { n });
  return n;
}

async function fileFeatures(input: Extract<ExtractInput, { kind: 'file' }>): Promise<ExtractResult> {
  const m = await readFolderModel(input.task, input.id, input.path, input.rows);
  return {
    model: { id: m.id, source: 'features', featureDim: m.features.cols, extractSeconds: 0, cached: true },
    train: { path: m.path, key: m.featuresKey },
    ...(m.probsPath ? { probs: { path: m.probsPath } } : {}),
    notes: [],
  };
}

/**
 * The extract step. For a model: reads the task's split (its items as the split step stored them, checked
 * against the split's content key), runs the model over
 * the train and test items into `<store>/features` (reusing files whose inputs match, resuming interrupted
 * ones), reads the classifier output of models that have one (its failure is a note: LEEP/NCE then do not
 * apply), and records the model's facts (source, feature width, file size, parameter count, seconds).
 * `pixels` gives the raw pixel values. For a feature file: reads it, checks its rows against the labels.
 *
 * @param input - {@link ExtractInput}.
 * @param ctx - the step context (store, onnxruntime threads, progress, abort signal).
 * @returns the {@link ExtractResult}.
 * @throws EmmsError `NOT_APPLICABLE` (pixels of file images; a feature file in a dataset task),
 *   `MODEL_NOT_FOUND`, `ROW_MISMATCH`, the extractor's codes; the abort reason.
 */
export async function extractStep(input: ExtractInput, ctx: StepContext): Promise<ExtractResult> {
  if (input.kind === 'file') return fileFeatures(input);
  const { split, candidate: c } = input;
  const ds = loadDataset(ctx.store, split.items);
  if (splitKey(ds) !== split.key) {
    throw new EmmsError(
      'DATASET_INVALID',
      `the items of split ${split.key} in the store do not match it; remove ${split.items.path} from the store and run again`,
      { input: split.items.path },
    );
  }
  const started = performance.now();
  const trainItems = ds.items.filter((i) => i.split === 'train');
  // raw pixels of in-memory 28×28 grey images are read as they are; other images go through the pixels
  // model (resized to 28×28 grey, the same values for MNIST-sized images)
  const s0 = trainItems[0]?.source;
  if (
    c.model === 'pixels' &&
    s0?.kind === 'pixels' &&
    s0.width === 28 &&
    s0.height === 28 &&
    s0.channels === 1
  ) {
    const x = pixelFeatures(trainItems, ds.name);
    const t = pixelFeatures(
      ds.items.filter((i) => i.split === 'test'),
      ds.name,
    );
    const train = await saveMatrix(ctx.store, 'features/pixels', x);
    const test = await saveMatrix(ctx.store, 'features/pixels', t);
    return {
      model: {
        id: c.id,
        source: 'pixels',
        kind: 'reference',
        featureDim: x.cols,
        extractSeconds: 0,
        cached: false,
      },
      train: { path: train.path },
      test: { path: test.path },
      notes: [],
    };
  }
  if (!c.model) {
    throw new EmmsError(
      BENCH_CODES.NOT_APPLICABLE,
      `candidate "${c.id}" is a feature file; a dataset task needs a model to extract train and test features`,
      { input: c.id },
    );
  }
  const ref = parseModelRef(c.model, { cwd: ctx.cwd });
  const base = `${stem(c.id)}__${split.key.slice(0, 16)}`;
  const run = async (part: 'train' | 'test' | 'train.probs', m: LoadedModel) =>
    extractFeatures({
      dataset: ds,
      model: m,
      outDir: ctx.store.featuresDir,
      split: part === 'test' ? 'test' : 'train',
      // progress names the dataset too: a suite extracts the same model for several tasks
      onProgress: ctx.onProgress && ((e) => ctx.onProgress!({ ...e, task: `${e.task} ${ds.name}` })),
      signal: ctx.signal,
      name: `${base}__${part}`,
    });
  const threads = ctx.onnxThreads;
  // a model is opened only to compute features that are not in the store yet (its facts are remembered)
  const lazy = { factsDir: ctx.store.reuse ? ctx.store.path('models') : undefined };
  const model = await openModelLazily(
    ref,
    { output: c.output, pool: c.pool, ...(threads ? { threads } : {}) },
    lazy,
  );
  let tr: Awaited<ReturnType<typeof run>>;
  let te: Awaited<ReturnType<typeof run>>;
  try {
    tr = await run('train', model);
    te = await run('test', model);
  } finally {
    await model.dispose();
  }
  if (!tr.reused) ctx.store.recordComputed('extract', tr.sidecar.key);
  if (!te.reused) ctx.store.recordComputed('extract', te.sidecar.key);
  const notes: string[] = [];
  let probsPath: string | undefined;
  const head = CLASSIFIER_OUTPUTS[c.model];
  if (head && !c.output) {
    try {
      const clf = await openModelLazily(ref, { ...head, ...(threads ? { threads } : {}) }, lazy);
      try {
        const r = await run('train.probs', clf);
        if (!r.reused) ctx.store.recordComputed('extract', r.sidecar.key);
        probsPath = r.featuresPath;
      } finally {
        await clf.dispose();
      }
    } catch (e) {
      if (isAbort(e, ctx.signal)) throw e;
      notes.push(
        `${c.id}: its classifier output could not be read (${errorInfo(e).message}); LEEP/NCE not applicable`,
      );
    }
  }
  const zoo = ref.kind === 'zoo' ? findZooEntry(ref.id) : undefined;
  const fileBytes = zoo ? zooSizeBytes(zoo) : ref.kind === 'onnx' ? statSync(ref.path).size : undefined;
  const params = parameterCount(ref, ref.kind === 'onnx' ? ref.path : c.model, lazy.factsDir);
  const cached = tr.reused && te.reused;
  return {
    model: {
      id: c.id,
      ...(c.label ? { label: c.label } : {}),
      source: ['zoo', 'hf', 'local', 'pixels', 'text'].includes(ref.kind) ? ref.kind : 'onnx',
      featureDim: tr.features.cols,
      ...(KINDS()[c.model] ? { kind: KINDS()[c.model] } : {}),
      ...(fileBytes ? { fileBytes } : {}),
      ...(params !== undefined ? { params } : {}),
      extractSeconds: cached ? 0 : (performance.now() - started) / 1000,
      cached,
    },
    train: { path: ctx.store.relative(tr.featuresPath), key: await sha256File(tr.featuresPath) },
    test: { path: ctx.store.relative(te.featuresPath) },
    ...(probsPath ? { probs: { path: ctx.store.relative(probsPath) } } : {}),
    notes,
  };
}
