import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpyFile, writeArraysFile } from '@emms/tensor-io/node';
import { fixturePath, referenceDir } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { run } from './test-helpers';

const data = join(__dirname, 'test-data');
const X = fixturePath('small', 'X.npy');
const y = fixturePath('small', 'y.npy');
const plugin = join(data, 'constant-plugin.mjs');
const JSON_OUT = ['--format', 'json'];

/** `emms score --features X <args>` on the small fixture. */
function score(args: string[], io?: Parameters<typeof run>[1]) {
  return run(['score', '--features', X, ...args], io);
}

/** `emms score --features X --plugin <plugin> --metrics <metrics> <args>`. */
function withPlugin(metrics: string, args: string[] = [], io?: Parameters<typeof run>[1]) {
  return score(['--plugin', plugin, '--metrics', metrics, ...args], io);
}

describe('emms score', () => {
  it('prints exactly one JSON object with scores, seconds, details, inputs, backend and errors', async () => {
    const r = await withPlugin('rowcount', JSON_OUT);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual([
      'backend',
      'details',
      'errors',
      'inputs',
      'preset',
      'reduce',
      'scores',
      'seconds',
    ]);
    expect(out.scores).toEqual({ rowcount: 300 });
    expect(out.details).toEqual({ rowcount: { cols: 64 } });
    expect(out.inputs).toEqual({ features: [300, 64] });
    expect(out.backend).toBe('js');
    expect(out.errors).toEqual({});
    expect(out.seconds.rowcount).toBeGreaterThanOrEqual(0);
  });

  it('passes --option values typed by the metric spec', async () => {
    const r = await withPlugin('rowcount', ['--option', 'rowcount.scale=0.5', ...JSON_OUT]);
    expect(JSON.parse(r.stdout).scores.rowcount).toBe(150);
    const bad = await withPlugin('rowcount', ['--option', 'rowcount.scale=lots', ...JSON_OUT]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error.code).toBe('INVALID_OPTION');
    const unknown = await withPlugin('rowcount', ['--option', 'rowcount.nope=1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has no option "nope"');
    const shape = await withPlugin('rowcount', ['--option', 'scale']);
    expect(shape.code).toBe(2);
  });

  it('reports a metric with a missing input as an error naming it, still printing the others, exit 1', async () => {
    const r = await withPlugin('leep,rowcount', ['--labels', y, ...JSON_OUT]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.scores.rowcount).toBe(300);
    expect(out.scores.leep).toBeUndefined();
    expect(out.errors.leep.code).toBe('MISSING_INPUT');
    expect(out.errors.leep.message).toMatch(/probs/);
    expect(r.stderr).toContain('leep failed');
  });

  it('prints a table with the backend and input shapes, and CSV', async () => {
    const t = await withPlugin('rowcount', ['--labels', y]);
    expect(t.code).toBe(0);
    const lines = t.stdout.split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['metric', 'score', 'seconds']);
    expect(lines[1].split(/\s+/).slice(0, 2)).toEqual(['rowcount', '300']);
    expect(t.stdout).toContain('backend: js; preset: published; inputs: features 300×64; labels 300');
    const c = await withPlugin('rowcount', ['--format', 'csv']);
    expect(c.stdout.split('\n')[0]).toBe('metric,score,seconds,error,backend,warning');
    expect(c.stdout.split('\n')[1]).toMatch(/^rowcount,300,[0-9.e-]+,,js,$/);
  });

  it('with --all scores every metric whose inputs are given and names the skipped ones', async () => {
    const r = await score(['--plugin', plugin, '--all', ...JSON_OUT]);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).scores)).toContain('rowcount');
    expect(r.stderr).toMatch(/skipping leep: needs .*--labels.*--probs|skipping leep: needs .*--probs/);
  });

  it('fails with exit 1 on an unknown metric, naming the known ones', async () => {
    const r = await score(['--metrics', 'nosuch', ...JSON_OUT]);
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout);
    expect(error.code).toBe('UNKNOWN_METRIC');
    expect(error.message).toContain('leep');
  });

  it('fails with a typed error when an input file is missing', async () => {
    const absent = join(data, 'absent.npy');
    const r = await run([
      'score',
      '--features',
      absent,
      '--plugin',
      plugin,
      '--metrics',
      'rowcount',
      ...JSON_OUT,
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('fails with PLUGIN_LOAD naming a plugin that cannot be loaded', async () => {
    for (const name of [join(data, 'broken-plugin.mjs'), '@emms/no-such-plugin']) {
      const r = await score(['--plugin', name, '--metrics', 'leep', ...JSON_OUT]);
      expect(r.code).toBe(1);
      const { error } = JSON.parse(r.stdout);
      expect(error.code).toBe('PLUGIN_LOAD');
      expect(error.input).toBe(name);
      expect(error.message).toContain(name);
    }
  });

  it('loads plugins listed in emms.config.json, resolving package names from the cwd', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'emms-cli-'));
    const pkgDir = join(cwd, 'node_modules', 'my-metric');
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({ name: 'my-metric', type: 'module', exports: { '.': { import: './index.mjs' } } }),
    );
    writeFileSync(
      join(pkgDir, 'index.mjs'),
      `export * from ${JSON.stringify(plugin)};\nexport { default } from ${JSON.stringify(plugin)};\n`,
    );
    writeFileSync(join(cwd, 'emms.config.json'), JSON.stringify({ plugins: ['my-metric'] }));
    const r = await score(['--metrics', 'rowcount', ...JSON_OUT], { cwd });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).scores.rowcount).toBe(300);
    // A plugin given as a package folder (absolute here; ./relative paths resolve from the cwd).
    const folder = await run(['metrics', '--plugin', pkgDir, '--format', 'json'], { cwd: tmpdir() });
    expect(JSON.parse(folder.stdout).metrics.map((m: { id: string }) => m.id)).toContain('rowcount');
    const list = await run(['metrics', '--format', 'json'], { cwd });
    const ids = JSON.parse(list.stdout).metrics.map(
      (m: { id: string; source: string }) => `${m.id}:${m.source}`,
    );
    expect(ids).toContain('rowcount:my-metric');
    writeFileSync(join(cwd, 'emms.config.json'), '{ "plugins": "my-metric" }');
    const bad = await run(['metrics'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('emms.config.json');
  });

  it('reports an unexpected exception with exit 1, its message and a hint to report a bug', async () => {
    const crash = join(data, 'throwing-plugin.mjs');
    const r = await score(['--plugin', crash, '--metrics', 'crash', ...JSON_OUT]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unexpected error: something internal went wrong');
    expect(r.stderr).toContain('This is a bug in emms');
    const debug = await score(['--plugin', crash, '--metrics', 'crash'], {
      env: { EMMS_LINALG: 'js', EMMS_DEBUG: '1' },
    });
    expect(debug.stderr).toContain('TypeError: something internal went wrong');
  });

  it('accepts every tensor-io format per input (.npz/.safetensors features, .txt/.json/.csv labels)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-formats-'));
    const { tensor: features } = await readNpyFile(X);
    const { tensor: labels } = await readNpyFile(y);
    await writeArraysFile(join(dir, 'X.npz'), { features }, { compress: true });
    await writeArraysFile(join(dir, 'X.safetensors'), { features });
    const ys = Array.from(labels.data as BigInt64Array, Number);
    writeFileSync(join(dir, 'y.txt'), ys.join('\n') + '\n');
    writeFileSync(join(dir, 'y.json'), JSON.stringify(ys));
    writeFileSync(join(dir, 'y.csv'), 'label\n' + ys.join('\n') + '\n');
    // LogME on the small fixture, as published (expected.json), whatever the file formats.
    const expected = JSON.parse(
      readFileSync(join(referenceDir(), 'fixtures', 'small', 'expected.json'), 'utf8'),
    ).metrics.logme as { value: number; rtol: number; atol: number };
    for (const [f, l] of [
      ['X.npz', 'y.txt'],
      ['X.safetensors', 'y.json'],
      ['X.npz', 'y.csv'],
    ]) {
      const r = await run(
        ['score', '--features', f, '--labels', l, '--metrics', 'logme', '--format', 'json'],
        {
          cwd: dir,
        },
      );
      expect(r.stderr, `${f} ${l}`).toBe('');
      const ours = JSON.parse(r.stdout).scores.logme;
      expect(Math.abs(ours - expected.value)).toBeLessThanOrEqual(
        expected.rtol * Math.abs(expected.value) + expected.atol,
      );
    }
  });

  it('honours EMMS_LINALG and rejects unknown values', async () => {
    const bad = await withPlugin('rowcount', [], { env: { EMMS_LINALG: 'cuda' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('EMMS_LINALG');
  });

  it('picks OpenBLAS when it loads and EMMS_LINALG is unset, else says so on stderr and uses js', async () => {
    const r = await withPlugin('rowcount', JSON_OUT, { env: { EMMS_LINALG: undefined } });
    expect(r.code).toBe(0);
    const { backend } = JSON.parse(r.stdout);
    expect(['openblas', 'js']).toContain(backend);
    if (backend === 'js') expect(r.stderr).toMatch(/OpenBLAS/);
    else expect(r.stderr).toBe('');
    const forced = await withPlugin('rowcount', JSON_OUT, { env: { EMMS_LINALG: 'openblas' } });
    if (backend === 'openblas') expect(JSON.parse(forced.stdout).backend).toBe('openblas');
    else expect(JSON.parse(forced.stdout).error.code).toBe('BACKEND_UNAVAILABLE');
  });
});

describe('emms metrics', () => {
  it('lists every built-in score with its inputs and description', async () => {
    const r = await run(['metrics', '--format', 'json']);
    expect(r.code).toBe(0);
    const { metrics } = JSON.parse(r.stdout) as {
      metrics: { id: string; inputs: { required: string[] }; description: string }[];
    };
    const ids = metrics.map((m) => m.id);
    for (const id of ['emms', 'logme', 'leep', 'nce', 'nleep', 'sfda', 'transrate', 'hscore', 'gbc', 'parc'])
      expect(ids).toContain(id);
    const leep = metrics.find((m) => m.id === 'leep')!;
    expect(leep.inputs.required).toEqual(expect.arrayContaining(['probs', 'labels']));
    for (const m of metrics) expect(m.description.length).toBeGreaterThan(0);
    const t = await run(['metrics']);
    expect(t.stdout.split('\n')[0].split(/\s+/)).toEqual([
      'metric',
      'inputs',
      'better',
      'source',
      'description',
    ]);
    const nleep = await run(['metrics', 'nleep', '--format', 'json']);
    expect(JSON.parse(nleep.stdout).options.map((o: { name: string }) => o.name)).toContain('seed');
    const unknown = await run(['metrics', 'nosuch']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown metric "nosuch"');
  });
});
