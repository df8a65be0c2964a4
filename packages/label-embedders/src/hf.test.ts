import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingCache } from './embedder';
import { HfEmbedder } from './hf';
import { createEmbedder } from './registry';
import { classificationFLabels, multiTextFLabels } from './tasks';
import {
  HIDDEN,
  projection,
  tableRow,
  writeTinyBert,
  writeTinyClip,
  writeTinyGpt2,
} from './testing/tiny-models';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'emms-tiny-'));
  writeTinyBert(join(root, 'bert'));
  writeTinyGpt2(join(root, 'gpt2'));
  writeTinyClip(join(root, 'clip'));
  writeTinyBert(join(root, 'st'));
  writeFileSync(join(root, 'st', 'modules.json'), '[]');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Hand computation: the mean of table rows `ids`. */
function meanRows(ids: number[]): number[] {
  const acc = new Array(HIDDEN).fill(0);
  for (const id of ids) {
    tableRow(id).forEach((v, j) => {
      acc[j] += v / ids.length;
    });
  }
  return acc;
}
function expectRow(data: Float32Array, r: number, expected: number[]) {
  const got = Array.from(data.slice(r * expected.length, (r + 1) * expected.length));
  got.forEach((v, j) => {
    expect(v).toBeCloseTo(expected[j], 5);
  });
}

describe('tiny BERT-shaped folder', () => {
  it('tokenises with [CLS]/[SEP] and pads to the longest', async () => {
    const e = await HfEmbedder.load({ model: join(root, 'bert'), local: true, pooling: 'masked-mean' });
    expect(e.family).toBe('encoder');
    expect(e.dim).toBe(HIDDEN);
    expect(e.tokenize(['a cat', 'A big red dog'])).toEqual({
      ids: [
        [2, 4, 7, 3, 0, 0],
        [2, 4, 10, 11, 8, 3],
      ],
      mask: [
        [1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1],
      ],
    });
  });

  it('pools each way as computed by hand', async () => {
    const texts = ['a cat', 'a big red dog'];
    const ids0 = [2, 4, 7, 3];
    const ids1 = [2, 4, 10, 11, 8, 3];
    const ref = await HfEmbedder.load({ model: join(root, 'bert'), local: true, pooling: 'reference' });
    const r = await ref.embed(texts, { cache: null, batchSize: 2 });
    expectRow(r.data, 0, meanRows([...ids0, 0, 0])); // padding rows included
    expectRow(r.data, 1, meanRows(ids1));
    const mm = await HfEmbedder.load({ model: join(root, 'bert'), local: true, pooling: 'masked-mean' });
    const m = await mm.embed(texts, { cache: null, batchSize: 2 });
    expectRow(m.data, 0, meanRows(ids0));
    expectRow(m.data, 1, meanRows(ids1));
    const cls = await HfEmbedder.load({ model: join(root, 'bert'), local: true, pooling: 'cls' });
    const c = await cls.embed(texts, { cache: null });
    expectRow(c.data, 0, tableRow(2));
    expectRow(c.data, 1, tableRow(2));
    expect(ref.id).not.toBe(mm.id);
  });

  it('reference pooling depends on the batch, masked-mean does not', async () => {
    const ref = await HfEmbedder.load({ model: join(root, 'bert'), local: true, pooling: 'reference' });
    const alone = await ref.embed(['a cat'], { cache: null });
    const withLong = await ref.embed(['a cat', 'a big red dog'], { cache: null, batchSize: 2 });
    const split = await ref.embed(['a cat', 'a big red dog'], { cache: null, batchSize: 1 });
    expectRow(alone.data, 0, meanRows([2, 4, 7, 3]));
    expectRow(withLong.data, 0, meanRows([2, 4, 7, 3, 0, 0]));
    expectRow(split.data, 0, meanRows([2, 4, 7, 3]));
    const mm = await HfEmbedder.load({ model: join(root, 'bert'), local: true, pooling: 'masked-mean' });
    const a = await mm.embed(['a cat'], { cache: null });
    const b = await mm.embed(['a cat', 'a big red dog'], { cache: null, batchSize: 2 });
    expect(Array.from(b.data.slice(0, HIDDEN))).toEqual(Array.from(a.data));
  });

  it('reference pooling batches as the published code: class names in one batch, captions in input order', async () => {
    const ref = await HfEmbedder.load({ model: join(root, 'bert'), local: true, pooling: 'reference' });
    expect(ref.batchDependent).toBe(true);
    expect(ref.defaultBatchSize).toBe(100);
    // all names in one batch: "cat" is padded to the length of "[CLS] big red dog [SEP]"
    const cls = await classificationFLabels(ref, { classNames: ['cat', 'big red dog'], labels: [0, 1] });
    expectRow(cls.matrix.data, 0, meanRows([2, 7, 3, 0, 0]));
    expect(cls.meta).toMatchObject({ batchSize: 2, dedupe: false });
    // captions: every caption in input order, duplicates included, cut every batchSize
    const cache = new EmbeddingCache();
    const caps = await multiTextFLabels(
      ref,
      [
        { id: 'a', texts: ['a cat', 'a cat'] },
        { id: 'b', texts: ['a big red dog'] },
      ],
      'captioning',
      'per-text',
      { batchSize: 2, cache },
    );
    expectRow(caps.matrix.data, 0, meanRows([2, 4, 7, 3])); // batch 1 = two "a cat": no padding
    expectRow(caps.matrix.data, 1, meanRows([2, 4, 7, 3]));
    expectRow(caps.matrix.data, 2, meanRows([2, 4, 10, 11, 8, 3]));
    expect(cache.size).toBe(0); // batch-dependent vectors are never cached
    // deduplicated, "a cat" would share a batch with the long caption and be padded
    const dd = await ref.embed(['a cat', 'a cat', 'a big red dog'], {
      batchSize: 2,
      dedupe: true,
      cache: null,
    });
    expectRow(dd.data, 0, meanRows([2, 4, 7, 3, 0, 0]));
  });

  it('a sentence-transformers folder is masked-mean pooled and L2-normalised', async () => {
    const e = await createEmbedder(`local:${join(root, 'st')}`, { pooling: 'masked-mean' });
    expect(e.description).toMatchObject({ family: 'sentence-transformers', normalized: true });
    const m = await e.embed(['a cat'], { cache: null });
    const v = meanRows([2, 4, 7, 3]);
    const n = Math.hypot(...v);
    expectRow(
      m.data,
      0,
      v.map((x) => x / n),
    );
  });
});

