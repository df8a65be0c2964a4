/** @emms/bench: benchmark helpers (private). The runner is dist/bench.js (`pnpm bench`). */
export { type BenchInputs, type BenchSize, generateInputs, Rng, SIZES } from './generate';
export { type BenchDType, npyHeader, writeNpy } from './npy';
