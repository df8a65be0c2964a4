// Templates, item F-labels and the offline text models added for the multi-task suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashedBowEmbedder } from './bow';
import { BaseEmbedder } from './embedder';
import { FastTextLidEmbedder } from './fasttext';
import { GloveEmbedder } from './glove';
import { captionItemFLabels, referringItemFLabels } from './items';
import { createEmbedder, OFFLINE_EMBEDDERS } from './registry';
import { defaultTemplates, isDigitClasses, labelWords, validateTemplates } from './templates';
import { UseLiteEmbedder } from './use-lite';

/** vector = [characters, words] */
class LengthEmbedder extends BaseEmbedder {
  readonly id = 'length';
  readonly dim = 2;
  readonly description = { embedder: 'length' };
  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    return Float32Array.from(texts.flatMap((t) => [t.length, t.split(' ').length]));
  }
}

const row = (m: { cols: number; data: Float32Array }, i: number) =>
  Array.from(m.data.slice(i * m.cols, (i + 1) * m.cols));

describe('templates chosen for the dataset', () => {
  it('uses the digit templates only for digit classes', () => {
    expect(isDigitClasses(['0', '1', '2'])).toBe(true);
    expect(isDigitClasses(['Zero', 'one'])).toBe(true);
    expect(isDigitClasses(['1', '2'])).toBe(false);
    const digits = defaultTemplates({
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      modality: 'image',
    });
    expect(digits.templates).toContain('a photo of the digit {}');
    expect(digits.reason).toMatch(/digits 0–9/);
    const clothes = defaultTemplates({ classes: ['T-shirt/top', 'Ankle boot'], modality: 'image' });
    expect(clothes.templates.join(' ')).not.toMatch(/digit|number/);
    expect(clothes.templates).toContain('a photo of a {}');
    const texts = defaultTemplates({ classes: ['0', '1'], modality: 'text' });
    expect(texts.templates).toContain('{}');
    expect(texts.templates.join(' ')).not.toMatch(/photo|digit/);
    expect(texts.reason).toMatch(/text/);
  });

  it('turns digit ids into words and underscores into spaces', () => {
    expect(labelWords(['0', '1', '2'])).toEqual(['zero', 'one', 'two']);
    expect(labelWords(['golden_retriever', 'cat'])).toEqual(['golden retriever', 'cat']);
  });

  it('refuses a template without exactly one "{}", naming it and the fix', () => {
    expect(() => validateTemplates(['{}', 'a photo of a'], 'flabels.templates')).toThrow(
      expect.objectContaining({
        code: 'TEMPLATE_INVALID',
        message: expect.stringMatching(
          /template "a photo of a" in flabels\.templates has no "\{\}".*"a photo of a \{\}"/,
        ),
      }),
    );
    expect(() => validateTemplates(['{} and {}'])).toThrow(/has 2 "\{\}"/);
    expect(validateTemplates(['a {}'])).toEqual(['a {}']);
  });
});

describe('F-labels from item texts', () => {
  const items = [
    { id: 'a', text: 'the digit one', target: [0.25, 0.5, 0.75, 1] },
    { id: 'b', text: 'the small two', target: [0, 0, 0.5, 0.25] },
  ];

  it('appends the box (x, y, w, h) to the embedded expression, or gives them as two F-labels', async () => {
    const e = new LengthEmbedder();
    const [one] = await referringItemFLabels(e, items, { cache: null });
    expect(one.matrix.cols).toBe(6);
    expect(row(one.matrix, 0)).toEqual([13, 3, 0.25, 0.5, 0.5, 0.5]);
    expect(row(one.matrix, 1)).toEqual([13, 3, 0, 0, 0.5, 0.25]);
    const [box, text] = await referringItemFLabels(e, items, { cache: null, form: 'separate' });
    expect(row(box.matrix, 1)).toEqual([0, 0, 0.5, 0.25]);
    expect(row(text.matrix, 0)).toEqual([13, 3]);
    await expect(referringItemFLabels(e, [{ id: 'x', text: 'y' }])).rejects.toMatchObject({
      code: 'EMBEDDER_INPUT',
      input: 'x',
    });
  });

  it('embeds one caption per item', async () => {
    const f = await captionItemFLabels(new LengthEmbedder(), items, { cache: null });
    expect(f.matrix.rows).toBe(2);
    expect(row(f.matrix, 1)).toEqual([13, 3]);
    await expect(captionItemFLabels(new LengthEmbedder(), [{ id: 'x', text: ' ' }])).rejects.toMatchObject({
      code: 'EMBEDDER_INPUT',
    });
  });
});

