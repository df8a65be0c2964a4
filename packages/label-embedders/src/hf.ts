import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { withTransformersEnv } from '@emms/runtime';
import { EmmsError } from '@emms/tensor-io';
import { BaseEmbedder } from './embedder';
import { l2NormaliseRows, type Pooling, poolHiddenStates } from './pooling';

/** Which kind of transformers model, hence which output and pooling. */
export type HfFamily = 'clip' | 'encoder' | 'decoder' | 'sentence-transformers';

/** Options for {@link HfEmbedder.load}. */
export interface HfEmbedderOptions {
  /** A model id to fetch online (e.g. "Xenova/bert-base-uncased") or, with `local`, a folder path. */
  readonly model: string;
  /** True: `model` is a folder holding config.json, tokenizer.json and onnx/; no network is used. */
  readonly local?: boolean;
  /** Pooling of hidden states (ignored by CLIP, whose projected text embedding is used). */
  readonly pooling?: Pooling;
  /** Overrides the family read from config.json / the folder layout. */
  readonly family?: HfFamily;
  /** ONNX weight variant (default "fp32": onnx/model.onnx; "q8": onnx/model_quantized.onnx). */
  readonly dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';
  /** L2-normalise rows (default: true for sentence-transformers, false otherwise). */
  readonly normalize?: boolean;
}

const DECODER_TYPES = new Set([
  'gpt2',
  'gpt_neo',
  'gpt_neox',
  'gptj',
  'gpt_bigcode',
  'opt',
  'llama',
  'mistral',
  'qwen2',
  'phi',
  'bloom',
  'codegen',
]);
const CLIP_TYPES = new Set(['clip', 'clip_text_model', 'siglip', 'siglip_text_model', 'chinese_clip']);
const DTYPE_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
};

/** Decides the family from config.json and the folder's files (sentence-transformers ship modules.json). */
export function detectFamily(config: { model_type?: string }, files: readonly string[] = []): HfFamily {
  const type = config.model_type ?? '';
  if (CLIP_TYPES.has(type)) return 'clip';
  if (files.includes('modules.json') || files.includes('config_sentence_transformers.json'))
    return 'sentence-transformers';
  if (DECODER_TYPES.has(type)) return 'decoder';
  return 'encoder';
}

function modelError(dir: string, what: string): EmmsError {
  return new EmmsError(
    'MODEL_NOT_FOUND',
    `Model folder ${dir} ${what}. A local transformers.js model needs config.json, tokenizer.json and ` +
      'onnx/model.onnx (onnx/text_model.onnx for CLIP); export one with Optimum or copy it from a machine that has it.',
    { input: dir },
  );
}

/** Checks a local folder before transformers.js sees it, whose own errors here are unhelpful. */
export function checkModelFolder(
  dir: string,
  dtype = 'fp32',
  family?: HfFamily,
): { config: Record<string, unknown>; family: HfFamily } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw modelError(dir, 'does not exist');
  const files = readdirSync(dir);
  for (const f of ['config.json', 'tokenizer.json'])
    if (!files.includes(f)) throw modelError(dir, `has no ${f}`);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  } catch (cause) {
    throw new EmmsError(
      'MODEL_INVALID',
      `${join(dir, 'config.json')} is not valid JSON: ${(cause as Error).message}`,
      {
        input: join(dir, 'config.json'),
      },
    );
  }
  const fam = family ?? detectFamily(config as { model_type?: string }, files);
  const onnxName = `${fam === 'clip' ? 'text_model' : 'model'}${DTYPE_SUFFIX[dtype] ?? ''}.onnx`;
  if (!existsSync(join(dir, 'onnx', onnxName))) throw modelError(dir, `has no onnx/${onnxName}`);
  return { config, family: fam };
}

type Transformers = typeof import('@huggingface/transformers');

/**
 * A @huggingface/transformers text model as an embedder: CLIP text encoders give their projected
 * text embedding (`text_embeds`); BERT-, GPT-2-style and sentence-transformer models give their last
 * hidden state pooled by `pooling` (sentence-transformers are L2-normalised by default).
 */
export class HfEmbedder extends BaseEmbedder {
  readonly id: string;
  /** Output width, measured on a probe string when the model loads. */
  dim = 0;
  readonly description: Readonly<Record<string, unknown>>;
  /** Which output is read: CLIP's projected text embedding, or pooled hidden states. */
  readonly family: HfFamily;
  /** The pooling applied ("clip-projection" for CLIP, whose model pools itself). */
  readonly pooling: Pooling | 'clip-projection';
  /** True with `reference` pooling (a row depends on its batch's padded length). */
  override readonly batchDependent: boolean;
  /** 100 with `reference` pooling (the published caption scripts' batch), else 32. */
  override readonly defaultBatchSize: number;

