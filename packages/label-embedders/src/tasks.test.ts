import { describe, expect, it } from 'vitest';
import { BaseEmbedder, EmbeddingCache } from './embedder';
import {
  classificationFLabels,
  multiTextFLabels,
  normaliseBox,
  prepareText,
  referringFLabels,
  repeatRows,
  vqaFLabels,
} from './tasks';

/** A test double: vector = [characters, vowels, words]; records what each batch held. */
class CountingEmbedder extends BaseEmbedder {
  readonly id = 'counting';
  readonly dim = 3;
  readonly description = { embedder: 'counting', pooling: 'none' };
  readonly seen: string[] = [];
  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    this.seen.push(...texts);
    return Float32Array.from(
      texts.flatMap((t) => [t.length, (t.match(/[aeiou]/g) ?? []).length, t.split(' ').length]),
    );
  }
}
const vec = (t: string) => [t.length, (t.match(/[aeiou]/g) ?? []).length, t.split(' ').length];
const rows = (m: { rows: number; cols: number; data: Float32Array }) =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.slice(i * m.cols, (i + 1) * m.cols)));

describe('text preparation', () => {
  it('cleans underscores and applies the template', () => {
    expect(prepareText('golden_retriever', { underscoresToSpaces: true, template: 'a photo of a {}.' })).toBe(
      'a photo of a golden retriever.',
    );
    expect(prepareText('golden_retriever')).toBe('golden_retriever');
    expect(prepareText('A Dog_Runs', { lowercase: true, template: 'A {}' })).toBe('A a dog_runs');
    expect(() => prepareText('x', { template: 'no slot' })).toThrow(/exactly one/);
  });
});

describe('classification', () => {
  it('embeds each class name once and gathers rows by label', async () => {
    const e = new CountingEmbedder();
    const out = await classificationFLabels(
      e,
      { classNames: ['cat', 'big_dog', 'eel'], labels: [1, 0, 1, 2, 0] },
      { template: 'a {}', underscoresToSpaces: true, cache: new EmbeddingCache() },
    );
    expect(e.seen).toEqual(['a cat', 'a big dog', 'a eel']);
    expect(rows(out.matrix)).toEqual(['a big dog', 'a cat', 'a big dog', 'a eel', 'a cat'].map(vec));
    expect(out.meta).toMatchObject({
      task: 'classification',
      template: 'a {}',
      rows: 5,
      cols: 3,
      distinctTexts: 3,
    });
  });

  it('names the class with an empty name and the sample with a bad label', async () => {
    const e = new CountingEmbedder();
    await expect(classificationFLabels(e, { classNames: ['cat', ' '], labels: [0] })).rejects.toMatchObject({
      code: 'EMBEDDER_INPUT',
      input: 'class 1',
    });
    await expect(
      classificationFLabels(e, { classNames: ['cat', 'dog'], labels: [0, 2], sampleIds: ['a.png', 'b.png'] }),
    ).rejects.toMatchObject({ code: 'LABEL_OUT_OF_RANGE', input: 'b.png' });
  });
});

describe('captioning and text QA', () => {
  const samples = [
    { id: 'img0', texts: ['a cat', 'one cat sits'] },
    { id: 'img1', texts: ['a dog'] },
    { id: 'img2', texts: ['a cat', 'birds'] },
  ];

  it('gives one row per caption with the row-to-sample map', async () => {
    const e = new CountingEmbedder();
    const out = await multiTextFLabels(e, samples, 'captioning', 'per-text', { cache: new EmbeddingCache() });
    expect(rows(out.matrix)).toEqual(['a cat', 'one cat sits', 'a dog', 'a cat', 'birds'].map(vec));
    expect(Array.from(out.rowToSample!)).toEqual([0, 0, 1, 2, 2]);
    expect(e.seen).toEqual(['a cat', 'one cat sits', 'a dog', 'birds']);
    const X = { rows: 3, cols: 2, data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    expect(Array.from(repeatRows(X, out.rowToSample!).data)).toEqual([1, 2, 1, 2, 3, 4, 5, 6, 5, 6]);
  });

  it("or the mean of a sample's captions", async () => {
    const out = await multiTextFLabels(new CountingEmbedder(), samples, 'tqa', 'mean', { cache: null });
    const mean = (a: number[], b: number[]) => a.map((v, i) => (v + b[i]) / 2);
    expect(rows(out.matrix)).toEqual([
      mean(vec('a cat'), vec('one cat sits')),
      vec('a dog'),
      mean(vec('a cat'), vec('birds')),
    ]);
    expect(out.rowToSample).toBeUndefined();
    expect(out.meta.task).toBe('tqa');
  });

  it('names a sample with no caption or an empty one', async () => {
    const e = new CountingEmbedder();
    await expect(multiTextFLabels(e, [{ id: 'img7', texts: [] }], 'captioning')).rejects.toMatchObject({
      code: 'EMBEDDER_INPUT',
      input: 'img7',
      details: { reason: 'no-caption' },
    });
    await expect(multiTextFLabels(e, [{ id: 'q3', texts: ['ok', ''] }], 'tqa')).rejects.toMatchObject({
      code: 'EMBEDDER_INPUT',
      input: 'q3',
      details: { reason: 'empty-label' },
    });
  });
});

describe('VQA', () => {
  it('turns answers into classes over the answer vocabulary', async () => {
    const e = new CountingEmbedder();
    const out = await vqaFLabels(
      e,
      [
        { id: 'q0', answer: 'yes' },
        { id: 'q1', answer: 'two' },
        { id: 'q2', answer: 'yes' },
      ],
      { cache: new EmbeddingCache() },
    );
    expect(Array.from(out.labels)).toEqual([0, 1, 0]);
    expect(out.meta.classNames).toEqual(['yes', 'two']);
    expect(e.seen).toEqual(['yes', 'two']);
    expect(rows(out.matrix)).toEqual(['yes', 'two', 'yes'].map(vec));
    await expect(vqaFLabels(e, [{ id: 'q9', answer: '' }])).rejects.toMatchObject({ input: 'q9' });
  });
});

describe('referring expressions', () => {
  const s = {
    id: 'ref0',
    expression: 'left cat',
    box: [10, 20, 30, 40] as const,
    imageWidth: 100,
    imageHeight: 200,
  };

  it('appends the box normalised by the image size', async () => {
    const out = await referringFLabels(new CountingEmbedder(), [s], 'append', { cache: null });
    expect(out.matrix.cols).toBe(7);
    const r = rows(out.matrix)[0];
    expect(r.slice(0, 3)).toEqual(vec('left cat'));
    expect(r.slice(3).map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.1, 0.3, 0.2]);
  });

  it('or writes it into the text', async () => {
    const e = new CountingEmbedder();
    const out = await referringFLabels(e, [s], 'text', { cache: null });
    expect(e.seen).toEqual(['left cat [0.100, 0.100, 0.300, 0.200]']);
    expect(out.matrix.cols).toBe(3);
  });

  it('refuses a box outside the image, naming the sample', () => {
    expect(() => normaliseBox({ ...s, box: [80, 20, 30, 40] })).toThrow(/ref0/);
    try {
      normaliseBox({ ...s, id: 'ref5', box: [0, 0, 10, 201] });
    } catch (e) {
      expect(e).toMatchObject({
        code: 'EMBEDDER_INPUT',
        input: 'ref5',
        details: { reason: 'box-outside-image' },
      });
    }
    expect(() => normaliseBox({ ...s, box: [0, 0, 0, 5] })).toThrow(/outside/);
  });
});
