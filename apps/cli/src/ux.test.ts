// Issue 9, "The CLI's part": each item as a new user meets it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { extractStem } from './commands/extract';
import { commands } from './commands/index';
import { errorSuffix, flagFor, flagOf } from './flags';
import { prepareOutDir, writeFileAtomic } from './output';
import { run } from './test-helpers';

const X = fixturePath('small', 'X.npy');
const y = fixturePath('small', 'y.npy');
const data = join(__dirname, 'test-data');
const JSON_OUT = ['--format', 'json'];

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

describe('--out', () => {
  const embed = (out: string) =>
    run([
      'embed-labels',
      '--task',
      'classification',
      '--classes',
      'c.txt',
      '--labels',
      'y.txt',
      '--out',
      out,
      ...JSON_OUT,
    ]);

  it('an existing file, a path under a file, or /proc is FILE_UNWRITABLE naming the path (exit 1)', async () => {
    const dir = tmp('emms-out-');
    const file = join(dir, 'taken');
    writeFileSync(file, 'x');
    for (const [out, why] of [
      [file, 'is a file'],
      [join(file, 'sub', 'dir'), `is under ${file}`],
      ['/proc/emms-out', 'pseudo file system'],
    ]) {
      const r = await embed(out);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain('unexpected error');
      const err = JSON.parse(r.stdout).error;
      expect(err.code).toBe('FILE_UNWRITABLE');
      expect(err.message).toContain(out);
      expect(err.message).toContain(why);
      expect(err.flag).toBe('--out');
    }
    const e = await run([
      'extract',
      '--dataset',
      'mnist',
      '--model',
      'ppocr-cls',
      '--out',
      file,
      ...JSON_OUT,
    ]);
    expect(e.code).toBe(1);
    expect(JSON.parse(e.stdout).error.code).toBe('FILE_UNWRITABLE');
  });

  it('a missing folder is created (with its parents) and left without probe files', () => {
    const dir = tmp('emms-out-');
    const made = prepareOutDir('a/b', dir);
    expect(made).toBe(join(dir, 'a', 'b'));
    expect(existsSync(made)).toBe(true);
    expect(readdirSync(made)).toEqual([]);
  });

  it('writeFileAtomic replaces a file whole and leaves no temporary file; a missing folder is FILE_UNWRITABLE', () => {
    const dir = tmp('emms-atomic-');
    const path = join(dir, 'report.json');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, 'second');
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(() => writeFileAtomic(join(dir, 'missing', 'x.json'), 'x')).toThrow(
      /missing\/x\.json: cannot be written/,
    );
  });

  it('a FIFO is refused without opening it (no hang)', () => {
    const dir = tmp('emms-out-');
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(() => prepareOutDir(fifo, dir)).toThrow(/pipe: is not a folder/);
  });

  // Root writes anywhere, so the permission check can only be observed as another user.
  it.skipIf(process.getuid?.() === 0)('a folder without write permission is FILE_UNWRITABLE', () => {
    const dir = tmp('emms-out-');
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    expect(() => prepareOutDir(join(locked, 'x'), dir)).toThrow(/not writable/);
  });
});

