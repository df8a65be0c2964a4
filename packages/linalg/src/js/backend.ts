import type { LinalgBackend } from '../backend';
import { cholesky, solveSpd } from './cholesky';
import { eigh } from './eigh';
import { crossProduct, gram } from './gram';
import { matmul } from './matmul';

/** The portable TypeScript backend: single-threaded, float64, runs anywhere. */
export const jsBackend: LinalgBackend = {
  name: 'js',
  gram,
  crossProduct,
  matmul,
  eigh,
  cholesky,
  solveSpd,
};
