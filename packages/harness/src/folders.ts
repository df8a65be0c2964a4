// Checking a folder the run will write into, once, before any work starts.
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';

/** Options of {@link ensureFolder}. */
export interface EnsureFolderOptions {
  /** How the caller's interface names the folder, for the message (e.g. "out", "cache", "--out"). */
  readonly name: string;
  /** The error's `input` (default: `name` without leading dashes). */
  readonly input?: string;
  /** The error code (default `FILE_UNWRITABLE`). */
  readonly code?: string;
}

/** Pseudo file systems where writing blocks or means something else than storing a file (/dev/shm excepted). */
const SPECIAL = ['/proc', '/sys', '/dev'];

/**
 * Makes sure `dir` is a folder this process can write into, before any work starts: it refuses pseudo file
 * systems (/proc, /sys, /dev: Node's recursive mkdir loops there), existing files and paths under a file,
 * creates the folder (and its parents) when missing and proves it writable with a probe file written to a
 * temporary name and renamed, the way results are written. Nothing is retried.
 *
 * @param dir - the folder (absolute, or relative to the working directory).
 * @param opts - {@link EnsureFolderOptions}: the name used in the message, the input and the code.
 * @returns the absolute folder path.
 * @throws EmmsError (`FILE_UNWRITABLE` unless `opts.code`) naming the folder, why, and the fix.
 * @example
 * ```ts
 * const out = ensureFolder('emms-bench', { name: 'out' });
 * ```
 */
export function ensureFolder(dir: string, opts: EnsureFolderOptions): string {
  const path = resolve(dir);
  const fail = (why: string, cause?: unknown) =>
    new EmmsError(opts.code ?? 'FILE_UNWRITABLE', `${opts.name} ${path}: ${why}; give a writable folder`, {
      input: opts.input ?? opts.name.replace(/^--/, ''),
      details: { path },
      cause,
    });
  const shm = path === '/dev/shm' || path.startsWith('/dev/shm/');
  if (!shm && SPECIAL.some((s) => path === s || path.startsWith(`${s}/`))) {
    throw fail(`is on the ${path.split('/')[1]} pseudo file system`);
  }
  // The nearest existing ancestor must be a folder (a file there means the path is "under a file").
  let existing = path;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  let stat: Stats;
  try {
    stat = statSync(existing);
  } catch (e) {
    throw fail(`cannot be inspected (${(e as Error).message})`, e);
  }
  if (!stat.isDirectory()) {
    const what = stat.isFile() ? 'a file' : 'not a folder';
    throw fail(existing === path ? `is ${what}` : `is under ${existing}, which is ${what}`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
    mkdirSync(path, { recursive: true });
    const probe = join(path, `.emms-probe-${process.pid}.tmp`);
    writeFileSync(probe, '');
    renameSync(probe, `${probe}.done`);
    rmSync(`${probe}.done`, { force: true });
  } catch (e) {
    throw fail(`is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`, e);
  }
  return path;
}

/**
 * Checks that a folder the run reads from exists and is a folder.
 *
 * @param dir - The folder (resolved against the working folder).
 * @param what - How the message names it, e.g. "task mnist: features folder".
 * @returns the absolute path.
 * @throws EmmsError FILE_NOT_FOUND when nothing is there, NOT_A_FOLDER when it is a file.
 * @example
 * ```ts
 * const root = requireFolder('features', 'features folder');
 * ```
 */
export function requireFolder(dir: string, what: string): string {
  const root = resolve(dir);
  if (!existsSync(root)) {
    throw new EmmsError('FILE_NOT_FOUND', `${what} ${root} does not exist`, { input: root });
  }
  if (!statSync(root).isDirectory()) {
    throw new EmmsError(
      'NOT_A_FOLDER',
      `${what} ${root} is a file, not a folder; give the folder that holds <model>.npy files (and labels.npy)`,
      { input: root },
    );
  }
  return root;
}
