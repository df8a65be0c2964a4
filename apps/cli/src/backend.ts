import type { LinalgBackend } from '@emms/linalg';
import { jsBackend, setBackend } from '@emms/linalg';
import { EmmsError } from '@emms/tensor-io';
import type { CliIo } from './command';

/** The optional native backend package (an optionalDependency; may be absent). */
const openblasPackage = '@emms/linalg-openblas';

interface OpenblasModule {
  autoSelectBackend(env: NodeJS.ProcessEnv): { backend: LinalgBackend; notice?: string };
}

/**
 * Chooses the linear-algebra backend for this run and makes it current. EMMS_LINALG=js forces the
 * portable TypeScript backend; EMMS_LINALG=openblas forces the native one (an error when it cannot
 * load); unset or "auto" uses OpenBLAS when it loads and otherwise the portable backend, with a
 * one-line notice on stderr.
 */
export async function chooseBackend(io: CliIo): Promise<LinalgBackend> {
  const wanted = (io.env.EMMS_LINALG ?? '').trim().toLowerCase();
  if (wanted === 'js') return setBackend(jsBackend);
  if (wanted !== '' && wanted !== 'auto' && wanted !== 'openblas') {
    throw new EmmsError(
      'INVALID_OPTION',
      `EMMS_LINALG must be "js", "openblas" or "auto", got "${io.env.EMMS_LINALG}"`,
      { input: 'EMMS_LINALG' },
    );
  }
  let mod: OpenblasModule;
  try {
    // A variable specifier keeps the bundler from inlining the optional package.
    const specifier = openblasPackage;
    mod = (await import(specifier)) as OpenblasModule;
  } catch (e) {
    const reason = `${openblasPackage} could not be imported (${(e as Error).message.split('\n')[0]})`;
    if (wanted === 'openblas') {
      throw new EmmsError('BACKEND_UNAVAILABLE', `EMMS_LINALG=openblas but ${reason}; unset EMMS_LINALG`, {
        input: 'EMMS_LINALG',
        cause: e,
      });
    }
    io.stderr.write(`emms: ${reason}; using the portable backend\n`);
    return setBackend(jsBackend);
  }
  const choice = mod.autoSelectBackend(io.env);
  if (choice.notice) io.stderr.write(`${choice.notice}\n`);
  return setBackend(choice.backend);
}
