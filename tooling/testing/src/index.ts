// @emms/testing: shared helpers for the tests of every package (never imported by library code).

export { type ThrownError, thrown } from './errors';
export { collectExamples, type Example, loadBuiltApi, runExample } from './examples';
export { type ModelFolder, type WordLevelOptions, wordLevelTokenizer, writeModelFolder } from './hf-folder';
export {
  type Dims,
  FLOAT,
  floatTensor,
  type GraphParts,
  INT64,
  int64Tensor,
  model,
  node,
  valueInfo,
} from './onnx';
export { mulberry32 } from './random';
export { fixtureNames, fixturePath, referenceDir, repoRoot } from './reference';
