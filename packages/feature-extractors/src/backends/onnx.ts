import { existsSync, readFileSync, statSync } from 'node:fs';
import { prepareOnnxRuntime } from '@emms/runtime';
import { EmmsError } from '@emms/tensor-io';
import * as ort from 'onnxruntime-node';
import { sha256 } from '../hash';
import { addGraphOutput, type GraphTensorInfo, listGraphTensors } from '../onnx-graph';
import type { OutputTensor, PoolMode } from '../pooling';
import { batchShape, type Preprocessing, resolvePreprocessing } from '../preprocess';
import type { LoadedModel } from './types';

/** Options for {@link openOnnxModel}. */
export interface OnnxModelOptions {
  /** Display id; default the path. */
  readonly id?: string;
  /** Tensor to read: a graph output or any intermediate tensor. Default the first graph output. */
  readonly output?: string;
  /** Pooling of that tensor. Default "avg" for rank ≥ 3, "none" for rank 2. */
  readonly pool?: PoolMode;
  /** True when a rank-4 output is [N,H,W,C]. */
  readonly channelsLast?: boolean;
  /** Preprocessing; fields left out come from the model's input metadata (size, layout, channels) or defaults. */
  readonly preprocessing?: Partial<Preprocessing>;
  /** Intra-op threads for onnxruntime (default: onnxruntime's choice). */
  readonly threads?: number;
}

function notOnnx(path: string, why: string, cause?: unknown): EmmsError {
  return new EmmsError(
    'MODEL_INVALID',
    `${path} is not a usable ONNX model: ${why}. Give a .onnx file exported by a converter.`,
    {
      input: path,
      cause,
    },
  );
}

/** Every tensor computed inside an ONNX file, for choosing `--output`. Throws MODEL_NOT_FOUND / MODEL_INVALID. */
export function listOnnxTensors(path: string): GraphTensorInfo[] {
  const bytes = readModelBytes(path);
  try {
    return listGraphTensors(bytes);
  } catch (e) {
    throw notOnnx(path, (e as Error).message, e);
  }
}

function readModelBytes(path: string): Uint8Array {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new EmmsError(
      'MODEL_NOT_FOUND',
      `model file ${path} does not exist; check the path (or use a zoo id, see "emms zoo")`,
      {
        input: path,
      },
    );
  }
  return readFileSync(path);
}

function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Opens a local .onnx file with onnxruntime-node. An `output` that is not a graph output becomes the graph's
 * only output in memory (the file on disk is untouched; nodes it does not need are pruned); an unknown name
 * throws INVALID_OPTION listing the names.
 */
