import { jsBackend, type LinalgBackend, resolveBackend as registryResolve } from '@emms/linalg';
import { type BackendChoice, type RuntimeConfig, readRuntimeConfig, settingName } from '@emms/runtime';
import { EmmsError, isEmmsError } from '@emms/tensor-io';

/** The backend a scorer got, with a one-line notice when it fell back to the portable one. */
export interface BackendSelection {
  readonly backend: LinalgBackend;
  /** Set when the choice deserves a word to the user (the native library was expected but absent). */
  readonly notice?: string;
}

/** What {@link selectBackend} uses of the optional native package: its registration with @emms/linalg. */
export interface OpenblasModule {
  registerOpenblasBackend(options?: { library?: string }): void;
  readonly INSTALL_HINT?: string;
}

/** How the optional native package is imported; tests pass a stand-in. */
export type OpenblasImporter = () => Promise<OpenblasModule>;

/** `resolveBackend` of @emms/linalg: a registered backend by name, or the best one for 'auto'. */
export type BackendResolver = (choice: string) => Promise<BackendSelection>;

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Imports the native package (tests pass a stand-in). */
  readonly importOpenblas?: OpenblasImporter;
  /** Resolves registered backends (default: `resolveBackend` of @emms/linalg). */
  readonly resolveBackend?: BackendResolver;
}

/** The backend settings of a run's configuration. */
export type BackendSettings = Pick<RuntimeConfig, 'backend' | 'openblasLibrary' | 'sources'>;

const openblasPackage = '@emms/linalg-openblas';
const INSTALL = 'apt-get install -y libopenblas0-pthread';

/** Imports the optional @emms/linalg-openblas (a variable specifier keeps bundlers from inlining it). */
export const importOpenblas: OpenblasImporter = async () => {
  const specifier = openblasPackage;
  return (await import(specifier)) as OpenblasModule;
};

/**
 * Chooses a linear-algebra backend from a run's configuration, the one way backends are chosen,
 * without making it the global one of `@emms/linalg`: OpenBLAS is registered with the backend
 * registry (with the configured library) and the choice resolved there, so any other registered
 * backend takes part in 'auto'. Nothing here reads the environment: the front door read it into
 * the configuration ({@link readRuntimeConfig}).
 *
 * An OpenBLAS library given explicitly (`openblasLibrary`, from EMMS_OPENBLAS_LIB or an option)
 * must load: a missing or broken file is an error naming the setting, never a silent fallback.
 *
 * @param config - the backend settings of the run (`backend`, `openblasLibrary`, and where they
 *   came from), a choice by name, or a backend object (returned as is).
 * @param opts - stand-ins for the native package and the resolver (tests).
 * @returns the backend and, when 'auto' fell back to the portable one, a notice for the user.
 * @throws EmmsError BACKEND_UNAVAILABLE naming the setting (e.g. EMMS_LINALG or
 *   EMMS_OPENBLAS_LIB) when OpenBLAS was asked for, or a library given, and it does not load.
 * @example
 * ```ts
 * const { backend, notice } = await selectBackend(readRuntimeConfig({ env: process.env }));
 * if (notice) console.warn(notice);
 * ```
 */
export async function selectBackend(
  config: BackendSettings | BackendChoice | LinalgBackend = 'auto',
  opts: SelectBackendOptions = {},
): Promise<BackendSelection> {
  if (typeof config === 'object' && 'gram' in config) return { backend: config };
  const settings: BackendSettings =
    typeof config === 'string' ? readRuntimeConfig({ given: { backend: config } }) : config;
  if (settings.backend === 'js') return { backend: jsBackend };
  const library = settings.openblasLibrary;
  const strict = settings.backend === 'openblas' || library !== undefined;
  const asked =
    library !== undefined
      ? `${settingName(settings as RuntimeConfig, 'openblasLibrary')}=${library}`
      : `${settingName(settings as RuntimeConfig, 'backend')}=openblas`;
  const input =
    library !== undefined
      ? settingName(settings as RuntimeConfig, 'openblasLibrary')
      : settingName(settings as RuntimeConfig, 'backend');
  const fix =
    library !== undefined
      ? `point ${input} at an existing OpenBLAS library file (or "blas.so:lapack.so"), or leave it unset to use the system's library`
      : `install OpenBLAS (${INSTALL}), or use "auto" or "js"`;
  let mod: OpenblasModule;
  try {
    mod = await (opts.importOpenblas ?? importOpenblas)();
  } catch (e) {
    const reason = `${openblasPackage} could not be imported (${(e as Error).message.split('\n')[0]})`;
    if (strict) {
      throw new EmmsError(
        'BACKEND_UNAVAILABLE',
        `${asked}: ${reason}; install ${openblasPackage}, or ${fix}`,
        {
          input,
          details: { reason },
        },
      );
    }
    return {
      backend: jsBackend,
      notice: `emms: OpenBLAS not available (${reason}); using the slower portable backend`,
    };
  }
  mod.registerOpenblasBackend(library !== undefined ? { library } : {});
  const resolve = opts.resolveBackend ?? registryResolve;
  if (!strict) {
    const r = await resolve('auto');
    return r.notice ? { backend: r.backend, notice: `emms: ${r.notice}` } : { backend: r.backend };
  }
  try {
    return { backend: (await resolve('openblas')).backend };
  } catch (e) {
    if (!isEmmsError(e, 'BACKEND_UNAVAILABLE')) throw e;
    throw new EmmsError(
      'BACKEND_UNAVAILABLE',
      `${asked}: ${e.message.replace(/\.? Choose "auto".*$/, '')}; ${fix}`,
      {
        input,
        details: e.details,
        cause: e,
      },
    );
  }
}
