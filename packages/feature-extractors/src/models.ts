import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { openCaptionModel } from './backends/captioning';
import { openOnnxModel } from './backends/onnx';
import { openPixelsModel } from './backends/pixels';
import { isTextCandidate, openTextCandidate } from './backends/text';
import { openTfjsModel, readTfjsFolder } from './backends/tfjs';
import { openTransformersModel } from './backends/transformers';
import type { LoadedModel } from './backends/types';
import type { PoolMode } from './pooling';
import type { Preprocessing } from './preprocess';
import { findZooEntry, openZooModel } from './zoo';

/** Options for {@link openModel}. */
export interface ModelSpecOptions {
  /** Feature tensor / layer / node name. */
  readonly output?: string;
  readonly pool?: PoolMode;
  /** Preprocessing overrides (ONNX and tfjs folders). */
  readonly preprocessing?: Partial<Preprocessing>;
  readonly threads?: number;
  /** "image" (default) or "text", for transformers.js models. */
  readonly modality?: 'image' | 'text';
  /** Cache folder for hub downloads (transformers.js). */
  readonly cacheDir?: string;
  /** Folder packages looked up by name are resolved from (GloVe's vectors); default the working directory. */
  readonly cwd?: string;
}

/**
 * Opens a model from a CLI-style spec: a zoo id, `pixels` (the raw-pixels reference, see
 * {@link openPixelsModel}), an offline text model (`use-lite`, `glove`, `bow-hash`… see {@link isTextCandidate}),
 * a path to a .onnx file, `hf:<hub id>` (transformers.js,
 * online), `local:<folder>` (a transformers.js model folder, offline), `tfjs:<folder>` (model.json + weights)
 * or `caption:<folder>` (a vision-encoder-decoder folder: decoder states with each caption fed in).
 */
export async function openModel(spec: string, opts: ModelSpecOptions = {}): Promise<LoadedModel> {
  if (findZooEntry(spec)) return openZooModel(spec, opts);
  if (spec === 'pixels') return openPixelsModel(opts.preprocessing);
  if (isTextCandidate(spec)) return openTextCandidate(spec, opts.cwd);
  if (spec.startsWith('hf:')) return openTransformersModel({ hubId: spec.slice(3), ...opts });
  if (spec.startsWith('local:')) return openTransformersModel({ folder: resolve(spec.slice(6)), ...opts });
  if (spec.startsWith('caption:'))
    return openCaptionModel({ folder: resolve(spec.slice(8)), output: opts.output, threads: opts.threads });
  if (spec.startsWith('tfjs:')) {
    const dir = resolve(spec.slice(5));
    if (!opts.output)
      throw new EmmsError('MISSING_INPUT', `tfjs model ${dir} needs --output <layer or node name>`, {
        input: 'output',
      });
    const pre = opts.preprocessing ?? {};
    return openTfjsModel(readTfjsFolder(dir), {
      id: spec,
      output: opts.output,
      pool: opts.pool,
      preprocessing: { width: 224, height: 224, ...pre, layout: 'NHWC' },
    });
  }
  const path = resolve(spec);
  if (spec.toLowerCase().endsWith('.onnx') || (existsSync(path) && statSync(path).isFile())) {
    return openOnnxModel(path, {
      id: spec,
      output: opts.output,
      pool: opts.pool,
      preprocessing: opts.preprocessing,
      threads: opts.threads,
    });
  }
  throw new EmmsError(
    'MODEL_NOT_FOUND',
    `model "${spec}" is not a zoo id, an existing .onnx file, hf:<id>, local:<folder>, tfjs:<folder> or caption:<folder> (see "emms zoo")`,
    { input: spec },
  );
}
