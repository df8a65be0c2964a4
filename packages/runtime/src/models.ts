// The one owner of the model runtimes' process-wide settings: transformers.js's `env`, onnxruntime's
// telemetry, the tfjs backend choice. Front doors configure it once; the extractors and embedders ask.
import { basename, dirname, resolve } from 'node:path';
import { declareErrorCodes, EmmsError } from '@emms/tensor-io';
import { type RuntimeConfig, readRuntimeConfig, settingName } from './config';

/** The error codes @emms/runtime declares. */
export const RUNTIME_ERROR_CODES = declareErrorCodes('@emms/runtime', {
  REMOTE_MODELS_DISABLED:
    'a model would be fetched from the hub but remote models are switched off (EMMS_REMOTE_MODELS=0)',
});

let current: RuntimeConfig = readRuntimeConfig();

/**
 * Makes `config` the configuration the model runtimes follow (tfjs backend, model cache, remote
 * models) for the rest of the process. Front doors call it once, after {@link readRuntimeConfig}.
 *
 * @param config - the run's configuration.
 * @example
 * ```ts
 * configureRuntime(readRuntimeConfig({ env: process.env }));
 * ```
 */
export function configureRuntime(config: RuntimeConfig): void {
  current = config;
}

/**
 * The configuration the model runtimes follow: the one a front door gave to
 * {@link configureRuntime}, else the defaults (nothing here reads the environment).
 *
 * @example
 * ```ts
 * runtimeConfig().tfjsBackend; // 'auto' unless a front door configured otherwise
 * ```
 */
export function runtimeConfig(): RuntimeConfig {
  return current;
}

let onnxPrepared = false;

/**
 * Keeps onnxruntime-node from writing outside the cache and output folders. Its Linux build carries a
 * telemetry client that, when the first session starts, creates
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` (a device id and an event database) and
 * `$TMPDIR/mat-debug-<pid>.log`; the library reads ORT_DISABLE_TELEMETRY when that client starts,
 * and has no API for it. Call before the first `InferenceSession.create` (transformers.js creates
 * sessions too); calling again does nothing.
 *
 * @example
 * ```ts
 * prepareOnnxRuntime();
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function prepareOnnxRuntime(): void {
  if (onnxPrepared) return;
  onnxPrepared = true;
  process.env.ORT_DISABLE_TELEMETRY = '1';
}

/** The part of transformers.js's `env` this package sets. */
export interface TransformersEnv {
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  localModelPath: string;
  cacheDir: string | null;
}

/** Where a transformers.js model comes from: a local folder, or a hub id (online). */
export type TransformersSource = { readonly folder: string } | { readonly hubId: string };

let queue: Promise<unknown> = Promise.resolve();

/**
 * Loads a transformers.js model with the library's `env` set for its source, the one place that
 * changes that `env`: a folder is read with remote models off (`localModelPath` = its parent, the
 * model id = its name); a hub id is fetched when {@link runtimeConfig} allows remote models, into
 * its `modelCache` when set. Loads are serialised and `env` restored after each, so two loads never
 * see each other's settings. onnxruntime is prepared first ({@link prepareOnnxRuntime}).
 *
 * @param lib - the imported `@huggingface/transformers` module (its `env` is what changes).
 * @param source - `{ folder }` or `{ hubId }`.
 * @param load - loads the model (from_pretrained, pipeline…) by the id it is given.
 * @returns what `load` returns.
 * @throws EmmsError REMOTE_MODELS_DISABLED for a hub id when remote models are off (naming the
 *   model and the setting); whatever `load` throws.
 * @example
 * ```ts
 * const t = await import('@huggingface/transformers');
 * const tokenizer = await withTransformersEnv(t, { folder: 'models/bert' }, (id) => t.AutoTokenizer.from_pretrained(id));
 * ```
 */
export function withTransformersEnv<T>(
  lib: { env: TransformersEnv },
  source: TransformersSource,
  load: (modelId: string) => Promise<T>,
): Promise<T> {
  const run = queue.then(async () => {
    prepareOnnxRuntime();
    const env = lib.env;
    const saved = {
      allowRemoteModels: env.allowRemoteModels,
      allowLocalModels: env.allowLocalModels,
      localModelPath: env.localModelPath,
      cacheDir: env.cacheDir,
    };
    let modelId: string;
    if ('folder' in source) {
      const dir = resolve(source.folder);
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = `${dirname(dir)}/`;
      modelId = basename(dir);
    } else {
      const config = current;
      if (!config.allowRemoteModels) {
        throw new EmmsError(
          RUNTIME_ERROR_CODES.REMOTE_MODELS_DISABLED,
          `model "${source.hubId}" would be fetched from the hub, but remote models are off (${settingName(config, 'allowRemoteModels')}); allow them, or give a local model folder`,
          { input: settingName(config, 'allowRemoteModels'), details: { model: source.hubId } },
        );
      }
      env.allowRemoteModels = true;
      if (config.modelCache) env.cacheDir = resolve(config.modelCache);
      modelId = source.hubId;
    }
    try {
      return await load(modelId);
    } finally {
      Object.assign(env, saved);
    }
  });
  queue = run.catch(() => undefined);
  return run;
}
