// The one run-time configuration object: read from the environment once, at the front door.
import { EmmsError } from '@emms/tensor-io';

/** Environment variables as a front door reads them (`process.env` or a copy). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The linear-algebra backends a run can ask for by name. */
export const BACKEND_CHOICES = ['auto', 'js', 'openblas'] as const;
/** `auto` (OpenBLAS when it loads, else the portable backend), `js` or `openblas`. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The tfjs backends: `auto` (WebAssembly when it loads, else CPU), `wasm` or `cpu`. */
export const TFJS_BACKENDS = ['auto', 'wasm', 'cpu'] as const;
/** A tfjs backend choice. */
export type TfjsBackendChoice = (typeof TFJS_BACKENDS)[number];

/** The settings of a run, without where they came from. */
export interface RuntimeSettings {
  /** Linear-algebra backend (default `auto`). */
  readonly backend: BackendChoice;
  /**
   * An OpenBLAS library file (or `blas.so:lapack.so`) to use instead of the system search. When
   * given, it must load: a missing or broken file is an error, never a silent fallback.
   */
  readonly openblasLibrary?: string;
  /** The WebAssembly kernels of the portable linear-algebra backend (default true). */
  readonly wasm: boolean;
  /** The tfjs backend of tfjs candidate models (default `auto`). */
  readonly tfjsBackend: TfjsBackendChoice;
  /** Where models fetched from the hub are cached (default: transformers.js's own cache folder). */
  readonly modelCache?: string;
  /** Whether models may be fetched from the hub (`hf:<id>`); false allows local folders only (default true). */
  readonly allowRemoteModels: boolean;
}

/** A run's configuration: the settings and, for each one not left at its default, where it came from. */
export interface RuntimeConfig extends RuntimeSettings {
  /**
   * The source of each setting that was given: an environment variable name (e.g. `EMMS_LINALG`)
   * or `option` (a program passed it). Messages name it, so the user knows what to change.
   */
  readonly sources: Readonly<Partial<Record<keyof RuntimeSettings, string>>>;
}

/** The environment variable of each setting. */
export const RUNTIME_ENV: Readonly<Record<keyof RuntimeSettings, string>> = {
  backend: 'EMMS_LINALG',
  openblasLibrary: 'EMMS_OPENBLAS_LIB',
  wasm: 'EMMS_LINALG_WASM',
  tfjsBackend: 'EMMS_TFJS_BACKEND',
  modelCache: 'EMMS_MODEL_CACHE',
  allowRemoteModels: 'EMMS_REMOTE_MODELS',
};

/** What each environment variable does, for help texts and docs. */
export const RUNTIME_ENV_HELP: Readonly<Record<keyof RuntimeSettings, string>> = {
  backend: 'linear-algebra backend: auto (OpenBLAS when it loads, else portable), js or openblas',
  openblasLibrary:
    'an OpenBLAS library file (or blas.so:lapack.so) to use instead of the system search; it must load',
  wasm: '0 turns off the WebAssembly kernels of the portable backend (1, the default, keeps them)',
  tfjsBackend: 'tfjs backend of tfjs models: auto (WebAssembly, else CPU), wasm or cpu',
  modelCache: 'folder where models fetched from the hub are cached',
  allowRemoteModels: '0 forbids fetching models from the hub (hf:<id>); local folders still load',
};

/** The defaults of every setting. */
export const DEFAULT_RUNTIME: RuntimeSettings = Object.freeze({
  backend: 'auto',
  wasm: true,
  tfjsBackend: 'auto',
  allowRemoteModels: true,
});

function invalid(input: string, message: string): EmmsError {
  return new EmmsError('INVALID_OPTION', message, { input });
}

function choice<T extends string>(
  raw: unknown,
  allowed: readonly T[],
  input: string,
  what: string,
): T | undefined {
  if (raw === undefined) return undefined;
  const v = String(raw).trim().toLowerCase();
  if (v === '') return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw invalid(
    input,
    `${input} must be ${allowed.map((a) => `"${a}"`).join(', ')} (${what}), got ${JSON.stringify(raw)}`,
  );
}

