// Step "truth": the ground truth the scores are compared with. Measured (probes trained on one candidate's
// train features, evaluated on its test features; each cached by content) or read from a table.
import { EmmsError } from '@emms/tensor-io';
import { z } from 'zod';
import { contentKey } from '../../cache';
import { readTruthTable } from '../../ground-truth';
import { knnAccuracy, linearProbe, PROBE_VERSION } from '../../probe';
import { publishedTruth, truthForDataset } from '../../published-truth';
import { encodeCorrect, type GroundTruthInfo } from '../../report/schema';
import { retrievalProbe } from '../../retrieval-probe';
import { ridgeProbe } from '../../ridge-probe';
import { ArtifactRefSchema, errorInfo, isAbort, loadLabels, loadMatrix } from '../artifacts';
import type { StepContext, StepError } from '../types';

/** The measured ground truths a dataset task can have. */
export const PROBE_KINDS = ['linear-probe', 'knn'] as const;

/**
 * The measured ground truths of tasks with continuous targets: a ridge probe's held-out R² (regression),
 * its mean IoU and R² (referring boxes), caption retrieval through a ridge probe (captioning).
 */
export const TARGET_TRUTHS = ['ridge-r2', 'ridge-iou', 'caption-retrieval'] as const;
export type TargetTruth = (typeof TARGET_TRUTHS)[number];

/** Input of the truth step. */
export const TruthInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('probe'),
    task: z.string().min(1),
    candidate: z.string().min(1),
    train: ArtifactRefSchema,
    test: ArtifactRefSchema,
    labels: ArtifactRefSchema,
    kinds: z.array(z.enum(PROBE_KINDS)).min(1),
    knnK: z.number().int().positive(),
  }),
  z.strictObject({
    kind: z.literal('targets'),
    task: z.string().min(1),
    candidate: z.string().min(1),
    train: ArtifactRefSchema,
    test: ArtifactRefSchema,
    /** Train and test targets (boxes, regression columns, caption embeddings), rows as the features'. */
    targets: z.strictObject({ train: ArtifactRefSchema, test: ArtifactRefSchema }),
    kinds: z.array(z.enum(TARGET_TRUTHS)).min(1),
  }),
  z.strictObject({
    kind: z.literal('table'),
    task: z.string().min(1),
    /** An absolute table file (`name`: as the spec gives it), or the id of a published table. */
    table: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    dataset: z.string().min(1).optional(),
    published: z.string().min(1).optional(),
    models: z.array(z.string().min(1)),
  }),
]);
export type TruthInput = z.output<typeof TruthInputSchema>;

/** One probe's result on one candidate (cached by content). */
export interface ProbeCell {
  /** The ground-truth value: accuracy, mean IoU, R² or retrieval accuracy. */
  readonly accuracy: number;
  /** Per test item, "1" when predicted right (see `encodeCorrect`); "" for continuous ground truths. */
  readonly correct: string;
  /** Continuous ground truths: per test item the IoU (`ridge-iou`), or per item and column the squared errors (`ridge-r2`, M×T row-major). */
  readonly perItem?: readonly number[];
  /** `ridge-r2`: the test targets (M×T) the R² is recomputed against on resamples. */
  readonly targets?: { readonly rows: number; readonly cols: number; readonly data: readonly number[] };
  readonly seconds: number;
  readonly details: Record<string, number | string>;
}

/** Result of the truth step: per probe kind, the cell or the error (probe); the ground truths (table). */
export type TruthResult =
  | { readonly cells: Record<string, { readonly cell?: ProbeCell; readonly error?: StepError }> }
  | { readonly truth: Record<string, GroundTruthInfo> };

async function probe(input: Extract<TruthInput, { kind: 'probe' }>, ctx: StepContext): Promise<TruthResult> {
  const tr = await loadMatrix(ctx.store, input.train);
  const te = await loadMatrix(ctx.store, input.test);
  const y = loadLabels(ctx.store, input.labels);
  const testLabels = y.test!;
  const bytes = (m: typeof tr) => new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  const { backend } = await ctx.scorer([]);
  return eachKind(
    input,
    ctx,
    (kind) =>
      contentKey({
        kind,
        v: PROBE_VERSION,
        train: input.train.key ?? contentKey(bytes(tr)),
        test: contentKey(bytes(te)),
        labels: [Array.from(y.train), Array.from(testLabels)].map((a) => contentKey(a)),
        k: kind === 'knn' ? input.knnK : undefined,
      }),
    (kind): ProbeCell => {
      const t0 = performance.now();
      if (kind === 'linear-probe') {
        const r = linearProbe(
          { x: tr, y: y.train },
          { x: te, y: testLabels },
          { signal: ctx.signal, ...(backend ? { backend } : {}) },
        );
        return {
          accuracy: r.accuracy,
          correct: encodeCorrect(r.correct),
          seconds: r.seconds,
          details: { l2: r.l2, iterations: r.iterations },
        };
      }
      const r = knnAccuracy(
        { x: tr, y: y.train },
        { x: te, y: testLabels },
        { k: input.knnK, ...(backend ? { backend } : {}) },
      );
      return {
        accuracy: r.accuracy,
        correct: encodeCorrect(r.correct),
        seconds: (performance.now() - t0) / 1000,
        details: { k: r.k },
      };
    },
  );
}

