import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { modelRefText, openModel, parseModelRef } from './models';

const cwd = mkdtempSync(join(tmpdir(), 'emms-refs-'));
writeFileSync(join(cwd, 'weights.bin'), 'x');

describe('parseModelRef', () => {
  it('reads every kind of reference, resolving paths against the given folder', () => {
    expect(parseModelRef('ppocr-det', { cwd })).toEqual({ kind: 'zoo', id: 'ppocr-det' });
    expect(parseModelRef('pixels', { cwd })).toEqual({ kind: 'pixels' });
    expect(parseModelRef('m.onnx', { cwd })).toEqual({ kind: 'onnx', path: join(cwd, 'm.onnx') });
    expect(parseModelRef('weights.bin', { cwd })).toEqual({ kind: 'onnx', path: join(cwd, 'weights.bin') });
    expect(parseModelRef('hf:Xenova/vit', { cwd })).toEqual({ kind: 'hf', hubId: 'Xenova/vit' });
    expect(parseModelRef('local:./vit', { cwd })).toEqual({ kind: 'local', path: join(cwd, 'vit') });
    expect(parseModelRef('tfjs:/abs/m', { cwd })).toEqual({ kind: 'tfjs', path: '/abs/m' });
    expect(parseModelRef('caption:cap', { cwd })).toEqual({ kind: 'caption', path: join(cwd, 'cap') });
  });

  it('gives back text that parses to the same reference from another folder', () => {
    for (const text of ['ppocr-det', 'pixels', 'm.onnx', 'hf:a/b', 'local:vit', 'tfjs:t', 'caption:c']) {
      const ref = parseModelRef(text, { cwd });
      expect(parseModelRef(modelRefText(ref), { cwd: '/elsewhere' })).toEqual(ref);
    }
  });

  it('refuses unknown names and empty prefixes with MODEL_NOT_FOUND naming the reference', () => {
    for (const bad of ['no-such-model', 'hf:', 'local:', 'caption:']) {
      let err: unknown;
      try {
        parseModelRef(bad, { cwd });
      } catch (e) {
        err = e;
      }
      expect(isEmmsError(err, 'MODEL_NOT_FOUND')).toBe(true);
      expect((err as Error).message).toContain(`"${bad}"`);
    }
  });

  it('reads offline text models; openModel refuses an unknown name with a typed error', async () => {
    expect(parseModelRef('use-lite', { cwd })).toEqual({ kind: 'text', id: 'use-lite' });
    await expect(openModel('no-such-model')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect((await openModel('pixels')).id).toBe('pixels');
  });
});