function flag(raw: unknown, input: string, what: string): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'boolean') return raw;
  const v = String(raw).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw invalid(input, `${input} must be 1 or 0 (${what}), got ${JSON.stringify(raw)}`);
}

function path(raw: unknown, input: string, what: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw invalid(input, `${input} must be a path (${what}), got ${JSON.stringify(raw)}`);
  const v = raw.trim();
  return v === '' ? undefined : v;
}

/** Options of {@link readRuntimeConfig}. */
export interface ReadRuntimeConfigOptions {
  /** The environment (default: none; front doors pass `process.env`). */
  readonly env?: Environment;
  /**
   * Settings a program gives. They win over the environment, except `backend: 'auto'`, which the
   * environment's EMMS_LINALG refines (auto means "not decided").
   */
  readonly given?: Partial<RuntimeSettings>;
}

/**
 * Reads a run's configuration once: the settings a program gives, then the environment variables
 * ({@link RUNTIME_ENV}), then the defaults. Front doors (the CLI entry, `createScorer` of
 * @emms/metrics/node) call it; nothing below them reads the environment.
 *
 * @param opts - the environment and the settings given.
 * @returns the frozen configuration with the source of each setting.
 * @throws EmmsError INVALID_OPTION naming the variable (or option) whose value is not allowed.
 * @example
 * ```ts
 * const config = readRuntimeConfig({ env: { EMMS_LINALG: 'js', EMMS_REMOTE_MODELS: '0' } });
 * console.assert(config.backend === 'js' && config.sources.backend === 'EMMS_LINALG');
 * console.assert(config.allowRemoteModels === false && config.wasm === true);
 * ```
 */
export function readRuntimeConfig(opts: ReadRuntimeConfigOptions = {}): RuntimeConfig {
  const env = opts.env ?? {};
  const given = opts.given ?? {};
  const settings: { -readonly [K in keyof RuntimeSettings]?: RuntimeSettings[K] } = {};
  const sources: Partial<Record<keyof RuntimeSettings, string>> = {};
  const take = <K extends keyof RuntimeSettings>(
    key: K,
    parse: (raw: unknown, input: string) => RuntimeSettings[K] | undefined,
  ) => {
    const fromOption = given[key] === undefined ? undefined : parse(given[key], key);
    const v = RUNTIME_ENV[key];
    const fromEnv = parse(env[v], v);
    const useEnv =
      fromEnv !== undefined && (fromOption === undefined || (key === 'backend' && fromOption === 'auto'));
    if (useEnv) {
      settings[key] = fromEnv;
      sources[key] = v;
    } else if (fromOption !== undefined) {
      settings[key] = fromOption;
      sources[key] = 'option';
    }
  };
  take('backend', (raw, input) => choice(raw, BACKEND_CHOICES, input, RUNTIME_ENV_HELP.backend));
  take('openblasLibrary', (raw, input) => path(raw, input, 'an OpenBLAS library file'));
  take('wasm', (raw, input) => flag(raw, input, 'the WebAssembly kernels'));
  take('tfjsBackend', (raw, input) => choice(raw, TFJS_BACKENDS, input, 'the tfjs backend'));
  take('modelCache', (raw, input) => path(raw, input, 'the model cache folder'));
  take('allowRemoteModels', (raw, input) => flag(raw, input, 'fetching models from the hub'));
  return Object.freeze({ ...DEFAULT_RUNTIME, ...settings, sources: Object.freeze(sources) });
}

/**
 * The name to use in a message about `key`: the environment variable or option it came from, else
 * the variable that would set it.
 *
 * @example
 * ```ts
 * settingName(readRuntimeConfig({ env: { EMMS_OPENBLAS_LIB: '/x.so' } }), 'openblasLibrary'); // 'EMMS_OPENBLAS_LIB'
 * ```
 */
export function settingName(config: RuntimeConfig, key: keyof RuntimeSettings): string {
  const source = config.sources[key];
  return source === undefined ? RUNTIME_ENV[key] : source === 'option' ? key : source;
}
