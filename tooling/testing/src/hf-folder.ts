// Tiny transformers.js model folders: config.json, tokenizer files, onnx/<name>.onnx.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What {@link wordLevelTokenizer} needs to know. */
export interface WordLevelOptions {
  /** word → id. */
  vocab: Record<string, number>;
  /** Tokens marked special (each must be in `vocab`). */
  special: string[];
  /** Token put before a single sequence. */
  start: string;
  /** Token put after a single sequence. */
  end: string;
  /** Token for unknown words. */
  unk: string;
  /**
   * Pair template: 'plain' joins A B with no special tokens; 'bert' is
   * start A end B end (type ids 0 then 1). Default 'plain'.
   */
  pair?: 'plain' | 'bert';
}

/**
 * A tokenizer.json for a WordLevel tokenizer that lower-cases, splits on whitespace and wraps a
 * sequence as `start … end`.
 */
export function wordLevelTokenizer(o: WordLevelOptions): object {
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const seq = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const pair =
    o.pair === 'bert'
      ? [special(o.start, 0), seq('A', 0), special(o.end, 0), seq('B', 1), special(o.end, 1)]
      : [seq('A', 0), seq('B', 1)];
  const idOf = (token: string): number => {
    const id = o.vocab[token];
    if (id === undefined)
      throw new Error(`wordLevelTokenizer: special token ${token} is not in the vocabulary`);
    return id;
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: o.special.map((content) => ({
      id: idOf(content),
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
      single: [special(o.start, 0), seq('A', 0), special(o.end, 0)],
      pair,
      special_tokens: Object.fromEntries(
        [o.start, o.end].map((t) => [t, { id: t, ids: [idOf(t)], tokens: [t] }]),
      ),
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: o.vocab, unk_token: o.unk },
  };
}

/** The files of a model folder; JSON parts are written only when given. */
export interface ModelFolder {
  /** config.json */
  config: object;
  /** tokenizer.json */
  tokenizer?: object;
  /** tokenizer_config.json */
  tokenizerConfig?: object;
  /** preprocessor_config.json */
  preprocessorConfig?: object;
  /** onnx/<name>.onnx for each entry. */
  onnx: Record<string, Uint8Array>;
}

/** Writes a model folder at `dir` (created if missing) and returns `dir`. */
export function writeModelFolder(dir: string, f: ModelFolder): string {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json: [string, object | undefined][] = [
    ['config.json', f.config],
    ['tokenizer.json', f.tokenizer],
    ['tokenizer_config.json', f.tokenizerConfig],
    ['preprocessor_config.json', f.preprocessorConfig],
  ];
  for (const [file, value] of json) {
    if (value !== undefined) writeFileSync(join(dir, file), JSON.stringify(value, null, 2));
  }
  for (const [name, bytes] of Object.entries(f.onnx)) writeFileSync(join(dir, 'onnx', `${name}.onnx`), bytes);
  return dir;
}
