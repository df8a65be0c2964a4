/**
 * Testing-only helpers of `@emms/harness` (entry `@emms/harness/testing`): sample data for tests and
 * previews. Not part of the main entry.
 */

export { goldenBench, withoutAdditions } from './pipeline/golden';
export { sampleReport } from './report/testing';
export { withoutTimings } from './report/timings';
