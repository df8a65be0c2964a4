import { EmmsError, type Matrix } from '@emms/tensor-io';
import type { EmbedOptions, TextEmbedder } from './embedder';

/** The five tasks EMMS scores, named as on the command line. */
export type Task = 'classification' | 'captioning' | 'vqa' | 'tqa' | 'rec';

/** Every task name, for option validation. */
export const TASKS: readonly Task[] = ['classification', 'captioning', 'vqa', 'tqa', 'rec'];

/** How label text is turned into model input. */
export interface TextOptions {
  /** A prompt with one "{}" where the label goes, e.g. "a photo of a {}". Default: the raw label. */
  readonly template?: string;
  /** Replace "_" by " " before templating (ImageNet-style class names). Default false. */
  readonly underscoresToSpaces?: boolean;
  /**
   * Lower-case labels before templating. The published caption scripts lower-cased captions;
   * it matters only for cased models (GPT-2): BERT-uncased and CLIP lower-case anyway. Default false.
   */
  readonly lowercase?: boolean;
}

/** Options of every task builder: text preparation plus the embed call's options. */
export type TaskOptions = TextOptions & EmbedOptions;

/** Several texts per sample (captions, answers): one row per text, or their mean. */
export type MultiTextMode = 'per-text' | 'mean';

/** How a referring expression's box enters the F-label. */
export type BoxMode = 'append' | 'text' | 'none';

/**
 * F-labels of one task from one embedder: `matrix` has one row per sample, or, with several texts
 * per sample and `per-text`, one row per text with `rowToSample[r]` the sample of row r (repeat
 * feature rows with {@link repeatRows} to match).
 */
export interface FLabels {
  readonly matrix: Matrix<Float32Array>;
  readonly sampleIds: readonly string[];
  readonly rowToSample?: Int32Array;
  /** Everything the JSON sidecar records about how the rows were made. */
  readonly meta: FLabelMeta;
}

/** The provenance written beside each F-label file. */
export interface FLabelMeta {
  readonly task: Task;
  readonly embedder: string;
  readonly embedderDescription: Readonly<Record<string, unknown>>;
  readonly pooling: string;
  readonly template: string | null;
  readonly underscoresToSpaces: boolean;
  readonly lowercase: boolean;
  readonly rows: number;
  readonly cols: number;
  readonly samples: number;
  readonly distinctTexts: number;
  /** Strings per model pass, and whether each distinct string was embedded once. */
  readonly batchSize: number;
  readonly dedupe: boolean;
  readonly multiTextMode?: MultiTextMode;
  readonly boxMode?: BoxMode;
  /** Class names (classification) or the answer vocabulary (VQA), index = class id. */
  readonly classNames?: readonly string[];
}

/** Applies underscore clean-up and the template to one label. */
export function prepareText(text: string, options: TextOptions = {}): string {
  let t = options.underscoresToSpaces ? text.replace(/_/g, ' ') : text;
  if (options.lowercase) t = t.toLowerCase();
  if (options.template !== undefined) {
    const parts = options.template.split('{}');
    if (parts.length !== 2) {
      throw new EmmsError(
        'INVALID_OPTION',
        `Template "${options.template}" must contain exactly one "{}" where the label goes.`,
        { input: 'template' },
      );
    }
    t = parts[0] + t + parts[1];
  }
  return t;
}

function emptyLabel(sample: string, what: string): EmmsError {
  return new EmmsError(
    'EMBEDDER_INPUT',
    `Sample ${sample} has an empty ${what}; give it some text or drop the sample.`,
    {
      input: sample,
      details: { reason: 'empty-label' },
    },
  );
}

