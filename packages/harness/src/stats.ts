// @emms/harness/stats: the ground-truth precision and cross-task statistics, browser-safe (no Node
// imports): per-item ground truth, precision, Friedman/Nemenyi, the two-level bootstrap, leave-one-task-out
// validation, the ensemble, EMMS against LogME per kind, and their report schema.
export * from './cross-task';
export * from './cross-task-schema';
export * from './held-out';
export * from './item-truth';
export * from './paper-headline';
export * from './precision';
export * from './rank-tests';
