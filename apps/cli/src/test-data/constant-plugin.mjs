// A minimal metric plugin for the CLI tests: the score is the number of samples.
export default {
  specificationVersion: 'v1',
  name: 'constant-plugin',
  metrics: [
    {
      specificationVersion: 'v1',
      id: 'rowcount',
      description: 'Number of samples (a test plugin).',
      inputs: { required: ['features'] },
      higherIsBetter: true,
      options: [{ name: 'scale', type: 'number', default: 1, description: 'Multiplies the count.' }],
      compute(inputs, options) {
        return { value: inputs.features.rows * options.scale, details: { cols: inputs.features.cols } };
      },
    },
  ],
};
