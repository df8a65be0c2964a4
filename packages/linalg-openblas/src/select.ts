import { type LinalgBackend, registerBackend } from '@emms/linalg';
import { EmmsError } from '@emms/tensor-io';
import { createOpenblasBackend } from './backend';
import { type LoadResult, loadNativeBlas, type NativeBlas } from './library';

/** What is known about the native library after the first attempt to load it. */
export interface OpenblasStatus {
  /** True when a library loaded and every needed function was found. */
  readonly loaded: boolean;
  /** The library file(s) used, when loaded. */
  readonly library?: string;
  /** Why nothing loaded, when not loaded. */
  readonly reason?: string;
  /** OpenBLAS's CPU kernel name (e.g. "Haswell"), when the library is OpenBLAS. */
  readonly corename?: string;
  /** OpenBLAS's build configuration string, when the library is OpenBLAS. */
  readonly config?: string;
  /** Threads OpenBLAS uses (set with OPENBLAS_NUM_THREADS before start, or {@link setOpenblasThreads}). */
  readonly threads?: number;
}

/** The command that installs the library on Debian and Ubuntu. */
export const INSTALL_HINT = 'apt-get install -y libopenblas0-pthread';

/** Load attempts, one per requested library path ('' = the default search). */
const loads = new Map<string, LoadResult>();
const backends = new Map<string, LinalgBackend | null>();
/** The library path of the last registration (what {@link openblasStatus} reports on). */
let preferred = '';

function load(library = preferred): LoadResult {
  let r = loads.get(library);
  if (!r) {
    r = loadNativeBlas(library || undefined);
    loads.set(library, r);
  }
  return r;
}

function native(): NativeBlas | null {
  const r = load();
  return r.ok ? r.blas : null;
}

/** Options of {@link openblasBackend} and {@link registerOpenblasBackend}. */
export interface OpenblasOptions {
  /**
   * A library path (or "blas:lapack" paths) to use instead of the default search: only this one is
   * tried, and when it does not load the backend is unavailable with the reason (never a silent
   * fallback to another library). The front door passes its `openblasLibrary` setting
   * (EMMS_OPENBLAS_LIB) here; this package reads no environment.
   */
  readonly library?: string;
}

/**
 * The OpenBLAS/LAPACK backend, or null when no library loads (see {@link openblasStatus} for why).
 * The library is looked for once per `library` option: only that path when given, else
 * libopenblas.so.0, libopenblas.so, the Debian openblas-pthread/openmp/serial folders, then a
 * libblas.so.3 + liblapack.so.3 pair.
 *
 * @example
 * ```ts
 * const backend = openblasBackend() ?? jsBackend;
 * ```
 */
export function openblasBackend(options: OpenblasOptions = {}): LinalgBackend | null {
  const library = options.library?.trim() ?? preferred;
  let backend = backends.get(library);
  if (backend === undefined) {
    const r = load(library);
    backend = r.ok ? createOpenblasBackend(r.blas) : null;
    backends.set(library, backend);
  }
  return backend;
}

/** Priority of the OpenBLAS registration: above the portable backend's 0. */
export const OPENBLAS_PRIORITY = 100;

/**
 * Registers the OpenBLAS backend with @emms/linalg as "openblas" (priority
 * {@link OPENBLAS_PRIORITY}, above the portable "js" backend's 0), so `resolveBackend('auto')`
 * prefers it when the library loads and `resolveBackend('openblas')` demands it. Nothing is
 * loaded until a resolve asks for it. Calling it again (e.g. with another library) replaces the
 * registration.
 *
 * @param options `library`: the one library to use instead of the search (the front door's
 *   EMMS_OPENBLAS_LIB); when it does not load, resolving "openblas" fails naming it.
 * @example
 * ```ts
 * import { resolveBackend } from '@emms/linalg';
 * import { registerOpenblasBackend } from '@emms/linalg-openblas';
 * registerOpenblasBackend(); // or { library: '/opt/openblas/lib/libopenblas.so' }
 * const { backend, notice } = await resolveBackend('auto'); // openblas, or js with a notice
 * ```
 */
export function registerOpenblasBackend(options: OpenblasOptions = {}): void {
  const library = options.library?.trim() ?? '';
  preferred = library;
  registerBackend('openblas', () => openblasBackend({ library }), {
    priority: OPENBLAS_PRIORITY,
    description: 'the system OpenBLAS/LAPACK through koffi, multi-threaded',
    unavailableReason: () => {
      const r = load(library);
      return r.ok
        ? undefined
        : library
          ? r.reason
          : `${r.reason}; install it (${INSTALL_HINT}) or give its path as the library option`;
    },
  });
}

/**
 * Whether the native library loaded, which one, its CPU kernel and thread count, or why it failed
 * (for the library path of the last {@link registerOpenblasBackend}, else the default search).
 *
 * @example
 * ```ts
 * const s = openblasStatus();
 * console.log(s.loaded ? `${s.library} (${s.corename}, ${s.threads} threads)` : s.reason);
 * ```
 */
export function openblasStatus(): OpenblasStatus {
  const r = load();
  if (!r.ok) return { loaded: false, reason: r.reason };
  const b = r.blas;
  return {
    loaded: true,
    library: b.library,
    corename: b.corename?.(),
    config: b.config?.(),
    threads: b.getThreads?.(),
  };
}

/**
 * Set how many threads OpenBLAS uses (it uses every core by default, or OPENBLAS_NUM_THREADS
 * when set before the process starts). Returns false when the library is absent or not OpenBLAS.
 *
 * @throws EmmsError INVALID_OPTION naming `threads` when it is not a positive integer.
 * @example
 * ```ts
 * setOpenblasThreads(1); // deterministic timings in a benchmark
 * ```
 */
export function setOpenblasThreads(threads: number): boolean {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new EmmsError('INVALID_OPTION', `threads must be a positive integer, got ${threads}`, {
      input: 'threads',
    });
  }
  const b = native();
  if (!b?.setThreads) return false;
  b.setThreads(threads);
  return true;
}
