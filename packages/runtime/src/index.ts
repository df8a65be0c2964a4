/**
 * @emms/runtime: the run-time configuration of emms, read once at the front door — linear-algebra
 * backend, OpenBLAS library, WebAssembly kernels, tfjs backend, model cache, remote models — and the
 * one owner of the model runtimes' process-wide settings (transformers.js's `env`, onnxruntime's
 * telemetry). Nothing below a front door reads the environment.
 */
export {
  BACKEND_CHOICES,
  type BackendChoice,
  DEFAULT_RUNTIME,
  type Environment,
  type ReadRuntimeConfigOptions,
  RUNTIME_ENV,
  RUNTIME_ENV_HELP,
  type RuntimeConfig,
  type RuntimeSettings,
  readRuntimeConfig,
  settingName,
  TFJS_BACKENDS,
  type TfjsBackendChoice,
} from './config';
export {
  configureRuntime,
  prepareOnnxRuntime,
  RUNTIME_ERROR_CODES,
  runtimeConfig,
  type TransformersEnv,
  type TransformersSource,
  withTransformersEnv,
} from './models';
