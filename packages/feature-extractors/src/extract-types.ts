// The public types of extractFeatures: options, the sidecar written beside each features file, timings, result.
import type { Matrix, ProgressListener } from '@emms/tensor-io';
import type { LoadedModel } from './backends/types';
import type { Dataset } from './dataset';
import type { SkippedItem } from './prep';

/** Options for `extractFeatures`. */
export interface ExtractOptions {
  readonly dataset: Dataset;
  readonly model: LoadedModel;
  /** Folder for the .npy files, sidecar and part files. */
  readonly outDir: string;
  /** Split to extract (see selectItems). Default: every item. */
  readonly split?: string;
  /** Items per class. */
  readonly limit?: number;
  /** Items per batch (and per checkpoint). Default 16. */
  readonly batchSize?: number;
  /** Skip images that cannot be decoded (listed in the sidecar) instead of failing. */
  readonly skipBad?: boolean;
  /** Recompute even when a matching cache file exists. */
  readonly force?: boolean;
  /** File stem; default "<model>__<dataset>__<split>". */
  readonly name?: string;
  readonly onProgress?: ProgressListener;
  /** Stops after the current batch (its rows are kept for a resume). */
  readonly signal?: AbortSignal;
}

/** The JSON written beside each features file. */
export interface FeatureSidecar {
  readonly format: 'emms-features/1';
  /** Digest of everything below that decides the numbers; equal key = reusable file. */
  readonly key: string;
  readonly model: {
    readonly id: string;
    readonly backend: string;
    readonly fingerprint: string;
    readonly output: string;
    readonly pool: string;
    readonly channelsLast: boolean;
  };
  readonly preprocessing: unknown;
  readonly dataset: {
    readonly name: string;
    readonly origin: string;
    readonly fingerprint: string;
    readonly split: string | null;
    readonly splitRule: string;
    readonly limit: number | null;
    readonly classes: readonly string[];
  };
  readonly rows: number;
  readonly cols: number;
  readonly features: string;
  readonly labels: string;
  readonly ids: readonly string[];
  readonly skipped: readonly SkippedItem[];
  readonly skipBad: boolean;
  readonly batchSize: number;
  /** Wall-clock seconds of the extraction (summed over resumed runs). */
  readonly seconds: number;
  /** Seconds spent inside the model's run calls. */
  readonly modelSeconds: number;
  /** Where the last call's time went (absent in files written before it was recorded). */
  readonly timings?: ExtractTimings;
  readonly createdAt: string;
}

/**
 * Where the wall time of one `extractFeatures` call went (seconds), to tell the runtime's own inference
 * from ours. Decoding and resizing run in sharp's threads while the previous batch is in the model, so
 * `prepare` counts only the time the loop waited for a batch.
 */
export interface ExtractTimings {
  /** Waiting for decoded, resized and normalised batches (what did not overlap the model). */
  readonly prepare: number;
  /** Inside the model's run calls: the runtime's inference, with its input and output tensors. */
  readonly inference: number;
  /** Pooling outputs into rows. */
  readonly pool: number;
  /** Copying rows, checkpoints, and writing features, labels and sidecar. */
  readonly write: number;
  /** The whole call. */
  readonly total: number;
}

/** What `extractFeatures` returns. */
export interface ExtractResult {
  readonly features: Matrix<Float32Array>;
  /** Class index per row. */
  readonly labels: Int32Array;
  readonly featuresPath: string;
  readonly labelsPath: string;
  readonly sidecarPath: string;
  readonly sidecar: FeatureSidecar;
  /** True when an existing file was reused without running the model. */
  readonly reused: boolean;
  /** Item index the run resumed at (0 for a fresh run). */
  readonly resumedAt: number;
  /** Where this call's time went (all zero but `total` for a reused file). */
  readonly timings: ExtractTimings;
}
