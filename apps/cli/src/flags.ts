import { type EmmsError, isEmmsError } from '@emms/tensor-io';

/**
 * The one table that maps names used by the libraries (input names, run options, environment) to
 * the command-line flag that sets them. Library messages speak of inputs and options; when the CLI
 * prints an error it adds the flag from here.
 */
export const flagOf: Readonly<Record<string, string>> = {
  features: '--features',
  labels: '--labels',
  flabels: '--flabels',
  probs: '--probs',
  targets: '--targets',
  relabel: '--relabel',
  reduce: '--reduce',
  preset: '--preset',
  plugins: '--plugin',
  plugin: '--plugin',
  metrics: '--metrics',
  split: '--split',
  limit: '--limit',
  pool: '--pool',
  output: '--output',
  out: '--out',
  backend: 'EMMS_LINALG',
  EMMS_LINALG: 'EMMS_LINALG',
  EMMS_OPENBLAS_LIB: 'EMMS_OPENBLAS_LIB',
  config: 'emms.config.json',
  maxEntryBytes: '--max-entry-size',
};

/** Extensions of the files the CLI reads, which a metric option's name never is. */
const FILE_EXTENSION = /^(json|jsonl|csv|tsv|txt|labels|npy|npz|safetensors|onnx)$/i;

/** The input flags of `emms score`, in the order help lists them. */
export const inputFlagNames = ['features', 'labels', 'targets', 'flabels', 'probs'] as const;

/**
 * The flag (or environment variable, or `--option metric.name=…`) that sets what a library error
 * names as its input; undefined when nothing on the command line sets it.
 */
export function flagFor(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  if (Object.hasOwn(flagOf, input)) return flagOf[input];
  const option = /^([a-z][a-z0-9_-]*)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(input);
  // a file name such as truth.json is not a metric option
  if (option && !FILE_EXTENSION.test(option[2])) return `--option ${option[1]}.${option[2]}=…`;
  return undefined;
}

/** How a file flag picks one array of a multi-array file, or one column of a CSV. */
export const selectorHint =
  'pick one with FILE:NAME, e.g. X.npz:features (an array of a .npz/.safetensors) or labels.csv:label (a CSV column)';

/** Error codes that mean "this file holds several things; say which". */
const AMBIGUOUS = new Set(['AMBIGUOUS_ARRAY', 'AMBIGUOUS_COLUMN', 'ARRAY_NOT_FOUND']);

/**
 * The text after a library error's message on the command line: the flag that sets its input and,
 * for a file that holds several arrays or columns, the FILE:NAME syntax; for a .npz entry above
 * the size limit, the flag that raises it; for a folder given as --features, the command that
 * takes a folder.
 */
export function errorSuffix(
  e: Pick<EmmsError, 'code' | 'input'> & { readonly details?: Readonly<Record<string, unknown>> },
): string {
  const notes: string[] = [];
  const flag = flagFor(e.input);
  const file = (e.details as { file?: unknown } | undefined)?.file;
  if (flag) notes.push(`set with ${flag}${typeof file === 'string' ? ` ${file}` : ''}`);
  if (AMBIGUOUS.has(e.code)) notes.push(selectorHint);
  if (e.code === 'ZIP_ENTRY_TOO_LARGE') {
    notes.push(`raise the limit with ${flagOf.maxEntryBytes} SIZE, e.g. 2GiB (emms inspect, emms score)`);
  }
  if (e.code === 'NOT_A_FILE' && e.details?.kind === 'folder' && e.input === 'features') {
    notes.push('for a folder of per-model feature files (<model>.npy), use emms rank --features-dir DIR');
  }
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** The JSON error object the CLI prints under `--format json`. */
export function errorObject(e: unknown): { error: Record<string, unknown> } {
  if (isEmmsError(e)) {
    const flag = flagFor(e.input);
    const details = e.details as Record<string, unknown> | undefined;
    return {
      error: {
        code: e.code,
        message: e.message,
        input: e.input ?? null,
        ...(flag ? { flag } : {}),
        ...(typeof details?.file === 'string' ? { file: details.file } : {}),
        ...(details?.suggestion ? { suggestion: details.suggestion } : {}),
      },
    };
  }
  return { error: { code: 'UNEXPECTED', message: e instanceof Error ? e.message : String(e) } };
}