describe('offline text models', () => {
  it('hashes words into signed buckets (FNV-1a test vectors: "a" = 0xe40c292c, "b" = 0xe70c2de5)', async () => {
    const bow = new HashedBowEmbedder();
    const m = await bow.embed(['a', 'A a!', 'a b', '...'], { cache: null });
    expect(m.cols).toBe(1024);
    // "a": bucket 0xe40c292c mod 1024 = 300, sign bit set → −1 after unit length
    expect(m.data[300]).toBeCloseTo(-1, 6);
    expect(row(m, 1)).toEqual(row(m, 0)); // counts are damped, then the row has unit length
    expect(m.data[2 * 1024 + 300]).toBeCloseTo(-Math.SQRT1_2, 6);
    expect(m.data[2 * 1024 + (0xe70c2de5 % 1024)]).toBeCloseTo(-Math.SQRT1_2, 6);
    expect(row(m, 3).every((v) => v === 0)).toBe(true);
  });

  it('pools GloVe vectors by max as well as by mean, and may give zero rows for unknown words', async () => {
    const words = { dimensions: 2, vectors: { cat: [1, -2, 0, 7], dog: [-1, 4, 0, 9] } };
    const max = new GloveEmbedder(words, 'glove-max', { pooling: 'max', unknown: 'zero' });
    const m = await max.embed(['cat dog', 'zzz', 'dog'], { cache: null });
    expect(Array.from(m.data)).toEqual([1, 4, 0, 0, -1, 4]);
  });

  it('names every offline embedder', () => {
    expect(Object.keys(OFFLINE_EMBEDDERS).length).toBeGreaterThanOrEqual(8);
  });
});

describe('offline text models with real weights', () => {
  let tanh: UseLiteEmbedder;
  let final: UseLiteEmbedder;
  beforeAll(async () => {
    [tanh, final] = await Promise.all([UseLiteEmbedder.load({ output: 'tanh' }), UseLiteEmbedder.load()]);
  });
  afterAll(async () => {
    await Promise.all([tanh.dispose(), final.dispose()]);
  });

  it('reads USE-lite stages: the sentence embedding is the tanh stage at unit length', async () => {
    const texts = ['buy cheap pills now', 'the meeting is at noon tomorrow, please come'];
    const t = await tanh.embed(texts, { cache: null });
    const f = await final.embed(texts, { cache: null });
    for (let i = 0; i < 2; i++) {
      const r = row(t, i);
      const n = Math.hypot(...r);
      row(f, i).forEach((v, j) => {
        expect(v).toBeCloseTo(r[j] / n, 5);
      });
    }
  });

  it('pools the token stages over each sentence alone (batch mates change nothing)', async () => {
    for (const output of ['layer1', 'embeddings', 'encoder'] as const) {
      const e = (await createEmbedder(`use-lite-${output}`)) as UseLiteEmbedder;
      const long = Array.from({ length: 200 }, (_, i) => `word${i % 13}`).join(' ');
      const alone = await e.embed(['a short one'], { cache: null });
      const mixed = await e.embed([long, 'a short one'], { cache: null, batchSize: 2 });
      expect(alone.cols).toBe(output === 'embeddings' ? 256 : 512);
      row(alone, 0).forEach((v, j) => {
        expect(mixed.data[mixed.cols + j]).toBeCloseTo(v, 4);
      });
      expect(row(mixed, 0).every(Number.isFinite)).toBe(true);
      await e.dispose();
    }
  });

  it("reads fastText's 16-d sentence vector, one line at a time", async () => {
    const ft = await FastTextLidEmbedder.load();
    const m = await ft.embed(['hello world', 'hello\nworld', 'bonjour le monde'], { cache: null });
    expect(m.cols).toBe(16);
    expect(row(m, 1)).toEqual(row(m, 0));
    expect(row(m, 2)).not.toEqual(row(m, 0));
  });
});
