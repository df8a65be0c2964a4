// A content-addressed result cache: one small JSON file per result, keyed by the sha256 of everything
// that decides the result (features bytes, score id, resolved options, preprocessing...).
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { BENCH_CODES } from './bench/codes';

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

/** What {@link ResultCache} counted during a run. */
export interface CacheCounts {
  /** Results read from the cache. */
  readonly hits: number;
  /** Results computed (and stored). */
  readonly misses: number;
}

/**
 * A folder of results addressed by content: `get(key)` returns what `put(key, value)` stored under the
 * same key in any earlier run. Entries are written atomically (temporary file, then rename), so a run
 * killed at any moment leaves only whole entries; a rerun computes exactly the entries that are missing.
 * `dir` undefined gives a cache that stores nothing (every lookup misses).
 *
 * @example
 * ```ts
 * const cache = new ResultCache('.emms-cache');
 * const key = contentKey({ features: digest, score: 'logme', options: {} });
 * const hit = cache.get<{ value: number }>(key);
 * if (!hit) cache.put(key, { value: 1.5 });
 * cache.counts; // { hits, misses }
 * ```
 */
export class ResultCache {
  /** Absolute folder, or undefined for a cache that stores nothing. */
  readonly dir: string | undefined;
  private hits = 0;
  private misses = 0;

  /**
   * @param dir - the cache folder (created on first write); undefined disables caching.
   */
  constructor(dir: string | undefined) {
    this.dir = dir === undefined ? undefined : resolve(dir);
  }

  private path(key: string): string {
    return join(this.dir!, key.slice(0, 2), `${key}.json`);
  }

  /**
   * The value stored under `key`, or undefined (a miss is counted only by {@link ResultCache.put}).
   *
   * @param key - a {@link contentKey}.
   * @returns the stored value, or undefined when absent or unreadable.
   */
  get<T>(key: string): T | undefined {
    if (!this.dir) return undefined;
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    try {
      const value = JSON.parse(readFileSync(p, 'utf8')) as { key: string; value: T };
      if (value.key !== key) return undefined;
      this.hits++;
      return value.value;
    } catch {
      return undefined; // a damaged entry is recomputed
    }
  }

  /**
   * Stores `value` (JSON) under `key`, atomically, and counts a computed result.
   *
   * @param key - a {@link contentKey}.
   * @param value - any JSON value.
   * @throws EmmsError `CACHE_UNWRITABLE` when the folder cannot be written.
   */
  put(key: string, value: unknown): void {
    this.misses++;
    if (!this.dir) return;
    const p = this.path(key);
    const tmp = `${p}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true });
      writeFileSync(tmp, JSON.stringify({ key, value }));
      renameSync(tmp, p);
    } catch (cause) {
      rmSync(tmp, { force: true });
      throw new EmmsError(
        BENCH_CODES.CACHE_UNWRITABLE,
        `cannot write the result cache in ${this.dir} (${(cause as Error).message}); choose a writable cache folder`,
        { input: this.dir, cause },
      );
    }
  }

  /** Hits and misses so far. */
  get counts(): CacheCounts {
    return { hits: this.hits, misses: this.misses };
  }
}
