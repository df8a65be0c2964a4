// Where the shared reference fixtures live.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Root of the repository (this file is tooling/testing/src/reference.ts). */
export const repoRoot: string = resolve(here, '..', '..', '..');

/**
 * The shared reference folder (fixtures, ground truth, rank-correlation cases).
 * EMMS_REFERENCE_DIR overrides; otherwise ../shared/reference beside the checkout.
 */
export function referenceDir(): string {
  const fromEnv = process.env.EMMS_REFERENCE_DIR;
  if (fromEnv) return resolve(fromEnv);
  const candidate = resolve(repoRoot, '..', 'shared', 'reference');
  if (existsSync(candidate)) return candidate;
  throw new Error(
    `reference data not found at ${candidate}; set EMMS_REFERENCE_DIR to the shared/reference folder`,
  );
}

/** Names of the fixture folders under reference/fixtures. */
export const fixtureNames: readonly string[] = ['small', 'wide', 'captions'];

/** Path of a file inside a fixture folder. */
export function fixturePath(fixture: string, file: string): string {
  return join(referenceDir(), 'fixtures', fixture, file);
}