describe('tiny GPT-2-shaped folder', () => {
  it('tokenises byte-level BPE, pads with end-of-text, and pools', async () => {
    const e = await HfEmbedder.load({ model: join(root, 'gpt2'), local: true, pooling: 'reference' });
    expect(e.family).toBe('decoder');
    // merges apply by rank: "a t" first, so "cat" is c+at; " sat" is Ġ s a t → Ġ s at → Ġs at → Ġsat
    expect(e.tokenize(['cat sat', 'dog'])).toEqual({
      ids: [
        [1, 8, 12],
        [14, 15, 15],
      ],
      mask: [
        [1, 1, 1],
        [1, 0, 0],
      ],
    });
    const r = await e.embed(['cat sat', 'dog'], { cache: null, batchSize: 2 });
    expectRow(r.data, 1, meanRows([14, 15, 15]));
    const last = await HfEmbedder.load({ model: join(root, 'gpt2'), local: true, pooling: 'last' });
    const l = await last.embed(['cat sat', 'dog'], { cache: null, batchSize: 2 });
    expectRow(l.data, 0, tableRow(12));
    expectRow(l.data, 1, tableRow(14));
    const mm = await HfEmbedder.load({ model: join(root, 'gpt2'), local: true, pooling: 'masked-mean' });
    const m = await mm.embed(['cat sat', 'dog'], { cache: null, batchSize: 2 });
    expectRow(m.data, 0, meanRows([1, 8, 12]));
    expectRow(m.data, 1, tableRow(14));
  });
});

describe('tiny CLIP-text-shaped folder', () => {
  it('returns the projected text embedding', async () => {
    const e = await HfEmbedder.load({ model: join(root, 'clip'), local: true });
    expect(e.family).toBe('clip');
    expect(e.pooling).toBe('clip-projection');
    expect(e.tokenize(['a cat', 'a photo of a dog']).ids).toEqual([
      [0, 2, 5, 1, 1, 1, 1],
      [0, 2, 3, 4, 2, 6, 1],
    ]);
    const m = await e.embed(['a cat'], { cache: null });
    // tiny graph: text_embeds = (sum of token rows) · W
    const summed = meanRows([0, 2, 5, 1]).map((v) => v * 4);
    const W = projection();
    const expected = W[0].map((_, c) => summed.reduce((s, v, r) => s + v * W[r][c], 0));
    expect(m.cols).toBe(expected.length);
    expectRow(m.data, 0, expected);
  });
});

describe('model ids (the hub path)', () => {
  it('reads the config first to pick the family; transformers.js finds the id under env.localModelPath', async () => {
    const { env } = await import('@huggingface/transformers');
    const saved = env.localModelPath;
    env.localModelPath = root;
    try {
      const e = await createEmbedder('hf:clip');
      expect(e.description).toMatchObject({ embedder: 'hf:clip', family: 'clip' });
      const b = await createEmbedder('hf:gpt2', { pooling: 'masked-mean' });
      expect(b.description).toMatchObject({ family: 'decoder', pooling: 'masked-mean' });
      expect(b.id).toBe('hf:gpt2#pooling=masked-mean');
    } finally {
      env.localModelPath = saved;
    }
  });
});

describe('missing or incomplete model folders', () => {
  it('raise MODEL_NOT_FOUND naming the folder', async () => {
    const missing = join(root, 'nope');
    await expect(HfEmbedder.load({ model: missing, local: true })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      input: missing,
    });
    const partial = join(root, 'partial');
    mkdirSync(partial);
    writeFileSync(join(partial, 'config.json'), '{"model_type":"bert"}');
    writeFileSync(join(partial, 'tokenizer.json'), '{}');
    await expect(HfEmbedder.load({ model: partial, local: true })).rejects.toThrow(/onnx\/model\.onnx/);
    await expect(createEmbedder('bogus')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
