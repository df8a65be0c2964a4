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
  | 'FILE_UNWRITABLE'
  | 'NOT_A_FILE'
  | 'ZIP_ENTRY_TOO_LARGE';

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

/**
 * Every declared error code (tensor-io's own first), for documentation and tests.
 *
 * @example
 * ```ts
 * listErrorCodes().find((c) => c.code === 'ZIP_CORRUPT')?.owner; // '@emms/tensor-io'
 * ```
 */
export function listErrorCodes(): readonly ErrorCodeInfo[] {
  // Referenced here so that a bundler dropping unused exports keeps tensor-io's declarations.
  void TENSOR_IO_ERRORS;
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

/**
 * tensor-io's own codes with what each means, declared like any package's so that
 * {@link listErrorCodes} lists them first. The `satisfies` clause keeps this table and the
 * {@link EmmsErrorCode} union in step: a code missing here, or one not in the union, fails to compile.
 */
export const TENSOR_IO_ERRORS = declareErrorCodes('@emms/tensor-io', {
  FILE_NOT_FOUND: 'a file named as input does not exist',
  FILE_EMPTY: 'a file holds no bytes',
  FILE_TRUNCATED: 'a file ends before the data its header announces',
  NPY_BAD_MAGIC: 'a .npy file does not start with the numpy magic string',
  NPY_BAD_HEADER: 'the header of a .npy array cannot be parsed or is inconsistent',
  NPY_UNSUPPORTED_VERSION: 'a .npy file uses a format version other than 1, 2 or 3',
  UNSUPPORTED_DTYPE: 'an array holds a data type the scores cannot use (complex, uint64, structured…)',
  OBJECT_ARRAY: 'an array holds Python objects (pickled data), which are never loaded',
  SHAPE_MISMATCH:
    'an array or matrix has a shape other than the one required, or its data disagrees with its shape',
  ZIP_CORRUPT:
    'a .npz (zip) archive is damaged: bad signature, impossible sizes or a CRC-32 mismatch in an entry',
  ZIP_ENTRY_NOT_NPY: 'a .npz archive holds an entry that is not a .npy array',
  SAFETENSORS_BAD_HEADER: 'the JSON header of a .safetensors file is missing, malformed or inconsistent',
  UNSUPPORTED_FORMAT: 'a file extension the reader does not handle',
  LABELS_PARSE: 'a label or class-name file cannot be parsed',
  NON_FINITE: 'an input holds NaN or ±Infinity',
  ROW_MISMATCH: 'two inputs that must describe the same samples have different numbers of rows',
  LABEL_OUT_OF_RANGE: 'a class label is negative or not below the number of classes',
  LABEL_NOT_INTEGER: 'a class label is not a whole number',
  SINGLE_CLASS: 'the labels hold a single class, so there is nothing to discriminate',
  MISSING_CLASSES: 'class ids are sparse (some ids in range have no samples)',
  FLABEL_WIDTH_MISMATCH: 'F-label matrices that must have the same width do not',
  PROBS_NOT_NORMALISED: 'rows of a probability matrix do not sum to 1 or hold negative values',
  MISSING_INPUT: 'a score needs an input that was not given',
  INVALID_OPTION: 'an option value is outside its allowed range or of the wrong type',
  UNKNOWN_METRIC: 'a metric id is not registered',
  PLUGIN_LOAD: 'a metric plugin could not be loaded or does not export a valid metric',
  MODEL_NOT_FOUND: 'a model file or folder does not exist',
  MODEL_INVALID: 'a model file cannot be loaded',
  MODEL_INPUT_MISMATCH: 'the data given to a model does not fit its input',
  DATASET_INVALID: 'a dataset folder or file is missing, malformed or inconsistent',
  IMAGE_UNREADABLE: 'an image cannot be decoded',
  EMBEDDER_INPUT: 'the class names or texts given to a label embedder are unusable',
  BACKEND_UNAVAILABLE: 'a requested backend (linear algebra, inference) is unknown or cannot load here',
  VALUE_OUT_OF_RANGE: 'a value does not fit the data type it is converted to',
  FILE_TOO_LARGE: 'a file is larger than can be read whole or allocated',
  FILE_UNREADABLE: 'a path exists but cannot be read (a folder, no permission…)',
  ARRAY_NOT_FOUND: 'a named array (path:name or the array option) is not in the file',
  AMBIGUOUS_ARRAY: 'a file holds several arrays and none was named (use path:name or the array option)',
  FILE_UNWRITABLE: 'an output file cannot be written',
  NOT_A_FILE:
    'a path names a folder, a named pipe (FIFO), a socket or a device where a regular file is read (refused before opening, so nothing blocks)',
  ZIP_ENTRY_TOO_LARGE:
    'a compressed .npz entry unpacks to more than the size limit (maxEntryBytes); checked before inflating',
} satisfies Record<EmmsErrorCode, string>);
