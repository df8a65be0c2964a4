import type { LinalgBackend } from '@emms/linalg';
import { resolveBackend, setBackend } from '@emms/linalg';
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import type { CliIo } from './command';

/** The optional native backend package (an optionalDependency; may be absent). */
const openblasPackage = '@emms/linalg-openblas';

interface OpenblasModule {
  registerOpenblasBackend(options?: { library?: string }): void;
}

/**
 * Chooses the linear-algebra backend for this run and makes it current. EMMS_LINALG=js forces the
 * portable TypeScript backend; EMMS_LINALG=openblas forces the native one (an error when it cannot
 * load); unset or "auto" uses the highest-priority registered backend that loads (OpenBLAS when
 * it loads) and otherwise the portable backend, with a one-line notice on stderr.
 * EMMS_OPENBLAS_LIB names a library to try first.
 */
export async function chooseBackend(io: CliIo): Promise<LinalgBackend> {
  const wanted = (io.env.EMMS_LINALG ?? '').trim().toLowerCase() || 'auto';
  if (wanted !== 'js' && wanted !== 'auto' && wanted !== 'openblas') {
    throw new EmmsError(
      'INVALID_OPTION',
      `EMMS_LINALG must be "js", "openblas" or "auto", got "${io.env.EMMS_LINALG}"`,
      { input: 'EMMS_LINALG' },
    );
  }
  if (wanted !== 'js') {
    try {
      // A variable specifier keeps the bundler from inlining the optional package.
      const specifier = openblasPackage;
      const mod = (await import(specifier)) as OpenblasModule;
      mod.registerOpenblasBackend({ library: io.env.EMMS_OPENBLAS_LIB });
    } catch (e) {
      const reason = `${openblasPackage} could not be imported (${(e as Error).message.split('\n')[0]})`;
      if (wanted === 'openblas') {
        throw new EmmsError('BACKEND_UNAVAILABLE', `EMMS_LINALG=openblas but ${reason}; unset EMMS_LINALG`, {
          input: 'EMMS_LINALG',
          cause: e,
        });
      }
      io.stderr.write(`emms: ${reason}; using the portable backend\n`);
    }
  }
  try {
    const { backend, notice } = await resolveBackend(wanted);
    if (notice) io.stderr.write(`emms: ${notice}\n`);
    return setBackend(backend);
  } catch (e) {
    if (isEmmsError(e, 'BACKEND_UNAVAILABLE')) {
      throw new EmmsError(
        'BACKEND_UNAVAILABLE',
        `EMMS_LINALG=${wanted}: ${e.message}; unset EMMS_LINALG or set it to "auto" to fall back to the portable backend`,
        { input: 'EMMS_LINALG', cause: e },
      );
    }
    throw e;
  }
}
