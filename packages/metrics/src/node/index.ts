/**
 * @emms/metrics/node: the front door for Node programs. {@link createScorer} gives a scorer with
 * the fastest available linear-algebra backend, plugins and `emms.config.json` resolved, without
 * global state. The browser entry (`@emms/metrics`) holds no Node built-ins; this one does.
 */

export {
  type Environment,
  RUNTIME_ENV,
  RUNTIME_ENV_HELP,
  type RuntimeConfig,
  type RuntimeSettings,
  readRuntimeConfig,
} from '@emms/runtime';
export {
  type BackendResolver,
  type BackendSelection,
  type BackendSettings,
  importOpenblas,
  type OpenblasImporter,
  type OpenblasModule,
  type SelectBackendOptions,
  selectBackend,
} from './backend';
export {
  type BackendChoiceName,
  backendChoices,
  configFileName,
  type EmmsConfig,
  emmsConfigSchema,
  type LoadedConfig,
  parseEmmsConfig,
  readEmmsConfig,
} from './config';
export { importPluginModule, resolvePackageFrom } from './plugins';
export {
  type CreateScorerOptions,
  createScorer,
  resolveMetricId,
  type Scorer,
  type ScorerRunOptions,
} from './scorer';
