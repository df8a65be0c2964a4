import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
  /** Where hub downloads are cached. */
  readonly cacheDir?: string;
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
 * Opens a @huggingface/transformers model as a feature extractor. A local folder is read with remote
 * models switched off (`env.allowRemoteModels = false`, `env.localModelPath` = its parent); a missing
 * folder or a folder without config.json or onnx/model.onnx gives MODEL_NOT_FOUND naming what is missing.
 */
export async function openTransformersModel(opts: TransformersModelOptions): Promise<LoadedModel> {
  const modality = opts.modality ?? 'image';
  let modelId: string;
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
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.localModelPath = `${dirname(dir)}/`;
    modelId = basename(dir);
    const h = listFiles(dir)
      .sort()
      .map((f) => `${f}:${sha256(readFileSync(join(dir, f)))}`)
      .join('\n');
    fingerprint = sha256(h);
  } else if (opts.hubId) {
    t.env.allowRemoteModels = true;
    if (opts.cacheDir) t.env.cacheDir = opts.cacheDir;
    modelId = opts.hubId;
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
  try {
    pipe = (await t.pipeline(task, modelId, { dtype: 'fp32' } as never)) as unknown as typeof pipe;
  } catch (e) {
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
