import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fixturePath } from '@emms/testing';
import { afterAll, describe, expect, it } from 'vitest';
import reference from './testdata/reference-values.json';

// The built CLI (devDependency "emms") and this package's own build; turbo builds both before tests.
const packageRoot = resolve(__dirname, '..');
const bin = join(packageRoot, 'node_modules', 'emms', 'dist', 'bin.js');
const entry = join(packageRoot, 'dist', 'index.js');

// A folder outside the workspace where @emms/metric-pactran is "installed" (a symlink), as a user has it.
const work = mkdtempSync(join(tmpdir(), 'emms-pactran-'));
mkdirSync(join(work, 'node_modules', '@emms'), { recursive: true });
symlinkSync(packageRoot, join(work, 'node_modules', '@emms', 'metric-pactran'), 'dir');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function emms(args: string[], cwd = work) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, EMMS_LINALG: 'js' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = (file: string) => fixturePath('small', file);
const inputs = ['--features', small('X.npy'), '--labels', small('y.npy'), '--probs', small('P.npy')];

function close(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe('emms with --plugin @emms/metric-pactran', () => {
  it('has the built CLI and package (run: pnpm --filter @emms/metric-pactran... build && pnpm --filter emms build)', () => {
    expect(existsSync(bin)).toBe(true);
    expect(existsSync(entry)).toBe(true);
  });

  it('scores the three PACTran metrics next to a built-in one', () => {
    const r = emms([
      'score',
      '--plugin',
      '@emms/metric-pactran',
      ...inputs,
      '--metrics',
      'pactran-dirichlet,pactran-gamma,pactran-gauss,leep',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { scores: Record<string, number>; details: Record<string, unknown> };
    for (const id of ['pactran-dirichlet', 'pactran-gamma', 'pactran-gauss', 'leep']) {
      expect(Number.isFinite(out.scores[id])).toBe(true);
    }
    // Default Gauss stops at the reference's tolerance: within 2e-3 of the scipy optimum.
    close(out.scores['pactran-gauss'], reference.fixtures.small.gauss.lda1.values['100.0'], 2e-3);
  });

  it('passes options with --option and matches the independent numpy values', () => {
    const r = emms([
      'score',
      '--plugin',
      '@emms/metric-pactran',
      ...inputs,
      '--metrics',
      'pactran-dirichlet,pactran-gamma',
      '--option',
      'pactran-dirichlet.source=probs',
      '--option',
      'pactran-gamma.source=probs',
      '--format',
      'json',
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { scores: Record<string, number> };
    close(out.scores['pactran-dirichlet'], reference.fixtures.small.dirichletProbs, 1e-10);
    close(out.scores['pactran-gamma'], reference.fixtures.small.gammaProbs, 1e-10);
  });

  it('loads the plugin from emms.config.json and from a path', () => {
    const configured = mkdtempSync(join(work, 'config-'));
    writeFileSync(
      join(configured, 'emms.config.json'),
      JSON.stringify({ plugins: ['@emms/metric-pactran'] }),
    );
    const listed = emms(['metrics'], configured);
    expect(listed.status).toBe(0);
    for (const id of ['pactran-dirichlet', 'pactran-gamma', 'pactran-gauss'])
      expect(listed.stdout).toContain(id);

    const byPath = emms([
      'score',
      '--plugin',
      entry,
      ...inputs,
      '--metrics',
      'pactran-gamma',
      '--format',
      'json',
    ]);
    expect(byPath.status).toBe(0);
    expect(Number.isFinite(JSON.parse(byPath.stdout).scores['pactran-gamma'])).toBe(true);
  });

  it('reports a missing plugin and a missing input as typed errors', () => {
    const missing = emms(['score', '--plugin', '@emms/metric-nope', ...inputs, '--metrics', 'leep']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr + missing.stdout).toContain('PLUGIN_LOAD');

    const noProbs = emms([
      'score',
      '--plugin',
      '@emms/metric-pactran',
      '--features',
      small('X.npy'),
      '--labels',
      small('y.npy'),
      '--metrics',
      'pactran-gamma',
      '--option',
      'pactran-gamma.source=probs',
      '--format',
      'json',
    ]);
    expect(noProbs.status).toBe(1);
    expect(noProbs.stderr).toContain('MISSING_INPUT');
  });
});