/**
 * Each truth kind's cell: read from the store by its key, else computed and stored; a failure is recorded
 * as the kind's error (not thrown), an abort rethrown. One progress event per kind.
 */
async function eachKind<K extends string>(
  input: { readonly task: string; readonly candidate: string; readonly kinds: readonly K[] },
  ctx: StepContext,
  keyOf: (kind: K) => string,
  compute: (kind: K) => ProbeCell,
): Promise<TruthResult> {
  const cells: Record<string, { cell?: ProbeCell; error?: StepError }> = {};
  for (const kind of input.kinds) {
    const key = keyOf(kind);
    let cell = ctx.store.get<ProbeCell>(key);
    if (!cell) {
      try {
        ctx.signal?.throwIfAborted();
        cell = compute(kind);
        ctx.store.put(key, cell);
      } catch (e) {
        if (isAbort(e, ctx.signal)) throw e;
        cells[kind] = { error: errorInfo(e) };
      }
    }
    if (cell) cells[kind] = { cell };
    ctx.onProgress?.({ task: `${kind}:${input.task}`, done: 1, total: 1, message: input.candidate });
  }
  return { cells };
}

async function targetsProbe(
  input: Extract<TruthInput, { kind: 'targets' }>,
  ctx: StepContext,
): Promise<TruthResult> {
  const x = await loadMatrix(ctx.store, input.train);
  const xt = await loadMatrix(ctx.store, input.test);
  const y = await loadMatrix(ctx.store, input.targets.train);
  const yt = await loadMatrix(ctx.store, input.targets.test);
  const bytes = (m: typeof x) =>
    contentKey(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  return eachKind(
    input,
    ctx,
    (kind) =>
      contentKey({
        kind,
        v: PROBE_VERSION,
        train: input.train.key ?? bytes(x),
        test: bytes(xt),
        targets: [bytes(y), bytes(yt), y.cols],
      }),
    (kind): ProbeCell => {
      if (kind === 'caption-retrieval') {
        const r = retrievalProbe({ x, y }, { x: xt, y: yt });
        return {
          accuracy: r.accuracy,
          correct: encodeCorrect(r.correct),
          seconds: r.seconds,
          details: {
            alpha: r.alpha,
            r2: r.r2,
            candidates: r.candidates,
            ...Object.fromEntries(Object.entries(r.recall).map(([k, v]) => [`recall@${k}`, v])),
          },
        };
      }
      const r = ridgeProbe({ x, y }, { x: xt, y: yt }, { boxes: kind === 'ridge-iou' });
      if (kind === 'ridge-iou') {
        return {
          accuracy: r.iou!,
          correct: '',
          perItem: Array.from(r.iouPerItem!),
          seconds: r.seconds,
          details: { alpha: r.alpha, r2: r.r2 },
        };
      }
      return {
        accuracy: r.r2,
        correct: '',
        perItem: Array.from(r.squaredError),
        targets: { rows: yt.rows, cols: yt.cols, data: Array.from(yt.data) },
        seconds: r.seconds,
        details: { alpha: r.alpha },
      };
    },
  );
}

async function table(input: Extract<TruthInput, { kind: 'table' }>): Promise<TruthResult> {
  const name = input.name ?? input.table ?? input.published!;
  const t = input.table ? await readTruthTable(input.table) : publishedTruth(input.published!).table;
  // a user table with one dataset needs no name; otherwise the task id picks the dataset
  const dataset = input.table
    ? (input.dataset ?? (Object.keys(t).length === 1 ? undefined : input.task))
    : input.task;
  const values = truthForDataset(t, dataset, name);
  const missing = input.models.filter((m) => !Object.hasOwn(values, m));
  if (missing.length) {
    throw new EmmsError(
      'MODEL_NOT_IN_TRUTH',
      `task ${input.task}: model(s) ${missing.map((m) => `"${m}"`).join(', ')} have no ground truth in ${name}${dataset ? ` (dataset ${dataset})` : ''}; it lists ${Object.keys(values).join(', ')}. Rename the feature files or remove them`,
      { input: name, details: { task: input.task, models: missing, file: name } },
    );
  }
  const id = input.published ?? 'table';
  return {
    truth: {
      [id]: {
        description: input.published ? publishedTruth(input.published).description : `user table ${name}`,
        kind: input.published ? 'published' : 'user',
        higherIsBetter: true,
        values: Object.fromEntries(input.models.map((m) => [m, values[m]!])),
      },
    },
  };
}

/**
 * The truth step. `probe`: trains each probe kind on one candidate's train features and evaluates it on its
 * test features (linear probe: multinomial logistic regression, L2 by 3-fold CV; kNN: cosine), each result
 * cached by the content of its inputs; a probe that fails is recorded in the result, not thrown. `table`:
 * a user or published table's values for the task's models. `targets`: the ridge probe of tasks with
 * continuous targets (held-out R², mean IoU of boxes, caption retrieval accuracy), per-item results kept.
 *
 * @param input - {@link TruthInput}.
 * @param ctx - the step context (store, backend, abort signal).
 * @returns the {@link TruthResult}.
 * @throws EmmsError `MODEL_NOT_IN_TRUTH` (a model without a value in the table), the table reader's codes.
 */
export function truthStep(input: TruthInput, ctx: StepContext): Promise<TruthResult> {
  if (input.kind === 'targets') return targetsProbe(input, ctx);
  return input.kind === 'probe' ? probe(input, ctx) : table(input);
}
