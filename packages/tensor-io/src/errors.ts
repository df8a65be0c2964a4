/**
 * The stable error codes tensor-io declares. Consumers (the CLI, the harness) switch on `code`, never
 * on message text. Add codes at the end; never rename one. Other packages declare their own codes with
 * {@link declareErrorCodes} instead of editing this list.
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

/** Any error code: tensor-io's own, or one a package declared with {@link declareErrorCodes}. */
export type ErrorCode = EmmsErrorCode | (string & {});

/** One entry of the error-code catalogue: the code, the package that declared it, what it means. */
export interface ErrorCodeInfo {
  readonly code: string;
  readonly owner: string;
  readonly description: string;
}

const catalogue = new Map<string, ErrorCodeInfo>();

/**
 * Declares a package's error codes on the shared {@link EmmsError} base, so the CLI, the harness and
 * the docs can list them. Returns the codes as constants (`CODES.DEGENERATE_INPUT === 'DEGENERATE_INPUT'`).
 * Declaring a code that another package already declared with a different owner throws, so codes
 * stay unique across the repository; declaring the same code again from the same owner is harmless.
 *
 * @example
 * ```ts
 * const CODES = declareErrorCodes('@emms/my-metric', { TOO_FEW_SAMPLES: 'fewer samples than the score needs' });
 * throw new EmmsError(CODES.TOO_FEW_SAMPLES, 'features: 3 rows; give at least 10', { input: 'features' });
 * ```
 */
export function declareErrorCodes<const T extends Record<string, string>>(
  owner: string,
  codes: T,
): { readonly [K in keyof T]: K } {
  const out: Record<string, string> = {};
  for (const [code, description] of Object.entries(codes)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) {
      throw new Error(`error code "${code}" of ${owner} must be UPPER_SNAKE_CASE`);
    }
    const known = catalogue.get(code);
    if (known && known.owner !== owner) {
      throw new Error(
        `error code "${code}" is already declared by ${known.owner}; ${owner} must pick another`,
      );
    }
    catalogue.set(code, { code, owner, description });
    out[code] = code;
  }
  return Object.freeze(out) as { readonly [K in keyof T]: K };
}

/** Every declared error code (tensor-io's own first), for documentation and tests. */
export function listErrorCodes(): readonly ErrorCodeInfo[] {
  return [...catalogue.values()];
}

/**
 * The one error type every package throws for bad input. `code` is stable, `input` names the
 * offending file or argument, and the message says what was wrong and what to do about it.
 */
export class EmmsError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** The input at fault: a file path, an argument name such as "labels", or a sample id. */
  readonly input?: string;
  /** Extra facts for JSON output (expected vs found, offending indices...). */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
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
  toJSON(): { error: { code: ErrorCode; message: string; input?: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, input: this.input, details: this.details } };
  }
}

/**
 * True when `e` is an {@link EmmsError} (also across duplicated package copies), and, when `code` is
 * given, carries that code.
 */
export function isEmmsError(e: unknown, code?: ErrorCode): e is EmmsError {
  const ok =
    e instanceof EmmsError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'EmmsError' && 'code' in e);
  return ok && (code === undefined || (e as EmmsError).code === code);
}
