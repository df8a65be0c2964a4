import { EmmsError, type Matrix, type ProgressListener, progressTracker } from '@emms/tensor-io';

/** Options for one {@link TextEmbedder.embed} call. */
export interface EmbedOptions {
  /** Strings per forward pass (default: the embedder's `defaultBatchSize`). */
  readonly batchSize?: number;
  /** Receives one event per finished batch; `done`/`total` count distinct strings to embed. */
  readonly onProgress?: ProgressListener;
  /** Stops between batches with an AbortError. */
  readonly signal?: AbortSignal;
  /** Cache to read and fill; defaults to the process-wide {@link sharedEmbeddingCache}. Pass `null` for none. */
  readonly cache?: EmbeddingCache | null;
  /**
   * Embed each distinct string once (default) or every string in input order, duplicates
   * included, without the cache. The default is `false` for batch-dependent embedders
   * (`reference` pooling), so that their batches are the ones the published code formed.
   */
  readonly dedupe?: boolean;
}

/**
 * A text foundation model that turns strings into fixed-width vectors.
 * `embed` deduplicates, consults the cache, splits into batches and reports progress;
 * `embedBatch` is the raw model call on exactly the strings given, in one pass.
 */
export interface TextEmbedder {
  /**
   * Identifies the model and everything that changes its output (pooling, dtype), e.g.
   * "use-lite" or "hf:Xenova/bert-base-uncased#pooling=masked-mean". Cache keys start with it.
   */
  readonly id: string;
  /** Width of every output row. */
  readonly dim: number;
  /** Batch size used when `embed` is not given one. */
  readonly defaultBatchSize: number;
  /**
   * True when a string's vector depends on the other strings in its batch (transformers models
   * with `reference` pooling: the padded length is the batch's longest member).
   */
  readonly batchDependent: boolean;
  /** Facts for the F-label sidecar (model source, pooling, normalisation...). */
  readonly description: Readonly<Record<string, unknown>>;
  /** Embeds strings with deduplication, caching and batching: one row per input string, in order. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Matrix<Float32Array>>;
  /** One model pass over exactly these strings: `texts.length × dim` values, row-major. */
  embedBatch(texts: readonly string[]): Promise<Float32Array>;
  /** Frees model memory. */
  dispose(): Promise<void>;
}

/**
 * Remembers vectors by embedder id and exact text, so each distinct string is embedded once
 * per embedder. Vectors are stored as given; callers must not mutate returned arrays.
 */
export class EmbeddingCache {
  private readonly map = new Map<string, Float32Array>();

  private static key(embedderId: string, text: string): string {
    return `${embedderId}\u0000${text}`;
  }

  /** The cached vector, or undefined. */
  get(embedderId: string, text: string): Float32Array | undefined {
    return this.map.get(EmbeddingCache.key(embedderId, text));
  }

  /** Stores a vector. */
  set(embedderId: string, text: string, vector: Float32Array): void {
    this.map.set(EmbeddingCache.key(embedderId, text), vector);
  }

  /** Number of cached vectors over all embedders. */
  get size(): number {
    return this.map.size;
  }

  /** Forgets everything. */
  clear(): void {
    this.map.clear();
  }
}

/** The cache `embed` uses when none is passed. */
export const sharedEmbeddingCache = new EmbeddingCache();

/**
 * Shared logic of every embedder: subclasses implement `embedBatch` (and `dispose`), this class
 * implements `embed` with deduplication, caching, batching and progress.
 *
 * Batches are the distinct, not yet cached strings in order of first appearance, cut every
 * `batchSize`. A batch-dependent embedder (`reference` pooling) instead embeds every string in
 * input order, duplicates included and uncached, cut every `batchSize`, as the published code
 * did; pass `dedupe: true` to trade that exactness for speed.
 */
export abstract class BaseEmbedder implements TextEmbedder {
  abstract readonly id: string;
  abstract readonly dim: number;
  readonly defaultBatchSize: number = 32;
  readonly batchDependent: boolean = false;
  abstract readonly description: Readonly<Record<string, unknown>>;

  abstract embedBatch(texts: readonly string[]): Promise<Float32Array>;

  async dispose(): Promise<void> {}

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Matrix<Float32Array>> {
    const batchSize = options.batchSize ?? this.defaultBatchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new EmmsError('INVALID_OPTION', `batchSize must be a positive integer, got ${batchSize}.`, {
        input: 'batchSize',
      });
    }
    texts.forEach((t, i) => {
      if (typeof t !== 'string' || t.trim() === '') {
        throw new EmmsError(
          'EMBEDDER_INPUT',
          `Text ${i} given to embedder ${this.id} is empty; every label must have some text.`,
          { input: `text ${i}`, details: { reason: 'empty-label', index: i } },
        );
      }
    });
    const dedupe = options.dedupe ?? !this.batchDependent;
    const cache = !dedupe ? null : options.cache === undefined ? sharedEmbeddingCache : options.cache;
    // With dedupe, vectors are found by text; without, by position.
    const found = new Map<string, Float32Array>();
    const byRow: Float32Array[] = [];
    let todo: readonly string[];
    if (dedupe) {
      const pending = new Set<string>();
      for (const t of texts) {
        if (found.has(t) || pending.has(t)) continue;
        const hit = cache?.get(this.id, t);
        if (hit) found.set(t, hit);
        else pending.add(t);
      }
      todo = [...pending];
    } else {
      todo = texts;
    }
    const tracker = progressTracker(`embed:${this.id}`, todo.length, options.onProgress);
    for (let start = 0; start < todo.length; start += batchSize) {
      if (options.signal?.aborted) {
        throw options.signal.reason ?? new DOMException('Embedding aborted', 'AbortError');
      }
      const batch = todo.slice(start, start + batchSize);
      const out = await this.embedBatch(batch);
      if (out.length !== batch.length * this.dim) {
        throw new EmmsError(
          'MODEL_INVALID',
          `Embedder ${this.id} returned ${out.length} values for ${batch.length} texts of width ${this.dim}.`,
          { input: this.id },
        );
      }
      batch.forEach((t, i) => {
        const v = out.slice(i * this.dim, (i + 1) * this.dim);
        for (const x of v) {
          if (!Number.isFinite(x)) {
            throw new EmmsError('NON_FINITE', `Embedder ${this.id} produced a non-finite value for "${t}".`, {
              input: t,
            });
          }
        }
        if (dedupe) {
          found.set(t, v);
          cache?.set(this.id, t, v);
        } else {
          byRow.push(v);
        }
      });
      tracker.advance(batch.length);
    }
    if (!dedupe) {
      const data = new Float32Array(texts.length * this.dim);
      byRow.forEach((v, i) => {
        data.set(v, i * this.dim);
      });
      return { rows: texts.length, cols: this.dim, data };
    }
    const data = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => {
      data.set(found.get(t)!, i * this.dim);
    });
    return { rows: texts.length, cols: this.dim, data };
  }
}
