import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EmmsError, type ProgressListener } from '@emms/tensor-io';
import { readClassNamesFile, readLabelsFile, readMatrixFile, writeNpyFile } from '@emms/tensor-io/node';
import type { TextEmbedder } from './embedder';
import type { HfFamily } from './hf';
import type { Pooling } from './pooling';
import { createEmbedder } from './registry';
import {
  type AnswerSample,
  type BoxMode,
  classificationFLabels,
  type FLabels,
  type MultiTextMode,
  type MultiTextSample,
  multiTextFLabels,
  type ReferringSample,
  referringFLabels,
  repeatRows,
  TASKS,
  type Task,
  vqaFLabels,
} from './tasks';

/** Identifies the sidecar format; bump on incompatible change. */
export const SIDECAR_FORMAT = 'emms-flabels/1';

function readText(path: string): string {
  if (!existsSync(path)) {
    throw new EmmsError('FILE_NOT_FOUND', `${path} does not exist.`, { input: path });
  }
  return readFileSync(path, 'utf8');
}

/** One parsed JSONL line with its line number, for messages. */
interface JsonLine {
  readonly line: number;
  readonly id: string;
  readonly obj: Record<string, unknown>;
}

/** Reads a JSONL file: one JSON object per non-blank line; `id` defaults to "line <n>". */
export function readJsonl(path: string): JsonLine[] {
  const out: JsonLine[] = [];
  readText(path)
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const text = raw.trim();
      if (text === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (cause) {
        throw new EmmsError(
          'LABELS_PARSE',
          `${path}:${i + 1} is not valid JSON (${(cause as Error).message}).`,
          {
            input: `${path}:${i + 1}`,
          },
        );
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        throw new EmmsError('LABELS_PARSE', `${path}:${i + 1} must be a JSON object, one sample per line.`, {
          input: `${path}:${i + 1}`,
        });
      }
      const rec = obj as Record<string, unknown>;
      const id = rec.id === undefined ? `line ${i + 1}` : String(rec.id);
      out.push({ line: i + 1, id, obj: rec });
    });
  if (out.length === 0) throw new EmmsError('FILE_EMPTY', `${path} holds no samples.`, { input: path });
  return out;
}

function fieldError(path: string, l: JsonLine, message: string): EmmsError {
  return new EmmsError('EMBEDDER_INPUT', `Sample ${l.id} (${path}:${l.line}) ${message}`, {
    input: l.id,
    details: { file: path, line: l.line },
  });
}

function stringList(path: string, l: JsonLine, many: string, one: string): string[] {
  const { obj } = l;
  if (obj[many] !== undefined) {
    const v = obj[many];
    if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) {
      throw fieldError(path, l, `needs "${many}" to be an array of strings.`);
    }
    return v as string[];
  }
  if (obj[one] !== undefined) {
    if (typeof obj[one] !== 'string') throw fieldError(path, l, `needs "${one}" to be a string.`);
    return [obj[one] as string];
  }
  return [];
}

/** Captioning / text QA JSONL: {"id", "captions": [...]} or {"caption": "..."}; text QA "answer(s)". */
export function readMultiTextJsonl(path: string, task: 'captioning' | 'tqa'): MultiTextSample[] {
  const [many, one] = task === 'captioning' ? ['captions', 'caption'] : ['answers', 'answer'];
  return readJsonl(path).map((l) => ({ id: l.id, texts: stringList(path, l, many, one) }));
}

/** VQA JSONL: {"id", "answer": "..."}. */
export function readAnswerJsonl(path: string): AnswerSample[] {
  return readJsonl(path).map((l) => {
    if (typeof l.obj.answer !== 'string') throw fieldError(path, l, 'needs "answer" as a string.');
    return { id: l.id, answer: l.obj.answer };
  });
}

/** Referring-expression JSONL: {"id", "expression", "box": [x, y, w, h], "image_width", "image_height"}. */
export function readReferringJsonl(path: string): ReferringSample[] {
  return readJsonl(path).map((l) => {
    const o = l.obj;
    if (typeof o.expression !== 'string') throw fieldError(path, l, 'needs "expression" as a string.');
    const w = o.image_width ?? o.imageWidth;
    const h = o.image_height ?? o.imageHeight;
    if (typeof w !== 'number' || typeof h !== 'number') {
      throw fieldError(path, l, 'needs "image_width" and "image_height" as numbers (pixels).');
    }
    if (!Array.isArray(o.box) || o.box.length !== 4 || !o.box.every((v) => typeof v === 'number')) {
      throw fieldError(path, l, 'needs "box" as [x, y, w, h] in pixels, (x, y) the top-left corner.');
    }
    return {
      id: l.id,
      expression: o.expression,
      box: o.box as [number, number, number, number],
      imageWidth: w,
      imageHeight: h,
    };
  });
}

