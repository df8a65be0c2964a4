// The metric interface lives in @emms/metric-spec; re-exported here so existing imports keep working.
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
} from '@emms/metric-spec';
