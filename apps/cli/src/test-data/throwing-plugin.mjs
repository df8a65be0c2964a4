// A metric plugin whose compute fails with a plain Error (a bug, not bad input), for the CLI tests.
export const metrics = [
  {
    specificationVersion: 'v1',
    id: 'crash',
    description: 'Always throws (a test plugin).',
    inputs: { required: ['features'] },
    higherIsBetter: true,
    options: [],
    compute() {
      throw new TypeError('something internal went wrong');
    },
  },
];
