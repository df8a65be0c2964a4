/**
 * @emms/metric-spec: what a transferability-score package needs — the metric interface,
 * {@link defineMetric} with its zod option schema, input validation, the shared error codes and
 * numerical helpers (seeded random numbers, Gaussian mixture, k-means, L-BFGS).
 */
export { z } from 'zod';
export {
  defineMetric,
  describeOptions,
  fromV1Metric,
  type MetricDefinition,
  type ScoreCallOptions,
  scoreFunction,
  toMetric,
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
  MetricResult,
  MetricV1,
} from './types';
export { checkAbort, seededRandom, toDense } from './util';
export type { LabelCheck, ValidateOptions } from './validate';
export { assertFiniteMatrix, assertProbabilities, checkLabelSet, validateInputs } from './validate';
