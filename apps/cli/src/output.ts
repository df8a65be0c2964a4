import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';

function unwritable(flag: string, path: string, why: string, cause?: unknown): EmmsError {
  return new EmmsError('FILE_UNWRITABLE', `${flag} ${path}: ${why}; give a writable folder`, {
    input: flag.replace(/^--/, ''),
    details: { path },
    cause,
  });
}

/** Pseudo file systems where writing can block or means something else than storing a file (/dev/shm excepted). */
const SPECIAL = ['/proc', '/sys', '/dev'];

/**
 * Makes sure `dir` is a folder this process can write into, before any work starts: it creates the
 * folder (and its parents) when missing and proves it writable with a probe file written to a
 * temporary name and renamed, the way the results will be written.
 *
 * @param dir - the folder given on the command line (relative to `cwd`).
 * @param cwd - the working directory.
 * @param flag - the flag that named it, for the message (e.g. "--out").
 * @returns the absolute folder path.
 * @throws EmmsError FILE_UNWRITABLE naming the path when it is an existing file, lies under a file,
 *   is on a pseudo file system (/proc, /sys, /dev), or cannot be created or written.
 * @example
 * ```ts
 * const out = prepareOutDir('features', process.cwd(), '--out');
 * ```
 */
export function prepareOutDir(dir: string, cwd: string, flag = '--out'): string {
  const path = resolve(cwd, dir);
  const shm = path === '/dev/shm' || path.startsWith('/dev/shm/');
  if (!shm && SPECIAL.some((s) => path === s || path.startsWith(`${s}/`))) {
    throw unwritable(flag, path, `is on the ${path.split('/')[1]} pseudo file system`);
  }
  // The nearest existing ancestor must be a folder (a file there means the path is "under a file").
  let existing = path;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(existing);
  } catch (e) {
    throw unwritable(flag, path, `cannot be inspected (${(e as Error).message})`, e);
  }
  if (!stat.isDirectory()) {
    const what = stat.isFile() ? 'a file' : 'not a folder';
    throw unwritable(flag, path, existing === path ? `is ${what}` : `is under ${existing}, which is ${what}`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
    mkdirSync(path, { recursive: true });
    const probe = join(path, `.emms-probe-${process.pid}.tmp`);
    writeFileSync(probe, '');
    renameSync(probe, `${probe}.done`);
    rmSync(`${probe}.done`, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw unwritable(flag, path, `is not writable (${code})`, e);
  }
  return path;
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
