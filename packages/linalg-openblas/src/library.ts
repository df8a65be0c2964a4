import koffi, { type LibraryHandle } from 'koffi';

/** A bound native function, as koffi returns it. */
type NativeFn = (...args: unknown[]) => unknown;

/**
 * The native functions the backend calls. BLAS through its C interface (row-major aware),
 * LAPACK through its Fortran symbols (every argument by pointer, column-major, and one hidden
 * length argument per character argument, which gfortran-built libraries expect at the end).
 */
export interface NativeBlas {
  /** Path or name of the library (or libraries) that answered. */
  readonly library: string;
  cblas_dsyrk(
    order: number,
    uplo: number,
    trans: number,
    n: number,
    k: number,
    alpha: number,
    a: Float64Array,
    lda: number,
    beta: number,
    c: Float64Array,
    ldc: number,
  ): void;
  cblas_dgemm(
    order: number,
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float64Array,
    lda: number,
    b: Float64Array,
    ldb: number,
    beta: number,
    c: Float64Array,
    ldc: number,
  ): void;
  cblas_dtrsm(
    order: number,
    side: number,
    uplo: number,
    transA: number,
    diag: number,
    m: number,
    n: number,
    alpha: number,
    a: Float64Array,
    lda: number,
    b: Float64Array,
    ldb: number,
  ): void;
  dsyevd(
    jobz: string,
    uplo: string,
    n: Int32Array,
    a: Float64Array,
    lda: Int32Array,
    w: Float64Array,
    work: Float64Array,
    lwork: Int32Array,
    iwork: Int32Array,
    liwork: Int32Array,
    info: Int32Array,
    jobzLen: number,
    uploLen: number,
  ): void;
  dpotrf(
    uplo: string,
    n: Int32Array,
    a: Float64Array,
    lda: Int32Array,
    info: Int32Array,
    uploLen: number,
  ): void;
  dpotrs(
    uplo: string,
    n: Int32Array,
    nrhs: Int32Array,
    a: Float64Array,
    lda: Int32Array,
    b: Float64Array,
    ldb: Int32Array,
    info: Int32Array,
    uploLen: number,
  ): void;
  dpstrf(
    uplo: string,
    n: Int32Array,
    a: Float64Array,
    lda: Int32Array,
    piv: Int32Array,
    rank: Int32Array,
    tol: Float64Array,
    work: Float64Array,
    info: Int32Array,
    uploLen: number,
  ): void;
  /** Single-precision BLAS, bound when the library has it (every OpenBLAS does). */
  readonly cblas_ssyrk?: (
    order: number,
    uplo: number,
    trans: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ) => void;
  readonly cblas_sgemm?: (
    order: number,
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ) => void;
  /** OpenBLAS only: the CPU kernel chosen at load (e.g. "Haswell"). */
  readonly corename?: () => string;
  /** OpenBLAS only: the build configuration string. */
  readonly config?: () => string;
  /** OpenBLAS only: threads it uses now. */
  readonly getThreads?: () => number;
  /** OpenBLAS only: set the thread count. */
  readonly setThreads?: (n: number) => void;
}

/** CBLAS enumeration values. */
export const CblasRowMajor = 101;
export const CblasNoTrans = 111;
export const CblasTrans = 112;
export const CblasUpper = 121;
export const CblasLower = 122;
export const CblasNonUnit = 131;
export const CblasLeft = 141;

const libDirs = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];
const openblasVariants = ['openblas-pthread', 'openblas-openmp', 'openblas-serial'];

/**
 * Candidate library sets, most specific first. Each entry is the one library holding BLAS and
 * LAPACK, or a BLAS + LAPACK pair. Bare names go through the dynamic loader's search path
 * (which includes the Debian alternatives symlinks); full paths cover unusual loader setups.
 * A `library` given explicitly is the only candidate: it must load (no silent fallback to the
 * search).
 *
 * @param library a library path (or "blas:lapack" paths) to use instead of the search; the front
 *   door passes its `openblasLibrary` setting (EMMS_OPENBLAS_LIB) here (this package reads no
 *   environment).
 * @example
 * ```ts
 * candidateLibraries('/opt/openblas/lib/libopenblas.so'); // [['/opt/openblas/lib/libopenblas.so']]
 * ```
 */
