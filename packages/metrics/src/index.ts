export type {
  Metric,
  MetricContext,
  MetricInputName,
  MetricInputs,
  MetricOptionSpec,
  MetricPlugin,
  MetricResult,
} from './metric';
