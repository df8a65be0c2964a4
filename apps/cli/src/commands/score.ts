import { resolve } from 'node:path';
import {
  builtinMetrics,
  type MetricInputName,
  type MetricInputs,
  PRESET_NAMES,
  type ScoreReport,
} from '@emms/metrics';
import type { Scorer } from '@emms/metrics/node';
import { EmmsError, isEmmsError, type Matrix } from '@emms/tensor-io';
import { readLabelsFile, readMatrixFile } from '@emms/tensor-io/node';
import type { CliCommand, CliIo, CliOption } from '../command';
import { UsageError } from '../command';
import { errorSuffix, flagFor, flagOf, inputFlagNames } from '../flags';
import { type Cell, formatOption, type OutputFormat, renderJson, renderRows } from '../format';
import { progressRenderer } from '../progress';
import { maxEntrySizeOption, readOptionsFrom } from '../read-options';
import { loadScorer } from '../registry';

/** `--plugin NAME`, shared with `emms metrics`. */
export const pluginOption: CliOption = {
  name: 'plugin',
  type: 'string',
  value: 'NAME',
  multiple: true,
  description:
    'Load extra metrics from this package (or ./path.js); also read from emms.config.json "plugins".',
};

/** Files named on the command line, read into the inputs every metric takes. */
interface LoadedInputs {
  readonly inputs: MetricInputs;
  readonly shapes: Record<string, number[] | number[][]>;
}

/** The ids of the built-in scores that need `input`, from what each metric declares. */
export function scoresNeeding(input: MetricInputName): string[] {
  return builtinMetrics.filter((m) => m.inputs.required.includes(input)).map((m) => m.id);
}

/** Input name (features, flabels[1] …) → the file given for it on the command line. */
function inputFiles(values: Record<string, unknown>): Record<string, string> {
  const files: Record<string, string> = {};
  for (const k of ['features', 'labels', 'targets', 'probs'] as const) {
    if (typeof values[k] === 'string') files[k] = values[k] as string;
  }
  if (typeof values.flabels === 'string') {
    const list = values.flabels
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
    list.forEach((f, k) => {
      files[`flabels[${k}]`] = f;
    });
    if (list.length === 1) files.flabels = list[0]!;
  }
  return files;
}

/** A library error about an input, with the file given for that input (for the message and JSON). */
function withFile<E extends { input?: string; details?: unknown }>(e: E, files: Record<string, string>): E {
  const file = e.input !== undefined && Object.hasOwn(files, e.input) ? files[e.input] : undefined;
  if (file === undefined) return e;
  return { ...e, details: { ...(e.details as Record<string, unknown> | undefined), file } };
}

/** Reads one input file; a reader's error is re-labelled with the input it was for (so the CLI names the flag). */
async function readInput<T>(input: MetricInputName, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (!isEmmsError(e)) throw e;
    throw new EmmsError(e.code, e.message, { input, details: e.details, cause: e });
  }
}

async function loadInputs(values: Record<string, unknown>, cwd: string): Promise<LoadedInputs> {
  const path = (flag: string) => resolve(cwd, values[flag] as string);
  const shapes: Record<string, number[] | number[][]> = {};
  const shape = (m: Matrix) => [m.rows, m.cols];
  const opts = readOptionsFrom(values, 'score');
  const readMatrix = (file: string) => readMatrixFile(file, file, opts);
  const features = await readInput('features', () => readMatrix(path('features')));
  shapes.features = shape(features);
  const inputs: { -readonly [K in keyof MetricInputs]: MetricInputs[K] } = { features };
  if (values.labels !== undefined) {
    inputs.labels = (await readInput('labels', () => readLabelsFile(path('labels'), opts))).labels;
    shapes.labels = [inputs.labels.length];
  }
  if (values.targets !== undefined) {
    inputs.targets = await readInput('targets', () => readMatrix(path('targets')));
    shapes.targets = shape(inputs.targets);
  }
  if (values.flabels !== undefined) {
    const files = (values.flabels as string)
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
    if (files.length === 0)
      throw new UsageError('--flabels needs at least one file (comma-separated)', 'score');
    const flabels: Matrix[] = [];
    for (const f of files) flabels.push(await readInput('flabels', () => readMatrix(resolve(cwd, f))));
    inputs.flabels = flabels;
    shapes.flabels = flabels.map(shape);
  }
  if (values.probs !== undefined) {
    inputs.probs = await readInput('probs', () => readMatrix(path('probs')));
    shapes.probs = shape(inputs.probs);
  }
  return { inputs, shapes };
}