function metaBase(embedder: TextEmbedder, task: Task, options: TaskOptions) {
  return {
    task,
    embedder: embedder.id,
    embedderDescription: embedder.description,
    pooling: String(embedder.description.pooling ?? 'model'),
    template: options.template ?? null,
    underscoresToSpaces: options.underscoresToSpaces ?? false,
    lowercase: options.lowercase ?? false,
    batchSize: options.batchSize ?? embedder.defaultBatchSize,
    dedupe: options.dedupe ?? !embedder.batchDependent,
  };
}

/** Input of {@link classificationFLabels}. */
export interface ClassificationInput {
  /** Line i is the name of class i. */
  readonly classNames: readonly string[];
  /** Class id of each sample. */
  readonly labels: ArrayLike<number | bigint>;
  /** Sample names for error messages (default "sample <i>"). */
  readonly sampleIds?: readonly string[];
}

/**
 * Image classification: each class name is embedded once (after clean-up and template), then
 * row i is the embedding of sample i's class.
 */
export async function classificationFLabels(
  embedder: TextEmbedder,
  input: ClassificationInput,
  options: TaskOptions = {},
  task: Task = 'classification',
): Promise<FLabels> {
  const { classNames, labels } = input;
  if (classNames.length === 0) {
    throw new EmmsError('MISSING_INPUT', 'No class names were given.', { input: 'classes' });
  }
  classNames.forEach((name, c) => {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new EmmsError(
        'EMBEDDER_INPUT',
        `Class ${c} has an empty name; every class needs a name to embed.`,
        {
          input: `class ${c}`,
          details: { reason: 'empty-label', class: c },
        },
      );
    }
  });
  const n = labels.length;
  const sampleIds = input.sampleIds ?? Array.from({ length: n }, (_, i) => `sample ${i}`);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = Number(labels[i]);
    if (!Number.isInteger(y)) {
      throw new EmmsError(
        'LABEL_NOT_INTEGER',
        `Label of ${sampleIds[i]} is ${labels[i]}, not a class index.`,
        {
          input: sampleIds[i],
        },
      );
    }
    if (y < 0 || y >= classNames.length) {
      throw new EmmsError(
        'LABEL_OUT_OF_RANGE',
        `Label of ${sampleIds[i]} is ${y}, outside the ${classNames.length} class names (0..${classNames.length - 1}).`,
        { input: sampleIds[i] },
      );
    }
    ids[i] = y;
  }
  const texts = classNames.map((c) => prepareText(c, options));
  // A batch-dependent embedder gets all class names in one batch, as the published code did.
  if (embedder.batchDependent && options.batchSize === undefined)
    options = { ...options, batchSize: texts.length };
  const table = await embedder.embed(texts, options);
  const d = table.cols;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) data.set(table.data.subarray(ids[i] * d, (ids[i] + 1) * d), i * d);
  return {
    matrix: { rows: n, cols: d, data },
    sampleIds,
    meta: {
      ...metaBase(embedder, task, options),
      rows: n,
      cols: d,
      samples: n,
      distinctTexts: new Set(texts).size,
      classNames: [...classNames],
    },
  };
}

/** One sample with several texts (captions, or answers in text QA). */
export interface MultiTextSample {
  readonly id: string;
  readonly texts: readonly string[];
}

/**
 * Captioning and text QA: every text of every sample is embedded (once per distinct string).
 * `per-text` (default, as the published code) gives one row per text plus `rowToSample`;
 * `mean` gives one row per sample, the mean of its texts' embeddings.
 */
