import { autoSelectBackend } from '../linalg-openblas/dist/index.js';
import { emmsScore } from './dist/index.js';
import { readMatrixFile } from '@emms/tensor-io/node';
const dir = process.argv[2];
const { backend } = autoSelectBackend({ EMMS_LINALG: process.argv[3] ?? 'openblas' });
const features = await readMatrixFile(dir + '/X.npy');
const flabels = await Promise.all([1, 2, 3].map((k) => readMatrixFile(`${dir}/Z_${k}.npy`)));
for (const precision of ['float64', 'float32', 'float64', 'float32']) {
  const t = performance.now();
  const r = emmsScore({ features, flabels }, { precision, backend });
  console.log(precision, r.details.precision, r.value, ((performance.now() - t) / 1000).toFixed(2), 's');
}
