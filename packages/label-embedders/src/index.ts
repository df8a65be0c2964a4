export {
  BaseEmbedder,
  EmbeddingCache,
  type EmbedOptions,
  sharedEmbeddingCache,
  type TextEmbedder,
} from './embedder';
export {
  type EmbedLabelsOptions,
  type EmbedLabelsResult,
  embedderFileName,
  embedLabels,
  readAnswerJsonl,
  readJsonl,
  readMultiTextJsonl,
  readReferringJsonl,
  SIDECAR_FORMAT,
  type WrittenFLabels,
} from './files';
export { GLOVE_PACKAGE, GloveEmbedder, type WordVectors, wordTokens } from './glove';
export { checkModelFolder, detectFamily, HfEmbedder, type HfEmbedderOptions, type HfFamily } from './hf';
export { l2NormaliseRows, POOLINGS, type Pooling, parsePooling, poolHiddenStates } from './pooling';
export { type CreateEmbedderOptions, createEmbedder } from './registry';
export {
  type AnswerSample,
  type BoxMode,
  boxText,
  type ClassificationInput,
  classificationFLabels,
  type FLabelMeta,
  type FLabels,
  type MultiTextMode,
  type MultiTextSample,
  multiTextFLabels,
  normaliseBox,
  prepareText,
  type ReferringSample,
  referringFLabels,
  repeatRows,
  TASKS,
  type Task,
  type TaskOptions,
  type TextOptions,
  vqaFLabels,
} from './tasks';
export { UseLiteEmbedder } from './use-lite';
