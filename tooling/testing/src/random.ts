// Seeded pseudo-random numbers for tests: the repository's one generator, from tensor-io's source
// (imported by path, since @emms/tensor-io's own tests use this package).
export { mulberry32 } from '../../../packages/tensor-io/src/random';
