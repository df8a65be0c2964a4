/**
 * Test helper: writes tiny transformers.js model folders (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/<name>.onnx) whose outputs can be computed by hand.
 * Every hidden state is a plain embedding-table lookup, so a pooled vector is an average of
 * known table rows. Not part of the public surface.
 */
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

/** Hidden width of every tiny model. */
export const HIDDEN = 4;

/** Row `i` of the embedding table of every tiny model: a known formula the tests recompute. */
export function tableRow(i: number): number[] {
  return Array.from({ length: HIDDEN }, (_, j) => Math.round(100 * Math.sin(1.3 * i + 0.7 * j + 0.1)) / 100);
}

/** The tiny CLIP projection matrix (HIDDEN × PROJ), also a known formula. */
export const PROJ = 3;
export function projection(): number[][] {
  return Array.from({ length: HIDDEN }, (_, r) => Array.from({ length: PROJ }, (_, c) => (r - c) / 4 + 0.5));
}

/** Encodes a graph: last_hidden_state = table[input_ids]; CLIP also has text_embeds = (Σ_t hidden) · W. */
function buildGraph(vocabSize: number, inputs: string[], clip: boolean): Uint8Array {
  const table: number[] = [];
  for (let i = 0; i < vocabSize; i++) table.push(...tableRow(i));
  const initializers = [floatTensor('table', [vocabSize, HIDDEN], table)];
  const nodes = [node('Gather', ['table', 'input_ids'], ['last_hidden_state'], { axis: 0 })];
  const outputs = [valueInfo('last_hidden_state', ['batch', 'sequence', HIDDEN])];
  if (clip) {
    initializers.push(floatTensor('proj', [HIDDEN, PROJ], projection().flat()));
    initializers.push(int64Tensor('axes', [1], [1]));
    nodes.push(node('ReduceSum', ['last_hidden_state', 'axes'], ['summed'], { keepdims: 0 }));
    nodes.push(node('MatMul', ['summed', 'proj'], ['text_embeds']));
    outputs.unshift(valueInfo('text_embeds', ['batch', PROJ]));
  }
  return model({
    nodes,
    initializers,
    inputs: inputs.map((n) => valueInfo(n, ['batch', 'sequence'], INT64)),
    outputs,
  });
}

/** BERT-shaped vocabulary: word → id. */
export const BERT_VOCAB: Record<string, number> = {
  '[PAD]': 0,
  '[UNK]': 1,
  '[CLS]': 2,
  '[SEP]': 3,
  a: 4,
  photo: 5,
  of: 6,
  cat: 7,
  dog: 8,
  airplane: 9,
  big: 10,
  red: 11,
};

/** Writes a BERT-shaped folder (WordLevel, lower-casing, [CLS] … [SEP], pad id 0). */
export function writeTinyBert(dir: string): string {
  const vocabSize = Object.keys(BERT_VOCAB).length;
  return writeModelFolder(dir, {
    config: {
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: HIDDEN,
      num_attention_heads: 1,
      num_hidden_layers: 1,
      vocab_size: vocabSize,
      pad_token_id: 0,
    },
    tokenizer: wordLevelTokenizer({
      vocab: BERT_VOCAB,
      special: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'],
      start: '[CLS]',
      end: '[SEP]',
      unk: '[UNK]',
      pair: 'bert',
    }),
    tokenizerConfig: {
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      model_max_length: 32,
    },
    onnx: { model: buildGraph(vocabSize, ['input_ids', 'attention_mask', 'token_type_ids'], false) },
  });
}

/** GPT-2-shaped byte-level BPE vocabulary ("Ġ" marks a leading space). */
export const GPT2_VOCAB: Record<string, number> = {
  a: 0,
  c: 1,
  d: 2,
  g: 3,
  o: 4,
  s: 5,
  t: 6,
  Ġ: 7,
  at: 8,
  ca: 9,
  cat: 10,
  Ġs: 11,
  Ġsat: 12,
  do: 13,
  dog: 14,
  '<|endoftext|>': 15,
};
const GPT2_MERGES = ['a t', 'c a', 'ca t', 'Ġ s', 'Ġs at', 'd o', 'do g'];

/** Writes a GPT-2-shaped folder (byte-level BPE, no padding token, eos id 15). */
export function writeTinyGpt2(dir: string): string {
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: 15,
        content: '<|endoftext|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: GPT2_VOCAB,
      merges: GPT2_MERGES,
    },
  };
  const config = {
    model_type: 'gpt2',
    architectures: ['GPT2Model'],
    n_embd: HIDDEN,
    n_head: 1,
    n_layer: 1,
    vocab_size: 16,
    bos_token_id: 15,
    eos_token_id: 15,
  };
  const tokenizerConfig = {
    tokenizer_class: 'GPT2Tokenizer',
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: 32,
  };
  return writeModelFolder(dir, {
    config,
    tokenizer,
    tokenizerConfig,
    onnx: { model: buildGraph(16, ['input_ids', 'attention_mask'], false) },
  });
}

/** CLIP-shaped vocabulary (WordLevel stands in for CLIP's BPE; start/end tokens, pad = end). */
export const CLIP_VOCAB: Record<string, number> = {
  '<|startoftext|>': 0,
  '<|endoftext|>': 1,
  a: 2,
  photo: 3,
  of: 4,
  cat: 5,
  dog: 6,
  airplane: 7,
};

/** Writes a CLIP-text-shaped folder: onnx/text_model.onnx with a `text_embeds` output. */
export function writeTinyClip(dir: string): string {
  return writeModelFolder(dir, {
    config: {
      model_type: 'clip',
      architectures: ['CLIPModel'],
      projection_dim: PROJ,
      text_config: {
        model_type: 'clip_text_model',
        hidden_size: HIDDEN,
        vocab_size: 8,
        projection_dim: PROJ,
      },
      vision_config: { model_type: 'clip_vision_model', hidden_size: HIDDEN },
    },
    tokenizer: wordLevelTokenizer({
      vocab: CLIP_VOCAB,
      special: ['<|startoftext|>', '<|endoftext|>'],
      start: '<|startoftext|>',
      end: '<|endoftext|>',
      unk: '<|endoftext|>',
    }),
    tokenizerConfig: {
      tokenizer_class: 'CLIPTokenizer',
      bos_token: '<|startoftext|>',
      eos_token: '<|endoftext|>',
      pad_token: '<|endoftext|>',
      unk_token: '<|endoftext|>',
      model_max_length: 77,
    },
    onnx: { text_model: buildGraph(8, ['input_ids'], true) },
  });
}
