export * from './errors';
export * from './progress';
export * from './tensor';
