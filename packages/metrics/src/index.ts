export type { GaussianMixture, GaussianMixtureOptions } from './gmm';
export { fitGaussianMixture, kmeans } from './gmm';
export type {
  Metric,
  MetricContext,
  MetricInputName,
  MetricInputs,
  MetricOptionSpec,
  MetricPlugin,
  MetricResult,
} from './metric';
export type { MetricRegistry } from './registry';
export { assertMetric, builtinMetrics, createRegistry, defaultRegistry, loadPlugin } from './registry';
export type { ScoreError, ScoreOptions, ScoreReport } from './run';
export { resolveOptions, scoreMetrics } from './run';
export type { EmmsDetails, EmmsOptions } from './scores/emms';
export { emmsMetric, emmsScore, oneHot } from './scores/emms';
export type { GbcResult } from './scores/gbc';
export { gbcDetailed, gbcMetric, gbcScore } from './scores/gbc';
export type { HScoreResult } from './scores/hscore';
export { hscoreDetailed, hscoreMetric, hscoreScore } from './scores/hscore';
export { leepMetric, leepScore } from './scores/leep';
export type { LogmeDetails, LogmeOptions } from './scores/logme';
export { logmeMetric, logmeScore } from './scores/logme';
export type { LogmeSpectrum, LogmeTarget, LogmeTargetEvidence } from './scores/logme-spectrum';
export { logmeEvidence, logmeEvidenceForTargets, logmeSpectrum } from './scores/logme-spectrum';
export { nceMetric, nceScore } from './scores/nce';
export type { NleepOptions, NleepResult } from './scores/nleep';
export { nleepDetailed, nleepMetric, nleepScore } from './scores/nleep';
export type { ParcOptions, ParcResult } from './scores/parc';
export { parcDetailed, parcMetric, parcScore, stratifiedSubsample } from './scores/parc';
export type { SfdaResult } from './scores/sfda';
export { sfdaDetailed, sfdaMetric, sfdaScore } from './scores/sfda';
export { transrateMetric, transrateScore } from './scores/transrate';
export { sparsemax } from './sparsemax';
export type { LabelCheck, ValidateOptions } from './validate';
export {
  assertFiniteMatrix,
  assertProbabilities,
  checkLabelSet,
  inputFlags,
  validateInputs,
} from './validate';
