import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { referenceDir } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import {
  PUBLISHED_TRUTH_IDS,
  parseTruthTable,
  publishedTruth,
  readTruthTable,
  truthForDataset,
} from './ground-truth';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isEmmsError(e)) return { code: String(e.code), message: e.message };
    throw e;
  }
  return { code: 'none', message: '' };
}

describe('published ground truth', () => {
  const files: Record<string, string> = {
    'paper-cnn': 'classification-cnn.json',
    'paper-vit': 'classification-vit.json',
    'paper-ssl': 'classification-ssl.json',
    'paper-caption': 'captioning.json',
  };
  it.each(PUBLISHED_TRUTH_IDS.map((id) => [id]))('%s equals the shared reference table', (id) => {
    const shipped = publishedTruth(id);
    const want = JSON.parse(readFileSync(join(referenceDir(), 'ground-truth', files[id]), 'utf8'));
    expect(shipped.file).toBe(files[id]);
    expect(shipped.table).toEqual(want);
    // and the file the package ships under data/ is the same table
    const data = JSON.parse(readFileSync(new URL(`../data/${files[id]}`, import.meta.url), 'utf8'));
    expect(data).toEqual(want);
  });
  it('has the shapes the README states', () => {
    const shape = (id: string) => {
      const t = publishedTruth(id).table;
      return [Object.keys(t).length, Object.keys(Object.values(t)[0]).length];
    };
    expect(shape('paper-cnn')).toEqual([11, 11]);
    expect(shape('paper-vit')).toEqual([11, 13]);
    expect(shape('paper-ssl')).toEqual([11, 12]);
    expect(shape('paper-caption')).toEqual([5, 9]);
    expect(publishedTruth('paper-cnn').publishedMeanWeightedTau?.sfda).toBe(0.71);
  });
  it('rejects an unknown id, listing the known ones', async () => {
    const e = await codeOf(() => publishedTruth('paper-rnn'));
    expect(e.code).toBe('UNKNOWN_TRUTH_TABLE');
    expect(e.message).toContain('paper-cnn');
    expect((await codeOf(() => publishedTruth('paper-ssk'))).message).toContain('did you mean "paper-ssl"?');
  });
  it('picks one dataset', async () => {
    expect(truthForDataset(publishedTruth('paper-cnn').table, 'pets').resnet50).toBeTypeOf('number');
    expect((await codeOf(() => truthForDataset(publishedTruth('paper-cnn').table))).code).toBe(
      'TRUTH_TABLE_INVALID',
    );
    expect(
      (await codeOf(() => truthForDataset(publishedTruth('paper-cnn').table, 'mnist'))).message,
    ).toContain('cifar10');
  });
});

describe('readTruthTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emms-truth-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads nested and flat JSON', async () => {
    expect(await readTruthTable(file('a.json', '{"pets": {"r50": 90, "vit": 93.5}}'))).toEqual({
      pets: { r50: 90, vit: 93.5 },
    });
    expect(await readTruthTable(file('b.json', '{"r50": 90, "vit": 93.5}'))).toEqual({
      default: { r50: 90, vit: 93.5 },
    });
    expect(await readTruthTable(file('c.json', '{"r50": 90}'), { dataset: 'mnist' })).toEqual({
      mnist: { r50: 90 },
    });
  });

  it('reads two- and three-column CSV, with or without a header', async () => {
    expect(await readTruthTable(file('a.csv', 'model,accuracy\nr50,90\n"vit, base",93.5\n'))).toEqual({
      default: { r50: 90, 'vit, base': 93.5 },
    });
    expect(
      await readTruthTable(file('b.csv', '# results\npets,r50,90\ncars,r50,80\n\npets,vit,93\n')),
    ).toEqual({
      pets: { r50: 90, vit: 93 },
      cars: { r50: 80 },
    });
  });

  it('names the file and the bad row', async () => {
    const p = file('bad.csv', 'model,value\nr50,90\nvit,n/a\n');
    const e = await codeOf(readTruthTable(p));
    expect(e.code).toBe('TRUTH_TABLE_INVALID');
    expect(e.message).toContain(p);
    expect(e.message).toContain('line 3');
    const w = await codeOf(readTruthTable(file('w.csv', 'r50,90\npets,vit,93\n')));
    expect(w.message).toContain('line 2');
    const j = await codeOf(readTruthTable(file('bad.json', '{"pets": {"r50": "90"}}')));
    expect(j.code).toBe('TRUTH_TABLE_INVALID');
    expect(j.message).toContain('"r50"');
    expect((await codeOf(readTruthTable(file('broken.json', '{"r50": 90')))).code).toBe(
      'TRUTH_TABLE_INVALID',
    );
    expect((await codeOf(readTruthTable(file('null.json', '{"r50": null, "b": 2}')))).code).toBe(
      'TRUTH_TABLE_INVALID',
    );
  });

  it('rejects duplicate model names in JSON and CSV', async () => {
    const j = await codeOf(readTruthTable(file('dup.json', '{"pets": {"r50": 90, "vit": 91, "r50": 92}}')));
    expect(j.code).toBe('DUPLICATE_MODEL');
    expect(j.message).toContain('"pets" → "r50"');
    // the same model in two datasets is fine
    expect(await readTruthTable(file('ok.json', '{"a": {"r50": 1}, "b": {"r50": 2}}'))).toEqual({
      a: { r50: 1 },
      b: { r50: 2 },
    });
    const c = await codeOf(readTruthTable(file('dup.csv', 'r50,90\nvit,91\nr50,92\n')));
    expect(c.code).toBe('DUPLICATE_MODEL');
    expect(c.message).toContain('line 3');
  });

  it('reports a missing file by its path', async () => {
    const e = await codeOf(readTruthTable(join(dir, 'nope.json')));
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toContain('nope.json');
  });

  it('parses text without a file name by its first character', () => {
    for (const text of [
      '{"__proto__": 1, "constructor": 2, "toString": 3}',
      '__proto__,1\nconstructor,2\ntoString,3\n',
    ]) {
      const row = truthForDataset(parseTruthTable(text));
      expect(Object.keys(row)).toEqual(['__proto__', 'constructor', 'toString']);
      expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(1);
    }
    expect(parseTruthTable('{"a": 1}')).toEqual({ default: { a: 1 } });
    expect(parseTruthTable('a,1\nb,2')).toEqual({ default: { a: 1, b: 2 } });
  });
});
