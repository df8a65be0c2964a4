import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore, parseBenchSpec } from '@emms/harness';
import { isEmmsError } from '@emms/tensor-io';
import { afterAll, describe, expect, it } from 'vitest';
import { parseQueueUrl, redact, redactSecrets } from './connection';
import {
  checkSpec,
  checkStepCall,
  parseJob,
  resolveModelRef,
  runIdOf,
  runJobIdOf,
  stepJobIdOf,
} from './jobs';

const root = mkdtempSync(join(tmpdir(), 'emms-policy-'));
const allowed = join(root, 'allowed');
const outside = join(root, 'outside');
mkdirSync(allowed);
mkdirSync(outside);
mkdirSync(join(allowed, 'cap'));
writeFileSync(join(allowed, 'm.onnx'), 'x');
writeFileSync(join(outside, 'evil.onnx'), 'x');
symlinkSync(join(outside, 'evil.onnx'), join(allowed, 'link.onnx'));
const store = new ArtifactStore(join(root, 'store'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isEmmsError(e) ? e.code : `not EmmsError: ${String(e)}`;
  }
  return 'no error';
};

describe('queue addresses', () => {
  it('reads host, port, database and TLS; the password never appears in the description', () => {
    const c = parseQueueUrl('rediss://user:s3cret@queue.lan:6380/2');
    expect(c.options).toMatchObject({
      host: 'queue.lan',
      port: 6380,
      db: 2,
      username: 'user',
      password: 's3cret',
    });
    expect(c.options.tls).toEqual({ servername: 'queue.lan' });
    expect(c.display).toBe('rediss://queue.lan:6380/2');
    expect(c.display).not.toContain('s3cret');
    expect(redact('redis://:s3cret@h:1/0')).toBe('redis://:***@h:1/0');
  });
  it('takes the password from EMMS_REDIS_PASSWORD when the URL has none; defaults port 6379, db 0', () => {
    const c = parseQueueUrl('redis://127.0.0.1', { EMMS_REDIS_PASSWORD: 'envpw' });
    expect(c.options).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, password: 'envpw' });
    expect(c.options.tls).toBeUndefined();
  });
  it('refuses other schemes and bad databases with QUEUE_URL_INVALID, without echoing the password', () => {
    expect(code(() => parseQueueUrl('http://h:1'))).toBe('QUEUE_URL_INVALID');
    expect(code(() => parseQueueUrl('redis://h:1/x'))).toBe('QUEUE_URL_INVALID');
    try {
      parseQueueUrl('postgres://u:topsecret@h:1');
    } catch (e) {
      expect((e as Error).message).not.toContain('topsecret');
    }
  });
  it('redactSecrets removes URL passwords and literal secrets from any text', () => {
    const text =
      "ReplyError: WRONGPASS { args: [ '3', 'AUTH', 'user', 'pw-123' ] } at redis://user:pw-123@h:1/0";
    const safe = redactSecrets(text, ['pw-123']);
    expect(safe).not.toContain('pw-123');
    expect(safe).toContain('redis://user:***@h:1/0');
  });
});

