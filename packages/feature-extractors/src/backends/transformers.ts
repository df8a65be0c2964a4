import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { withTransformersEnv } from '@emms/runtime';
import { EmmsError } from '@emms/tensor-io';
import { sha256 } from '../hash';
import type { OutputTensor, PoolMode } from '../pooling';
import type { RawPixels } from '../preprocess';
import type { LoadedModel } from './types';

/** Options for {@link openTransformersModel}: exactly one of `hubId` (online) and `folder` (offline). */
export interface TransformersModelOptions {
  /** A model id on the hub, fetched when the machine is online (`hf:<id>` on the command line). */
  readonly hubId?: string;
  /** A local model folder with config.json, the processor/tokenizer files and onnx/model.onnx. */
  readonly folder?: string;
  /** "image" (image-feature-extraction, default) or "text" (feature-extraction). */
  readonly modality?: 'image' | 'text';
  /** Pooling of the hidden states [N,T,D]: "cls" (default for images) or "mean" (default for texts, padding masked). */
  readonly pool?: PoolMode;
}

type Transformers = typeof import('@huggingface/transformers');
let lib: Promise<Transformers> | undefined;

/** Every file under `dir` (relative paths), for the fingerprint and for the error message. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(dir, join(prefix, d.name)) : [join(prefix, d.name)],
  );
}

/**
 * Opens a @huggingface/transformers model as a feature extractor. The library's `env` is set by
 * `withTransformersEnv` of @emms/runtime, its one owner: a local folder is read with remote models
 * off; a hub id is fetched when the run's configuration allows remote models, into its model cache.
 * A missing folder or a folder without config.json or onnx/model.onnx gives MODEL_NOT_FOUND naming
 * what is missing.
 */
export async function openTransformersModel(opts: TransformersModelOptions): Promise<LoadedModel> {
  const modality = opts.modality ?? 'image';
  let fingerprint: string;
  lib ??= import('@huggingface/transformers');
  const t = await lib;
  if (opts.folder) {
    const dir = opts.folder;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new EmmsError(
        'MODEL_NOT_FOUND',
        `transformers.js model folder ${dir} does not exist; give a folder with config.json and onnx/model.onnx`,
        {
          input: dir,
        },
      );
    }
    const missing = ['config.json', join('onnx', 'model.onnx')].filter((f) => !existsSync(join(dir, f)));
    if (modality === 'text' && !existsSync(join(dir, 'tokenizer.json'))) missing.push('tokenizer.json');
    if (modality === 'image' && !existsSync(join(dir, 'preprocessor_config.json')))
      missing.push('preprocessor_config.json');
    if (missing.length > 0) {
      throw new EmmsError(
        'MODEL_NOT_FOUND',
        `transformers.js model folder ${dir} lacks ${missing.join(', ')}`,
        { input: dir, details: { missing } },
      );
    }
    const h = listFiles(dir)
      .sort()
      .map((f) => `${f}:${sha256(readFileSync(join(dir, f)))}`)
      .join('\n');
    fingerprint = sha256(h);
  } else if (opts.hubId) {
    fingerprint = sha256(`hub:${opts.hubId}`);
  } else {
    throw new EmmsError('MISSING_INPUT', 'a transformers.js model needs a hub id or a local folder', {
      input: 'model',
    });
  }
  const task = modality === 'image' ? 'image-feature-extraction' : 'feature-extraction';
  const pool: PoolMode = opts.pool ?? (modality === 'image' ? 'cls' : 'mean');
  let pipe: ((input: unknown, o?: unknown) => Promise<{ dims: number[]; data: ArrayLike<number> }>) & {
    dispose(): Promise<void>;
  };
  const source = opts.folder ? { folder: opts.folder } : { hubId: opts.hubId! };
  let modelId = opts.hubId ?? opts.folder!;
  try {
    pipe = (await withTransformersEnv(t, source, (id) => {
      modelId = id;
      return t.pipeline(task, id, { dtype: 'fp32' } as never);
    })) as unknown as typeof pipe;
  } catch (e) {
    if (e instanceof EmmsError) throw e;
    const where = opts.folder ?? `hub id ${modelId}`;
    throw new EmmsError(
      opts.folder ? 'MODEL_INVALID' : 'MODEL_NOT_FOUND',
      `transformers.js could not load ${where} for ${task}: ${(e as Error).message}`,
      { input: opts.folder ?? modelId, cause: e },
    );
  }
  const asOutput = (r: { dims: number[]; data: ArrayLike<number> }): OutputTensor => ({
    dims: r.dims,
    data: r.data instanceof Float32Array ? r.data : Float32Array.from(r.data),
  });
  const id = opts.folder ? `local:${opts.folder}` : `hf:${modelId}`;
  const base = { id, backend: 'transformers' as const, modality, fingerprint, channelsLast: false };
  if (modality === 'text') {
    // the pipeline pools with the attention mask, so padding never enters a mean
    const pooling = pool === 'mean' ? 'mean' : pool === 'cls' ? 'cls' : 'none';
    return {
      ...base,
      outputName: 'last_hidden_state',
      pool: pooling === 'none' ? pool : 'none',
      async runTexts(texts: readonly string[]) {
        return asOutput(await pipe([...texts], { pooling, normalize: false }));
      },
      async dispose() {
        await pipe.dispose();
      },
    };
  }
  return {
    ...base,
    outputName: 'last_hidden_state',
    pool,
    async runImages(images: readonly RawPixels[]) {
      const raws = images.map((im) => new t.RawImage(im.data, im.width, im.height, im.channels));
      return asOutput(await pipe(raws, { pool: false }));
    },
    async dispose() {
      await pipe.dispose();
    },
  };
}
