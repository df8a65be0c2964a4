export { type CaptionModelOptions, lastHiddenStateName, openCaptionModel } from './backends/captioning';
export { listOnnxTensors, type OnnxModelOptions, openOnnxModel } from './backends/onnx';
export { openPixelsModel, PIXELS_PREPROCESSING } from './backends/pixels';
export { isTextCandidate, openTextCandidate, textEmbedderModel } from './backends/text';
export {
  loadTf,
  openTfjsModel,
  readTfjsFolder,
  readTfjsModelFile,
  type TfjsArtifacts,
  type TfjsModelOptions,
} from './backends/tfjs';
export { openTransformersModel, type TransformersModelOptions } from './backends/transformers';
export type { LoadedModel } from './backends/types';
export { type CandidateInfo, listCandidates } from './candidates';
export { checkClassNames, readClassesFile, withClassNames } from './classes';
export { DATASET_CODES, MODEL_CODES } from './codes';
export {
  type Dataset,
  type DatasetItem,
  fingerprintItems,
  type ItemSource,
  readIdx,
  readImageFolder,
  readMnistPackage,
  type Selection,
  selectItems,
} from './dataset';
export {
  classPhrase,
  type GreyImage,
  INK_LEVEL,
  type InkAttributes,
  inkAttributes,
  inkBox,
  positionPhrase,
  resizeGrey,
} from './datasets/canvas';
export {
  CAPTION_THRESHOLDS,
  type CaptionedDigitsOptions,
  captionFor,
  makeCaptionedDigits,
} from './datasets/captioned-digits';
export { type EmailTextOptions, emailToText, htmlToText } from './datasets/email';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, readFashionMnist } from './datasets/fashion-mnist';
export {
  makeReferringDigits,
  REFERRING_SIZE_WORDS,
  type ReferringDigitsOptions,
} from './datasets/referring-digits';
export {
  readSpamAssassin,
  SPAM_ASSASSIN_CLASSES,
  SPAM_ASSASSIN_PACKAGE,
  type SpamAssassinOptions,
} from './datasets/spam-assassin';
export {
  type ExtractOptions,
  type ExtractResult,
  extractFeatures,
  type FeatureSidecar,
} from './extract';
export { loadPixels, loadRgb, upscaleBilinear } from './image';
export { type ManifestOptions, readManifest } from './manifest';
export {
  fileStampKey,
  type LazyOpenOptions,
  MODEL_FACTS_VERSION,
  type ModelFacts,
  modelFacts,
  modelFiles,
  openModelLazily,
  readRemembered,
  remember,
} from './model-facts';
export {
  type ModelRef,
  type ModelSpecOptions,
  modelRefText,
  openModel,
  type ParseModelRefOptions,
  parseModelRef,
} from './models';
export { addGraphOutput, type GraphTensorInfo, listGraphTensors } from './onnx-graph';
export { BUILTIN_DATASETS, type OpenDatasetOptions, openDataset } from './open-dataset';
export { type OutputTensor, POOL_MODES, type PooledRows, type PoolMode, pool } from './pooling';
export { prepareTensorBatch, type SkippedItem, type TensorBatch } from './prep';
export {
  batchShape,
  channelCount,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type Preprocessing,
  type RawPixels,
  type ResolvedPreprocessing,
  resolvePreprocessing,
  writeNormalised,
} from './preprocess';
export {
  BASE_ZOO_IDS,
  findZooEntry,
  openZooModel,
  packageRoot,
  ZOO,
  type ZooEntry,
  type ZooOpenOptions,
  zooFiles,
  zooSizeBytes,
} from './zoo';
