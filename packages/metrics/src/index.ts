export type { GaussianMixture, GaussianMixtureOptions, LabelCheck, ValidateOptions } from '@emms/metric-spec';
export {
  assertFiniteMatrix,
  assertNoOverflow,
  assertProbabilities,
  checkInputTypes,
  checkLabelSet,
  defineMetric,
  fitGaussianMixture,
  kmeans,
  METRIC_ERROR_CODES,
  PRESET_NAMES,
  scoreFunction,
  seededRandom,
  validateInputs,
  z,
} from '@emms/metric-spec';
export type {
  Metric,
  MetricContext,
  MetricDocs,
  MetricInputName,
  MetricInputSpec,
  MetricInputs,
  MetricOptionInfo,
  MetricPlugin,
  MetricReference,
  MetricResampler,
  MetricResampling,
  MetricResult,
  RunShape,
} from './metric';
export { PRESET_REDUCE, PRESETS, type Preset } from './presets';
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
export type { ReducedInputs, ScoreError, ScoreOptions, ScoreReducedOptions, ScoreReport } from './run';
export { reduceInputs, resolveOptions, scoreMetrics, scoreReduced } from './run';
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
export {
  givenOptions,
  isRunSettings,
  type MetricOptionsInput,
  metricOptions,
  type ReduceSetting,
  type RunSettings,
  type RunSettingsInput,
  resolveRunSettings,
  settingsOrLoose,
} from './settings';
export { sparsemax } from './sparsemax';
