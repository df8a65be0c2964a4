// Browser-safe entry: nothing here (or reachable from here) imports Node built-ins.

export { toLabels, toMatrix } from './convert';
export {
  allocate,
  DTYPES,
  type DTypeInfo,
  dtypeInfo,
  dtypeOfArray,
  halfToFloat,
  isDType,
  viewAs,
} from './dtype';
export * from './errors';
export {
  ARRAY_EXTENSIONS,
  type ArrayFile,
  type ArrayFormat,
  type ArrayInspection,
  arrayFormatOf,
  baseName,
  extensionOf,
  type FileInspection,
  fileStem,
  inspectArrays,
  inspectNpy,
  openArrays,
  parseArrays,
  requireArrayFormat,
} from './formats';
export {
  type LabelsCsvOptions,
  type LabelsTextOptions,
  type ParsedLabels,
  parseClassNames,
  parseCsvRows,
  parseLabelsCsv,
  parseLabelsJson,
  parseLabelsText,
} from './labels';
export {
  type FromNdarrayOptions,
  type FromNdarrayResult,
  fromNdarray,
  type NdarrayFactory,
  type NdarrayLike,
  toNdarray,
} from './ndarray';
export {
  type ByteOrder,
  decodeNpyData,
  emptyTensor,
  encodeNpy,
  encodeNpyData,
  encodeNpyHeader,
  type NpyHeader,
  type NpyWriteOptions,
  parseNpy,
  parseNpyHeader,
  reorder,
} from './npy';
export {
  byteSize,
  DEFAULT_MAX_ENTRY_BYTES,
  encodeNpz,
  type NpzArchive,
  type NpzEntry,
  type NpzReadOptions,
  type NpzWriteOptions,
  openNpz,
  parseNpz,
  parseNpzEntries,
  type RawInflater,
} from './npz';
export * from './progress';
export { mulberry32, normalFrom, seededRandom } from './random';
export { firstPerClass, takeRows } from './rows';
export {
  decodeSafetensorsEntry,
  encodeSafetensors,
  parseSafetensors,
  parseSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
  safetensorsStoredDtype,
} from './safetensors';
export { didYouMean, didYouMeanText, editDistance } from './suggest';
export { summarize, type TensorSummary } from './summary';
export * from './tensor';
export { checkTensor } from './tensor-check';
export { assertFinite, assertSameRows, checkLabels, type LabelCheck, relabelToPresent } from './validate';
