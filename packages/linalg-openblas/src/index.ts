/**
 * @emms/linalg-openblas: the @emms/linalg backend on the system OpenBLAS/LAPACK through koffi.
 *
 * Register it with `registerOpenblasBackend()`, then pick it with `resolveBackend('auto')` from
 * @emms/linalg. This package reads no environment variable.
 *
 * Threads: OpenBLAS uses every core by default. Set OPENBLAS_NUM_THREADS=n in the environment
 * before the process starts, or call {@link setOpenblasThreads} at run time.
 */

export { createOpenblasBackend, type OpenblasBackendOptions } from './backend';
export { candidateLibraries, type LoadResult, loadNativeBlas, type NativeBlas } from './library';
export {
  INSTALL_HINT,
  OPENBLAS_PRIORITY,
  type OpenblasOptions,
  type OpenblasStatus,
  openblasBackend,
  openblasStatus,
  registerOpenblasBackend,
  setOpenblasThreads,
} from './select';
