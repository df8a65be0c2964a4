import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchSpec } from '@emms/harness';
import { isEmmsError } from '@emms/tensor-io';
import { afterAll, describe, expect, it } from 'vitest';
import { parseQueueUrl, redact } from './connection';
import { checkSpec, jobIdOf, parseJob, resolveModelRef, runIdOf } from './jobs';

const root = mkdtempSync(join(tmpdir(), 'emms-policy-'));
const allowed = join(root, 'allowed');
const outside = join(root, 'outside');
mkdirSync(allowed);
mkdirSync(outside);
writeFileSync(join(allowed, 'm.onnx'), 'x');
writeFileSync(join(outside, 'evil.onnx'), 'x');
symlinkSync(join(outside, 'evil.onnx'), join(allowed, 'link.onnx'));
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
});

describe('job payloads and the worker policy', () => {
  const policy = { allowedPaths: [allowed] };
  it('accepts zoo models, pixels and .onnx files inside the allowed folders', () => {
    expect(resolveModelRef('ppocr-cls', policy)).toBe('ppocr-cls');
    expect(resolveModelRef('pixels', policy)).toBe('pixels');
    expect(resolveModelRef('m.onnx', policy)).toBe(join(allowed, 'm.onnx'));
  });
  it('refuses paths outside, symbolic links leading outside, hf: models and unknown names with JOB_NOT_ALLOWED', () => {
    expect(code(() => resolveModelRef(join(outside, 'evil.onnx'), policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('../outside/evil.onnx', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('link.onnx', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('hf:some/model', policy))).toBe('JOB_NOT_ALLOWED');
    expect(code(() => resolveModelRef('/bin/sh', policy))).toBe('JOB_NOT_ALLOWED');
  });
  it('refuses plugins (code) unless the worker lists them, and datasets outside the allowed folders', () => {
    const spec = { tasks: [{ dataset: 'mnist' }], candidates: ['ppocr-cls'], plugins: ['evil-plugin'] };
    expect(code(() => checkSpec(spec, policy))).toBe('JOB_NOT_ALLOWED');
    expect(() => checkSpec(spec, { ...policy, allowedPlugins: ['evil-plugin'] })).not.toThrow();
    expect(code(() => checkSpec({ tasks: [{ dataset: outside }] }, policy))).toBe('JOB_NOT_ALLOWED');
  });
  it('refuses malformed payloads with JOB_INVALID', () => {
    expect(code(() => parseJob({ kind: 'shell', cmd: 'rm -rf /' }, policy))).toBe('JOB_INVALID');
    expect(code(() => parseJob({ kind: 'extract', runId: 'x' }, policy))).toBe('JOB_INVALID');
    expect(
      code(() =>
        parseJob({ kind: 'report', runId: 'a'.repeat(20), spec: { tasks: [] }, jobIds: [] }, policy),
      ),
    ).toBe('JOB_INVALID');
  });
  it('gives the same run id for the same content (whatever out and cache) and another for other content', () => {
    const a = parseBenchSpec({
      tasks: [{ dataset: 'mnist' }],
      candidates: ['ppocr-cls'],
      out: 'a',
      cache: 'x',
    });
    const b = parseBenchSpec({ candidates: ['ppocr-cls'], tasks: [{ dataset: 'mnist' }], out: 'b' });
    const c = parseBenchSpec({ tasks: [{ dataset: 'mnist', seed: 3 }], candidates: ['ppocr-cls'] });
    expect(runIdOf(a)).toBe(runIdOf(b));
    expect(runIdOf(a)).not.toBe(runIdOf(c));
    expect(runIdOf(a)).toMatch(/^[0-9a-f]{20}$/);
    expect(jobIdOf(runIdOf(a), 'task', { taskIndex: 0 })).not.toContain(':');
  });
});
