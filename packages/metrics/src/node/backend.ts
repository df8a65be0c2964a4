import { jsBackend, type LinalgBackend } from '@emms/linalg';
import { EmmsError } from '@emms/tensor-io';
import type { BackendChoiceName } from './config';

/** Environment variables as the front door reads them (process.env by default). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The backend a scorer got, with a one-line notice when it fell back to the portable one. */
export interface BackendSelection {
  readonly backend: LinalgBackend;
  /** Set when the choice deserves a word to the user (the native library was expected but absent). */
  readonly notice?: string;
}

/** What {@link selectBackend} needs from the optional native package (its public API today). */
export interface OpenblasModule {
  loadNativeBlas(env: Environment): { ok: true; blas: unknown } | { ok: false; reason: string };
  createOpenblasBackend(blas: never): LinalgBackend;
  readonly INSTALL_HINT?: string;
}

/** How the optional native package is imported; tests pass a stand-in. */
export type OpenblasImporter = () => Promise<OpenblasModule>;

const openblasPackage = '@emms/linalg-openblas';

/** Imports the optional @emms/linalg-openblas (a variable specifier keeps bundlers from inlining it). */
export const importOpenblas: OpenblasImporter = async () => {
  const specifier = openblasPackage;
  return (await import(specifier)) as OpenblasModule;
};

// One native backend per library setting: loading the shared library is costly, and a backend object
// holds no state of a run, so scorers asking for the same library share it.
const nativeCache = new Map<string, Promise<{ backend?: LinalgBackend; reason?: string; hint?: string }>>();

function loadNative(env: Environment, load: OpenblasImporter) {
  const key = env.EMMS_OPENBLAS_LIB ?? '';
  const useCache = load === importOpenblas;
  const cached = useCache ? nativeCache.get(key) : undefined;
  if (cached) return cached;
  const attempt = (async () => {
    let mod: OpenblasModule;
    try {
      mod = await load();
    } catch (e) {
      return { reason: `${openblasPackage} could not be imported (${(e as Error).message.split('\n')[0]})` };
    }
    const r = mod.loadNativeBlas(env);
    if (!r.ok) return { reason: r.reason, hint: mod.INSTALL_HINT };
    return { backend: mod.createOpenblasBackend(r.blas as never), hint: mod.INSTALL_HINT };
  })();
  if (useCache) nativeCache.set(key, attempt);
  return attempt;
}

/**
 * Chooses a linear-algebra backend without touching the global one of `@emms/linalg`.
 * The one place the front door reads EMMS_LINALG (js | openblas | auto), which refines `choice`
 * when it is 'auto', and EMMS_OPENBLAS_LIB (a library path, or "blas:lapack" paths), which is
 * handed to the native package.
 *
 * (An adapter over today's @emms/linalg-openblas API; when @emms/linalg gains
 * `resolveBackend('auto' | name)` this function becomes a call to it.)
 *
 * @param choice - 'auto' (OpenBLAS when it loads, else the portable backend with a notice), 'js',
 *   'openblas', or a backend object (returned as is).
 * @param env - environment variables (default process.env).
 * @param load - imports the native package (tests pass a stand-in).
 * @returns the backend and, when it fell back, a notice for the user.
 * @throws EmmsError INVALID_OPTION when EMMS_LINALG holds another value; BACKEND_UNAVAILABLE when
 *   'openblas' was asked for and the native library does not load.
 * @example
 * ```ts
 * const { backend, notice } = await selectBackend('auto');
 * if (notice) console.warn(notice);
 * ```
 */
export async function selectBackend(
  choice: BackendChoiceName | LinalgBackend = 'auto',
  env: Environment = process.env,
  load: OpenblasImporter = importOpenblas,
): Promise<BackendSelection> {
  if (typeof choice === 'object') return { backend: choice };
  let wanted: string = choice;
  if (choice === 'auto') {
    const fromEnv = (env.EMMS_LINALG ?? '').trim().toLowerCase();
    if (fromEnv !== '' && fromEnv !== 'auto' && fromEnv !== 'js' && fromEnv !== 'openblas') {
      throw new EmmsError(
        'INVALID_OPTION',
        `EMMS_LINALG must be "js", "openblas" or "auto", got "${env.EMMS_LINALG}"`,
        { input: 'EMMS_LINALG' },
      );
    }
    if (fromEnv !== '') wanted = fromEnv;
  } else if (choice !== 'js' && choice !== 'openblas') {
    throw new EmmsError(
      'INVALID_OPTION',
      `backend must be "auto", "js", "openblas" or a backend object, got "${String(choice)}"`,
      {
        input: 'backend',
      },
    );
  }
  if (wanted === 'js') return { backend: jsBackend };
  const native = await loadNative(env, load);
  if (native.backend) return { backend: native.backend };
  const install = native.hint ? `install it (${native.hint}), ` : `install ${openblasPackage} and OpenBLAS, `;
  if (wanted === 'openblas') {
    throw new EmmsError(
      'BACKEND_UNAVAILABLE',
      `the openblas backend was asked for but ${native.reason}; ${install}point EMMS_OPENBLAS_LIB at the library, or use backend "auto" or "js"`,
      { input: choice === 'openblas' ? 'backend' : 'EMMS_LINALG', details: { reason: native.reason } },
    );
  }
  return {
    backend: jsBackend,
    notice: `emms: OpenBLAS not available (${native.reason}); using the slower portable backend (${install.replace(/, $/, '')})`,
  };
}
