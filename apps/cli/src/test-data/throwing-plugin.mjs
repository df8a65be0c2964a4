// A metric plugin whose compute fails with a plain Error (a bug, not bad input), for the CLI tests.
import { defineMetric } from '@emms/metrics';

export const metrics = [
  defineMetric({
    id: 'crash',
    description: 'Always throws (a test plugin).',
    inputs: { required: ['features'] },
    higherIsBetter: true,
    compute() {
      throw new TypeError('something internal went wrong');
    },
  }),
];
