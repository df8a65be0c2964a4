import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from './commands/index';
import { humanNumber, renderCsv, renderJson, renderTable } from './format';
import { progressLine } from './progress';
import { run } from './test-helpers';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

describe('emms front door', () => {
  it('prints the command list with --help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(c.name);
    expect(r.stderr).toBe('');
  });

  it('prints each command help with usage, options and defaults', async () => {
    for (const c of commands) {
      const r = await run([c.name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: emms ${c.name}`);
      for (const o of c.options) expect(r.stdout).toContain(`--${o.name}`);
    }
    const score = await run(['help', 'score']);
    expect(score.stdout).toContain('default: table');
    expect(score.stdout).toContain('--metrics');
  });

  it('prints the version from package.json', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 with a hint on an unknown command, suggesting a near one', async () => {
    const r = await run(['scor']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown command "scor"');
    expect(r.stderr).toContain('did you mean "score"');
    expect(r.stderr).toContain('emms --help');
  });

  it('exits 2 with no command at all', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing command');
  });

  it('exits 2 on an unknown option, pointing at the command help', async () => {
    const r = await run(['inspect', 'x.npy', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--colour');
    expect(r.stderr).toContain('emms inspect --help');
  });

  it('exits 2 on a bad --format value and on a missing value', async () => {
    const bad = await run(['inspect', 'x.npy', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one of table, json, csv');
    const missing = await run(['inspect', 'x.npy', '--format']);
    expect(missing.code).toBe(2);
  });

  it('exits 2 when a required argument is missing', async () => {
    const inspect = await run(['inspect']);
    expect(inspect.code).toBe(2);
    expect(inspect.stderr).toContain('missing FILE');
    const score = await run(['score', '--metrics', 'logme']);
    expect(score.code).toBe(2);
    expect(score.stderr).toContain('--features');
    const noMetrics = await run(['score', '--features', 'X.npy']);
    expect(noMetrics.code).toBe(2);
    expect(noMetrics.stderr).toContain('--metrics');
  });
});

describe('output formatting', () => {
  it('aligns table columns, numbers to the right', () => {
    const t = renderTable(
      ['name', 'value'],
      [
        ['a', 1.5],
        ['long name', -20],
      ],
    );
    expect(t).toBe('name       value\na            1.5\nlong name    -20\n');
  });

  it('quotes CSV cells that need it and keeps full precision', () => {
    const c = renderCsv(
      ['a', 'b'],
      [
        ['x,y', 0.1 + 0.2],
        ['say "hi"', null],
      ],
    );
    expect(c).toBe('a,b\n"x,y",0.30000000000000004\n"say ""hi""",\n');
  });

  it('writes typed arrays as JSON arrays and non-finite numbers as null', () => {
    expect(JSON.parse(renderJson({ w: new Float64Array([0.5, 0.25]), n: Number.NaN, i: 3n }))).toEqual({
      w: [0.5, 0.25],
      n: null,
      i: 3,
    });
  });

  it('shows numbers to 7 significant digits for people', () => {
    expect(humanNumber(-148.2584959205417)).toBe('-148.2585');
    expect(humanNumber(300)).toBe('300');
    expect(humanNumber(-3.032646151086339e-28)).toBe('-3.032646e-28');
    expect(humanNumber(Number.POSITIVE_INFINITY)).toBe('Inf');
  });

  it('draws a progress line with bar, count, rate and ETA', () => {
    const line = progressLine(
      { task: 'score:nleep', done: 5, total: 10, itemsPerSecond: 2.5, etaSeconds: 2 },
      80,
    );
    expect(line).toBe('score:nleep [############------------] 5/10 2.5/s ETA 2s');
    expect(progressLine({ task: 'x'.repeat(100), done: 1 }, 30)).toHaveLength(30);
  });
});

describe('progress on stderr', () => {
  it('draws nothing when stderr is not a terminal', async () => {
    const { progressRenderer } = await import('./progress');
    const chunks: string[] = [];
    const stderr = { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream;
    const off = progressRenderer({
      stdout: process.stdout,
      stderr,
      cwd: '.',
      env: {},
      interactive: false,
    } as never);
    expect(off.listener).toBeUndefined();
    const on = progressRenderer({
      stdout: process.stdout,
      stderr,
      cwd: '.',
      env: {},
      interactive: true,
    } as never);
    on.listener?.({ task: 't', done: 1, total: 1 });
    on.finish();
    expect(chunks.join('')).toContain('t [########################] 1/1');
    expect(chunks.at(-1)).toBe('\r\x1b[K');
  });
});
