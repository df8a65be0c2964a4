// @emms/harness: benchmarks of transferability scores (ground truth, rank agreement, reports).
export * from './agreement';
export * from './ground-truth';
export * from './probe';
