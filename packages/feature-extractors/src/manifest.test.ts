import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { checkClassNames, readClassesFile, withClassNames } from './classes';
import { readManifest } from './manifest';
import { openDataset } from './open-dataset';
import { tempDir } from './testing/fixtures';

const dir = tempDir('manifest');
mkdirSync(dir, { recursive: true });

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isEmmsError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('did not throw');
}

function idxFile(name: string, dims: number[], data: number[]): string {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.set([0, 0, 8, dims.length]);
  for (const [i, d] of dims.entries()) head.writeUInt32BE(d, 4 + 4 * i);
  const p = join(dir, name);
  writeFileSync(p, Buffer.concat([head, Buffer.from(data)]));
  return p;
}

describe('text and regression manifests', () => {
  it('reads a text CSV whose texts hold line breaks', () => {
    const p = write('texts.csv', 'text,label\n"first line\nsecond, ""line""",spam\n\nhello,ham\n');
    const ds = readManifest(p);
    expect(ds.modality).toBe('text');
    expect(ds.classes).toEqual(['ham', 'spam']);
    expect(ds.items.map((i) => (i.source.kind === 'text' ? i.source.text : ''))).toEqual([
      'first line\nsecond, "line"',
      'hello',
    ]);
  });

  it('refuses an empty text, naming the row and line', () => {
    const p = write('empty.csv', 'text,label\nfine,a\n"  ",b\n');
    const e = errorOf(() => openDataset(p));
    expect(e.code).toBe('EMPTY_TEXT');
    expect(e.message).toMatch(/empty\.csv row 2 has an empty text/);
    const j = write('empty.jsonl', '{"text":"ok","label":"a"}\n\n{"text":"","label":"b"}\n');
    expect(errorOf(() => readManifest(j)).message).toMatch(/row 2 \(line 3\)/);
  });

  it('reads regression targets from y1,y2 columns, with or without labels', () => {
    const p = write('reg.csv', 'text,y2,y1\nabc,2.5,-1\ndef,0,3e2\n');
    const ds = readManifest(p);
    expect(ds.task).toBe('regression');
    expect(ds.classes).toEqual(['all']);
    expect(ds.targetNames).toEqual(['y1', 'y2']);
    expect(ds.items.map((i) => i.target)).toEqual([
      [-1, 2.5],
      [300, 0],
    ]);
    const j = write(
      'reg.jsonl',
      '{"text":"a","label":"x","target":[1,2]}\n{"text":"b","label":"y","target":[3,4]}\n',
    );
    const dj = readManifest(j);
    expect(dj.task).toBe('classification');
    expect(dj.targetNames).toEqual(['target[0]', 'target[1]']);
    expect(dj.items[1].target).toEqual([3, 4]);
    const named = readManifest(write('named.csv', 'path,label,a,b\nx.png,0,1,2\n'), { targets: ['b', 'a'] });
    expect(named.items[0].target).toEqual([2, 1]);
  });

  it('refuses a NaN or missing target, naming the row and the column', () => {
    const p = write('nan.csv', 'text,target\nabc,1\ndef,NaN\n');
    const e = errorOf(() => readManifest(p));
    expect(e.code).toBe('TARGET_NOT_FINITE');
    expect(e.message).toMatch(/row 2 has target target = "NaN"/);
    expect(errorOf(() => readManifest(write('gap.csv', 'text,y1\nabc,\n'))).message).toMatch(
      /row 1 .*target y1/,
    );
    expect(errorOf(() => readManifest(write('nolabel.csv', 'text,other\nabc,1\n'))).message).toMatch(
      /needs a "label" column or target columns/,
    );
  });
});

describe('class names', () => {
  it('names the classes of idx files from a list or a file, and refuses a wrong count', () => {
    const images = idxFile('train-images-idx3-ubyte', [3, 2, 2], Array(12).fill(7));
    idxFile('train-labels-idx1-ubyte', [3], [0, 2, 1]);
    const ds = openDataset(images, { classes: ['cat', 'dog', 'eel'] });
    expect(ds.classes).toEqual(['cat', 'dog', 'eel']);
    expect(ds.items.map((i) => ds.classes[i.label])).toEqual(['cat', 'eel', 'dog']);
    const file = write('classes.txt', 'cat\ndog\neel\n\n');
    expect(openDataset(images, { classes: file }).classes).toEqual(['cat', 'dog', 'eel']);
    const e = errorOf(() => openDataset(images, { classes: ['cat', 'dog'] }));
    expect(e.code).toBe('CLASSES_MISMATCH');
    expect(e.message).toMatch(/classes has 2 class names, but the labels run 0\.\.2 \(3 classes\)/);
    const short = write('short.txt', 'a\nb\n');
    expect(errorOf(() => openDataset(images, { classes: short })).message).toMatch(
      /short\.txt has 2 class names/,
    );
    expect(errorOf(() => readClassesFile(write('gap.txt', 'a\n\nb\n'))).message).toMatch(/line 2 is empty/);
    expect(errorOf(() => checkClassNames(['a'], Int32Array.from([0, 1]), 'labels.npy')).message).toMatch(
      /labels\.npy has 1 class names, but the labels run 0\.\.1 \(2 classes\)/,
    );
  });

  it('keeps numeric manifest labels as class ids and reorders named classes', () => {
    const p = write('gaps.csv', 'text,label\na,0\nb,3\n');
    const ds = openDataset(p, { classes: ['zero', 'one', 'two', 'three'] });
    expect(ds.items.map((i) => ds.classes[i.label])).toEqual(['zero', 'three']);
    const named = readManifest(write('ab.csv', 'text,label\na,x\nb,y\n'));
    const re = withClassNames(named, ['y', 'x']);
    expect(re.items.map((i) => re.classes[i.label])).toEqual(['x', 'y']);
    const e = errorOf(() => withClassNames(named, ['y', 'z']));
    expect(e.code).toBe('CLASSES_MISMATCH');
    expect(e.message).toMatch(/not in the list: x; not in the dataset: z/);
  });
});
