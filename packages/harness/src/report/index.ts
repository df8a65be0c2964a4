/**
 * The bench report: schema, validation and the four renderers/writers (JSON, CSV, Markdown, HTML).
 * The sample report for tests lives in `./testing` (exported from `@emms/harness/testing`).
 */

export * from './assemble';
export * from './charts';
export * from './csv';
export * from './format';
export * from './html';
export * from './markdown';
export * from './schema';
export * from './summary';
export * from './view';
export * from './write';
