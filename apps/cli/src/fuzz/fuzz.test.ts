// A smaller seeded fuzz pass than `pnpm --filter emms fuzz` (which runs 1,000+ inputs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FUZZ_COMMANDS, makeFuzzInput } from './inputs';
import { FAILURES, judge, nonFiniteWords } from './judge';
import { type FuzzResult, fuzzOne } from './run';

const root = mkdtempSync(join(tmpdir(), 'emms-fuzz-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = join(__dirname, '..', '..', 'dist', 'bin.js');

describe('the judge', () => {
  const ok = { code: 0, stdout: '{"scores": {"logme": 1.5}}', stderr: '' };
  const json = ['score', '--format', 'json'];
  it('passes typed errors and finite output, and catches each kind of failure', () => {
    expect(judge('score', json, ok).outcome).toBe('ok');
    expect(judge('score', json, { code: 1, stdout: '', stderr: 'emms: x [FILE_EMPTY]' }).outcome).toBe(
      'bad-input',
    );
    expect(judge('score', json, { code: 2, stdout: '', stderr: 'emms: usage' }).outcome).toBe('usage');
    expect(judge('score', json, { code: null, stdout: '', stderr: '' }).outcome).toBe('hang');
    expect(judge('score', json, { code: 3, stdout: '', stderr: '' }).outcome).toBe('bad-exit');
    const trace = 'TypeError: x\n    at readThing (file:///a/b.js:12:5)\n';
    expect(judge('score', json, { code: 1, stdout: '', stderr: trace }).outcome).toBe('stack-trace');
    expect(judge('score', json, { code: 1, stdout: '', stderr: 'emms: unexpected error: x' }).outcome).toBe(
      'crash',
    );
    expect(judge('score', json, { ...ok, stdout: '{"scores": {"logme": null}}' }).outcome).toBe('non-finite');
    expect(judge('score', json, { ...ok, stdout: '{"scores": ' }).outcome).toBe('bad-json');
    const table = { code: 0, stdout: 'metric  score\nlogme     NaN\n', stderr: '' };
    expect(judge('score', ['score'], table).outcome).toBe('non-finite');
    // a task named "NaN" in the spec is printed back as a name; a number printed as Inf is still caught
    const echoed = nonFiniteWords(['{"tasks": [{"id": "NaN"}]}']);
    expect(judge('bench', ['bench'], { ...table, stdout: 'task NaN (feats)\n' }, echoed).outcome).toBe('ok');
    const inf = { ...table, stdout: 'task t (feats)\nlogme  Inf\n' };
    expect(judge('bench', ['bench'], inf, echoed).outcome).toBe('non-finite');
    // inspect documents null min/max/mean for an array without a finite value
    const inspect = {
      code: 0,
      stdout: '{"min": null, "max": null, "mean": null, "nonFinite": 3}',
      stderr: '',
    };
    expect(judge('inspect', ['inspect', '--format', 'json'], inspect).outcome).toBe('ok');
  });
});

describe('seeded fuzz pass through the command line', () => {
  it('the same seed gives the same inputs; every command is covered', () => {
    const a = makeFuzzInput(7, 12);
    const b = makeFuzzInput(7, 12);
    expect(a.argv).toEqual(b.argv);
    expect([...a.files.entries()]).toEqual([...b.files.entries()]);
    expect(makeFuzzInput(8, 12).files).not.toEqual(a.files);
    expect(new Set(Array.from({ length: 10 }, (_, i) => makeFuzzInput(7, i).command))).toEqual(
      new Set(FUZZ_COMMANDS),
    );
  });

  it('250 inputs in process: no crash, hang, stack trace, other exit code, or non-finite number with exit 0', async () => {
    const results: FuzzResult[] = [];
    for (let id = 0; id < 250; id++)
      results.push(await fuzzOne(makeFuzzInput(7, id), { root, timeoutMs: 20_000 }));
    const failures = results.filter((r) => FAILURES.includes(r.outcome));
    expect(failures.map((f) => `#${f.id} ${f.command} ${f.outcome}: ${f.why} [${f.mutation}]`)).toEqual([]);
    // the pass exercises both sides: inputs that run and inputs that are refused, for every command
    for (const c of FUZZ_COMMANDS) {
      const mine = results.filter((r) => r.command === c);
      expect(
        mine.some((r) => r.outcome === 'ok'),
        `${c}: no input ran`,
      ).toBe(true);
      expect(
        mine.some((r) => r.outcome === 'bad-input'),
        `${c}: no input was refused`,
      ).toBe(true);
    }
  }, 300_000);

  it('a sample through the built binary (one per command)', async () => {
    for (let id = 250; id < 255; id++) {
      const r = await fuzzOne(makeFuzzInput(7, id), { root, timeoutMs: 30_000, bin });
      expect(FAILURES.includes(r.outcome), `#${id} ${r.outcome}: ${r.why}`).toBe(false);
    }
  }, 300_000);
});
