import type { LinalgBackend } from '../backend';

const todo = (): never => {
  throw new Error('not implemented yet');
};

/** The portable TypeScript backend. */
export const jsBackend: LinalgBackend = {
  name: 'js',
  gram: todo,
  crossProduct: todo,
  matmul: todo,
  eigh: todo,
  cholesky: todo,
  solveSpd: todo,
};
