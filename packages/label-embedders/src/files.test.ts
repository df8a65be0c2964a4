import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy } from '@emms/tensor-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseEmbedder } from './embedder';
import { embedderFileName, embedLabels } from './files';

/** Test double: vector = [characters, words]. */
class LengthEmbedder extends BaseEmbedder {
  readonly id = 'length';
  readonly dim = 2;
  readonly description = { embedder: 'length', pooling: 'none' };
  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    return Float32Array.from(texts.flatMap((t) => [t.length, t.split(' ').length]));
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'emms-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const npy = (p: string) => parseNpy(new Uint8Array(readFileSync(p)));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('embedLabels writes .npy files with sidecars', () => {
  it('classification from a class list and a label file', async () => {
    const classes = write('classes.txt', 'tabby_cat\nbig dog\n');
    const labels = write('y.txt', '1\n0\n1\n');
    const r = await embedLabels({
      task: 'classification',
      embedders: [new LengthEmbedder()],
      classesFile: classes,
      labelsFile: labels,
      template: 'a {}',
      underscoresToSpaces: true,
      outDir: join(dir, 'out'),
    });
    const t = npy(r.files[0].npy);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([3, 2]);
    // "a big dog" = 9 chars, 3 words; "a tabby cat" = 11 chars, 3 words
    expect(Array.from(t.data as Float32Array)).toEqual([9, 3, 11, 3, 9, 3]);
    const side = JSON.parse(readFileSync(r.files[0].sidecar, 'utf8'));
    expect(side).toMatchObject({
      format: 'emms-flabels/1',
      task: 'classification',
      embedder: 'length',
      template: 'a {}',
      underscoresToSpaces: true,
      classNames: ['tabby_cat', 'big dog'],
      labelSource: { classes, labels },
    });
  });

  it('captioning per caption with a row map', async () => {
    const input = write(
      'caps.jsonl',
      '{"id":"img0","captions":["a cat","one cat sits"]}\n\n{"id":"img1","caption":"a dog"}\n',
    );
    const r = await embedLabels({
      task: 'captioning',
      embedders: [new LengthEmbedder()],
      inputFile: input,
      outDir: join(dir, 'cap'),
    });
    expect(npy(r.files[0].npy).shape).toEqual([3, 2]);
    expect(Array.from(npy(r.files[0].rowMap!).data as Int32Array)).toEqual([0, 0, 1]);
    const side = JSON.parse(readFileSync(r.files[0].sidecar, 'utf8'));
    expect(side).toMatchObject({
      rowToSample: [0, 0, 1],
      sampleIds: ['img0', 'img1'],
      multiTextMode: 'per-text',
    });
  });

  it('VQA from answers writes the answer classes too', async () => {
    const input = write(
      'vqa.jsonl',
      '{"id":"q0","answer":"yes"}\n{"id":"q1","answer":"no"}\n{"id":"q2","answer":"yes"}\n',
    );
    const r = await embedLabels({
      task: 'vqa',
      embedders: [new LengthEmbedder()],
      inputFile: input,
      outDir: join(dir, 'vqa'),
    });
    expect(Array.from(npy(r.labels!).data as Int32Array)).toEqual([0, 1, 0]);
    expect(readFileSync(r.classes!, 'utf8')).toBe('yes\nno\n');
  });

  it('referring expressions with the box appended', async () => {
    const input = write(
      'rec.jsonl',
      '{"id":"r0","expression":"left cat","box":[0,0,50,25],"image_width":100,"image_height":100}\n',
    );
    const r = await embedLabels({
      task: 'rec',
      embedders: [new LengthEmbedder()],
      inputFile: input,
      outDir: join(dir, 'rec'),
    });
    expect(Array.from(npy(r.files[0].npy).data as Float32Array)).toEqual([8, 2, 0, 0, 0.5, 0.25]);
  });

  it('names the file, line and sample on bad input', async () => {
    const bad = write('bad.jsonl', '{"id":"a","caption":"x"}\n{oops\n');
    await expect(
      embedLabels({
        task: 'captioning',
        embedders: [new LengthEmbedder()],
        inputFile: bad,
        outDir: join(dir, 'x'),
      }),
    ).rejects.toMatchObject({ code: 'LABELS_PARSE', input: `${bad}:2` });
    const three = join(dir, 'X3.npy');
    writeFileSync(three, encodeNpy({ dtype: 'float32', shape: [3, 1], data: Float32Array.from([1, 2, 3]) }));
    await expect(
      embedLabels({
        task: 'captioning',
        embedders: [new LengthEmbedder()],
        inputFile: write('two.jsonl', '{"caption":"a"}\n{"caption":"b"}\n'),
        featuresFile: three,
        outDir: join(dir, 'x'),
      }),
    ).rejects.toMatchObject({ code: 'ROW_MISMATCH', input: three });
    const none = write('none.jsonl', '{"id":"img4"}\n');
    await expect(
      embedLabels({
        task: 'captioning',
        embedders: [new LengthEmbedder()],
        inputFile: none,
        outDir: join(dir, 'x'),
      }),
    ).rejects.toMatchObject({ code: 'EMBEDDER_INPUT', input: 'img4' });
    const box = write(
      'box.jsonl',
      '{"id":"r7","expression":"x","box":[90,0,20,5],"image_width":100,"image_height":100}\n',
    );
    await expect(
      embedLabels({ task: 'rec', embedders: [new LengthEmbedder()], inputFile: box, outDir: join(dir, 'x') }),
    ).rejects.toMatchObject({ code: 'EMBEDDER_INPUT', input: 'r7' });
    await expect(
      embedLabels({
        task: 'classification',
        embedders: ['local:/no/such/model'],
        outDir: join(dir, 'x'),
        labelsFile: write('l.txt', 'cat\n'),
      }),
    ).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', input: '/no/such/model' });
  });

  it('makes file-safe embedder names', () => {
    expect(embedderFileName('use-lite')).toBe('use-lite');
    expect(embedderFileName('hf:Xenova/bert-base-uncased')).toBe('hf-Xenova_bert-base-uncased');
    expect(embedderFileName('local:/models/tiny/')).toBe('local-tiny');
  });
});
