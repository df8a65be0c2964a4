export type { Dense, EighResult, LinalgBackend, PivotedCholeskyResult } from './backend';
export type { PcaOptions, PcaResult } from './pca';
export { pca } from './pca';
export { getBackend, jsBackend, listBackends, registerBackend, setBackend } from './registry';
export type { GramProjector, NormalEquationsSolution } from './solve';
export { gramProjector, normalEquationsSolve, pivotedCholesky, symmetricPinv } from './solve';
export type { EighProjection } from './spectral';
export { eighProject } from './spectral';