export function candidateLibraries(library?: string): string[][] {
  const out: string[][] = [];
  const custom = library?.trim();
  if (custom) return [custom.split(':').filter((s) => s.length > 0)];
  out.push(['libopenblas.so.0'], ['libopenblas.so']);
  for (const dir of libDirs) {
    out.push([`${dir}/libopenblas.so.0`]);
    for (const v of openblasVariants) out.push([`${dir}/${v}/libopenblas.so.0`]);
  }
  out.push(['libblas.so.3', 'liblapack.so.3']);
  for (const dir of libDirs) out.push([`${dir}/libblas.so.3`, `${dir}/liblapack.so.3`]);
  return out;
}

/** Find a symbol in the first library that has it; undefined when none has it. */
function findFunc(libs: LibraryHandle[], signature: string): NativeFn | undefined {
  for (const lib of libs) {
    try {
      return lib.func(signature);
    } catch {
      // not in this one
    }
  }
  return undefined;
}

function need(libs: LibraryHandle[], signature: string, names: string): NativeFn {
  const f = findFunc(libs, signature);
  if (!f) throw new Error(`${names} does not export the function declared as "${signature}"`);
  return f;
}

/** Bind every function from one candidate set, or throw naming what is missing. */
function bind(names: string[]): NativeBlas {
  const libs = names.map((n) => koffi.load(n));
  const label = names.join(' + ');
  const cblas_dsyrk = need(
    libs,
    'void cblas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha, const double *a, int lda, double beta, double *c, int ldc)',
    label,
  );
  const cblas_dgemm = need(
    libs,
    'void cblas_dgemm(int order, int ta, int tb, int m, int n, int k, double alpha, const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc)',
    label,
  );
  const cblas_dtrsm = need(
    libs,
    'void cblas_dtrsm(int order, int side, int uplo, int ta, int diag, int m, int n, double alpha, const double *a, int lda, double *b, int ldb)',
    label,
  );
  const dsyevd = need(
    libs,
    'void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobzLen, size_t uploLen)',
    label,
  );
  const dpotrf = need(
    libs,
    'void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uploLen)',
    label,
  );
  const dpotrs = need(
    libs,
    'void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b, const int *ldb, int *info, size_t uploLen)',
    label,
  );
  const dpstrf = need(
    libs,
    'void dpstrf_(const char *uplo, const int *n, double *a, const int *lda, int *piv, int *rank, const double *tol, double *work, int *info, size_t uploLen)',
    label,
  );
  const cblas_ssyrk = findFunc(
    libs,
    'void cblas_ssyrk(int order, int uplo, int trans, int n, int k, float alpha, const float *a, int lda, float beta, float *c, int ldc)',
  );
  const cblas_sgemm = findFunc(
    libs,
    'void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)',
  );
  const corename = findFunc(libs, 'const char *openblas_get_corename()');
  const config = findFunc(libs, 'const char *openblas_get_config()');
  const getThreads = findFunc(libs, 'int openblas_get_num_threads()');
  const setThreads = findFunc(libs, 'void openblas_set_num_threads(int n)');
  return {
    library: label,
    cblas_dsyrk,
    cblas_dgemm,
    cblas_dtrsm,
    dsyevd,
    dpotrf,
    dpotrs,
    dpstrf,
    ...(cblas_ssyrk && cblas_sgemm ? { cblas_ssyrk, cblas_sgemm } : {}),
    corename: corename ? () => String(corename()) : undefined,
    config: config ? () => String(config()) : undefined,
    getThreads: getThreads ? () => Number(getThreads()) : undefined,
    setThreads: setThreads ? (n: number) => void setThreads(n) : undefined,
  };
}

/** Outcome of looking for the library: the bound functions, or why none loaded. */
export type LoadResult = { ok: true; blas: NativeBlas } | { ok: false; reason: string };

/**
 * Tries each candidate set of {@link candidateLibraries} in turn; the first that binds every
 * function wins. With `library` given, only that one is tried, and the reason names it.
 *
 * @param library a library path (or "blas:lapack" paths) to use instead of the search.
 * @example
 * ```ts
 * const r = loadNativeBlas();
 * if (!r.ok) console.warn(r.reason);
 * ```
 */
export function loadNativeBlas(library?: string): LoadResult {
  const failures: string[] = [];
  for (const names of candidateLibraries(library)) {
    try {
      return { ok: true, blas: bind(names) };
    } catch (e) {
      failures.push(`${names.join(' + ')}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const first = failures[0] ?? 'no candidates';
  if (library?.trim()) {
    return { ok: false, reason: `the library ${library.trim()} could not be loaded (${first})` };
  }
  return {
    ok: false,
    reason: `no OpenBLAS/LAPACK library could be loaded (tried ${failures.length} candidates; first: ${first})`,
  };
}
