import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EmmsError } from '@emms/tensor-io';

/** The ESM entry of a package.json `exports` value for the "." subpath. */
function exportsEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (Array.isArray(exports)) {
    for (const e of exports) {
      const found = exportsEntry(e);
      if (found) return found;
    }
    return undefined;
  }
  if (exports === null || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return exportsEntry(map['.']);
  for (const condition of ['import', 'node', 'default']) {
    if (condition in map) {
      const found = exportsEntry(map[condition]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The file URL of the ESM entry of the package in folder `pkgDir` (which holds a package.json). */
function packageEntry(pkgDir: string): string {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    exports?: unknown;
    module?: string;
    main?: string;
  };
  const entry = exportsEntry(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
  return pathToFileURL(join(pkgDir, entry)).href;
}

/**
 * Finds package `name` in node_modules folders from `dir` upwards.
 *
 * @param name - a package name, e.g. "@emms/metric-pactran".
 * @param dir - the folder the search starts from.
 * @returns the file URL of the package's ESM entry, or undefined when it is not installed there.
 * @example
 * ```ts
 * const url = resolvePackageFrom('@emms/metric-pactran', process.cwd());
 * ```
 */
export function resolvePackageFrom(name: string, dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    const pkgDir = join(current, 'node_modules', name);
    if (existsSync(join(pkgDir, 'package.json'))) return packageEntry(pkgDir);
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function isPathLike(name: string): boolean {
  return name.startsWith('.') || isAbsolute(name);
}

/**
 * Imports a plugin module: a path (relative to `cwd`) of a module file or of a package folder,
 * else a package installed in node_modules from `cwd` upwards, else one this package can import.
 *
 * @param name - package name, folder or file.
 * @param cwd - where relative paths and the node_modules search start.
 * @returns the module namespace (pass it to `loadPlugin`).
 * @throws EmmsError PLUGIN_LOAD naming the plugin and why it did not load.
 * @example
 * ```ts
 * const mod = await importPluginModule('@emms/metric-pactran', process.cwd());
 * ```
 */
export async function importPluginModule(name: string, cwd: string): Promise<unknown> {
  try {
    if (isPathLike(name)) {
      const path = resolve(cwd, name);
      if (!existsSync(path)) throw new Error(`no file or folder at ${path}`);
      if (statSync(path).isFile()) return await import(pathToFileURL(path).href);
      if (!existsSync(join(path, 'package.json')))
        throw new Error(`${path} is a folder without a package.json`);
      return await import(packageEntry(path));
    }
    const fromCwd = resolvePackageFrom(name, cwd);
    if (fromCwd) return await import(fromCwd);
    return await import(name);
  } catch (e) {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `could not load metric plugin "${name}": ${(e as Error).message}. Install it where the program runs ` +
        `(npm install ${name}) or check the name in the "plugins" option or emms.config.json`,
      { input: name, cause: e },
    );
  }
}
