import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { defaultBenchSpec } from '../bench/defaults';
import { openSplit } from './steps/split';

const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

describe('a dataset task with a class-names file', () => {
  it('names the classes of the split (what the F-labels embed) and the spec carries the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'emms-classes-')), 'digits.txt');
    writeFileSync(file, `${words.join('\n')}\n`);
    const ds = openSplit({ dataset: 'mnist', trainPerClass: 1, testPerClass: 1, seed: 0, classes: file });
    expect(ds.classes).toEqual(words);
    expect(ds.items.map((i) => ds.classes[i.label]).slice(0, 2)).toEqual(['zero', 'zero']);
    expect(openSplit({ dataset: 'mnist', trainPerClass: 1, testPerClass: 1, seed: 0 }).classes[0]).toBe('0');
    expect(defaultBenchSpec({ classes: file }).tasks[0]).toMatchObject({ dataset: 'mnist', classes: file });
  });

  it('a wrong count is CLASSES_MISMATCH naming the file, both counts and the fix', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'emms-classes-')), 'short.txt');
    writeFileSync(file, 'zero\none\n');
    let error: unknown;
    try {
      openSplit({ dataset: 'mnist', trainPerClass: 1, testPerClass: 1, seed: 0, classes: file });
    } catch (e) {
      error = e;
    }
    expect(isEmmsError(error) && error.code).toBe('CLASSES_MISMATCH');
    expect((error as Error).message).toBe(
      `${file} has 2 class names, but the labels run 0..9 (10 classes); give one name per class, line i naming class i`,
    );
  });
});
