export { type CaptionModelOptions, lastHiddenStateName, openCaptionModel } from './backends/captioning';
export { listOnnxTensors, type OnnxModelOptions, openOnnxModel } from './backends/onnx';
export {
  loadTf,
  openTfjsModel,
  readTfjsFolder,
  type TfjsArtifacts,
  type TfjsModelOptions,
} from './backends/tfjs';
export { openTransformersModel, type TransformersModelOptions } from './backends/transformers';
export type { LoadedModel } from './backends/types';
export {
  type Dataset,
  type DatasetItem,
  fingerprintItems,
  type ItemSource,
  openDataset,
  readIdx,
  readImageFolder,
  readManifest,
  readMnistPackage,
  type Selection,
  selectItems,
} from './dataset';
export {
  type ExtractOptions,
  type ExtractResult,
  extractFeatures,
  type FeatureSidecar,
} from './extract';
export { loadPixels, loadRgb, upscaleBilinear } from './image';
export {
  type ModelRef,
  type ModelSpecOptions,
  modelRefText,
  openModel,
  type ParseModelRefOptions,
  parseModelRef,
} from './models';
export { addGraphOutput, type GraphTensorInfo, listGraphTensors } from './onnx-graph';
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
  findZooEntry,
  openZooModel,
  packageRoot,
  ZOO,
  type ZooEntry,
  type ZooOpenOptions,
  zooFiles,
  zooSizeBytes,
} from './zoo';
