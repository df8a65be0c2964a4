/**
 * @emms/linalg-openblas: the @emms/linalg backend on the system OpenBLAS/LAPACK through koffi.
 *
 * Threads: OpenBLAS uses every core by default. Set OPENBLAS_NUM_THREADS=n in the environment
 * before the process starts, or call {@link setOpenblasThreads} at run time.
 */

export { createOpenblasBackend, type OpenblasBackendOptions } from './backend';
export { candidateLibraries, type LoadResult, loadNativeBlas, type NativeBlas } from './library';
export {
  autoSelectBackend,
  type BackendChoice,
  INSTALL_HINT,
  type OpenblasStatus,
  openblasBackend,
  openblasStatus,
  setOpenblasThreads,
} from './select';