  private constructor(
    private readonly tokenizer: Awaited<ReturnType<Transformers['AutoTokenizer']['from_pretrained']>>,
    private readonly model: Awaited<ReturnType<Transformers['AutoModel']['from_pretrained']>>,
    family: HfFamily,
    options: HfEmbedderOptions,
    private readonly normalize: boolean,
  ) {
    super();
    this.family = family;
    this.pooling = family === 'clip' ? 'clip-projection' : (options.pooling ?? 'reference');
    this.batchDependent = this.pooling === 'reference';
    // The published caption scripts embed 100 captions per batch (class names: all in one batch).
    this.defaultBatchSize = this.batchDependent ? 100 : 32;
    const source = options.local ? `local:${resolve(options.model)}` : `hf:${options.model}`;
    const dtype = options.dtype ?? 'fp32';
    this.id = `${source}#pooling=${this.pooling}${dtype === 'fp32' ? '' : `#dtype=${dtype}`}${normalize ? '#l2' : ''}`;
    this.description = {
      embedder: source,
      family,
      pooling: this.pooling,
      dtype,
      normalized: normalize,
    };
  }

  /**
   * Loads tokenizer and model (online by id, or offline from a local folder); transformers.js's
   * `env` is set by its one owner, `withTransformersEnv` of @emms/runtime, which also serialises loads.
   */
  static async load(options: HfEmbedderOptions): Promise<HfEmbedder> {
    const dtype = options.dtype ?? 'fp32';
    let family = options.family;
    if (options.local) family = checkModelFolder(options.model, dtype, options.family).family;
    const tf: Transformers = await import('@huggingface/transformers');
    const source = options.local ? { folder: resolve(options.model) } : { hubId: options.model };
    return withTransformersEnv(tf, source, (modelId) => HfEmbedder.loadNow(tf, modelId, family, options));
  }

  private static async loadNow(
    tf: Transformers,
    modelId: string,
    given: HfFamily | undefined,
    options: HfEmbedderOptions,
  ): Promise<HfEmbedder> {
    const dtype = options.dtype ?? 'fp32';
    let family = given;
    try {
      if (family === undefined) {
        // Hub models: the family decides which class loads the weights, so read the config first.
        const config = (await tf.AutoConfig.from_pretrained(modelId)) as unknown as { model_type?: string };
        family = options.model.startsWith('sentence-transformers/')
          ? 'sentence-transformers'
          : detectFamily(config);
      }
      const tokenizer = await tf.AutoTokenizer.from_pretrained(modelId);
      const model =
        family === 'clip'
          ? await tf.CLIPTextModelWithProjection.from_pretrained(modelId, { dtype })
          : await tf.AutoModel.from_pretrained(modelId, { dtype });
      const tok = tokenizer as unknown as {
        pad_token_id?: number | null;
        pad_token?: string | null;
        eos_token?: string;
        eos_token_id?: number;
      };
      if (tok.pad_token_id == null && tok.eos_token_id != null) {
        // GPT-2 has no padding token; the published code pads with the end-of-text token.
        tok.pad_token = tok.eos_token;
        tok.pad_token_id = tok.eos_token_id;
      }
      const normalize = options.normalize ?? family === 'sentence-transformers';
      const embedder = new HfEmbedder(tokenizer, model, family as HfFamily, options, normalize);
      embedder.dim = (await embedder.embedBatch(['a'])).length;
      return embedder;
    } catch (cause) {
      if (cause instanceof EmmsError) throw cause;
      throw new EmmsError(
        'MODEL_NOT_FOUND',
        `Could not load transformers model "${options.model}"${options.local ? ' from its folder' : ' (online models need network access)'}: ${(cause as Error).message}`,
        { input: options.model, cause },
      );
    }
  }

  /** Token ids and attention mask of a batch padded to its longest member (for inspection and tests). */
  tokenize(texts: readonly string[]): { ids: number[][]; mask: number[][] } {
    const enc = this.tokenizer([...texts], { padding: true, truncation: true }) as unknown as {
      input_ids: { tolist(): (number | bigint)[][] };
      attention_mask: { tolist(): (number | bigint)[][] };
    };
    const conv = (m: (number | bigint)[][]) => m.map((r) => r.map(Number));
    return { ids: conv(enc.input_ids.tolist()), mask: conv(enc.attention_mask.tolist()) };
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    const inputs = this.tokenizer([...texts], { padding: true, truncation: true }) as unknown as {
      attention_mask: { data: ArrayLike<bigint | number> };
    };
    const out = (await (this.model as unknown as (x: unknown) => Promise<Record<string, TensorLike>>)(
      inputs,
    )) as Record<string, TensorLike>;
    let rows: Float32Array;
    if (this.family === 'clip') {
      const t = out.text_embeds;
      if (!t)
        throw new EmmsError('MODEL_INVALID', `CLIP model ${this.id} gave no text_embeds output.`, {
          input: this.id,
        });
      rows = Float32Array.from(t.data as ArrayLike<number>);
    } else {
      const t = out.last_hidden_state ?? out.token_embeddings;
      if (t?.dims.length !== 3) {
        throw new EmmsError(
          'MODEL_INVALID',
          `Model ${this.id} gave no last_hidden_state [batch, seq, hidden].`,
          {
            input: this.id,
          },
        );
      }
      rows = poolHiddenStates(
        t.data as ArrayLike<number>,
        t.dims as [number, number, number],
        inputs.attention_mask.data,
        this.pooling as Pooling,
      );
    }
    const dim = rows.length / texts.length;
    return this.normalize ? l2NormaliseRows(rows, dim) : rows;
  }

  override async dispose(): Promise<void> {
    await (this.model as unknown as { dispose(): Promise<unknown> }).dispose();
  }
}

interface TensorLike {
  readonly data: ArrayLike<number | bigint>;
  readonly dims: readonly number[];
}
