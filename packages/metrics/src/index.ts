export type { GaussianMixture, GaussianMixtureOptions, LabelCheck, ValidateOptions } from '@emms/metric-spec';
export {
  assertFiniteMatrix,
  assertProbabilities,
  checkLabelSet,
  defineMetric,
  fitGaussianMixture,
  fromV1Metric,
  kmeans,
  METRIC_ERROR_CODES,
  scoreFunction,
  seededRandom,
  toMetric,
  validateInputs,
} from '@emms/metric-spec';
export type {
  AnyMetric,
  Metric,
  MetricContext,
  MetricInputName,
  MetricInputSpec,
  MetricInputs,
  MetricOptionInfo,
  MetricOptionSpec,
  MetricPlugin,
  MetricReference,
  MetricResampler,
  MetricResampling,
  MetricResult,
  MetricV1,
} from './metric';
export { PRESET_SETTINGS, PRESETS, type Preset, type RunShape, SATURATION } from './presets';
export {
  AUTO_MAX_COMPONENTS,
  autoComponents,
  parseReduce,
  type ReduceInfo,
  type ReduceOption,
  type ReduceSpec,
  reduceFeatures,
} from './reduce';
export type { MetricRegistry } from './registry';
export { assertMetric, builtinMetrics, createRegistry, defaultRegistry, loadPlugin } from './registry';
export type { ScoreError, ScoreOptions, ScoreReport } from './run';
export { resolveOptions, scoreMetrics } from './run';
export type { EmmsDetails, EmmsOptions } from './scores/emms';
export { emmsMetric, emmsScore } from './scores/emms';
export { oneHot } from './scores/emms/standardise';
export type { GbcResult } from './scores/gbc';
export { gbcMetric, gbcScore } from './scores/gbc';
export type { HScoreResult } from './scores/hscore';
export { hscoreMetric, hscoreScore } from './scores/hscore';
export { leepMetric, leepScore } from './scores/leep';
export type { LogmeDetails, LogmeOptions } from './scores/logme';
export { logmeMetric, logmeScore } from './scores/logme';
export {
  type ColumnEvidence,
  columnEvidence,
  LOGME_VARIANTS,
  type LogmeVariant,
} from './scores/logme-evidence';
export type { LogmeSpectrum, LogmeTarget, LogmeTargetEvidence } from './scores/logme-spectrum';
export { logmeEvidenceForTargets, logmeSpectrum } from './scores/logme-spectrum';
export { nceMetric, nceScore } from './scores/nce';
export type { NleepOptions, NleepResult } from './scores/nleep';
export { nleepMetric, nleepScore } from './scores/nleep';
export type { ParcOptions, ParcResult } from './scores/parc';
export { parcMetric, parcScore, stratifiedSubsample } from './scores/parc';
export type { SfdaResult } from './scores/sfda';
export { sfdaMetric, sfdaScore } from './scores/sfda';
export { transrateMetric, transrateScore } from './scores/transrate';
export { sparsemax } from './sparsemax';