describe('--relabel', () => {
  it('is documented in `emms score --help`', async () => {
    const r = await run(['score', '--help']);
    expect(r.stdout).toMatch(/--relabel\s+Labels with unused class ids/);
    expect(r.stdout).toContain('X.npz:NAME');
    expect(r.stdout).toContain('labels.csv:COLUMN');
  });

  it('renumbers sparse class ids: the score equals the one on the dense labels', async () => {
    const dir = tmp('emms-relabel-');
    const dense = await run(['score', '--features', X, '--labels', y, '--metrics', 'logme', ...JSON_OUT]);
    expect(dense.code).toBe(0);
    // The same classes with ids 0, 2, 4, ...: classes 1, 3, ... have no sample.
    const { readLabelsFile } = await import('@emms/tensor-io/node');
    const labels = (await readLabelsFile(y)).labels;
    writeFileSync(join(dir, 'sparse.txt'), `${Array.from(labels, (l) => l * 2).join('\n')}\n`);
    const args = [
      'score',
      '--features',
      X,
      '--labels',
      join(dir, 'sparse.txt'),
      '--metrics',
      'logme',
      ...JSON_OUT,
    ];
    const strict = await run(args);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).errors.logme.code).toBe('MISSING_CLASSES');
    const relabelled = await run([...args, '--relabel']);
    expect(relabelled.code).toBe(0);
    expect(JSON.parse(relabelled.stdout).scores.logme).toBe(JSON.parse(dense.stdout).scores.logme);
  });

  it('is not a per-metric option', async () => {
    const r = await run([
      'score',
      '--features',
      X,
      '--labels',
      y,
      '--metrics',
      'logme',
      '--option',
      'logme.relabel=true',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--relabel flag');
  });

  it('boolean --option values other than true/false are bad usage (exit 2)', async () => {
    const dir = tmp('emms-bool-');
    const plugin = join(dir, 'flag-plugin.mjs');
    writeFileSync(
      plugin,
      `export default { specificationVersion: 'v1', name: 'flag', metrics: [{ specificationVersion: 'v1',
        id: 'flagged', description: 'test', higherIsBetter: true, inputs: { required: ['features'] },
        options: [{ name: 'double', type: 'boolean', default: false, description: 'Twice the count.' }],
        compute(i, o) { return { value: i.features.rows * (o.double ? 2 : 1) }; } }] };\n`,
    );
    const base = ['score', '--features', X, '--plugin', plugin, '--metrics', 'flagged', ...JSON_OUT];
    for (const bad of ['banana', '1', 'yes', '']) {
      const r = await run([...base, '--option', `flagged.double=${bad}`]);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'USAGE' });
      expect(r.stderr).toContain('write true or false');
    }
    const plain = await run([...base, '--option', 'flagged.double=false']);
    const ok = await run([...base, '--option', 'flagged.double=true']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).scores.flagged).toBe(2 * JSON.parse(plain.stdout).scores.flagged);
  });
});

describe('repeated flags and usage errors', () => {
  it('a single-valued flag given twice is exit 2, not "the last one wins"', async () => {
    const r = await run(['score', '--features', X, '--features', y, '--metrics', 'logme']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--features was given 2 times');
    const multi = await run([
      'score',
      '--features',
      X,
      '--labels',
      y,
      '--metrics',
      'logme',
      '--option',
      'x=1',
      '--option',
      'y=2',
    ]);
    expect(multi.stderr).not.toContain('given 2 times'); // --option is repeatable
  });

  it('usage errors print a JSON error object on stdout under --format json', async () => {
    const r = await run(['score', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'USAGE', message: 'missing required option --features FILE', help: 'emms score --help' },
    });
    const eq = await run(['score', '--format=json', '--bogus']);
    expect(eq.code).toBe(2);
    expect(JSON.parse(eq.stdout).error.code).toBe('USAGE');
    const table = await run(['score']);
    expect(table.stdout).toBe('');
    const typo = await run(['scroe', '--format', 'json']);
    expect(typo.code).toBe(2);
    expect(JSON.parse(typo.stdout).error.message).toContain('did you mean "score"');
  });
});

describe('metric ids', () => {
  it('match case-insensitively; the report uses the registered id', async () => {
    const r = await run(['score', '--features', X, '--labels', y, '--metrics', 'LogME,SFDA', ...JSON_OUT]);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).scores)).toEqual(['logme', 'sfda']);
  });

  it('a near miss names the suggestion (stderr and JSON)', async () => {
    const r = await run(['score', '--features', X, '--labels', y, '--metrics', 'lgome', ...JSON_OUT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did you mean "logme"?');
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'UNKNOWN_METRIC', suggestion: 'logme' });
  });

  it('`emms metrics NAME` takes any case and says "no options" where there are none', async () => {
    const r = await run(['metrics', 'LEEP']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('leep has no options.');
    const some = await run(['metrics', 'nleep']);
    expect(some.stdout).not.toContain('no options');
    expect(some.stdout).toContain('seed');
  });
});

