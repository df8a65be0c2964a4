import { jsBackend, type LinalgBackend, setBackend } from '@emms/linalg';
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

let loaded: LoadResult | undefined;
let backend: LinalgBackend | null | undefined;

function load(): LoadResult {
  loaded ??= loadNativeBlas();
  return loaded;
}

function native(): NativeBlas | null {
  const r = load();
  return r.ok ? r.blas : null;
}

/**
 * The OpenBLAS/LAPACK backend, or null when no library loads (see {@link openblasStatus} for why).
 * The library is looked for once, on the first call: libopenblas.so.0, libopenblas.so, the
 * Debian openblas-pthread/openmp/serial folders, then a libblas.so.3 + liblapack.so.3 pair.
 * Set EMMS_OPENBLAS_LIB to a path (or "blas:lapack" paths) to try a specific library first.
 */
export function openblasBackend(): LinalgBackend | null {
  if (backend === undefined) {
    const blas = native();
    backend = blas ? createOpenblasBackend(blas) : null;
  }
  return backend;
}

/** Whether the native library loaded, which one, its CPU kernel and thread count, or why it failed. */
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

/** The backend chosen by {@link autoSelectBackend}, with a one-line notice when it fell back. */
export interface BackendChoice {
  readonly backend: LinalgBackend;
  /** Set when the choice deserves a word to the user (native library requested or expected but absent). */
  readonly notice?: string;
}

/**
 * Choose the linear-algebra backend and make it current with `setBackend` from @emms/linalg.
 * EMMS_LINALG=js forces the portable TypeScript backend; EMMS_LINALG=openblas forces the native
 * one and throws BACKEND_UNAVAILABLE when the library does not load; unset (or "auto") picks
 * OpenBLAS when it loads and otherwise the portable backend with a notice.
 */
export function autoSelectBackend(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  return chooseBackend(env, openblasBackend, () => openblasStatus().reason ?? 'the library did not load');
}

/** {@link autoSelectBackend} over a given way to get the native backend (tests pass a stand-in). */
export function chooseBackend(
  env: NodeJS.ProcessEnv,
  openblas: () => LinalgBackend | null,
  reason: () => string,
): BackendChoice {
  const wanted = (env.EMMS_LINALG ?? '').trim().toLowerCase();
  if (wanted === 'js') {
    setBackend(jsBackend);
    return { backend: jsBackend };
  }
  if (wanted === 'openblas') {
    const b = openblas();
    if (!b) {
      throw new EmmsError(
        'BACKEND_UNAVAILABLE',
        `EMMS_LINALG=openblas but ${reason()}. Install it (${INSTALL_HINT}), point EMMS_OPENBLAS_LIB at the library, or unset EMMS_LINALG to use the portable backend`,
        { input: 'EMMS_LINALG' },
      );
    }
    setBackend(b);
    return { backend: b };
  }
  if (wanted !== '' && wanted !== 'auto') {
    throw new EmmsError(
      'INVALID_OPTION',
      `EMMS_LINALG must be "js", "openblas" or "auto", got "${env.EMMS_LINALG}"`,
      { input: 'EMMS_LINALG' },
    );
  }
  const b = openblas();
  if (b) {
    setBackend(b);
    return { backend: b };
  }
  setBackend(jsBackend);
  return {
    backend: jsBackend,
    notice: `emms: OpenBLAS not found, using the slower portable backend (install: ${INSTALL_HINT})`,
  };
}
