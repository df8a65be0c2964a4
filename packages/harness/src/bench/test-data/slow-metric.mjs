// A deliberately slow test score (for the kill-and-resume test): the mean of the first feature column,
// after a pause. Counts its computations in globalThis.slowMetricCalls.
import { defineMetric } from '@emms/metric-spec';

export const slowMetric = defineMetric({
  id: 'slow-mean',
  description: 'mean of the first feature column, slowly (a test score)',
  inputs: { required: ['features'] },
  higherIsBetter: true,
  async compute(inputs) {
    globalThis.slowMetricCalls = (globalThis.slowMetricCalls ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 400));
    const x = inputs.features;
    let s = 0;
    for (let i = 0; i < x.rows; i++) s += x.data[i * x.cols];
    return { value: s / x.rows };
  },
});
