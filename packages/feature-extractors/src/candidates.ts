// Every offline candidate by modality, marked pretrained or reference.
import { OFFLINE_EMBEDDERS } from '@emms/label-embedders';
import { PIXELS_PREPROCESSING } from './backends/pixels';
import { ZOO } from './zoo';

/** One candidate model that installs offline. */
export interface CandidateInfo {
  /** What `openModel` takes. */
  readonly id: string;
  readonly modality: 'image' | 'text';
  /** `pretrained`: a model trained on data; `reference`: a baseline without learned weights (pixels, bag of words). */
  readonly kind: 'pretrained' | 'reference';
  readonly title: string;
  /** Width of the feature row. */
  readonly featureDim: number;
  /** The id of the model whose earlier layer this candidate reads. */
  readonly layerOf?: string;
}

const TEXT_DIMS: Readonly<Record<string, number>> = {
  'use-lite': 512,
  'use-lite-tanh': 512,
  'use-lite-encoder': 512,
  'use-lite-layer1': 512,
  'use-lite-embeddings': 256,
  glove: 100,
  'glove-max': 100,
  'fasttext-lid': 16,
  'bow-hash': 1024,
};
const TEXT_LAYER_OF: Readonly<Record<string, string>> = {
  'use-lite-tanh': 'use-lite',
  'use-lite-encoder': 'use-lite',
  'use-lite-layer1': 'use-lite',
  'use-lite-embeddings': 'use-lite',
};

/**
 * Every offline candidate: the zoo's image models, the `pixels` reference, and the offline text models
 * (with the `bow-hash` reference). Filter by modality with `modality`.
 *
 * @example
 * ```ts
 * listCandidates('text').map((c) => c.id); // ['use-lite', 'use-lite-tanh', …, 'bow-hash']
 * ```
 */
export function listCandidates(modality?: 'image' | 'text'): CandidateInfo[] {
  const image: CandidateInfo[] = [
    ...ZOO.map((e) => ({
      id: e.id,
      modality: 'image' as const,
      kind: e.kind,
      title: e.title,
      featureDim: e.featureDim,
      ...(e.layerOf ? { layerOf: e.layerOf } : {}),
    })),
    {
      id: 'pixels',
      modality: 'image',
      kind: 'reference',
      title: 'raw pixels, 28×28 grey, values in [0, 1]',
      featureDim: PIXELS_PREPROCESSING.width * PIXELS_PREPROCESSING.height,
    },
  ];
  const text: CandidateInfo[] = Object.entries(OFFLINE_EMBEDDERS).map(([id, title]) => ({
    id,
    modality: 'text',
    kind: id === 'bow-hash' ? 'reference' : 'pretrained',
    title,
    featureDim: TEXT_DIMS[id] ?? 0,
    ...(TEXT_LAYER_OF[id] ? { layerOf: TEXT_LAYER_OF[id] } : {}),
  }));
  if (modality === 'image') return image;
  if (modality === 'text') return text;
  return [...image, ...text];
}
