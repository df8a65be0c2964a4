import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(__dirname, '..', 'dist', 'bin.js');
const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

describe('the built emms binary', () => {
  it('exists (run the build first: pnpm --filter emms build)', () => {
    expect(existsSync(bin)).toBe(true);
  });

  it('runs as a process: --version exits 0, bad usage 2, bad input 1 with JSON on stdout', () => {
    const env = { ...process.env, EMMS_LINALG: 'js' };
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', env });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);

    const usage = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8', env });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('emms --help');

    const missing = spawnSync(process.execPath, [bin, 'inspect', 'no-such.npy', '--format', 'json'], {
      encoding: 'utf8',
      env,
    });
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('FILE_NOT_FOUND');
  });
});
