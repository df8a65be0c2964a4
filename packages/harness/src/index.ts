// @emms/harness: benchmarks of transferability scores (ground truth, rank agreement, reports).

// ground truth and rank agreement (owner: harness-truth)
export * from './agreement';
export * from './ground-truth';
export * from './probe';
// end ground truth and rank agreement
