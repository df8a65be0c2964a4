import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensureFolder } from '@emms/harness';
import { EmmsError } from '@emms/tensor-io';

function unwritable(flag: string, path: string, why: string, cause?: unknown): EmmsError {
  return new EmmsError('FILE_UNWRITABLE', `${flag} ${path}: ${why}; give a writable folder`, {
    input: flag.replace(/^--/, ''),
    details: { path },
    cause,
  });
}

/**
 * Makes sure `dir` is a folder this process can write into, before any work starts (see `ensureFolder` of
 * @emms/harness: pseudo file systems, files and paths under a file are refused; the folder is created
 * and proven writable).
 *
 * @param dir - the folder given on the command line (relative to `cwd`).
 * @param cwd - the working directory.
 * @param flag - the flag that named it, for the message (e.g. "--out").
 * @returns the absolute folder path.
 * @throws EmmsError FILE_UNWRITABLE naming the path.
 * @example
 * ```ts
 * const out = prepareOutDir('features', process.cwd(), '--out');
 * ```
 */
export function prepareOutDir(dir: string, cwd: string, flag = '--out'): string {
  return ensureFolder(resolve(cwd, dir), { name: flag });
}

/**
 * Writes a file whole or not at all: the text goes to a temporary file in the same folder, then is
 * renamed over `path`.
 *
 * @param path - the destination file.
 * @param text - the contents.
 * @throws EmmsError FILE_UNWRITABLE naming the path when it cannot be written.
 * @example
 * ```ts
 * writeFileAtomic('report.json', JSON.stringify(report));
 * ```
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw unwritable(
      'output',
      path,
      `cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      e,
    );
  }
}
