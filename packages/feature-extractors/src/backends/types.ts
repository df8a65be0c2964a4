import type { OutputTensor, PoolMode } from '../pooling';
import type { RawPixels, ResolvedPreprocessing } from '../preprocess';

/**
 * A loaded candidate model, whatever runs it. The pipeline feeds it batches in one of three ways:
 * preprocessed tensors (`runTensor`, when `preprocessing` is set), decoded RGB images (`runImages`, for
 * backends that preprocess themselves), texts (`runTexts`), or image-caption pairs (`runImageTexts`, the
 * text-conditioned extractor for captioning candidates: decoder hidden states with the caption fed in).
 */
export interface LoadedModel {
  /** Display id ("ppocr-det", "path/to/model.onnx", "hf:Xenova/vit"). */
  readonly id: string;
  /** 'js': computed in JavaScript (raw pixels, text embedders of @emms/label-embedders). */
  readonly backend: 'onnx' | 'tfjs' | 'transformers' | 'js';
  readonly modality: 'image' | 'text' | 'image-text';
  /** Digest of the weights (file hash, or of the model JSON and weights). */
  readonly fingerprint: string;
  /** Name of the tensor read as the feature. */
  readonly outputName: string;
  /** Pooling applied to that tensor. */
  readonly pool: PoolMode;
  /** True when a rank-4 output is [N,H,W,C]. */
  readonly channelsLast: boolean;
  /** Set when the pipeline must feed preprocessed tensors. */
  readonly preprocessing?: ResolvedPreprocessing;
  /** Largest batch the model takes (1 for graphs with a fixed batch of one). */
  readonly maxBatch?: number;
  runTensor?(data: Float32Array, shape: readonly number[]): Promise<OutputTensor>;
  runImages?(images: readonly RawPixels[]): Promise<OutputTensor>;
  runTexts?(texts: readonly string[]): Promise<OutputTensor>;
  /** Image-caption pairs (captioning candidates): decoder states with the caption fed in, pooled per pair. */
  runImageTexts?(images: readonly RawPixels[], texts: readonly string[]): Promise<OutputTensor>;
  /** Frees native memory. */
  dispose(): Promise<void>;
}
