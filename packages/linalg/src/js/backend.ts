import type { LinalgBackend } from '../backend';
import { cholesky, solveSpd } from './cholesky';
import { eigh } from './eigh';
import { crossProduct, gram } from './gram';
import { matmul } from './matmul';

/**
 * The portable backend: single-threaded, float64, runs anywhere; inner loops in a small
 * WebAssembly SIMD module where available, else in JavaScript (see README).
 */
export const jsBackend: LinalgBackend = {
  name: 'js',
  gram,
  crossProduct,
  matmul,
  eigh,
  cholesky,
  solveSpd,
};
