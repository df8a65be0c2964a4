// Test helpers: tiny transformers.js model folders whose outputs are known by hand.
import {
  floatTensor,
  INT64,
  int64Tensor,
  model,
  node,
  valueInfo,
  wordLevelTokenizer,
  writeModelFolder,
} from '@emms/testing';

/** ViT preprocessing: resize to 4×4, rescale by 1/255, normalise with mean 0.5, std 0.5. */
const VIT_PREPROCESSOR = {
  image_processor_type: 'ViTImageProcessor',
  do_resize: true,
  size: { height: 4, width: 4 },
  resample: 2,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
};

/** pixel_values [N,3,4,4] → reshape [N,3,16] → transpose → last_hidden_state [N,16,3] (token t = pixel t). */
function vitGraph(): Uint8Array {
  return model({
    inputs: [valueInfo('pixel_values', ['batch', 3, 4, 4])],
    outputs: [valueInfo('last_hidden_state', ['batch', 16, 3])],
    initializers: [int64Tensor('shape', [3], [0, 3, 16])],
    nodes: [
      node('Reshape', ['pixel_values', 'shape'], ['flat']),
      node('Transpose', ['flat'], ['last_hidden_state'], { perm: [0, 2, 1] }),
    ],
  });
}

/**
 * A ViT-shaped image model on 4×4 images whose "hidden states" are the normalised pixels:
 * pixel_values [N,3,4,4] → reshape [N,3,16] → transpose → last_hidden_state [N,16,3] (token t = pixel t).
 * The processor resizes to 4×4, rescales by 1/255 and normalises with mean 0.5, std 0.5.
 */
export function writeTinyVit(dir: string): string {
  return writeModelFolder(dir, {
    config: {
      model_type: 'vit',
      architectures: ['ViTModel'],
      hidden_size: 3,
      image_size: 4,
      patch_size: 1,
      num_channels: 3,
    },
    preprocessorConfig: VIT_PREPROCESSOR,
    onnx: { model: vitGraph() },
  });
}

/** Vocabulary of the tiny text model. */
export const VOCAB: Record<string, number> = {
  '[PAD]': 0,
  '[UNK]': 1,
  '[CLS]': 2,
  '[SEP]': 3,
  red: 4,
  green: 5,
  blue: 6,
};

/** Embedding row of token id i (2 values), recomputed by the tests. */
export function embedding(i: number): [number, number] {
  return [i, 10 - i * i];
}

/** The embedding table (one row per vocabulary entry), flattened. */
function table(): number[] {
  const n = Object.keys(VOCAB).length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) rows.push(...embedding(i));
  return rows;
}

/** WordLevel tokenizer over {@link VOCAB}: lower-case, [CLS] … [SEP]. */
const BERT_TOKENIZER = wordLevelTokenizer({
  vocab: VOCAB,
  special: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'],
  start: '[CLS]',
  end: '[SEP]',
  unk: '[UNK]',
});

const BERT_TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  model_max_length: 16,
};

/**
 * A BERT-shaped text model: WordLevel tokenizer with [CLS] … [SEP], last_hidden_state = table[input_ids].
 */
export function writeTinyBert(dir: string): string {
  const n = Object.keys(VOCAB).length;
  const ids = (name: string) => valueInfo(name, ['batch', 'sequence'], INT64);
  return writeModelFolder(dir, {
    config: {
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: 2,
      num_attention_heads: 1,
      num_hidden_layers: 1,
      vocab_size: n,
      pad_token_id: 0,
    },
    tokenizer: BERT_TOKENIZER,
    tokenizerConfig: BERT_TOKENIZER_CONFIG,
    onnx: {
      model: model({
        inputs: [ids('input_ids'), ids('attention_mask'), ids('token_type_ids')],
        outputs: [valueInfo('last_hidden_state', ['batch', 'sequence', 2])],
        initializers: [floatTensor('table', [n, 2], table())],
        nodes: [node('Gather', ['table', 'input_ids'], ['last_hidden_state'], { axis: 0 })],
      }),
    },
  });
}

/** Projection of the mean encoder state into the tiny decoder (3 × 2), recomputed by the tests. */
export const CTX_PROJ = [
  [1, 0.5],
  [-1, 2],
  [0.25, -0.75],
];

/**
 * A vision-encoder-decoder folder: the tiny ViT above as encoder, and a decoder whose last hidden state is
 * hidden[t] = table[input_ids[t]] + mean_s(encoder_hidden_states[s]) · CTX_PROJ, followed by logits = hidden · W.
 * Tokenizer as in {@link writeTinyBert}; decoder_start_token_id = [CLS].
 */
export function writeTinyCaptioner(dir: string): string {
  const n = Object.keys(VOCAB).length;
  const decoder = model({
    inputs: [
      valueInfo('input_ids', ['batch', 'sequence'], INT64),
      valueInfo('encoder_hidden_states', ['batch', 'patches', 3]),
    ],
    outputs: [valueInfo('logits', ['batch', 'sequence', n])],
    initializers: [
      floatTensor('table', [n, 2], table()),
      floatTensor('P', [3, 2], CTX_PROJ.flat()),
      floatTensor(
        'W',
        [2, n],
        Array.from({ length: 2 * n }, (_, i) => (i % 3) - 1),
      ),
    ],
    nodes: [
      node('Gather', ['table', 'input_ids'], ['emb'], { axis: 0 }),
      node('ReduceMean', ['encoder_hidden_states'], ['ctx'], { axes: [1], keepdims: 1 }),
      node('MatMul', ['ctx', 'P'], ['ctxp']),
      node('Add', ['emb', 'ctxp'], ['hidden']),
      node('MatMul', ['hidden', 'W'], ['logits']),
    ],
  });
  return writeModelFolder(dir, {
    config: {
      model_type: 'vision-encoder-decoder',
      decoder_start_token_id: 2,
      encoder: { model_type: 'vit' },
      decoder: { model_type: 'bert' },
    },
    tokenizer: BERT_TOKENIZER,
    tokenizerConfig: BERT_TOKENIZER_CONFIG,
    preprocessorConfig: VIT_PREPROCESSOR,
    onnx: { encoder_model: vitGraph(), decoder_model: decoder },
  });
}
