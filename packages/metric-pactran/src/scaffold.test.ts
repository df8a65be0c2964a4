// The scaffold (tooling/new-package.mjs --metric) writes a working metric plugin: generated into a
// folder outside the workspace, its own test passes, it typechecks under the repository's strict
// settings, and the built CLI loads it with --plugin and scores with it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixturePath } from '@emms/testing';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const packageRoot = resolve(__dirname, '..');
const repo = resolve(packageRoot, '../..');
const modules = join(packageRoot, 'node_modules');
const work = mkdtempSync(join(tmpdir(), 'emms-scaffold-'));
// A copy of the repository's layout: packages/<name> beside the shared tooling and compiler settings.
const pkg = join(work, 'packages', 'metric-class-share');
symlinkSync(join(repo, 'tooling'), join(work, 'tooling'), 'dir');
symlinkSync(join(repo, 'tsconfig.base.json'), join(work, 'tsconfig.base.json'), 'file');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function node(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, EMMS_LINALG: 'js' },
    timeout: 120_000,
  });
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  return { status: r.status, out: `${r.stdout}${r.stderr}`.replace(ansi, '') };
}

describe('tooling/new-package.mjs --metric', () => {
  it('writes a plugin whose test passes, which typechecks and which the CLI loads and scores with', async () => {
    const made = node(
      [
        join(repo, 'tooling/new-package.mjs'),
        pkg,
        '@emms/metric-class-share',
        'A template score.',
        '--metric',
      ],
      work,
    );
    expect(made.out).toContain('metric plugin "class-share"');
    // "install" what the package declares: @emms/metric-spec, plus the test and type tools
    mkdirSync(join(pkg, 'node_modules', '@emms'), { recursive: true });
    mkdirSync(join(pkg, 'node_modules', '@types'), { recursive: true });
    symlinkSync(join(repo, 'packages/metric-spec'), join(pkg, 'node_modules/@emms/metric-spec'), 'dir');
    symlinkSync(join(modules, 'vitest'), join(pkg, 'node_modules/vitest'), 'dir');
    symlinkSync(join(modules, '@types/node'), join(pkg, 'node_modules/@types/node'), 'dir');

    const tested = node([join(modules, 'vitest/vitest.mjs'), 'run'], pkg);
    expect(tested.out).toMatch(/Tests\s+3 passed/);
    expect(tested.status).toBe(0);

    // the repository's compiler settings, from outside the repository
    writeFileSync(
      join(pkg, 'tsconfig.check.json'),
      JSON.stringify({
        extends: join(repo, 'tsconfig.base.json'),
        compilerOptions: { noEmit: true },
        include: ['src'],
      }),
    );
    const typed = node([join(modules, 'typescript/bin/tsc'), '-p', 'tsconfig.check.json'], pkg);
    expect(typed.out).toBe('');

    // built (ESM, @emms/metric-spec left external) and loaded by the CLI as a package folder
    await build({
      entryPoints: [join(pkg, 'src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      external: ['@emms/metric-spec'],
      outfile: join(pkg, 'dist/index.js'),
      logLevel: 'silent',
    });
    const plugin = await import(pathToFileURL(join(pkg, 'dist/index.js')).href);
    expect(plugin.default.metrics[0].id).toBe('class-share');
    const small = (file: string) => fixturePath('small', file);
    const bin = join(modules, 'emms/dist/bin.js');
    const listed = node([bin, 'metrics', 'class-share', '--plugin', pkg], work);
    expect(listed.out).toContain('standardise');
    const scored = node(
      [
        bin,
        'score',
        '--features',
        small('X.npy'),
        '--labels',
        small('y.npy'),
        '--metrics',
        'class-share,logme',
        '--plugin',
        pkg,
        '--format',
        'json',
      ],
      work,
    );
    expect(scored.status, scored.out).toBe(0);
    const share = JSON.parse(scored.out.slice(0, scored.out.lastIndexOf('}') + 1)).scores['class-share'];
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThanOrEqual(1);
  }, 300_000);
});
