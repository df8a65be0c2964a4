/**
 * Test helper: writes tiny transformers.js model folders (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/<name>.onnx) whose outputs can be computed by hand.
 * Every hidden state is a plain embedding-table lookup, so a pooled vector is an average of
 * known table rows. Not part of the public surface.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

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

function floatTensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: values };
}

function int64Tensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: values };
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

const I64 = onnx.TensorProto.DataType.INT64;
const F32 = onnx.TensorProto.DataType.FLOAT;

/** Encodes a graph: last_hidden_state = table[input_ids]; CLIP also has text_embeds = (Σ_t hidden) · W. */
function buildGraph(vocabSize: number, inputs: string[], clip: boolean): Uint8Array {
  const table: number[] = [];
  for (let i = 0; i < vocabSize; i++) table.push(...tableRow(i));
  const initializer: onnx.ITensorProto[] = [floatTensor('table', [vocabSize, HIDDEN], table)];
  const node: onnx.INodeProto[] = [
    {
      opType: 'Gather',
      input: ['table', 'input_ids'],
      output: ['last_hidden_state'],
      attribute: [{ name: 'axis', i: 0, type: onnx.AttributeProto.AttributeType.INT }],
    },
  ];
  const output = [valueInfo('last_hidden_state', F32, ['batch', 'sequence', HIDDEN])];
  if (clip) {
    initializer.push(floatTensor('proj', [HIDDEN, PROJ], projection().flat()));
    initializer.push(int64Tensor('axes', [1], [1]));
    node.push({
      opType: 'ReduceSum',
      input: ['last_hidden_state', 'axes'],
      output: ['summed'],
      attribute: [{ name: 'keepdims', i: 0, type: onnx.AttributeProto.AttributeType.INT }],
    });
    node.push({ opType: 'MatMul', input: ['summed', 'proj'], output: ['text_embeds'] });
    output.unshift(valueInfo('text_embeds', F32, ['batch', PROJ]));
  }
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'emms-tiny-model',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      node,
      initializer,
      input: inputs.map((n) => valueInfo(n, I64, ['batch', 'sequence'])),
      output,
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

function writeFolder(
  dir: string,
  config: object,
  tokenizer: object,
  tokenizerConfig: object,
  onnxName: string,
  graph: Uint8Array,
): string {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer, null, 2));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  writeFileSync(join(dir, 'onnx', `${onnxName}.onnx`), graph);
  return dir;
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
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content) => ({
      id: BERT_VOCAB[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: BERT_VOCAB, unk_token: '[UNK]' },
  };
  const config = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: HIDDEN,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    vocab_size: Object.keys(BERT_VOCAB).length,
    pad_token_id: 0,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    model_max_length: 32,
  };
  return writeFolder(
    dir,
    config,
    tokenizer,
    tokenizerConfig,
    'model',
    buildGraph(Object.keys(BERT_VOCAB).length, ['input_ids', 'attention_mask', 'token_type_ids'], false),
  );
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
  return writeFolder(
    dir,
    config,
    tokenizer,
    tokenizerConfig,
    'model',
    buildGraph(16, ['input_ids', 'attention_mask'], false),
  );
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
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['<|startoftext|>', '<|endoftext|>'].map((content) => ({
      id: CLIP_VOCAB[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '<|startoftext|>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<|endoftext|>', type_id: 0 } },
      ],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: {
        '<|startoftext|>': { id: '<|startoftext|>', ids: [0], tokens: ['<|startoftext|>'] },
        '<|endoftext|>': { id: '<|endoftext|>', ids: [1], tokens: ['<|endoftext|>'] },
      },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: CLIP_VOCAB, unk_token: '<|endoftext|>' },
  };
  const config = {
    model_type: 'clip',
    architectures: ['CLIPModel'],
    projection_dim: PROJ,
    text_config: { model_type: 'clip_text_model', hidden_size: HIDDEN, vocab_size: 8, projection_dim: PROJ },
    vision_config: { model_type: 'clip_vision_model', hidden_size: HIDDEN },
  };
  const tokenizerConfig = {
    tokenizer_class: 'CLIPTokenizer',
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: 77,
  };
  return writeFolder(
    dir,
    config,
    tokenizer,
    tokenizerConfig,
    'text_model',
    buildGraph(8, ['input_ids'], true),
  );
}
