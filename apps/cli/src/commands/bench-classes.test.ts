import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../test-helpers';

describe('emms bench --classes', () => {
  it('a class-names file of the wrong length stops the run before extraction (exit 1, CLASSES_MISMATCH)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-bench-classes-'));
    const names = join(dir, 'names.txt');
    writeFileSync(names, 'zero\none\ntwo\n');
    const r = await run(
      [
        'bench',
        '--classes',
        names,
        '--models',
        'pixels,ppocr-cls,ppocr-rec',
        '--no-cache',
        '--out',
        join(dir, 'out'),
        '--format',
        'json',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('CLASSES_MISMATCH');
    expect(r.stdout + r.stderr).toContain(`${names} has 3 class names, but the labels run 0..9 (10 classes)`);
  });

  it('--classes with --spec is bad usage (the spec decides)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emms-cli-bench-classes-'));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ tasks: [{ dataset: 'mnist' }] }));
    const r = await run(['bench', '--spec', join(dir, 'spec.json'), '--classes', 'x.txt'], { cwd: dir });
    expect(r.code).toBe(2);
  });
});
