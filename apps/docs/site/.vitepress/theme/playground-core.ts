// The playground's computation, shared by the Web Worker: read the dropped files with the same
// parsers (and so the same typed errors) as the CLI, score every model with @emms/metrics, and
// compare the ranking with a ground truth through the harness's agreement module when it is there.
import { agreement, parseTruthTable, truthForDataset } from '@emms/harness/agreement';
import { builtinMetrics, scoreMetrics } from '@emms/metrics';
import {
  EmmsError,
  extensionOf,
  isEmmsError,
  type Matrix,
  parseArrays,
  parseLabelsJson,
  parseLabelsText,
  type Tensor,
  toLabels,
  toMatrix,
} from '@emms/tensor-io';

/** A file as the page hands it over: its name and bytes. */
export interface InputFile {
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

/** What the page asks the worker to do. */
export interface RunRequest {
  readonly models: readonly InputFile[];
  readonly labels?: InputFile;
  readonly flabels: readonly InputFile[];
  readonly truth?: InputFile;
  readonly metrics: readonly string[];
}

/** A typed error shown beside a file (or beside a score). */
export interface FileError {
  readonly file: string;
  readonly code: string;
  readonly message: string;
}

/** One model's row of the ranked table. */
export interface ModelRow {
  readonly model: string;
  readonly shape: readonly [number, number];
  readonly scores: Record<string, number>;
  readonly seconds: Record<string, number>;
  readonly errors: Record<string, { code: string; message: string }>;
}

/** Everything the page shows after a run. */
export interface RunResult {
  readonly rows: ModelRow[];
  readonly fileErrors: FileError[];
  readonly agreement: Record<string, Record<string, number>>;
  readonly agreementNotice?: string;
  readonly truth?: Record<string, number>;
  readonly backend: string;
  readonly seconds: number;
}

/** Progress the worker posts while it runs. */
export interface RunProgress {
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

/** The one tensor of a file (the CLI's rule: a file holding several arrays is ambiguous). */
function oneTensor(file: InputFile): Tensor {
  const arrays = parseArrays(new Uint8Array(file.bytes), file.name);
  const names = Object.keys(arrays);
  if (names.length === 1) return arrays[names[0]];
  if (names.length === 0)
    throw new EmmsError('ARRAY_NOT_FOUND', `${file.name}: holds no arrays.`, { input: file.name });
  throw new EmmsError(
    'AMBIGUOUS_ARRAY',
    `${file.name}: holds ${names.length} arrays (${names.map((n) => `'${n}'`).join(', ')}); save the one to use on its own as .npy.`,
    { input: file.name, details: { arrays: names } },
  );
}

/** Reads a matrix file (.npy, .npz, .safetensors) as the CLI does. */
export function readMatrix(file: InputFile): Matrix {
  return toMatrix(oneTensor(file), file.name);
}

/** Reads a labels file (.npy/.npz/.safetensors, .txt/.labels one per line, .json array) as the CLI does. */
export function readLabels(file: InputFile): Int32Array {
  const ext = extensionOf(file.name);
  const text = () => new TextDecoder().decode(file.bytes);
  if (ext === '.txt' || ext === '.labels') return parseLabelsText(text(), file.name).labels;
  if (ext === '.json') return parseLabelsJson(text(), file.name).labels;
  return toLabels(oneTensor(file), file.name);
}

/**
 * Reads a ground truth with the harness's parser (the one `emms agreement --truth` uses): JSON
 * `{model: value}` or `{dataset: {model: value}}` with one dataset, or CSV; models are the features
 * files' names without their extension.
 */
export function readTruth(file: InputFile): Record<string, number> {
  const text = new TextDecoder().decode(file.bytes);
  return truthForDataset(parseTruthTable(text, file.name), undefined, file.name);
}

const stem = (name: string) => name.replace(/\.[^.]+$/, '');

function asFileError(file: string, e: unknown): FileError {
  if (isEmmsError(e)) return { file, code: e.code, message: e.message };
  return { file, code: 'UNEXPECTED', message: `${file}: ${e instanceof Error ? e.message : String(e)}` };
}

/** Runs the whole playground computation; `progress` is called between steps. */
export async function runPlayground(
  req: RunRequest,
  progress: (p: RunProgress) => void = () => {},
): Promise<RunResult> {
  const started = performance.now();
  const fileErrors: FileError[] = [];
  let labels: Int32Array | undefined;
  if (req.labels) {
    try {
      labels = readLabels(req.labels);
    } catch (e) {
      fileErrors.push(asFileError(req.labels.name, e));
    }
  }
  const flabels: Matrix[] = [];
  for (const f of req.flabels) {
    try {
      flabels.push(readMatrix(f));
    } catch (e) {
      fileErrors.push(asFileError(f.name, e));
    }
  }
  let truth: Record<string, number> | undefined;
  if (req.truth) {
    try {
      truth = readTruth(req.truth);
    } catch (e) {
      fileErrors.push(asFileError(req.truth.name, e));
    }
  }
  const rows: ModelRow[] = [];
  let backend = 'js';
  const total = req.models.length;
  for (const [i, file] of req.models.entries()) {
    progress({ done: i, total, message: `scoring ${file.name}` });
    let features: Matrix;
    try {
      features = readMatrix(file);
    } catch (e) {
      fileErrors.push(asFileError(file.name, e));
      continue;
    }
    const report = await scoreMetrics(
      { features, labels, flabels: flabels.length > 0 ? flabels : undefined },
      [...req.metrics],
      {},
    );
    backend = report.backend;
    const errors: ModelRow['errors'] = {};
    for (const [id, err] of Object.entries(report.errors))
      errors[id] = { code: err.code, message: err.message };
    rows.push({
      model: stem(file.name),
      shape: [features.rows, features.cols],
      scores: report.scores,
      seconds: report.seconds,
      errors,
    });
  }
  progress({ done: total, total, message: 'comparing with the ground truth' });
  const agreementOut: Record<string, Record<string, number>> = {};
  let agreementNotice: string | undefined;
  if (truth) {
    for (const id of req.metrics) {
      const scores: Record<string, number> = {};
      for (const r of rows) if (id in r.scores && r.model in truth) scores[r.model] = r.scores[id];
      try {
        const higherIsBetter = builtinMetrics.find((m) => m.id === id)?.higherIsBetter ?? true;
        agreementOut[id] = { ...agreement(scores, truth, { higherIsBetter }) } as Record<string, number>;
      } catch (e) {
        // Too few models in both the scores and the ground truth: say so once, under the table.
        agreementNotice = isEmmsError(e) ? `${e.message} [${e.code}]` : String(e);
      }
    }
  }
  return {
    rows,
    fileErrors,
    agreement: agreementOut,
    agreementNotice,
    truth,
    backend,
    seconds: (performance.now() - started) / 1000,
  };
}
