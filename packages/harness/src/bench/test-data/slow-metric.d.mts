import type { Metric } from '@emms/metrics';

/** A deliberately slow test score (see slow-metric.mjs). */
export declare const slowMetric: Metric;