export async function multiTextFLabels(
  embedder: TextEmbedder,
  samples: readonly MultiTextSample[],
  task: Task,
  mode: MultiTextMode = 'per-text',
  options: TaskOptions = {},
): Promise<FLabels> {
  const what = task === 'tqa' ? 'answer' : 'caption';
  if (samples.length === 0)
    throw new EmmsError('MISSING_INPUT', `No samples with ${what}s were given.`, { input: 'input' });
  const texts: string[] = [];
  const owner: number[] = [];
  samples.forEach((s, i) => {
    if (!s.texts || s.texts.length === 0) {
      throw new EmmsError(
        'EMBEDDER_INPUT',
        `Sample ${s.id} has no ${what}; give at least one or drop the sample.`,
        {
          input: s.id,
          details: { reason: `no-${what}`, index: i },
        },
      );
    }
    s.texts.forEach((t, k) => {
      if (typeof t !== 'string' || t.trim() === '') throw emptyLabel(s.id, `${what} (number ${k})`);
      texts.push(prepareText(t, options));
      owner.push(i);
    });
  });
  const emb = await embedder.embed(texts, options);
  const d = emb.cols;
  const base = {
    ...metaBase(embedder, task, options),
    samples: samples.length,
    distinctTexts: new Set(texts).size,
    multiTextMode: mode,
  };
  const sampleIds = samples.map((s) => s.id);
  if (mode === 'per-text') {
    return {
      matrix: emb,
      sampleIds,
      rowToSample: Int32Array.from(owner),
      meta: { ...base, rows: emb.rows, cols: d },
    };
  }
  const data = new Float32Array(samples.length * d);
  const counts = new Float64Array(samples.length);
  const acc = new Float64Array(samples.length * d);
  owner.forEach((i, r) => {
    counts[i]++;
    for (let j = 0; j < d; j++) acc[i * d + j] += emb.data[r * d + j];
  });
  for (let i = 0; i < samples.length; i++)
    for (let j = 0; j < d; j++) data[i * d + j] = acc[i * d + j] / counts[i];
  return {
    matrix: { rows: samples.length, cols: d, data },
    sampleIds,
    meta: { ...base, rows: samples.length, cols: d },
  };
}

/** One visual question answering sample: its ground-truth answer. */
export interface AnswerSample {
  readonly id: string;
  readonly answer: string;
}

/**
 * VQA as the published method treats it: the answer is a class over the answer vocabulary
 * (the distinct answers in order of first appearance, unless `vocabulary` is given), then the
 * classification pipeline runs on it.
 */
export async function vqaFLabels(
  embedder: TextEmbedder,
  samples: readonly AnswerSample[],
  options: TaskOptions & { vocabulary?: readonly string[] } = {},
): Promise<FLabels & { labels: Int32Array }> {
  if (samples.length === 0)
    throw new EmmsError('MISSING_INPUT', 'No VQA samples were given.', { input: 'input' });
  const vocab = options.vocabulary ? [...options.vocabulary] : [];
  const index = new Map(vocab.map((a, i) => [a, i]));
  const labels = new Int32Array(samples.length);
  samples.forEach((s, i) => {
    if (typeof s.answer !== 'string' || s.answer.trim() === '') throw emptyLabel(s.id, 'answer');
    let c = index.get(s.answer);
    if (c === undefined) {
      if (options.vocabulary) {
        throw new EmmsError(
          'LABEL_OUT_OF_RANGE',
          `Answer "${s.answer}" of sample ${s.id} is not in the answer vocabulary.`,
          {
            input: s.id,
          },
        );
      }
      c = vocab.length;
      vocab.push(s.answer);
      index.set(s.answer, c);
    }
    labels[i] = c;
  });
  const out = await classificationFLabels(
    embedder,
    { classNames: vocab, labels, sampleIds: samples.map((s) => s.id) },
    options,
    'vqa',
  );
  return { ...out, labels };
}

/** One referring expression: its text and its box in pixels, (x, y) the top-left corner. */
export interface ReferringSample {
  readonly id: string;
  readonly expression: string;
  readonly box: readonly [number, number, number, number];
  readonly imageWidth: number;
  readonly imageHeight: number;
}

