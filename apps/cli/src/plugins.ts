import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EmmsError } from '@emms/tensor-io';

/** The config file read from the working directory. */
export const configFileName = 'emms.config.json';

/** Plugin names listed in `emms.config.json` in `cwd` (none when the file is absent). */
export function configPlugins(cwd: string): string[] {
  const path = join(cwd, configFileName);
  if (!existsSync(path)) return [];
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new EmmsError(
      'INVALID_OPTION',
      `${path} is not valid JSON (${(e as Error).message}); fix or remove it`,
      {
        input: path,
      },
    );
  }
  const plugins = (config as { plugins?: unknown } | null)?.plugins;
  if (plugins === undefined) return [];
  if (!Array.isArray(plugins) || !plugins.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `${path}: "plugins" must be a list of package names, e.g. { "plugins": ["@emms/metric-pactran"] }`,
      { input: path },
    );
  }
  return plugins as string[];
}

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
 * Finds package `name` in node_modules folders from `dir` upwards and returns the file URL of its
 * ESM entry, or undefined when no such package is installed there.
 */
export function resolveFrom(name: string, dir: string): string | undefined {
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
 * Imports a plugin module: a path relative to `cwd` (a module file, or a package folder), else a
 * package found in node_modules from `cwd` upwards, else one found from the CLI's own location. Any failure is a PLUGIN_LOAD error naming the plugin.
 */
export async function importPlugin(name: string, cwd: string): Promise<unknown> {
  try {
    if (isPathLike(name)) {
      const path = resolve(cwd, name);
      if (!existsSync(path)) throw new Error(`no file or folder at ${path}`);
      if (statSync(path).isFile()) return await import(pathToFileURL(path).href);
      if (!existsSync(join(path, 'package.json')))
        throw new Error(`${path} is a folder without a package.json`);
      return await import(packageEntry(path));
    }
    const fromCwd = resolveFrom(name, cwd);
    if (fromCwd) return await import(fromCwd);
    return await import(name);
  } catch (e) {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `could not load metric plugin "${name}": ${(e as Error).message}. ` +
        `Install it where emms runs (npm install ${name}) or check the name in --plugin / ${configFileName}`,
      { input: name, cause: e },
    );
  }
}
