export { HashedBowEmbedder } from './bow';
export {
  BaseEmbedder,
  EmbeddingCache,
  type EmbedOptions,
  sharedEmbeddingCache,
  type TextEmbedder,
} from './embedder';
export { FastTextLidEmbedder } from './fasttext';
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
export {
  GLOVE_PACKAGE,
  GloveEmbedder,
  type GloveOptions,
  type GlovePooling,
  type WordVectors,
  wordTokens,
} from './glove';
export { checkModelFolder, detectFamily, HfEmbedder, type HfEmbedderOptions, type HfFamily } from './hf';
export { captionItemFLabels, type ReferringForm, referringItemFLabels, type TextItem } from './items';
export { l2NormaliseRows, POOLINGS, type Pooling, parsePooling, poolHiddenStates } from './pooling';
export { type CreateEmbedderOptions, createEmbedder, OFFLINE_EMBEDDERS } from './registry';
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
export {
  DIGIT_TEMPLATES,
  defaultTemplates,
  EMBEDDER_CODES,
  IMAGE_TEMPLATES,
  isDigitClasses,
  labelWords,
  TEXT_TEMPLATES,
  type TemplateChoice,
  validateTemplates,
} from './templates';
export { UseLiteEmbedder, type UseLiteOutput } from './use-lite';
