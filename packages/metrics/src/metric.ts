// The metric interface lives in @emms/metric-spec; re-exported here so existing imports keep working.
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
} from '@emms/metric-spec';
