// Proof that installing only the metrics package works: pack @emms/tensor-io, @emms/linalg and
// @emms/metrics as npm would publish them, install the tarballs into an empty folder outside the
// workspace, score a fixture from a ten-line script, and bundle the installed package for a browser.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { fixturePath, repoRoot } from '@emms/testing';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedOf, readNpy } from './testing/fixtures';

const packages = ['tensor-io', 'linalg', 'metric-spec', 'runtime', 'metrics'];
const work = mkdtempSync(join(tmpdir(), 'emms-pack-'));
const app = join(work, 'app');

/** Newest modification time under a folder (files only). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

beforeAll(() => {
  const env = {
    ...process.env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  for (const name of packages) {
    const dir = join(repoRoot, 'packages', name);
    const dist = join(dir, 'dist', 'index.js');
    if (name !== 'metrics') {
      if (!existsSync(dist))
        throw new Error(`build @emms/${name} first: pnpm --filter @emms/metrics... build`);
    } else if (!existsSync(dist) || statSync(dist).mtimeMs < newest(join(dir, 'src'))) {
      execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: 'pipe', env });
    }
    // pnpm pack rewrites workspace:* dependencies to the real versions
    execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: dir, stdio: 'pipe', env });
  }
  const tarballs = readdirSync(work)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(work, f));
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
    cwd: app,
    stdio: 'pipe',
    env,
  });
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('installing only the metrics package', () => {
  it('installs outside the workspace with no workspace links', () => {
    expect(resolve(app).startsWith(resolve(repoRoot))).toBe(false);
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/@emms/metrics/package.json'), 'utf8'));
    expect(JSON.stringify(installed.dependencies)).not.toContain('workspace:');
    expect(existsSync(join(app, 'node_modules/@emms/linalg/dist/index.js'))).toBe(true);
    // the CommonJS build loads too
    const cjs = execFileSync(
      'node',
      ['-e', "const m = require('@emms/metrics'); console.log(m.builtinMetrics.map((x) => x.id).join(','))"],
      { cwd: app, encoding: 'utf8' },
    );
    expect(cjs.trim().split(',')).toEqual(expect.arrayContaining(['emms', 'logme', 'leep', 'parc']));
  });

  it('scores the small fixture from a ten-line Node script', () => {
    const script = [
      "import { readFileSync } from 'node:fs';",
      "import { parseNpy, toLabels, toMatrix } from '@emms/tensor-io';",
      "import { scoreMetrics } from '@emms/metrics';",
      'const dir = process.argv[2];',
      "const load = (name) => parseNpy(new Uint8Array(readFileSync(dir + '/' + name + '.npy')), name);",
      "const features = toMatrix(load('X'), 'features');",
      "const labels = toLabels(load('y'), 'labels');",
      "const flabels = ['bert', 'clip', 'gpt2'].map((k) => toMatrix(load('Z_' + k), 'flabels'));",
      "const report = await scoreMetrics({ features, labels, flabels }, ['emms', 'logme', 'hscore']);",
      'console.log(JSON.stringify(report));',
    ];
    expect(script.length).toBe(10);
    writeFileSync(join(app, 'score.mjs'), script.join('\n'));
    const out = execFileSync('node', ['score.mjs', dirname(fixturePath('small', 'X.npy'))], {
      cwd: app,
      encoding: 'utf8',
    });
    const report = JSON.parse(out);
    const expected = expectedOf('small');
    expect(report.errors).toEqual({});
    for (const id of ['emms', 'logme', 'hscore']) {
      const e = expected[id];
      expect(Math.abs(report.scores[id] - e.value), id).toBeLessThanOrEqual(
        e.rtol * Math.abs(e.value) + e.atol,
      );
    }
  });

  it('bundles for a browser without Node built-ins and scores inside a context with no require/process', async () => {
    writeFileSync(join(app, 'entry.js'), "export * from '@emms/metrics';\n");
    const result = await build({
      entryPoints: [join(app, 'entry.js')],
      absWorkingDir: app,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'EmmsMetrics',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    // esbuild fails on node: imports for the browser platform; double-check the inputs anyway
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.startsWith('node:') || /^(fs|path|os|child_process)$/.test(p))).toBe(false);
    expect(inputs.some((p) => p.includes('@emms/metrics'))).toBe(true);
    const code = result.outputFiles[0].text;

    const x = readNpy(fixturePath('small', 'X.npy'));
    const y = readNpy(fixturePath('small', 'y.npy'));
    const sandbox: Record<string, unknown> = {
      performance: { now: () => 0 },
      xData: Array.from(x.data),
      yData: Array.from(y.data),
      shape: x.shape,
    };
    runInNewContext(
      `${code}
      ;globalThis.hasNode = typeof require !== 'undefined' || typeof process !== 'undefined';
      globalThis.done = EmmsMetrics.scoreMetrics(
        { features: { rows: shape[0], cols: shape[1], data: Float64Array.from(xData) }, labels: Int32Array.from(yData) },
        ['hscore', 'emms'],
      );`,
      sandbox,
    );
    expect(sandbox.hasNode).toBe(false);
    const report = (await sandbox.done) as {
      scores: Record<string, number>;
      errors: Record<string, unknown>;
    };
    expect(report.errors).toEqual({});
    const expected = expectedOf('small');
    const h = expected.hscore;
    expect(Math.abs(report.scores.hscore - h.value)).toBeLessThanOrEqual(h.rtol * Math.abs(h.value) + h.atol);
    const e = expected.emms_onehot;
    expect(Math.abs(report.scores.emms - e.value)).toBeLessThanOrEqual(e.rtol * Math.abs(e.value) + e.atol);
  });
});
