import * as linalg from '@emms/linalg';
import { jsBackend, type LinalgBackend } from '@emms/linalg';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import type { BackendChoiceName } from './config';

/** Environment variables as the front door reads them (process.env by default). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The backend a scorer got, with a one-line notice when it fell back to the portable one. */
export interface BackendSelection {
  readonly backend: LinalgBackend;
  /** Set when the choice deserves a word to the user (the native library was expected but absent). */
  readonly notice?: string;
}

/**
 * What {@link selectBackend} uses of the optional native package: either the registration API
 * (`registerOpenblasBackend`, picked with `resolveBackend` of @emms/linalg) or the older direct one
 * (`loadNativeBlas` + `createOpenblasBackend`).
 */
export interface OpenblasModule {
  registerOpenblasBackend?(options?: { library?: string }): void;
  loadNativeBlas?(env: never): { ok: true; blas: unknown } | { ok: false; reason: string };
  createOpenblasBackend?(blas: never): LinalgBackend;
  readonly INSTALL_HINT?: string;
}

/** How the optional native package is imported; tests pass a stand-in. */
export type OpenblasImporter = () => Promise<OpenblasModule>;

/** `resolveBackend` of @emms/linalg: a registered backend by name, or the best one for 'auto'. */
export type BackendResolver = (choice: string) => Promise<BackendSelection>;

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Environment variables (default process.env). */
  readonly env?: Environment;
  /** Imports the native package (tests pass a stand-in). */
  readonly importOpenblas?: OpenblasImporter;
  /** Resolves registered backends (default: `resolveBackend` of @emms/linalg, where it exists). */
  readonly resolveBackend?: BackendResolver;
}

const openblasPackage = '@emms/linalg-openblas';

/** Imports the optional @emms/linalg-openblas (a variable specifier keeps bundlers from inlining it). */
export const importOpenblas: OpenblasImporter = async () => {
  const specifier = openblasPackage;
  return (await import(specifier)) as OpenblasModule;
};

/** The registry's resolver when this version of @emms/linalg has one. */
function linalgResolver(): BackendResolver | undefined {
  const resolve = (linalg as unknown as { resolveBackend?: BackendResolver }).resolveBackend;
  return typeof resolve === 'function' ? resolve : undefined;
}

type NativeOutcome = { backend?: LinalgBackend; reason?: string; hint?: string };

// One native backend per library setting: loading the shared library is costly, and a backend object
// holds no state of a run, so scorers asking for the same library share it.
const nativeCache = new Map<string, NativeOutcome>();

/** The older direct API: load the library (EMMS_OPENBLAS_LIB first) and wrap it. */
function loadDirect(mod: OpenblasModule, env: Environment, cache: boolean): NativeOutcome {
  const key = env.EMMS_OPENBLAS_LIB ?? '';
  const cached = cache ? nativeCache.get(key) : undefined;
  if (cached) return cached;
  let outcome: NativeOutcome;
  if (!mod.loadNativeBlas || !mod.createOpenblasBackend) {
    outcome = { reason: `${openblasPackage} has neither registerOpenblasBackend nor loadNativeBlas` };
  } else {
    const r = mod.loadNativeBlas(env as never);
    outcome = r.ok
      ? { backend: mod.createOpenblasBackend(r.blas as never), hint: mod.INSTALL_HINT }
      : { reason: r.reason, hint: mod.INSTALL_HINT };
  }
  if (cache) nativeCache.set(key, outcome);
  return outcome;
}

