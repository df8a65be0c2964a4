// Content keys: the sha256 of everything that decides a result (features bytes, score id, resolved
// options, preprocessing...), used by the store to address results.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { EmmsError } from '@emms/tensor-io';
import { ArtifactStore } from './store';

/** JSON with object keys sorted, so equal values always give equal text (and equal keys). */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      );
    }
    return v;
  });
}

/**
 * sha256 (hex) of a value's stable JSON, or of bytes.
 *
 * @param value - bytes (hashed as they are) or any JSON value (hashed as {@link stableJson}).
 * @returns 64 hex characters.
 * @example
 * ```ts
 * contentKey({ score: 'emms', features: 'ab12…' }) === contentKey({ features: 'ab12…', score: 'emms' }); // true
 * ```
 */
export function contentKey(value: unknown): string {
  const h = createHash('sha256');
  if (value instanceof Uint8Array) h.update(value);
  else h.update(stableJson(value));
  return h.digest('hex');
}

/**
 * sha256 (hex) of a file's bytes, streamed.
 *
 * @param path - the file.
 * @returns 64 hex characters.
 * @throws EmmsError `FILE_NOT_FOUND` when the file cannot be read.
 * @example
 * ```ts
 * const digest = await sha256File('features/resnet50.npy');
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  } catch (cause) {
    throw new EmmsError('FILE_NOT_FOUND', `cannot read ${path} (${(cause as Error).message})`, {
      input: path,
      cause,
    });
  }
  return h.digest('hex');
}

/**
 * The store under its earlier name: a folder of results addressed by content (see {@link ArtifactStore}).
 * @deprecated use {@link ArtifactStore} (the same class).
 */
export const ResultCache = ArtifactStore;
/** @deprecated use {@link ArtifactStore}. */
export type ResultCache = ArtifactStore;
