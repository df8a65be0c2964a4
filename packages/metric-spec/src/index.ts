/**
 * @emms/metric-spec: everything a transferability-score package needs, so that a plugin depends
 * on this package alone — the metric interface, {@link defineMetric} with its zod option schema and
 * the facts a metric declares (saturation regime, preset overrides, docs), input validation, the
 * shared error type and codes, and the numerical helpers scores share (dense kernels through the
 * backend interface, PCA, seeded random numbers, Gaussian mixture, k-means, L-BFGS).
 */

// The linear-algebra surface a score uses: the backend interface (use `context.backend`) and PCA.
export type { Dense, LinalgBackend, PcaOptions, PcaResult } from '@emms/linalg';
export { getBackend, pca } from '@emms/linalg';
// Matrices, the one error type, progress events and the seeded generators.
export type { ErrorCode, Matrix, ProgressEvent, ProgressListener } from '@emms/tensor-io';
export {
  declareErrorCodes,
  didYouMean,
  EmmsError,
  isEmmsError,
  mulberry32,
  normalFrom,
} from '@emms/tensor-io';
export { z } from 'zod';
export {
  defineMetric,
  describeOptions,
  type MetricDefinition,
  type ScoreCallOptions,
  scoreFunction,
} from './define';
export { degenerate } from './degenerate';
export { METRIC_ERROR_CODES } from './errors';
export type { GaussianMixture, GaussianMixtureOptions } from './gmm';
export { fitGaussianMixture } from './gmm';
export { kmeans } from './kmeans';
export {
  type LbfgsOptions,
  type LbfgsResult,
  type LbfgsStop,
  minimizeLbfgs,
  type Objective,
} from './lbfgs';
export {
  type Metric,
  type MetricContext,
  type MetricDocs,
  type MetricInputName,
  type MetricInputSpec,
  type MetricInputs,
  type MetricOptionInfo,
  type MetricPlugin,
  type MetricReference,
  type MetricResampler,
  type MetricResampling,
  type MetricResult,
  PRESET_NAMES,
  type Preset,
  type RunShape,
} from './types';
export { checkAbort, seededRandom, toDense } from './util';
export type { LabelCheck, ValidateOptions } from './validate';
export {
  assertFiniteMatrix,
  assertNoOverflow,
  assertProbabilities,
  checkInputTypes,
  checkLabelSet,
  validateInputs,
} from './validate';