/** What {@link embedLabels} should do. */
export interface EmbedLabelsOptions {
  readonly task: Task;
  /** Embedder names (see createEmbedder) or embedders already loaded. */
  readonly embedders: readonly (string | TextEmbedder)[];
  readonly outDir: string;
  readonly pooling?: Pooling;
  /** Transformers models: override the family read from config.json (e.g. "sentence-transformers"). */
  readonly family?: HfFamily;
  readonly template?: string;
  readonly underscoresToSpaces?: boolean;
  readonly lowercase?: boolean;
  /** Classification / VQA: one class name per line. */
  readonly classesFile?: string;
  /** Classification / VQA: labels in any format tensor-io reads. */
  readonly labelsFile?: string;
  /** Captioning, text QA, referring expressions, or VQA as answers: JSONL. */
  readonly inputFile?: string;
  readonly multiText?: MultiTextMode;
  readonly boxMode?: BoxMode;
  /**
   * Features (N rows, one per sample) to repeat by the row → sample map when rows are per
   * caption/answer; written as `<outDir>/<task>.features.npy` (float32).
   */
  readonly featuresFile?: string;
  readonly batchSize?: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  /** Folder relative paths are resolved against (default the working directory). */
  readonly cwd?: string;
}

/** One written F-label file. */
export interface WrittenFLabels {
  readonly embedder: string;
  readonly npy: string;
  readonly sidecar: string;
  /** Row → sample map (int32 .npy), when rows are per caption/answer. */
  readonly rowMap?: string;
  readonly rows: number;
  readonly cols: number;
  readonly seconds: number;
}

/** All files one {@link embedLabels} run wrote. */
export interface EmbedLabelsResult {
  readonly task: Task;
  readonly files: readonly WrittenFLabels[];
  /** VQA from JSONL: the answer-as-class labels and the answer vocabulary written beside. */
  readonly labels?: string;
  readonly classes?: string;
  /** The features repeated to match per-caption/answer rows (when `featuresFile` was given). */
  readonly features?: string;
}

