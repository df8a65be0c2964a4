import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BACKEND_CHOICES, type BackendChoice } from '@emms/runtime';
import { EmmsError } from '@emms/tensor-io';
import { z } from 'zod';

/** The config file looked for in a folder (by default the working directory). */
export const configFileName = 'emms.config.json';

/** The backends a scorer can be asked for by name. */
export const backendChoices = ['auto', 'js', 'openblas'] as const;

/** A backend asked for by name: `auto` (OpenBLAS when it loads, else portable), `js` or `openblas`. */
export type BackendChoiceName = (typeof backendChoices)[number];

/**
 * The schema of `emms.config.json`: every key optional, unknown keys rejected (a typo should not
 * be silently ignored).
 */
export const emmsConfigSchema = z
  .object({
    $schema: z.string().optional().describe('An editor hint; ignored.'),
    plugins: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Metric plugins: package names, or paths (relative to the config file) of a module or folder.',
      ),
    backend: z.enum(backendChoices).optional().describe('Linear-algebra backend (default auto).'),
    options: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .optional()
      .describe('Default per-metric options, e.g. { "nleep": { "seed": 3 } }.'),
    relabel: z.boolean().optional().describe('Relabel sparse class ids by default.'),
  })
  .strict();

/** The contents of `emms.config.json` (see {@link emmsConfigSchema}). */
export type EmmsConfig = z.infer<typeof emmsConfigSchema>;

/** A config read from disk: its contents and the folder relative plugin paths are resolved from. */
export interface LoadedConfig {
  readonly config: EmmsConfig;
  /** The file read, or undefined when none was found (or the config was given as an object). */
  readonly path?: string;
  /** The folder relative plugin paths start from. */
  readonly dir: string;
}

/**
 * Reads an `emms.config.json`. `location` is the file itself (which must exist) or a folder, in
 * which the file is optional (absent: an empty config).
 *
 * @param location - path of the config file, or of a folder that may hold one.
 * @returns the validated config, the file read and the folder plugin paths are relative to.
 * @throws EmmsError FILE_NOT_FOUND when a file path was given and does not exist; INVALID_OPTION
 *   when the file is not JSON or does not match {@link emmsConfigSchema} (the message names the key).
 * @example
 * ```ts
 * const { config } = readEmmsConfig(process.cwd());
 * console.log(config.plugins ?? []);
 * ```
 */
export function readEmmsConfig(location: string): LoadedConfig {
  const target = resolve(location);
  const isDir = existsSync(target) && statSync(target).isDirectory();
  const path = isDir ? join(target, configFileName) : target;
  const dir = dirname(path);
  if (!existsSync(path)) {
    if (isDir) return { config: {}, dir };
    throw new EmmsError('FILE_NOT_FOUND', `config: no file at ${path}`, { input: 'config' });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new EmmsError(
      'INVALID_OPTION',
      `${path} is not valid JSON (${(e as Error).message}); fix or remove it`,
      {
        input: 'config',
        cause: e,
      },
    );
  }
  return { config: parseEmmsConfig(raw, path), path, dir };
}

/**
 * Checks a config object against {@link emmsConfigSchema}.
 *
 * @param raw - the parsed JSON (or an object a program built).
 * @param source - names the config in messages (a path, or "config").
 * @returns the config, typed.
 * @throws EmmsError INVALID_OPTION naming the first bad key and what it must be.
 * @example
 * ```ts
 * parseEmmsConfig({ plugins: ['@emms/metric-pactran'] }, 'config');
 * ```
 */
export function parseEmmsConfig(raw: unknown, source = 'config'): EmmsConfig {
  const parsed = emmsConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue.path.length ? issue.path.join('.') : '(top level)';
  throw new EmmsError(
    'INVALID_OPTION',
    `${source}: "${key}": ${issue.message}; expected e.g. { "plugins": ["@emms/metric-pactran"], "backend": "auto" }`,
    { input: 'config', details: { key, issues: parsed.error.issues.map((i) => i.message) } },
  );
}
