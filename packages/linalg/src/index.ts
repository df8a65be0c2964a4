export type {
  BackendCapabilities,
  Dense,
  EighResult,
  LinalgBackend,
  OptionalKernel,
  PivotedCholeskyResult,
} from './backend';
export { kernelsOf, OPTIONAL_KERNELS } from './backend';
export {
  assertFiniteLower,
  assertFloat32,
  assertMatrix,
  assertMultipliable,
  assertSameRows,
  assertSquare,
  assertSystem,
  LINALG_ERRORS,
  notPositiveDefinite,
} from './checks';
export { jsBackend } from './js/backend';
export { setWasmKernels, wasmKernelsEnabled } from './js/wasm-switch';
export type { PcaOptions, PcaResult } from './pca';
export { pca } from './pca';
export type { BackendFactory, RegisterBackendOptions, RegisteredBackend, ResolvedBackend } from './registry';
export {
  getBackend,
  listBackends,
  registerBackend,
  resetBackendsForTesting,
  resolveBackend,
  setBackend,
} from './registry';
export type { GramProjector, NormalEquationsSolution } from './solve';
export { gramProjector, normalEquationsSolve, pivotedCholesky, symmetricPinv } from './solve';
export type { EighProjection } from './spectral';
export { eighProject } from './spectral';