/**
 * Turns `metric.key=value` strings into typed per-metric options, checked against each metric's
 * declared options. Metric ids match case-insensitively. A malformed spec, a boolean that is not
 * true/false, or a per-metric "relabel" (a run-level flag) is bad usage (UsageError, exit 2).
 */
export function parseMetricOptions(
  specs: readonly string[],
  scorer: Pick<Scorer, 'registry' | 'resolveId'>,
  scored: readonly string[],
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(spec);
    if (!m)
      throw new UsageError(
        `--option must look like metric.key=value (e.g. nleep.seed=3), got "${spec}"`,
        'score',
      );
    const [, given, key, raw] = m;
    const id = scorer.resolveId(given);
    const metric = scorer.registry.get(id);
    if (!scored.includes(id)) {
      throw new EmmsError(
        'INVALID_OPTION',
        `--option ${spec}: metric "${id}" is not among the metrics scored`,
        {
          input: `${id}.${key}`,
        },
      );
    }
    const option = metric.options.find((o) => o.name === key);
    let value: unknown = raw;
    if (!option && key === 'relabel') {
      throw new UsageError(
        `--option ${spec}: relabelling is not a per-metric option; give the --relabel flag (it applies to every metric)`,
        'score',
      );
    }
    if (!option) {
      const known = metric.options.map((o) => o.name).join(', ') || 'none';
      throw new EmmsError(
        'INVALID_OPTION',
        `--option ${spec}: metric "${id}" has no option "${key}" (options: ${known})`,
        { input: `${id}.${key}` },
      );
    }
    if (option.type === 'number' || option.type === 'integer') {
      value = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value as number) || (option.type === 'integer' && !Number.isInteger(value))) {
        throw new EmmsError(
          'INVALID_OPTION',
          `--option ${spec}: "${key}" of "${id}" must be ${option.type === 'integer' ? 'an integer' : 'a number'}`,
          { input: `${id}.${key}` },
        );
      }
    } else if (option.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        throw new UsageError(
          `--option ${spec}: "${key}" of "${id}" is a boolean: write true or false`,
          'score',
        );
      }
      value = raw === 'true';
    }
    out[id] = { ...out[id], [key]: value };
  }
  return out;
}

/** The report as printed: what scoreMetrics returned plus the input shapes. */
export interface ScoreOutput extends ScoreReport {
  readonly inputs: Record<string, number[] | number[][]>;
}

function printReport(format: OutputFormat, out: ScoreOutput, ids: readonly string[], io: CliIo): void {
  if (format === 'json') {
    io.stdout.write(
      renderJson({
        scores: out.scores,
        seconds: out.seconds,
        details: out.details,
        inputs: out.inputs,
        backend: out.backend,
        preset: out.preset,
        ...(out.reduce ? { reduce: out.reduce } : {}),
        errors: out.errors,
      }),
    );
    return;
  }
  const seconds = (id: string) =>
    out.seconds[id] === undefined ? undefined : Math.round(out.seconds[id] * 1000) / 1000;
  const rows: Cell[][] = ids.map((id) => {
    const err = out.errors[id];
    return [id, out.scores[id], seconds(id), err ? `${err.code}: ${err.message}` : ''];
  });
  const warningOf = (id: string): string => {
    const w = (out.details[id] as { warning?: unknown } | undefined)?.warning;
    return typeof w === 'string' ? w : '';
  };
  if (format === 'csv') {
    io.stdout.write(
      renderRows(
        'csv',
        ['metric', 'score', 'seconds', 'error', 'backend', 'warning'],
        rows.map((r) => [...r, out.backend, warningOf(r[0] as string)]),
      ),
    );
    return;
  }
  const anyError = rows.some((r) => r[3] !== '');
  io.stdout.write(
    renderRows(
      'table',
      anyError ? ['metric', 'score', 'seconds', 'error'] : ['metric', 'score', 'seconds'],
      anyError ? rows : rows.map((r) => r.slice(0, 3)),
    ),
  );
  const shapes = Object.entries(out.inputs)
    .map(
      ([k, v]) =>
        `${k} ${Array.isArray(v[0]) ? (v as number[][]).map((s) => s.join('×')).join(', ') : (v as number[]).join('×')}`,
    )
    .join('; ');
  const reduce =
    out.reduce && out.reduce.applied === 'pca'
      ? `; reduce: ${out.reduce.reduce} (${out.reduce.from} → ${out.reduce.to} dims, ${(out.reduce.explainedVariance * 100).toFixed(1)}% of the variance)`
      : '';
  io.stdout.write(`\nbackend: ${out.backend}; preset: ${out.preset}; inputs: ${shapes}${reduce}\n`);
  for (const id of ids) {
    const w = warningOf(id);
    if (w) io.stdout.write(`warning (${id}): ${w}\n`);
  }
}