export async function openOnnxModel(path: string, opts: OnnxModelOptions = {}): Promise<LoadedModel> {
  let bytes = readModelBytes(path);
  const fingerprint = sha256(bytes);
  let session: ort.InferenceSession;
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    interOpNumThreads: 1,
    ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
  };
  prepareOnnxRuntime();
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (e) {
    throw notOnnx(path, (e as Error).message.split('\n')[0], e);
  }
  let outputName = opts.output ?? session.outputNames[0];
  if (!session.outputNames.includes(outputName)) {
    let tensors: GraphTensorInfo[];
    try {
      tensors = listGraphTensors(bytes);
    } catch (e) {
      throw notOnnx(path, (e as Error).message, e);
    }
    if (!tensors.some((t) => t.name === outputName)) {
      const names = tensors.map((t) => t.name);
      const shown = names.length > 40 ? [...names.slice(0, 20), '...', ...names.slice(-20)] : names;
      throw new EmmsError(
        'INVALID_OPTION',
        `model ${path} has no tensor named "${outputName}". Graph outputs: ${session.outputNames.join(', ')}. ` +
          `Intermediate tensors (${names.length}): ${shown.join(', ')}`,
        { input: 'output', details: { outputs: session.outputNames, tensors: names } },
      );
    }
    await session.release();
    // the chosen tensor becomes the only output: nodes after it (heads, decoders) are pruned
    bytes = addGraphOutput(bytes, outputName, { replace: true });
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions);
    } catch (e) {
      throw notOnnx(path, `cannot expose tensor "${outputName}": ${(e as Error).message.split('\n')[0]}`, e);
    }
    outputName = opts.output!;
  }
  const inputName = session.inputNames[0];
  const meta = session.inputMetadata[0] as {
    name: string;
    isTensor: boolean;
    type?: string;
    shape?: readonly (number | string)[];
  };
  const shape = meta.shape ?? [];
  const expects = `input "${inputName}" of shape ${shapeText(shape)} (${meta.type ?? 'unknown type'})`;
  if (session.inputNames.length !== 1) {
    throw new EmmsError(
      'MODEL_INPUT_MISMATCH',
      `model ${path} takes ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); image extraction feeds exactly one`,
      {
        input: path,
      },
    );
  }
  if (meta.type !== undefined && meta.type !== 'float32') {
    throw new EmmsError(
      'MODEL_INPUT_MISMATCH',
      `model ${path} expects ${expects}; the pipeline feeds float32 images`,
      { input: path },
    );
  }
  if (shape.length !== 4) {
    throw new EmmsError(
      'MODEL_INPUT_MISMATCH',
      `model ${path} expects ${expects}; the pipeline feeds rank-4 image batches (NCHW or NHWC)`,
      {
        input: path,
      },
    );
  }
  const given = opts.preprocessing ?? {};
  const num = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : undefined);
  const chOf = (c: number | undefined) => (c === 1 ? 'L' : c === 4 ? 'RGBA' : c === 3 ? 'RGB' : undefined);
  let layout = given.layout;
  if (!layout)
    layout =
      num(shape[1]) && [1, 3, 4].includes(shape[1] as number)
        ? 'NCHW'
        : num(shape[3]) && [1, 3, 4].includes(shape[3] as number)
          ? 'NHWC'
          : 'NCHW';
  const [hDim, wDim, cDim] =
    layout === 'NCHW' ? [shape[2], shape[3], shape[1]] : [shape[1], shape[2], shape[3]];
  const pre = resolvePreprocessing({
    ...given,
    layout,
    width: given.width ?? num(wDim) ?? 224,
    height: given.height ?? num(hDim) ?? 224,
    channels: given.channels ?? chOf(num(cDim)) ?? 'RGB',
  });
  // the preprocessed batch must fit every fixed dimension of the input
  const ours = batchShape(pre, 1);
  for (let k = 1; k < 4; k++) {
    const want = num(shape[k]);
    if (want !== undefined && want !== ours[k]) {
      throw new EmmsError(
        'MODEL_INPUT_MISMATCH',
        `model ${path} expects ${expects}, but the preprocessing gives ${shapeText(['N', ...ours.slice(1)])} (${pre.layout}, ${pre.channels}). ` +
          'Change the preprocessing size, channels or layout to match.',
        { input: path, details: { expected: shape, got: ours } },
      );
    }
  }
  const maxBatch = num(shape[0]);
  const outMeta = session.outputMetadata.find((o) => o.name === outputName) as
    | { shape?: readonly (number | string)[] }
    | undefined;
  const outRank = outMeta?.shape?.length;
  const pool: PoolMode = opts.pool ?? (outRank === 2 ? 'none' : 'avg');
  const s = session;
  return {
    id: opts.id ?? path,
    backend: 'onnx',
    modality: 'image',
    fingerprint,
    outputName,
    pool,
    channelsLast: opts.channelsLast ?? false,
    preprocessing: pre,
    maxBatch,
    async runTensor(data: Float32Array, dims: readonly number[]): Promise<OutputTensor> {
      let result: ort.InferenceSession.ReturnType;
      try {
        result = await s.run({ [inputName]: new ort.Tensor('float32', data, dims as number[]) }, [
          outputName,
        ]);
      } catch (e) {
        throw new EmmsError(
          'MODEL_INPUT_MISMATCH',
          `model ${path} failed on a batch of shape ${shapeText(dims)}: it expects ${expects}. onnxruntime said: ${(e as Error).message.split('\n')[0]}`,
          { input: path, cause: e, details: { expected: shape, got: dims } },
        );
      }
      const t = result[outputName];
      const out =
        t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number);
      return { dims: t.dims, data: out };
    },
    async dispose() {
      await s.release();
    },
  };
}
