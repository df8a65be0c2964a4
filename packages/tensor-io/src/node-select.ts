// `file.npz:name` and `labels.csv:column`: splitting a path from the part that picks one array or column.
import { stat } from 'node:fs/promises';
import { EmmsError } from './errors';

/** A file path with an optional selector: `file.npz:name` or `labels.csv:column`. */
export interface FileSelection {
  /** The file to read. */
  readonly path: string;
  /** The part after the ':' (an array name, a CSV column), when there was one. */
  readonly selector?: string;
}

/** True when `path` exists and is not a folder (a pipe or device counts, so its reader can refuse it by name). */
async function isFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Splits `file.npz:name` into the file and the selector. A suffix counts only when the part
 * before its ':' is an existing file (or pipe, socket, device: refused later by the readers, by
 * name) and the whole string is not: so a file whose own name holds
 * ':' is read as it is, array names may hold ':' (`a.npz:block:0` picks 'block:0' when a.npz
 * exists), and a Windows drive (`C:\data\x.npz`) is never taken for a selector.
 *
 * @param spec a path, possibly followed by ':' and a selector.
 * @returns the path to read and the selector, if any. Nothing is read but file metadata.
 * @example
 * ```ts
 * await splitFileSelector('features.npz:layer4'); // { path: 'features.npz', selector: 'layer4' }
 * await splitFileSelector('C:\\data\\x.npz');      // { path: 'C:\\data\\x.npz' }
 * ```
 */
export async function splitFileSelector(spec: string): Promise<FileSelection> {
  if (!spec.includes(':') || (await isFile(spec))) return { path: spec };
  for (let i = spec.lastIndexOf(':'); i > 0; i = spec.lastIndexOf(':', i - 1)) {
    const path = spec.slice(0, i);
    const selector = spec.slice(i + 1);
    if (selector === '') continue;
    // 'C:\x' or 'C:/x': a drive letter, not a file called 'C'.
    if (i === 1 && /^[A-Za-z]$/.test(path) && /^[\\/]/.test(selector)) continue;
    if (await isFile(path)) return { path, selector };
  }
  return { path: spec };
}

/**
 * {@link splitFileSelector}, and FILE_NOT_FOUND naming the whole `spec` when it holds a ':' but
 * neither it nor any part before a ':' exists (rather than a confusing extension complaint).
 */
export async function selectFile(spec: string): Promise<FileSelection> {
  const sel = await splitFileSelector(spec);
  if (sel.selector === undefined && spec.includes(':')) {
    try {
      await stat(spec);
    } catch (e) {
      const at = spec.lastIndexOf(':');
      throw new EmmsError(
        'FILE_NOT_FOUND',
        `${spec}: file not found, and '${spec.slice(0, at)}' is not a file to pick '${spec.slice(at + 1)}' from (path:name). Check the path.`,
        { input: spec, cause: e },
      );
    }
  }
  return sel;
}

/** The selector of `spec` merged with an explicit option; INVALID_OPTION when they disagree. */
export function mergeSelector(
  spec: string,
  sel: FileSelection,
  option: string | number | undefined,
  optionName: string,
): string | number | undefined {
  if (sel.selector === undefined) return option;
  if (option !== undefined && String(option) !== sel.selector) {
    throw new EmmsError(
      'INVALID_OPTION',
      `${spec}: names '${sel.selector}' after ':' but the ${optionName} option says '${option}'; give one of them.`,
      { input: optionName, details: { selector: sel.selector, [optionName]: option } },
    );
  }
  return sel.selector;
}
