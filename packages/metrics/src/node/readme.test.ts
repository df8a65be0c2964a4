// The README's library example, run exactly as written: the code block after the
// "readme-example: front-door" marker is saved as a module inside this package (so that
// '@emms/metrics/node' resolves to the built package, as it does for a user) and run with node from
// the repository root; what it prints must be the published values of the small fixture.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openblasStatus } from '@emms/linalg-openblas';
import { repoRoot } from '@emms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedOf, within } from '../testing/fixtures';

const pkgDir = join(repoRoot, 'packages', 'metrics');
const script = join(pkgDir, `.readme-example-${process.pid}.mjs`);

/** The code of the fenced block following `marker` in the README. */
function readmeBlock(marker: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}" marker`);
  const block = /```(?:js|ts|javascript)\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`no code block after "${marker}"`);
  return block[1];
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

beforeAll(() => {
  const dist = join(pkgDir, 'dist', 'node', 'index.js');
  if (!existsSync(dist) || statSync(dist).mtimeMs < newest(join(pkgDir, 'src'))) {
    execFileSync('pnpm', ['run', 'build'], { cwd: pkgDir, stdio: 'pipe' });
  }
  writeFileSync(script, readmeBlock('readme-example: front-door'));
}, 180_000);

afterAll(() => rmSync(script, { force: true }));

describe('README library example', () => {
  it.each(['js', 'auto'])('prints the published EMMS and LogME values (EMMS_LINALG=%s)', (backend) => {
    const out = execFileSync(process.execPath, [script], {
      cwd: repoRoot,
      env: { ...process.env, EMMS_LINALG: backend },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const printed = JSON.parse(out.trim().split('\n').pop() as string);
    const expected = expectedOf('small');
    expect(printed.errors).toEqual({});
    expect(Object.keys(printed.scores).sort()).toEqual(['emms', 'logme']);
    expect(within(printed.scores.emms, expected.emms)).toBe(true);
    expect(within(printed.scores.logme, expected.logme)).toBe(true);
    // auto: OpenBLAS exactly when the native library loads on this machine.
    const native = openblasStatus().loaded ? 'openblas' : 'js';
    expect(printed.backend).toBe(backend === 'js' ? 'js' : native);
  });
});
