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
  /**
   * Folder a text reference's relative paths resolve against, and packages looked up by name are resolved
   * from (GloVe's vectors); default the working directory.
   */
  readonly cwd?: string;
}

/** What a model reference names, resolved against a working folder (JSON-serialisable). */
export type ModelRef =
  | { readonly kind: 'zoo'; readonly id: string }
  | { readonly kind: 'pixels' }
  | { readonly kind: 'text'; readonly id: string }
  | { readonly kind: 'onnx'; readonly path: string }
  | { readonly kind: 'hf'; readonly hubId: string }
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'tfjs'; readonly path: string }
  | { readonly kind: 'caption'; readonly path: string };

/** Options of {@link parseModelRef}. */
export interface ParseModelRefOptions {
  /** The folder relative paths resolve against (required: nothing falls back to `process.cwd()` silently). */
  readonly cwd: string;
}

const MODEL_PREFIXES = ['hf', 'local', 'tfjs', 'caption'] as const;

/**
 * Parses a model reference: a zoo id, `pixels` (the raw-pixels reference), an offline text model (`use-lite`,
 * `glove`, `bow-hash`…), a path to a .onnx file (or any existing file, read as ONNX), `hf:<hub id>`,
 * `local:<folder>` (transformers.js),
 * `tfjs:<folder>` (model.json + weights) or `caption:<folder>` (vision-encoder-decoder). Paths are resolved
 * against `opts.cwd`. Whether a file or folder exists is not checked here, except to tell a path without
 * the .onnx extension from an unknown name.
 *
 * @param ref - the reference as a user wrote it.
 * @param opts - {@link ParseModelRefOptions}: the working folder.
 * @returns the {@link ModelRef}.
 * @throws EmmsError `MODEL_NOT_FOUND` for a name that is none of these (an empty `hf:`/`local:` … too).
 * @example
 * ```ts
 * parseModelRef('local:./vit', { cwd: '/work' }); // { kind: 'local', path: '/work/vit' }
 * parseModelRef('ppocr-det', { cwd: '/work' }); // { kind: 'zoo', id: 'ppocr-det' }
 * ```
 */
export function parseModelRef(ref: string, opts: ParseModelRefOptions): ModelRef {
  if (ref === 'pixels') return { kind: 'pixels' };
  if (findZooEntry(ref)) return { kind: 'zoo', id: ref };
  if (isTextCandidate(ref)) return { kind: 'text', id: ref };
  const prefix = MODEL_PREFIXES.find((p) => ref.startsWith(`${p}:`));
  if (prefix) {
    const rest = ref.slice(prefix.length + 1);
    if (rest.length > 0) {
      if (prefix === 'hf') return { kind: 'hf', hubId: rest };
      return { kind: prefix, path: resolve(opts.cwd, rest) };
    }
  } else {
    const path = resolve(opts.cwd, ref);
    if (ref.toLowerCase().endsWith('.onnx') || (existsSync(path) && statSync(path).isFile())) {
      return { kind: 'onnx', path };
    }
  }
  throw new EmmsError(
    'MODEL_NOT_FOUND',
    `model "${ref}" is not a zoo id, pixels, an offline text model, an existing .onnx file, hf:<id>, local:<folder>, tfjs:<folder> or caption:<folder> (see "emms zoo")`,
    { input: ref },
  );
}

/**
 * The reference text of a parsed {@link ModelRef} (absolute paths): what {@link parseModelRef} reads back
 * to the same reference from any working folder.
 *
 * @param ref - a parsed reference.
 * @returns e.g. `local:/work/vit`, `/work/m.onnx`, `ppocr-det`.
 * @example
 * ```ts
 * modelRefText(parseModelRef('m.onnx', { cwd: '/work' })); // '/work/m.onnx'
 * ```
 */
export function modelRefText(ref: ModelRef): string {
  switch (ref.kind) {
    case 'zoo':
    case 'text':
      return ref.id;
    case 'pixels':
      return 'pixels';
    case 'onnx':
      return ref.path;
    case 'hf':
      return `hf:${ref.hubId}`;
    default:
      return `${ref.kind}:${ref.path}`;
  }
}

/**
 * Opens a model from a reference (see {@link parseModelRef}): a zoo id, `pixels` (the raw-pixels reference,
 * see {@link openPixelsModel}), an offline text model (see {@link isTextCandidate}), a .onnx file,
 * `hf:<hub id>` (transformers.js, online), `local:<folder>` (a transformers.js model folder, offline),
 * `tfjs:<folder>` (model.json + weights) or `caption:<folder>` (a vision-encoder-decoder folder: decoder
 * states with each caption fed in). A text reference's relative paths resolve against `opts.cwd` (default:
 * the working directory of the process).
 *
 * @throws EmmsError `MODEL_NOT_FOUND` for an unknown name.
 */
export async function openModel(spec: string | ModelRef, opts: ModelSpecOptions = {}): Promise<LoadedModel> {
  const ref = typeof spec === 'string' ? parseModelRef(spec, { cwd: opts.cwd ?? process.cwd() }) : spec;
  switch (ref.kind) {
    case 'zoo':
      return openZooModel(ref.id, opts);
    case 'pixels':
      return openPixelsModel(opts.preprocessing);
    case 'text':
      return openTextCandidate(ref.id, opts.cwd);
    case 'hf':
      return openTransformersModel({ hubId: ref.hubId, ...opts });
    case 'local':
      return openTransformersModel({ folder: ref.path, ...opts });
    case 'caption':
      return openCaptionModel({ folder: ref.path, output: opts.output, threads: opts.threads });
    case 'tfjs': {
      if (!opts.output)
        throw new EmmsError('MISSING_INPUT', `tfjs model ${ref.path} needs --output <layer or node name>`, {
          input: 'output',
        });
      const pre = opts.preprocessing ?? {};
      return openTfjsModel(readTfjsFolder(ref.path), {
        id: modelRefText(ref),
        output: opts.output,
        pool: opts.pool,
        preprocessing: { width: 224, height: 224, ...pre, layout: 'NHWC' },
      });
    }
    case 'onnx':
      return openOnnxModel(ref.path, {
        id: typeof spec === 'string' ? spec : ref.path,
        output: opts.output,
        pool: opts.pool,
        preprocessing: opts.preprocessing,
        threads: opts.threads,
      });
  }
}