/** Checks one box and returns it normalised by the image size: (x/W, y/H, w/W, h/H). */
export function normaliseBox(s: ReferringSample): [number, number, number, number] {
  const { box, imageWidth: W, imageHeight: H } = s;
  if (!(Number.isFinite(W) && Number.isFinite(H) && W > 0 && H > 0)) {
    throw new EmmsError(
      'EMBEDDER_INPUT',
      `Sample ${s.id} has image size ${W}×${H}; both must be positive numbers.`,
      {
        input: s.id,
        details: { reason: 'bad-image-size' },
      },
    );
  }
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => Number.isFinite(v))) {
    throw new EmmsError(
      'EMBEDDER_INPUT',
      `Sample ${s.id} needs a box [x, y, w, h] of four numbers, got ${JSON.stringify(box)}.`,
      {
        input: s.id,
        details: { reason: 'bad-box' },
      },
    );
  }
  const [x, y, w, h] = box;
  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > W || y + h > H) {
    throw new EmmsError(
      'EMBEDDER_INPUT',
      `Box [${box.join(', ')}] of sample ${s.id} lies outside its ${W}×${H} image (need x, y ≥ 0, w, h > 0, x+w ≤ W, y+h ≤ H).`,
      { input: s.id, details: { reason: 'box-outside-image', box: [...box], imageWidth: W, imageHeight: H } },
    );
  }
  return [x / W, y / H, w / W, h / H];
}

/** The text form of a normalised box used by `box: 'text'`. */
export function boxText(expression: string, nbox: readonly number[]): string {
  return `${expression} [${nbox.map((v) => v.toFixed(3)).join(', ')}]`;
}

/**
 * Referring expression comprehension: the expression is embedded, and the box normalised by the
 * image size is either appended as 4 columns (`append`, default), written into the text as
 * "<expression> [x, y, w, h]" with 3 decimals and embedded (`text`), or left out (`none`).
 */
export async function referringFLabels(
  embedder: TextEmbedder,
  samples: readonly ReferringSample[],
  boxMode: BoxMode = 'append',
  options: TaskOptions = {},
): Promise<FLabels> {
  if (samples.length === 0)
    throw new EmmsError('MISSING_INPUT', 'No referring expressions were given.', { input: 'input' });
  const boxes = samples.map((s) => {
    if (typeof s.expression !== 'string' || s.expression.trim() === '') throw emptyLabel(s.id, 'expression');
    return normaliseBox(s);
  });
  const texts = samples.map((s, i) =>
    boxMode === 'text'
      ? boxText(prepareText(s.expression, options), boxes[i])
      : prepareText(s.expression, options),
  );
  const emb = await embedder.embed(texts, options);
  const extra = boxMode === 'append' ? 4 : 0;
  const d = emb.cols + extra;
  const data = new Float32Array(samples.length * d);
  for (let i = 0; i < samples.length; i++) {
    data.set(emb.data.subarray(i * emb.cols, (i + 1) * emb.cols), i * d);
    if (extra) data.set(boxes[i], i * d + emb.cols);
  }
  return {
    matrix: { rows: samples.length, cols: d, data },
    sampleIds: samples.map((s) => s.id),
    meta: {
      ...metaBase(embedder, 'rec', options),
      rows: samples.length,
      cols: d,
      samples: samples.length,
      distinctTexts: new Set(texts).size,
      boxMode,
    },
  };
}

/** Repeats matrix rows by a row→sample map (feature rows to match per-caption F-labels). */
export function repeatRows<A extends Float32Array | Float64Array>(
  m: Matrix<A>,
  rowToSample: ArrayLike<number>,
): Matrix<A> {
  const out = new (m.data.constructor as { new (n: number): A })(rowToSample.length * m.cols);
  for (let r = 0; r < rowToSample.length; r++) {
    const i = rowToSample[r];
    if (!(i >= 0 && i < m.rows)) {
      throw new EmmsError('ROW_MISMATCH', `Row map entry ${r} is ${i}; the matrix has ${m.rows} rows.`, {
        input: 'rowToSample',
      });
    }
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
  }
  return { rows: rowToSample.length, cols: m.cols, data: out };
}