/**
 * Chooses a linear-algebra backend without making it the global one of `@emms/linalg`.
 * The one place the front door reads EMMS_LINALG (js | openblas | auto), which refines `choice`
 * when it is 'auto', and EMMS_OPENBLAS_LIB (a library path, or "blas:lapack" paths), which is
 * handed to the native package.
 *
 * An adapter over two generations of the backend API: with `registerOpenblasBackend` and
 * `resolveBackend` (the backend registry) it registers OpenBLAS and resolves through the registry,
 * so any other registered backend takes part in 'auto'; otherwise it loads OpenBLAS directly.
 *
 * @param choice - 'auto' (the best backend that loads, else the portable one with a notice),
 *   'js', 'openblas', or a backend object (returned as is).
 * @param opts - env (default process.env), and stand-ins for the native package and the resolver.
 * @returns the backend and, when it fell back, a notice for the user.
 * @throws EmmsError INVALID_OPTION when EMMS_LINALG (or `choice`) holds another value;
 *   BACKEND_UNAVAILABLE when 'openblas' was asked for and does not load.
 * @example
 * ```ts
 * const { backend, notice } = await selectBackend('auto', { env: process.env });
 * if (notice) console.warn(notice);
 * ```
 */
export async function selectBackend(
  choice: BackendChoiceName | LinalgBackend = 'auto',
  opts: SelectBackendOptions = {},
): Promise<BackendSelection> {
  if (typeof choice === 'object') return { backend: choice };
  const env = opts.env ?? process.env;
  let wanted: string = choice;
  let source = 'backend';
  if (choice === 'auto') {
    const fromEnv = (env.EMMS_LINALG ?? '').trim().toLowerCase();
    if (fromEnv !== '' && fromEnv !== 'auto' && fromEnv !== 'js' && fromEnv !== 'openblas') {
      throw new EmmsError(
        'INVALID_OPTION',
        `EMMS_LINALG must be "js", "openblas" or "auto", got "${env.EMMS_LINALG}"`,
        { input: 'EMMS_LINALG' },
      );
    }
    if (fromEnv !== '') {
      wanted = fromEnv;
      source = 'EMMS_LINALG';
    }
  } else if (choice !== 'js' && choice !== 'openblas') {
    throw new EmmsError(
      'INVALID_OPTION',
      `backend must be "auto", "js", "openblas" or a backend object, got "${String(choice)}"`,
      { input: 'backend' },
    );
  }
  if (wanted === 'js') return { backend: jsBackend };

  const load = opts.importOpenblas ?? importOpenblas;
  let mod: OpenblasModule | undefined;
  let reason = '';
  try {
    mod = await load();
  } catch (e) {
    reason = `${openblasPackage} could not be imported (${(e as Error).message.split('\n')[0]})`;
  }
  const resolver = opts.resolveBackend ?? linalgResolver();
  if (mod?.registerOpenblasBackend && resolver) {
    mod.registerOpenblasBackend({ library: env.EMMS_OPENBLAS_LIB });
    try {
      const r = await resolver(wanted);
      return r.notice ? { backend: r.backend, notice: `emms: ${r.notice}` } : { backend: r.backend };
    } catch (e) {
      if (!isEmmsError(e, 'BACKEND_UNAVAILABLE')) throw e;
      throw new EmmsError(
        'BACKEND_UNAVAILABLE',
        `${source === 'EMMS_LINALG' ? 'EMMS_LINALG=openblas' : 'backend "openblas"'}: ${e.message}; point EMMS_OPENBLAS_LIB at the library, or use "auto" or "js"`,
        { input: source, details: e.details, cause: e },
      );
    }
  }
  const native: NativeOutcome = mod ? loadDirect(mod, env, load === importOpenblas) : { reason };
  if (native.backend) return { backend: native.backend };
  const install = native.hint ? `install it (${native.hint}), ` : `install ${openblasPackage} and OpenBLAS, `;
  if (wanted === 'openblas') {
    throw new EmmsError(
      'BACKEND_UNAVAILABLE',
      `the openblas backend was asked for (${source}) but ${native.reason}; ${install}point EMMS_OPENBLAS_LIB at the library, or use "auto" or "js"`,
      { input: source, details: { reason: native.reason } },
    );
  }
  return {
    backend: jsBackend,
    notice: `emms: OpenBLAS not available (${native.reason}); using the slower portable backend (${install.replace(/, $/, '')})`,
  };
}