describe('failed scores', () => {
  it('exit 1 when one requested score failed, the others still printed, the error names the flag', async () => {
    const r = await run(['score', '--features', X, '--labels', y, '--metrics', 'logme,leep', ...JSON_OUT]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(Number.isFinite(out.scores.logme)).toBe(true);
    expect(out.errors.leep).toMatchObject({ code: 'MISSING_INPUT', input: 'probs', flag: '--probs' });
    expect(r.stderr).toContain('emms: leep failed:');
    expect(r.stderr).toContain('(set with --probs)');
  });

  it('a file with several arrays points at the FILE:NAME syntax and the flag', async () => {
    const r = await run([
      'score',
      '--features',
      join(data, 'mixed.npz'),
      '--metrics',
      'logme',
      '--labels',
      y,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AMBIGUOUS_ARRAY');
    expect(r.stderr).toContain('set with --features');
    expect(r.stderr).toContain('FILE:NAME');
  });
});

// The selectors are parsed by tensor-io's readers (api-core's part of issue 9); the CLI passes the
// flag value through. Runs once those readers are in (they export splitFileSelector).
const tensorIoNode = await import('@emms/tensor-io/node');
describe.skipIf(!('splitFileSelector' in tensorIoNode))('FILE:NAME and FILE:COLUMN', () => {
  it('pick an array of a .npz and a column of a CSV; the score equals the one on the plain files', async () => {
    const dir = tmp('emms-select-');
    const features = await tensorIoNode.readTensorFile(X);
    const labels = (await tensorIoNode.readLabelsFile(y)).labels;
    await tensorIoNode.writeArraysFile(join(dir, 'both.npz'), { other: features, pooled: features });
    writeFileSync(
      join(dir, 'meta.csv'),
      `id,label\n${Array.from(labels, (l, i) => `s${i},${l}`).join('\n')}\n`,
    );
    const plain = await run(['score', '--features', X, '--labels', y, '--metrics', 'logme', ...JSON_OUT]);
    const picked = await run([
      'score',
      '--features',
      join(dir, 'both.npz:pooled'),
      '--labels',
      join(dir, 'meta.csv:label'),
      '--metrics',
      'logme',
      ...JSON_OUT,
    ]);
    expect(picked.code).toBe(0);
    expect(JSON.parse(picked.stdout).scores.logme).toBe(JSON.parse(plain.stdout).scores.logme);
  });
});

describe('the flag table', () => {
  it('names only flags that some command has (or an environment variable, or the config file)', () => {
    const flags = new Set(commands.flatMap((c) => c.options.map((o) => `--${o.name}`)));
    for (const [input, flag] of Object.entries(flagOf)) {
      const ok = flags.has(flag) || /^EMMS_[A-Z_]+$/.test(flag) || flag === 'emms.config.json';
      expect(ok, `${input} → ${flag}`).toBe(true);
    }
  });

  it('maps inputs, metric options and environment to what sets them', () => {
    expect(flagFor('probs')).toBe('--probs');
    expect(flagFor('nleep.seed')).toBe('--option nleep.seed=…');
    expect(flagFor('EMMS_LINALG')).toBe('EMMS_LINALG');
    expect(flagFor('/some/file.npy')).toBeUndefined();
    expect(errorSuffix({ code: 'MISSING_INPUT', input: 'labels' })).toBe(' (set with --labels)');
  });
});

describe('emms extract names', () => {
  it('carry the split and the limit, so runs with other limits keep their own files', () => {
    const a = extractStem('models/ppocr-cls.onnx', 'mnist', 'test', 50);
    const b = extractStem('models/ppocr-cls.onnx', 'mnist', 'test', 100);
    expect(a).toBe('ppocr-cls__mnist__test__limit50');
    expect(b).not.toBe(a);
    expect(extractStem('ppocr-cls', 'mnist')).toBe('ppocr-cls__mnist__all');
  });

  it('help states the defaults of --split and --pool', async () => {
    const r = await run(['extract', '--help']);
    expect(r.stdout).toMatch(/--split NAME\s+Split to extract \(default: every item/);
    expect(r.stdout).toMatch(/Default: the zoo entry's pooling/);
  });
});