/** `emms score`: transferability scores of one model's features on one task. */
export const scoreCommand: CliCommand = {
  name: 'score',
  summary: "Score a candidate model's features on a task with EMMS and the baselines.",
  usage: [
    '--features X [--labels y] [--targets T] [--flabels Z1,Z2,...] [--probs P] [--relabel]',
    '--metrics emms,logme,... | --all  [--preset published|rank] [--reduce none|auto|pca:K]',
    '[--plugin NAME]... [--option metric.key=value]... [--format FORMAT]',
  ].join('\n'),
  options: [
    {
      name: 'features',
      type: 'string',
      value: 'FILE[:NAME]',
      description: 'N×D features of the candidate model (required); X.npz:NAME picks one array of a .npz.',
    },
    {
      name: 'labels',
      type: 'string',
      value: 'FILE[:COL]',
      description: 'N integer class labels (.npy, .txt, .csv, .json); labels.csv:COLUMN picks a CSV column.',
    },
    {
      name: 'targets',
      type: 'string',
      value: 'FILE[:NAME]',
      description: 'N×T regression target for logme (e.g. one F-label).',
    },
    {
      name: 'flabels',
      type: 'string',
      value: 'Z1,Z2,...',
      description: 'F-label files (N×L each, same L), comma-separated, stacked in the order given (emms).',
    },
    {
      name: 'probs',
      type: 'string',
      value: 'FILE[:NAME]',
      description: `N×Cs source-model class probabilities (${scoresNeeding('probs').join(', ')}).`,
    },
    {
      name: 'relabel',
      type: 'boolean',
      description:
        'Labels with unused class ids (e.g. 0, 3, 7): renumber the classes present to 0..C-1 instead of failing with MISSING_CLASSES. Applies to every metric.',
    },
    {
      name: 'metrics',
      type: 'string',
      value: 'IDS',
      description: 'Comma-separated metric ids (any letter case); see `emms metrics`.',
    },
    {
      name: 'all',
      type: 'boolean',
      description:
        'Score every registered metric whose inputs are given (the others are named on stderr as skipped).',
    },
    {
      name: 'preset',
      type: 'string',
      value: 'published|rank',
      default: 'published',
      choices: PRESET_NAMES,
      description:
        'published: every score exactly as its reference implementation (features as given); rank: the defaults `emms rank` and `emms bench` use (features reduced with --reduce auto, LogME with its corrected evidence).',
    },
    {
      name: 'reduce',
      type: 'string',
      value: 'none|auto|pca:K',
      description:
        "Feature preprocessing applied once before every score: none, pca:K (K leading principal components) or auto (K = min(D, 64, max(C, N/16))). Default: the preset's (none for published, auto for rank).",
    },
    maxEntrySizeOption,
    pluginOption,
    {
      name: 'option',
      type: 'string',
      value: 'metric.key=value',
      multiple: true,
      description:
        'Set a metric option, e.g. nleep.seed=3 or emms.iterations=converge (booleans: true or false); `emms metrics ID` lists them.',
    },
    formatOption,
  ],
  details: [
    'Every input may be .npy, .npz, .safetensors or text/CSV/JSON labels. A file holding several',
    'arrays needs FILE:NAME (e.g. --features feats.npz:layer4); a CSV with several columns needs',
    'FILE:COLUMN (e.g. --labels meta.csv:label). Each single-valued flag may be given once.',
    'A metric whose inputs are missing or invalid is reported as an error naming the input; the',
    'other metrics still run and print, and the exit code is 1.',
    '',
    'Linear algebra: EMMS_LINALG=js|openblas picks the backend; unset, OpenBLAS is used when it',
    'loads and the portable JS backend otherwise. EMMS_OPENBLAS_LIB names the library file, which',
    'must then load (else exit 1). The backend used is part of the output.',
    '',
    'Examples:',
    '  emms score --features X.npy --labels y.npy --metrics logme,sfda',
    '  emms score --features X.npy --labels y.npy --flabels Z_bert.npy,Z_clip.npy --metrics emms --format json',
    '  emms score --features X.npy --targets Z_bert.npy --metrics logme',
    '  emms score --features feats.npz:pooled --labels meta.csv:class --relabel --metrics LogME',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'score');
    if (values.features === undefined)
      throw new UsageError('missing required option --features FILE', 'score');
    if (values.metrics === undefined && values.all !== true) {
      throw new UsageError('say which scores to compute: --metrics emms,logme,... or --all', 'score');
    }
    if (values.metrics !== undefined && values.all === true) {
      throw new UsageError('give either --metrics or --all, not both', 'score');
    }
    if (values.labels !== undefined && values.targets !== undefined) {
      throw new UsageError(
        'give either --labels (class labels) or --targets (a regression target for logme), not both; ' +
          'run emms score once with each to get both',
        'score',
      );
    }
    const format = values.format as OutputFormat;
    const scorer = await loadScorer(io, (values.plugin as string[] | undefined) ?? []);
    let ids: string[];
    if (values.all === true) {
      const given = new Set<MetricInputName>(inputFlagNames.filter((k) => values[k] !== undefined));
      ids = [];
      for (const m of scorer.registry.list()) {
        const missing = m.inputs.required.filter((i) => !given.has(i));
        if (missing.length === 0) ids.push(m.id);
        else io.stderr.write(`emms: skipping ${m.id}: needs ${missing.map((i) => flagOf[i]).join(', ')}\n`);
      }
    } else {
      const typed = (values.metrics as string)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (typed.length === 0) throw new UsageError('--metrics needs at least one metric id', 'score');
      // unknown ids fail (with a suggestion) before any file is read
      ids = [...new Set(typed.map((id) => scorer.resolveId(id)))];
    }
    const options = parseMetricOptions((values.option as string[] | undefined) ?? [], scorer, ids);
    // preset, reduce, options and relabel resolved once, before any file is read
    const settings = scorer.settings({
      options,
      preset: values.preset as 'published' | 'rank',
      reduce: values.reduce as string | undefined,
      relabel: values.relabel === true,
    });
    const { inputs, shapes } = await loadInputs(values, io.cwd);
    const files = inputFiles(values);
    const progress = progressRenderer(io);
    let report: ScoreReport;
    try {
      report = await scorer.score(inputs, ids, { settings, onProgress: progress.listener });
    } catch (e) {
      // e.g. features whose squares overflow under the rank preset: name the file as well as the flag
      if (isEmmsError(e) && e.input !== undefined && Object.hasOwn(files, e.input)) {
        throw new EmmsError(e.code, e.message, {
          input: e.input,
          details: withFile(e, files).details as never,
          cause: e,
        });
      }
      throw e;
    } finally {
      progress.finish();
    }
    if (values.all === true) {
      // --all: a metric that lacks an input it needs (e.g. one of labels/flabels) is skipped, not failed.
      for (const [id, err] of Object.entries(report.errors)) {
        if (err.code !== 'MISSING_INPUT') continue;
        io.stderr.write(`emms: skipping ${id}: ${err.message}${errorSuffix(err)}\n`);
        delete report.errors[id];
        delete report.seconds[id];
        delete report.details[id];
        ids = ids.filter((i) => i !== id);
      }
    }
    const errors: Record<string, ScoreReport['errors'][string] & { flag?: string; file?: string }> = {};
    for (const [id, err] of Object.entries(report.errors)) {
      const flag = flagFor(err.input);
      const file = err.input !== undefined && Object.hasOwn(files, err.input) ? files[err.input] : undefined;
      errors[id] = { ...err, ...(flag ? { flag } : {}), ...(file ? { file } : {}) };
    }
    const out: ScoreOutput = { ...report, errors, inputs: shapes };
    printReport(format, out, ids, io);
    const failed = Object.entries(report.errors);
    for (const [id, err] of failed)
      io.stderr.write(
        `emms: ${id} failed: ${err.message} [${err.code}]${errorSuffix(withFile(err, files))}\n`,
      );
    return failed.length > 0 ? 1 : 0;
  },
};
