import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { sha256 } from '../hash';
import type { OutputTensor, PoolMode } from '../pooling';
import { type Preprocessing, resolvePreprocessing } from '../preprocess';
import type { LoadedModel } from './types';

type Tf = typeof import('@tensorflow/tfjs');

/** A tfjs model in memory: the model.json object and its concatenated weight bytes. */
export interface TfjsArtifacts {
  readonly modelJson: {
    readonly modelTopology: unknown;
    readonly weightsManifest: readonly { paths: string[]; weights: unknown[] }[];
    readonly format?: string;
    readonly generatedBy?: string;
    readonly convertedBy?: string;
  };
  readonly weights: Uint8Array;
}

/** Options for {@link openTfjsModel}. */
export interface TfjsModelOptions {
  readonly id: string;
  /** Layer name (layers models) or node name (graph models) read as the feature. */
  readonly output: string;
  readonly pool?: PoolMode;
  readonly preprocessing: Preprocessing;
  /** Element type of the model input: float32 (default) or int32 (values rounded, e.g. MoveNet's 0–255). */
  readonly inputDtype?: 'float32' | 'int32';
  /** Largest batch the graph takes (1 for graphs with a fixed batch of one). */
  readonly maxBatch?: number;
}

let tfPromise: Promise<{ tf: Tf; backend: string }> | undefined;

/**
 * Loads @tensorflow/tfjs once and picks its WASM backend (binaries from the installed
 * @tensorflow/tfjs-backend-wasm package, no network), falling back to the pure-JS CPU backend.
 * EMMS_TFJS_BACKEND=cpu forces the CPU backend.
 */
export function loadTf(): Promise<{ tf: Tf; backend: string }> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    if (process.env.EMMS_TFJS_BACKEND !== 'cpu') {
      try {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const require = createRequire(import.meta.url);
        wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return { tf, backend: 'wasm' };
        }
      } catch {
        // fall through to the CPU backend
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu' };
  })();
  return tfPromise;
}

/** Reads a tfjs model folder: model.json plus the weight files its manifest names. */
export function readTfjsFolder(dir: string): TfjsArtifacts {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) {
    throw new EmmsError('MODEL_NOT_FOUND', `no tfjs model at ${dir}: ${jsonPath} does not exist`, {
      input: dir,
    });
  }
  return readTfjsModelFile(jsonPath);
}

/** Reads a tfjs model.json (any file name) plus the weight files its manifest names, beside it. */
export function readTfjsModelFile(jsonPath: string): TfjsArtifacts {
  const dir = dirname(jsonPath);
  if (!existsSync(jsonPath)) {
    throw new EmmsError('MODEL_NOT_FOUND', `tfjs model file ${jsonPath} does not exist`, { input: jsonPath });
  }
  let modelJson: TfjsArtifacts['modelJson'];
  try {
    modelJson = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new EmmsError('MODEL_INVALID', `${jsonPath} is not JSON`, { input: jsonPath, cause: e });
  }
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new EmmsError(
      'MODEL_INVALID',
      `${jsonPath} is not a tfjs model.json (needs modelTopology and weightsManifest)`,
      { input: jsonPath },
    );
  }
  const parts = modelJson.weightsManifest
    .flatMap((g) => g.paths)
    .map((p) => {
      const f = join(dir, p);
      if (!existsSync(f))
        throw new EmmsError('MODEL_NOT_FOUND', `weight file ${f} named by ${jsonPath} is missing`, {
          input: f,
        });
      return readFileSync(f);
    });
  return { modelJson, weights: Buffer.concat(parts) };
}

/**
 * Opens a tfjs layers or graph model from memory and reads `output` (a layer or node) as the feature.
 * Unknown names throw INVALID_OPTION listing the layer/node names.
 */
export async function openTfjsModel(art: TfjsArtifacts, opts: TfjsModelOptions): Promise<LoadedModel> {
  const { tf } = await loadTf();
  const mj = art.modelJson;
  const topo = mj.modelTopology as {
    model_config?: { config: { layers: { name: string }[] } };
    node?: { name: string }[];
  };
  const isGraph = mj.format === 'graph-model' || Array.isArray(topo.node);
  const names = isGraph
    ? (topo.node ?? []).map((n) => n.name)
    : (topo.model_config?.config.layers ?? []).map((l) => l.name);
  if (!names.includes(opts.output)) {
    const shown = names.length > 40 ? [...names.slice(0, 20), '...', ...names.slice(-20)] : names;
    throw new EmmsError(
      'INVALID_OPTION',
      `tfjs model ${opts.id} has no ${isGraph ? 'node' : 'layer'} "${opts.output}". Names (${names.length}): ${shown.join(', ')}`,
      {
        input: 'output',
        details: { names },
      },
    );
  }
  const w = art.weights;
  const handler = tf.io.fromMemory({
    modelTopology: mj.modelTopology as object,
    weightSpecs: mj.weightsManifest.flatMap((g) => g.weights) as never,
    weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
    format: mj.format,
    generatedBy: mj.generatedBy,
    convertedBy: mj.convertedBy ?? undefined,
  });
  // NHWC is TensorFlow's layout; a graph converted from another framework may take NCHW (NanoDet)
  const pre = resolvePreprocessing(opts.preprocessing);
  if (pre.layout !== 'NHWC' && !isGraph) {
    throw new EmmsError('INVALID_OPTION', `tfjs layers model ${opts.id} needs NHWC preprocessing`, {
      input: 'preprocessing.layout',
    });
  }
  const int = opts.inputDtype === 'int32';
  let run: (x: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Tensor;
  let disposeModel: () => void;
  try {
    if (isGraph) {
      const g = await tf.loadGraphModel(handler);
      run = (x) => g.execute(x, opts.output) as import('@tensorflow/tfjs').Tensor;
      disposeModel = () => g.dispose();
    } else {
      const m = await tf.loadLayersModel(handler);
      const sub = tf.model({
        inputs: m.inputs,
        outputs: m.getLayer(opts.output).output as import('@tensorflow/tfjs').SymbolicTensor,
      });
      run = (x) => sub.predict(x) as import('@tensorflow/tfjs').Tensor;
      disposeModel = () => m.dispose();
    }
  } catch (e) {
    throw new EmmsError('MODEL_INVALID', `tfjs model ${opts.id} failed to load: ${(e as Error).message}`, {
      input: opts.id,
      cause: e,
    });
  }
  const fingerprint = sha256(Buffer.concat([Buffer.from(JSON.stringify(mj.modelTopology)), Buffer.from(w)]));
  return {
    id: opts.id,
    backend: 'tfjs',
    modality: 'image',
    fingerprint,
    outputName: opts.output,
    pool: opts.pool ?? 'none',
    channelsLast: pre.layout === 'NHWC',
    preprocessing: pre,
    ...(opts.maxBatch ? { maxBatch: opts.maxBatch } : {}),
    async runTensor(data: Float32Array, shape: readonly number[]): Promise<OutputTensor> {
      const input = () =>
        int
          ? tf.tensor(Int32Array.from(data, Math.round), shape as number[], 'int32')
          : tf.tensor(data, shape as number[], 'float32');
      const y = tf.tidy(() => run(input()));
      try {
        const out = (await y.data()) as Float32Array;
        return { dims: y.shape, data: out instanceof Float32Array ? out : Float32Array.from(out) };
      } finally {
        y.dispose();
      }
    },
    async dispose() {
      disposeModel();
    },
  };
}