describe('job payloads and the worker policy', () => {
  const policy = { allowedPaths: [allowed] };
  it('accepts zoo models, pixels, .onnx files and caption: folders inside the allowed folders', () => {
    expect(resolveModelRef('ppocr-cls', policy)).toBe('ppocr-cls');
    expect(resolveModelRef('pixels', policy)).toBe('pixels');
    expect(resolveModelRef('m.onnx', policy)).toBe(join(allowed, 'm.onnx'));
    expect(resolveModelRef('caption:cap', policy)).toBe(`caption:${join(allowed, 'cap')}`);
  });
  it('refuses paths outside, symbolic links leading outside, hf: models and unknown names with JOB_NOT_ALLOWED', () => {
    expect(code(() => resolveModelRef(join(outside, 'evil.onnx'), policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('../outside/evil.onnx', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('link.onnx', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('hf:some/model', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('/bin/sh', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('no-such-model', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef(`caption:${outside}`, policy))).toBe('JOB_NOT_ALLOWED');
  });
  it('refuses plugins (code) unless the worker lists them, and datasets outside the allowed folders', () => {
    const spec = { tasks: [{ dataset: 'mnist' }], candidates: ['ppocr-cls'], plugins: ['evil-plugin'] };
    expect(code(() => checkSpec(spec, policy))).toBe('JOB_NOT_ALLOWED');
    expect(() => checkSpec(spec, { ...policy, allowedPlugins: ['evil-plugin'] })).not.toThrow();
    expect(code(() => checkSpec({ tasks: [{ dataset: outside }] }, policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => checkSpec({ tasks: [] }, policy))).toBe('JOB_INVALID');
  });
  it("checks each task's own candidates and class-names file against the policy too", () => {
    const task = (extra: object) => ({ tasks: [{ dataset: 'mnist', ...extra }] });
    expect(code(() => checkSpec(task({ candidates: [join(outside, 'evil.onnx')] }), policy))).toBe(
      'JOB_NOT_ALLOWED',
    );
    expect(code(() => checkSpec(task({ classes: join(outside, 'classes.txt') }), policy))).toBe(
      'JOB_NOT_ALLOWED',
    );
    const ok = checkSpec(task({ candidates: ['ppocr-cls', 'm.onnx'] }), policy);
    expect((ok.tasks[0] as { candidates: unknown[] }).candidates).toEqual([
      'ppocr-cls',
      { id: 'm.onnx', model: join(allowed, 'm.onnx') },
    ]);
  });
  it('checks every step call: its input against the step, its models, paths and artifacts against the policy', () => {
    const extract = (model: string) => ({
      step: 'extract',
      input: {
        kind: 'model',
        split: { key: 'k', items: { path: 'splits/k.dataset.json' } },
        candidate: { id: 'x', model },
      },
    });
    expect(checkStepCall(extract('ppocr-cls'), policy, store).step).toBe('extract');
    expect(code(() => checkStepCall(extract(join(outside, 'evil.onnx')), policy, store))).toBe(
      'JOB_NOT_ALLOWED',
    );
    expect(code(() => checkStepCall({ step: 'shell', input: {} }, policy, store))).toBe('JOB_INVALID');
    const score = (path: string) => ({
      step: 'score',
      input: {
        task: 't',
        candidate: { id: 'x', train: { path } },
        labels: { path: 'splits/a.json' },
        flabels: [],
        scores: [{ id: 'logme' }],
        plugins: [],
        preset: 'rank',
        reduce: 'auto',
        sweep: [],
        speed: false,
      },
    });
    expect(checkStepCall(score('features/a.npy'), policy, store).step).toBe('score');
    expect(checkStepCall(score(join(allowed, 'm.onnx')), policy, store).step).toBe('score');
    expect(code(() => checkStepCall(score('/etc/passwd'), policy, store))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => checkStepCall(score('../../etc/passwd'), policy, store))).toBe('CACHE_UNWRITABLE');
  });
  it('refuses malformed payloads with JOB_INVALID', () => {
    expect(code(() => parseJob({ kind: 'shell', cmd: 'rm -rf /' }))).toBe('JOB_INVALID');
    expect(code(() => parseJob({ kind: 'step', runId: 'x' }))).toBe('JOB_INVALID');
    expect(parseJob({ kind: 'run', runId: 'a'.repeat(20), spec: {} }).kind).toBe('run');
  });
  it('gives the same run id for the same content (whatever out, cache, queue and executor) and another for other content', () => {
    const a = parseBenchSpec({
      tasks: [{ dataset: 'mnist' }],
      candidates: ['ppocr-cls'],
      out: 'a',
      cache: 'x',
    });
    const b = parseBenchSpec({
      candidates: ['ppocr-cls'],
      tasks: [{ dataset: 'mnist' }],
      out: 'b',
      executor: 'threads',
      queue: 'redis://:pw@h:1',
    });
    const c = parseBenchSpec({ tasks: [{ dataset: 'mnist', seed: 3 }], candidates: ['ppocr-cls'] });
    expect(runIdOf(a)).toBe(runIdOf(b));
    expect(runIdOf(a)).not.toBe(runIdOf(c));
    expect(runIdOf(a)).toMatch(/^[0-9a-f]{20}$/);
    expect(runJobIdOf(runIdOf(a))).not.toContain(':');
    expect(stepJobIdOf(runIdOf(a), { step: 'split', input: {} })).toMatch(
      /^[0-9a-f]{20}-split-[0-9a-f]{24}$/,
    );
  });
});

describe('the queue is an executor of the harness and nothing more', () => {
  it('imports nothing from @emms/feature-extractors, @emms/label-embedders or @emms/linalg, and does not depend on them', () => {
    const banned = ['@emms/feature-extractors', '@emms/label-embedders', '@emms/linalg'];
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    for (const b of banned) {
      expect(Object.keys(pkg.dependencies ?? {})).not.toContain(b);
      expect(Object.keys(pkg.devDependencies ?? {})).not.toContain(b);
    }
    const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const imports = /(?:from\s+|import\(\s*|require\(\s*)['"](@emms\/[a-z-]+)/g;
    const seen = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(join(__dirname, f), 'utf8').matchAll(imports)) seen.add(m[1]!);
    }
    expect(seen.has('@emms/harness')).toBe(true);
    for (const b of banned) expect(seen.has(b), `imports ${b}`).toBe(false);
  });
});
