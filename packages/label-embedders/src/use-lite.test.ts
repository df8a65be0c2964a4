import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingCache } from './embedder';
import { UseLiteEmbedder } from './use-lite';

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return s / Math.sqrt(na * nb);
}

const row = (m: { cols: number; data: Float32Array }, i: number) =>
  m.data.slice(i * m.cols, (i + 1) * m.cols);

describe('Universal Sentence Encoder lite (offline, real weights)', () => {
  let use: UseLiteEmbedder;
  beforeAll(async () => {
    use = await UseLiteEmbedder.load();
  });
  afterAll(async () => {
    await use.dispose();
  });

  it('is 512-d and puts "cat" nearer "kitten" than "airplane"', async () => {
    const m = await use.embed(['cat', 'kitten', 'airplane'], { cache: null });
    expect(m.rows).toBe(3);
    expect(m.cols).toBe(512);
    const near = cosine(row(m, 0), row(m, 1));
    const far = cosine(row(m, 0), row(m, 2));
    expect(near).toBeGreaterThan(far + 0.1);
  });

  it('gives ten distinct rows for the ten digit names', async () => {
    const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const m = await use.embed(names, { cache: null });
    for (let i = 0; i < 10; i++) {
      for (let j = i + 1; j < 10; j++) expect(cosine(row(m, i), row(m, j))).toBeLessThan(0.99);
    }
  });

  it('gives the same vector for the same text, across calls and batch mates, without a cache', async () => {
    const a = await use.embed(['a photo of a dog'], { cache: null });
    const b = await use.embed(['the airplane is red', 'a photo of a dog', 'x'], {
      cache: null,
      batchSize: 3,
    });
    const rb = row(b, 1);
    for (let j = 0; j < 512; j++) expect(Math.abs(a.data[j] - rb[j])).toBeLessThan(1e-5);
  });

  it('embeds each distinct string once through the cache, and reports progress', async () => {
    const cache = new EmbeddingCache();
    const events: number[] = [];
    let calls = 0;
    const orig = use.embedBatch.bind(use);
    use.embedBatch = async (t) => {
      calls += t.length;
      return orig(t);
    };
    try {
      const m = await use.embed(['dog', 'cat', 'dog', 'bird', 'cat'], {
        cache,
        batchSize: 2,
        onProgress: (e) => events.push(e.done),
      });
      expect(m.rows).toBe(5);
      expect(calls).toBe(3);
      expect(events).toEqual([2, 3]);
      expect(row(m, 0)).toEqual(row(m, 2));
      await use.embed(['cat', 'dog'], { cache });
      expect(calls).toBe(3);
      expect(cache.size).toBe(3);
    } finally {
      use.embedBatch = orig;
    }
  });

  it('refuses an empty string with a typed error', async () => {
    await expect(use.embed(['cat', '  '], { cache: null })).rejects.toMatchObject({ code: 'EMBEDDER_INPUT' });
  });
});
