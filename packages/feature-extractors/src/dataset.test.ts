import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fingerprintItems, readIdx, readImageFolder, readMnistPackage, selectItems } from './dataset';
import { readManifest } from './manifest';
import { openDataset } from './open-dataset';
import { tempDir } from './testing/fixtures';

const dir = tempDir('ds');
const digitsDir = join(
  dirname(createRequire(import.meta.url).resolve('mnist/package.json')),
  'src',
  'digits',
);

async function png(path: string, v: number) {
  await sharp(Buffer.alloc(4 * 4 * 3, v), { raw: { width: 4, height: 4, channels: 3 } })
    .png()
    .toFile(path);
}

function idx(dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.set([0, 0, 8, dims.length]);
  for (const [i, d] of dims.entries()) head.writeUInt32BE(d, 4 + 4 * i);
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('datasets', () => {
  it('reads root/<class>/<image> with sorted classes and files', async () => {
    const root = join(dir, 'folder');
    for (const [c, n] of [
      ['dog', 2],
      ['cat', 3],
    ] as const) {
      mkdirSync(join(root, c), { recursive: true });
      for (let i = 0; i < n; i++) await png(join(root, c, `${i}.png`), 10 * i);
    }
    writeFileSync(join(root, 'cat', 'notes.txt'), 'ignored');
    const ds = readImageFolder(root);
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.items.map((i) => `${i.id}:${i.label}`)).toEqual([
      'cat/0.png:0',
      'cat/1.png:0',
      'cat/2.png:0',
      'dog/0.png:1',
      'dog/1.png:1',
    ]);
    expect(openDataset(root).items.length).toBe(5);
    // limit is per class, first items first
    expect(selectItems(ds, { limit: 1 }).items.map((i) => i.id)).toEqual(['cat/0.png', 'dog/0.png']);
  });

  it('reads CSV and JSONL manifests with splits', () => {
    const root = join(dir, 'manifest');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'm.csv'), 'path,label,split\na.png,b,train\n"c,d.png",a,test\ne.png,b,test\n');
    const csv = readManifest(join(root, 'm.csv'));
    expect(csv.classes).toEqual(['a', 'b']);
    expect(csv.items.map((i) => [i.id, i.label, i.split])).toEqual([
      ['a.png', 1, 'train'],
      ['c,d.png', 0, 'test'],
      ['e.png', 1, 'test'],
    ]);
    expect(selectItems(csv, { split: 'test' }).items.length).toBe(2);
    expect(() => selectItems(csv, { split: 'val' })).toThrow(/train, test/);
    writeFileSync(join(root, 't.jsonl'), '{"text":"hello","label":2}\n{"text":"bye","label":10}\n');
    const txt = readManifest(join(root, 't.jsonl'));
    expect(txt.modality).toBe('text');
    expect(txt.classes).toEqual(['2', '10']);
    writeFileSync(join(root, 'bad.csv'), 'file,label\na.png,1\n');
    expect(() => readManifest(join(root, 'bad.csv'))).toThrow(
      expect.objectContaining({ code: 'DATASET_INVALID' }),
    );
  });

  it('reads idx files, plain and gzipped, from a folder with train and t10k pairs', () => {
    const root = join(dir, 'idx');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'train-images-idx3-ubyte'), idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
    writeFileSync(join(root, 'train-labels-idx1-ubyte'), idx([2], [3, 1]));
    writeFileSync(join(root, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([1, 2, 2], [9, 9, 9, 9])));
    writeFileSync(join(root, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([1], [0])));
    const ds = openDataset(root);
    expect(ds.classes).toEqual(['0', '1', '2', '3']);
    expect(ds.items.map((i) => [i.label, i.split])).toEqual([
      [3, 'train'],
      [1, 'train'],
      [0, 'test'],
    ]);
    const s = ds.items[1].source;
    expect(s.kind === 'pixels' && [...s.data]).toEqual([5, 6, 7, 8]);
    const one = readIdx(join(root, 't10k-images-idx3-ubyte.gz'));
    expect(one.items.length).toBe(1);
    writeFileSync(join(root, 'cut-images-idx3-ubyte'), idx([3, 2, 2], [1, 2, 3]));
    writeFileSync(join(root, 'cut-labels-idx1-ubyte'), idx([3], [0, 1, 2]));
    expect(() => readIdx(join(root, 'cut-images-idx3-ubyte'))).toThrow(
      expect.objectContaining({ code: 'FILE_TRUNCATED' }),
    );
  });

  it('reads the 10,000 digits of the mnist package and derives a deterministic split', () => {
    const ds = readMnistPackage();
    expect(ds.items.length).toBe(10000);
    // per-class counts straight from the package's JSON files
    const counts = Array.from(
      { length: 10 },
      (_, d) => JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')).data.length / 784,
    );
    for (const [d, n] of counts.entries()) expect(ds.items.filter((i) => i.label === d).length).toBe(n);
    const test = selectItems(ds, { split: 'test' }).items;
    const train = selectItems(ds, { split: 'train' }).items;
    const nTest = counts.reduce((a, n) => a + Math.floor(n / 5), 0);
    expect(test.length).toBe(nTest);
    expect(train.length).toBe(10000 - nTest);
    expect(test[0].id).toBe('mnist#0-4');
    const a = selectItems(ds, { split: 'train', limit: 2 }).items;
    expect(a.map((i) => i.id).slice(0, 3)).toEqual(['mnist#0-0', 'mnist#0-1', 'mnist#1-0']);
    expect(fingerprintItems(ds, a)).toBe(fingerprintItems(readMnistPackage(), a));
    expect(fingerprintItems(ds, a)).not.toBe(fingerprintItems(ds, a.slice(1)));
  });

  it('names a missing dataset', () => {
    expect(() => openDataset(join(dir, 'nothing'))).toThrow(
      expect.objectContaining({ code: 'FILE_NOT_FOUND' }),
    );
  });
});
