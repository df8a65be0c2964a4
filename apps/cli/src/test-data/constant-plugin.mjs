// A minimal metric plugin for the CLI tests: the score is the number of samples.
import { defineMetric, z } from '@emms/metrics';

export default {
  specificationVersion: 'v2',
  name: 'constant-plugin',
  metrics: [
    defineMetric({
      id: 'rowcount',
      description: 'Number of samples (a test plugin).',
      inputs: { required: ['features'] },
      higherIsBetter: true,
      options: z.object({ scale: z.number().default(1).describe('Multiplies the count.') }),
      compute(inputs, options) {
        return { value: inputs.features.rows * options.scale, details: { cols: inputs.features.cols } };
      },
    }),
  ],
};
