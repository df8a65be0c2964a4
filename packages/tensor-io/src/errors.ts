/**
 * Stable error codes. Consumers (the CLI, the harness) switch on `code`, never on message text.
 * Add codes at the end; never rename one.
 */
export type EmmsErrorCode =
  // files and formats
  | 'FILE_NOT_FOUND'
  | 'FILE_EMPTY'
  | 'FILE_TRUNCATED'
  | 'NPY_BAD_MAGIC'
  | 'NPY_BAD_HEADER'
  | 'NPY_UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_DTYPE'
  | 'OBJECT_ARRAY'
  | 'SHAPE_MISMATCH'
  | 'ZIP_CORRUPT'
  | 'ZIP_ENTRY_NOT_NPY'
  | 'SAFETENSORS_BAD_HEADER'
  | 'UNSUPPORTED_FORMAT'
  | 'LABELS_PARSE'
  // values and agreement between inputs
  | 'NON_FINITE'
  | 'ROW_MISMATCH'
  | 'LABEL_OUT_OF_RANGE'
  | 'LABEL_NOT_INTEGER'
  | 'SINGLE_CLASS'
  | 'MISSING_CLASSES'
  | 'FLABEL_WIDTH_MISMATCH'
  | 'PROBS_NOT_NORMALISED'
  | 'MISSING_INPUT'
  | 'INVALID_OPTION'
  | 'UNKNOWN_METRIC'
  | 'PLUGIN_LOAD'
  // models and data
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_INPUT_MISMATCH'
  | 'DATASET_INVALID'
  | 'IMAGE_UNREADABLE'
  | 'EMBEDDER_INPUT'
  | 'BACKEND_UNAVAILABLE'
  // appended by tensor-io
  | 'VALUE_OUT_OF_RANGE'
  | 'FILE_TOO_LARGE'
  | 'FILE_UNREADABLE'
  | 'ARRAY_NOT_FOUND'
  | 'AMBIGUOUS_ARRAY'
  | 'FILE_UNWRITABLE';

/**
 * The one error type every package throws for bad input. `code` is stable, `input` names the
 * offending file or argument, and the message says what was wrong and what to do about it.
 */
export class EmmsError extends Error {
  /** Stable machine-readable code. */
  readonly code: EmmsErrorCode;
  /** The input at fault: a file path, an argument name such as "labels", or a sample id. */
  readonly input?: string;
  /** Extra facts for JSON output (expected vs found, offending indices...). */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    code: EmmsErrorCode,
    message: string,
    options: { input?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmmsError';
    this.code = code;
    this.input = options.input;
    this.details = options.details;
  }

  /** A plain object for `--format json` error output. */
  toJSON(): { error: { code: EmmsErrorCode; message: string; input?: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, input: this.input, details: this.details } };
  }
}

/** True when `e` is an {@link EmmsError} (also across duplicated package copies). */
export function isEmmsError(e: unknown): e is EmmsError {
  return (
    e instanceof EmmsError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'EmmsError' && 'code' in e)
  );
}