/** A file-name-safe short name for an embedder spec ("local:/a/b/bert" → "local-bert"). */
export function embedderFileName(spec: string): string {
  const s = spec.startsWith('local:')
    ? `local-${basename(spec.slice(6).replace(/[/\\]+$/, ''))}`
    : spec.replace(':', '-');
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * Reads a task's labels, embeds them with each embedder and writes, per embedder,
 * `<outDir>/<task>.<embedder>.npy` (float32 rows × cols), a `.json` sidecar with the provenance
 * and, for per-caption rows, a `.rows.npy` row → sample map.
 */
export async function embedLabels(options: EmbedLabelsOptions): Promise<EmbedLabelsResult> {
  const { task } = options;
  if (!TASKS.includes(task)) {
    throw new EmmsError('INVALID_OPTION', `Unknown task "${task}"; use one of ${TASKS.join(', ')}.`, {
      input: 'task',
    });
  }
  if (options.embedders.length === 0)
    throw new EmmsError('MISSING_INPUT', 'Give at least one embedder.', { input: 'embedder' });
  const cwd = options.cwd ?? process.cwd();
  const at = (p: string | undefined) => (p === undefined ? undefined : resolve(cwd, p));
  const classesFile = at(options.classesFile);
  const labelsFile = at(options.labelsFile);
  const inputFile = at(options.inputFile);
  const featuresFile = at(options.featuresFile);
  const outDir = resolve(cwd, options.outDir);

  // Read and check every input before loading any model.
  let build: (e: TextEmbedder) => Promise<FLabels>;
  let labelSource: Record<string, string | undefined>;
  const embedOpts = {
    template: options.template,
    underscoresToSpaces: options.underscoresToSpaces,
    lowercase: options.lowercase,
    batchSize: options.batchSize,
    onProgress: options.onProgress,
    signal: options.signal,
  };
  let vqaExtras: { labels: Int32Array; classNames: readonly string[] } | undefined;
  if ((task === 'classification' || task === 'vqa') && inputFile === undefined) {
    if (labelsFile === undefined) {
      throw new EmmsError(
        'MISSING_INPUT',
        `Task ${task} needs --labels FILE (and --classes FILE unless the labels are names).`,
        {
          input: 'labels',
        },
      );
    }
    const classNames = classesFile === undefined ? undefined : await readClassNamesFile(classesFile);
    const parsed = await readLabelsFile(labelsFile, classNames ? { classNames } : {});
    const names = classNames ?? parsed.classNames;
    if (!names) {
      throw new EmmsError(
        'MISSING_INPUT',
        `${labelsFile} holds class indices; give --classes FILE with one name per line.`,
        {
          input: 'classes',
        },
      );
    }
    labelSource = { classes: classesFile, labels: labelsFile };
    build = (e) => classificationFLabels(e, { classNames: names, labels: parsed.labels }, embedOpts, task);
  } else if (inputFile === undefined) {
    throw new EmmsError(
      'MISSING_INPUT',
      `Task ${task} needs --input FILE.jsonl (see the README for its format).`,
      {
        input: 'input',
      },
    );
  } else if (task === 'vqa' || task === 'classification') {
    const samples = readAnswerJsonl(inputFile);
    const vocabulary = classesFile ? await readClassNamesFile(classesFile) : undefined;
    labelSource = { input: inputFile, classes: classesFile };
    build = async (e) => {
      const out = await vqaFLabels(e, samples, { ...embedOpts, vocabulary });
      vqaExtras = { labels: out.labels, classNames: out.meta.classNames ?? [] };
      return { ...out, meta: { ...out.meta, task } };
    };
  } else if (task === 'rec') {
    const samples = readReferringJsonl(inputFile);
    labelSource = { input: inputFile };
    build = (e) => referringFLabels(e, samples, options.boxMode ?? 'append', embedOpts);
  } else {
    const samples = readMultiTextJsonl(inputFile, task);
    labelSource = { input: inputFile };
    build = (e) => multiTextFLabels(e, samples, task, options.multiText ?? 'per-text', embedOpts);
  }

  mkdirSync(outDir, { recursive: true });
  const features = featuresFile === undefined ? undefined : await readMatrixFile(featuresFile);
  let featuresOut: string | undefined;
  const files: WrittenFLabels[] = [];
  for (const spec of options.embedders) {
    const start = performance.now();
    const embedder =
      typeof spec === 'string'
        ? await createEmbedder(spec, { pooling: options.pooling, family: options.family, cwd })
        : spec;
    try {
      const f = await build(embedder);
      const base = join(outDir, `${task}.${embedderFileName(typeof spec === 'string' ? spec : embedder.id)}`);
      await writeNpyFile(`${base}.npy`, {
        dtype: 'float32',
        shape: [f.matrix.rows, f.matrix.cols],
        data: f.matrix.data,
      });
      if (features && features.rows !== f.sampleIds.length) {
        throw new EmmsError(
          'ROW_MISMATCH',
          `${featuresFile} has ${features.rows} rows but the labels describe ${f.sampleIds.length} samples.`,
          { input: featuresFile },
        );
      }
      let rowMap: string | undefined;
      if (features && featuresOut === undefined) {
        // One features file serves every embedder: rows depend only on the samples' text counts.
        featuresOut = join(outDir, `${task}.features.npy`);
        const m = f.rowToSample ? repeatRows(features, f.rowToSample) : features;
        await writeNpyFile(featuresOut, {
          dtype: 'float32',
          shape: [m.rows, m.cols],
          data: Float32Array.from(m.data),
        });
      }
      if (f.rowToSample) {
        rowMap = `${base}.rows.npy`;
        await writeNpyFile(rowMap, { dtype: 'int32', shape: [f.rowToSample.length], data: f.rowToSample });
      }
      const sidecar = {
        format: SIDECAR_FORMAT,
        ...f.meta,
        labelSource,
        file: basename(`${base}.npy`),
        rowMap: rowMap ? basename(rowMap) : undefined,
        sampleIds: f.sampleIds,
        rowToSample: f.rowToSample ? Array.from(f.rowToSample) : undefined,
        createdBy: '@emms/label-embedders',
      };
      writeFileSync(`${base}.json`, `${JSON.stringify(sidecar, null, 2)}\n`);
      files.push({
        embedder: embedder.id,
        npy: `${base}.npy`,
        sidecar: `${base}.json`,
        rowMap,
        rows: f.matrix.rows,
        cols: f.matrix.cols,
        seconds: (performance.now() - start) / 1000,
      });
    } finally {
      if (typeof spec === 'string') await embedder.dispose();
    }
  }
  let labels: string | undefined;
  let classes: string | undefined;
  if (vqaExtras) {
    labels = join(outDir, `${task}.labels.npy`);
    classes = join(outDir, `${task}.classes.txt`);
    await writeNpyFile(labels, { dtype: 'int32', shape: [vqaExtras.labels.length], data: vqaExtras.labels });
    writeFileSync(classes, `${vqaExtras.classNames.join('\n')}\n`);
  }
  return { task, files, labels, classes, features: featuresOut };
}
