// Issue 20, the input side: each case as the command line meets it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { writeArraysFile } from '@emms/tensor-io/node';
import { fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { flagFor } from './flags';
import { runCli } from './index';
import { parseByteSize } from './read-options';
import { sink } from './stdout';
import { run } from './test-helpers';

const X = fixturePath('small', 'X.npy');
const y = fixturePath('small', 'y.npy');
const bin = join(__dirname, '..', 'dist', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'emms-inputs-'));
/** `emms score --features F --labels L --metrics logme` and more flags. */
const logme = (features: string, labels: string, ...more: string[]) => [
  'score',
  '--features',
  features,
  '--labels',
  labels,
  '--metrics',
  'logme',
  ...more,
];

describe('argument values', () => {
  it('a flag whose value is missing because a flag follows is bad usage naming the flag (exit 2)', async () => {
    const r = await run(['score', '--features', '--labels', y, '--metrics', 'logme', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'emms: --features is missing its value (FILE[:NAME]): the next argument, --labels, is a flag',
    );
    expect(r.stderr).not.toContain('ambiguous');
    expect(JSON.parse(r.stdout).error.code).toBe('USAGE');
    const last = await run(['score', '--features', X, '--metrics']);
    expect(last.code).toBe(2);
    expect(last.stderr).toContain('--metrics is missing its value (IDS)');
  });

  it('a negative number reaches the command, which says what the value must be (exit 2)', async () => {
    const r = await run(['bench', '--train-per-class', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--train-per-class must be an integer ≥ 1, got "-1"');
    const inspect = await run(['inspect', X, '--max-entry-size', '-5']);
    expect(inspect.code).toBe(2);
    expect(inspect.stderr).toContain('--max-entry-size must be a positive size');
  });

  it('--labels and --targets together are bad usage, not "targets win" (exit 2)', async () => {
    const r = await run(['score', '--features', X, '--labels', y, '--targets', X, '--metrics', 'logme']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give either --labels (class labels) or --targets');
    expect(r.stdout).toBe('');
  });

  it('a file name such as truth.json is not taken for a metric option', () => {
    expect(flagFor('truth.json')).toBeUndefined();
    expect(flagFor('labels.csv')).toBeUndefined();
    expect(flagFor('nleep.seed')).toBe('--option nleep.seed=…');
  });

  it('sizes take binary and decimal units', () => {
    expect(parseByteSize('2GiB', '--x', 'c')).toBe(2 ** 31);
    expect(parseByteSize('1.5g', '--x', 'c')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('800MB', '--x', 'c')).toBe(8e8);
    expect(parseByteSize('1000', '--x', 'c')).toBe(1000);
    for (const bad of ['', '0', '-1', '2 parsecs', '1e3', 'GiB'])
      expect(() => parseByteSize(bad, '--x', 'c')).toThrow();
  });
});

describe('files that are not what a flag wants', () => {
  it('a folder given as --features says it is a folder and names emms rank --features-dir', async () => {
    const r = await run(logme(dir, y, '--format', 'json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${dir}: is a folder, not a file; give an array file (.npy, .npz, .safetensors).`,
    );
    expect(r.stderr).toContain('use emms rank --features-dir DIR');
    expect(r.stderr).not.toContain('unsupported file type');
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'NOT_A_FILE', flag: '--features' });
  });

  it('a FIFO as features, labels or inspect input is refused at once (exit 1), never read', async () => {
    const fifo = join(dir, 'pipe.npy');
    execFileSync('mkfifo', [fifo]);
    for (const argv of [logme(fifo, y), logme(X, fifo), ['inspect', fifo]]) {
      const r = await run(argv);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${fifo}: is a named pipe (FIFO), not a regular file`);
      expect(r.stderr).toContain('[NOT_A_FILE]');
    }
  });
});

describe('spec and table files that are pipes or folders', () => {
  it('bench --spec and agreement --scores/--truth refuse a FIFO and a folder at once (exit 1)', async () => {
    const fifo = join(dir, 'spec.json');
    execFileSync('mkfifo', [fifo]);
    const truth = join(dir, 'truth.json');
    writeFileSync(truth, '{"a": 1, "b": 2, "c": 3}');
    for (const argv of [
      ['bench', '--spec', fifo],
      ['agreement', '--scores', fifo, '--truth', truth],
      ['agreement', '--scores', truth, '--truth', fifo],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${fifo}: is a named pipe (FIFO), not a regular file`);
    }
    const folder = await run(['bench', '--spec', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${dir}: is a folder, not a file; give a bench spec file (.json)`);
  });
});

describe('labels written by np.savetxt', () => {
  it('load when every value is whole (same score as the .npy labels); 0.5 stays an error naming the line', async () => {
    const saved = join(dir, 'y_savetxt.txt');
    // numpy itself writes the file: '%.18e' per line, e.g. 0.000000000000000000e+00
    execFileSync('python3', [
      '-c',
      'import numpy as np, sys; np.savetxt(sys.argv[2], np.load(sys.argv[1]))',
      y,
      saved,
    ]);
    const score = (labels: string) => run(logme(X, labels, '--format', 'json'));
    const fromNpy = await score(y);
    const fromTxt = await score(saved);
    expect(fromTxt.code).toBe(0);
    expect(JSON.parse(fromTxt.stdout).scores.logme).toBe(JSON.parse(fromNpy.stdout).scores.logme);
    const half = join(dir, 'y_half.txt');
    writeFileSync(half, '0.000000000000000000e+00\n5.000000000000000000e-01\n');
    const r = await run(logme(X, half));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "line 2 is '5.000000000000000000e-01', a number that is not a whole class index",
    );
    expect(r.stderr).toContain('[LABEL_NOT_INTEGER]');
  });
});

describe('.npz entries under a size limit', () => {
  it('inspect and score refuse a compressed entry above --max-entry-size before inflating; the flag raises it', async () => {
    const bomb = join(dir, 'bomb.npz');
    const zeros = (n: number) => ({ dtype: 'float32' as const, shape: [n], data: new Float32Array(n) });
    await writeArraysFile(bomb, { a0: zeros(1 << 20), small: zeros(40) }, { compress: true });
    const r = await run(['inspect', bomb, '--max-entry-size', '1MiB', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${bomb}: entry 'a0.npy' (shape (1048576) of float32) unpacks to 4 MiB (4194432 bytes)`,
    );
    expect(r.stderr).toContain('raise the limit with --max-entry-size SIZE');
    expect(JSON.parse(r.stdout).error.code).toBe('ZIP_ENTRY_TOO_LARGE');
    const ok = await run(['inspect', bomb, '--max-entry-size', '8MiB', '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(Object.keys(JSON.parse(ok.stdout).arrays)).toEqual(['a0', 'small']);
    // FILE:NAME inflates that entry only: the large one is never unpacked
    const one = await run(logme(`${bomb}:small`, y, '--max-entry-size', '1MiB'));
    expect(one.stderr).not.toContain('ZIP_ENTRY_TOO_LARGE');
    const big = await run(logme(`${bomb}:a0`, y, '--max-entry-size', '1MiB'));
    expect(big.code).toBe(1);
    expect(big.stderr).toContain(
      '[ZIP_ENTRY_TOO_LARGE] (set with --features; raise the limit with --max-entry-size',
    );
  });
});

/** A stdout that fails every write with `code`, as a full disk or a closed pipe does. */
function failingStdout(code: string): Writable {
  return new Writable({
    write(_chunk, _enc, done) {
      done(Object.assign(new Error(`${code}: failed, write`), { code }));
    },
  });
}

describe('stdout that cannot be written', () => {
  for (const [code, line] of [
    [
      'ENOSPC',
      'emms: cannot write the output to stdout: no space left on the device (ENOSPC) [STDOUT_UNWRITABLE]',
    ],
    ['EPIPE', 'emms: stdout was closed before all output was written (EPIPE) [STDOUT_CLOSED]'],
  ]) {
    it(`${code}: one typed line on stderr and exit 3, no stack trace (in process)`, async () => {
      const stderr = sink();
      const exit = await runCli(logme(X, y), {
        stdout: failingStdout(code),
        stderr: stderr.stream,
        env: { EMMS_LINALG: 'js' },
        interactive: false,
      });
      expect(exit).toBe(3);
      expect(stderr.text()).toBe(`${line}\n`);
    });
  }

  it('the built binary: > /dev/full and a closed pipe give one line and exit 3', () => {
    const env = { ...process.env, EMMS_LINALG: 'js' };
    const argv = [bin, ...logme(X, y)];
    const shell = (script: string) =>
      spawnSync('bash', ['-c', script, process.execPath, ...argv], { env, encoding: 'utf8' });
    const toFull = shell('"$0" "$@" > /dev/full');
    expect(toFull.status).toBe(3);
    expect(toFull.stderr).toBe(
      'emms: cannot write the output to stdout: no space left on the device (ENOSPC) [STDOUT_UNWRITABLE]\n',
    );
    // head -c0 exits at once and closes the pipe: the first write fails with EPIPE
    const closed = shell('"$0" "$@" | head -c0; exit "$((PIPESTATUS[0]))"');
    expect(closed.status).toBe(3);
    expect(closed.stderr).toBe(
      'emms: stdout was closed before all output was written (EPIPE) [STDOUT_CLOSED]\n',
    );
  });
});
