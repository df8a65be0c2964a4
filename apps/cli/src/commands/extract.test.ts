import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../test-helpers';

describe('emms extract / emms zoo', () => {
  it('lists the zoo with feature dimensions', async () => {
    const r = await run(['zoo', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; featureDim: number; sizeMB: number }[];
    expect(rows.find((x) => x.id === 'ppocr-det')).toMatchObject({ featureDim: 384 });
    expect(rows.every((x) => x.sizeMB > 0)).toBe(true);
  });

  it('extracts 20 MNIST digits with a zoo model, then reuses the file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'emms-cli-extract-'));
    const args = [
      'extract',
      '--dataset',
      'mnist',
      '--model',
      'ppocr-cls',
      '--limit',
      '2',
      '--out',
      out,
      '--format',
      'json',
    ];
    const a = await run(args);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const first = JSON.parse(a.stdout);
    expect(first).toMatchObject({ rows: 20, cols: 200, reused: false });
    expect(JSON.parse(readFileSync(first.sidecar, 'utf8')).dataset.limit).toBe(2);
    const b = await run(args);
    expect(JSON.parse(b.stdout)).toMatchObject({ rows: 20, reused: true });
  });

  it('exits 1 with a typed error for a missing model', async () => {
    const r = await run([
      'extract',
      '--dataset',
      'mnist',
      '--model',
      'nowhere.onnx',
      '--out',
      tmpdir(),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('MODEL_NOT_FOUND');
  });

  it('--classes names the classes of numeric labels in the sidecar; a wrong count is CLASSES_MISMATCH', async () => {
    const out = mkdtempSync(join(tmpdir(), 'emms-cli-extract-classes-'));
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const names = join(out, 'digits.txt');
    writeFileSync(names, `${words.join('\n')}\n`);
    const args = ['extract', '--dataset', 'mnist', '--model', 'ppocr-cls', '--limit', '1', '--out', out];
    const a = await run([...args, '--classes', names, '--format', 'json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(readFileSync(JSON.parse(a.stdout).sidecar, 'utf8')).dataset.classes).toEqual(words);
    writeFileSync(names, 'zero\none\n');
    const b = await run([...args, '--classes', names, '--format', 'json']);
    expect(b.code).toBe(1);
    expect(JSON.parse(b.stdout).error).toMatchObject({ code: 'CLASSES_MISMATCH', input: names });
    expect(JSON.parse(b.stdout).error.message).toBe(
      `${names} has 2 class names, but the labels run 0..9 (10 classes); give one name per class, line i naming class i`,
    );
  });
});
