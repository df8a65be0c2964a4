// The one content-addressed store of a bench run: results, step records, features, F-labels and run
// reports in one folder that every executor (in-process, worker threads, queue workers) reads and writes.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { BENCH_CODES } from './bench/codes';
import { ensureFolder } from './folders';

/** What an {@link ArtifactStore} counted. */
export interface CacheCounts {
  /** Results read from the store. */
  readonly hits: number;
  /** Results computed (and stored). */
  readonly misses: number;
}

/** Options of {@link ArtifactStore}. */
export interface StoreOptions {
  /**
   * Reuse results stored by earlier runs (default true). False: `get` always misses and `put` stores nothing,
   * while step records and artifacts (features, F-labels) are still written, since steps exchange them.
   */
  readonly reuse?: boolean;
}

/**
 * A folder addressed by content, shared by every executor of a run (a network folder for queue workers).
 * Layout: results `<root>/<k[0:2]>/<k>.json` (`get`/`put`, counted), step records
 * `<root>/steps/<k[0:2]>/<k>.json`, features `<root>/features/`, F-labels `<root>/flabels/`, splits
 * `<root>/splits/`, run reports `<root>/runs/<runId>/`. Every write goes to a temporary file in the same
 * folder and is renamed into place, so a run killed at any moment, a retried job or two workers doing the
 * same work only ever leave whole files; a rerun computes exactly what is missing. `dir` undefined gives a
 * store that keeps nothing (every lookup misses).
 *
 * @example
 * ```ts
 * const store = ArtifactStore.open('.emms-cache');
 * const key = contentKey({ features: digest, score: 'logme', options: {} });
 * if (!store.get(key)) store.put(key, { value: 1.5 });
 * store.counts; // { hits, misses }
 * ```
 */
export class ArtifactStore {
  /** Absolute root folder, or undefined for a store that keeps nothing. */
  readonly dir: string | undefined;
  /** Whether results of earlier runs are reused. */
  readonly reuse: boolean;
  private hits = 0;
  private misses = 0;

  /**
   * @param dir - the folder (created on first write); undefined keeps nothing. Use {@link ArtifactStore.open}
   *   to check the folder before any work starts.
   * @param opts - {@link StoreOptions}.
   */
  constructor(dir: string | undefined, opts: StoreOptions = {}) {
    this.dir = dir === undefined ? undefined : resolve(dir);
    this.reuse = opts.reuse ?? true;
  }

  /**
   * Opens a store after checking its folder (created when missing, proven writable; pseudo file systems,
   * files and paths under a file refused at once, without a retry loop).
   *
   * @param dir - the folder.
   * @param opts - {@link StoreOptions} and `name`, how the caller names the folder (default "cache").
   * @returns the store.
   * @throws EmmsError `CACHE_UNWRITABLE` naming the folder and the fix.
   */
  static open(dir: string, opts: StoreOptions & { readonly name?: string } = {}): ArtifactStore {
    const name = opts.name ?? 'cache';
    return new ArtifactStore(ensureFolder(dir, { name, code: BENCH_CODES.CACHE_UNWRITABLE }), opts);
  }

  /** The same folder with its own counters (one per step call, so concurrent steps count apart). */
  view(): ArtifactStore {
    return new ArtifactStore(this.dir, { reuse: this.reuse });
  }

  private root(): string {
    if (!this.dir) {
      throw new EmmsError(BENCH_CODES.CACHE_UNWRITABLE, 'this store keeps nothing; give a cache folder', {
        input: 'cache',
      });
    }
    return this.dir;
  }

  /**
   * The absolute path of a path relative to the store; an absolute path is returned as it is.
   *
   * @throws EmmsError `CACHE_UNWRITABLE` for a relative path that leaves the store (`..`).
   */
  path(rel: string): string {
    if (isAbsolute(rel)) return rel;
    const abs = resolve(this.root(), rel);
    const back = relative(this.root(), abs);
    if (back.startsWith('..') || isAbsolute(back)) {
      throw new EmmsError(BENCH_CODES.CACHE_UNWRITABLE, `store path ${rel} leaves the store ${this.dir}`, {
        input: rel,
      });
    }
    return abs;
  }

  /** `abs` relative to the store root (how artifacts are referred to, so the store can move). */
  relative(abs: string): string {
    return relative(this.root(), abs);
  }

  private keyPath(key: string, folder?: string): string {
    const base = folder ? join(this.root(), folder) : this.root();
    return join(base, key.slice(0, 2), `${key}.json`);
  }

  /**
   * The result stored under `key` by this or an earlier run, or undefined (counted as a hit when found;
   * a miss is counted by {@link ArtifactStore.put}).
   */
  get<T>(key: string): T | undefined {
    if (!this.dir || !this.reuse) return undefined;
    const value = this.readEntry<T>(this.keyPath(key), key);
    if (value !== undefined) this.hits++;
    return value;
  }

  /**
   * Stores a result (JSON) under `key`, atomically, and counts a computed result.
   *
   * @throws EmmsError `CACHE_UNWRITABLE` when the folder cannot be written.
   */
  put(key: string, value: unknown): void {
    this.misses++;
    if (!this.dir || !this.reuse) return;
    this.writeAtomic(this.keyPath(key), JSON.stringify({ key, value }));
  }

  /** Hits and misses counted so far. */
  get counts(): CacheCounts {
    return { hits: this.hits, misses: this.misses };
  }

  /** Writes the record of a step call (its small JSON result), read back with {@link ArtifactStore.getRecord}. */
  putRecord(key: string, value: unknown): void {
    this.writeAtomic(this.keyPath(key, 'steps'), JSON.stringify({ key, value }));
  }

  /** The record of a step call, or undefined (not counted). */
  getRecord<T>(key: string): T | undefined {
    if (!this.dir) return undefined;
    return this.readEntry<T>(this.keyPath(key, 'steps'), key);
  }

  private readEntry<T>(p: string, key: string): T | undefined {
    if (!existsSync(p)) return undefined;
    try {
      const entry = JSON.parse(readFileSync(p, 'utf8')) as { key: string; value: T };
      return entry.key === key ? entry.value : undefined;
    } catch {
      return undefined; // a damaged entry is recomputed
    }
  }

  /**
   * Writes a file atomically (temporary file in the same folder, then rename).
   *
   * @param path - absolute path, or relative to the store.
   * @param data - the bytes or text.
   * @throws EmmsError `CACHE_UNWRITABLE` when the folder cannot be written.
   */
  writeAtomic(path: string, data: string | Uint8Array): void {
    const abs = this.path(path);
    const tmp = `${abs}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(join(abs, '..'), { recursive: true });
      writeFileSync(tmp, data);
      renameSync(tmp, abs);
    } catch (cause) {
      rmSync(tmp, { force: true });
      throw new EmmsError(
        BENCH_CODES.CACHE_UNWRITABLE,
        `cannot write ${abs} in the store ${this.dir} (${(cause as Error).message}); choose a writable cache folder`,
        { input: this.dir, cause },
      );
    }
  }

  /** A JSON file of the store (absolute or relative path), or undefined when absent. */
  readJsonFile<T>(path: string): T | undefined {
    const abs = this.path(path);
    if (!existsSync(abs)) return undefined;
    return JSON.parse(readFileSync(abs, 'utf8')) as T;
  }

  /** The features folder (`<root>/features`), where extraction writes. */
  get featuresDir(): string {
    return join(this.root(), 'features');
  }

  /** The folder of one queued run's report (`<root>/runs/<runId>`). */
  runDir(runId: string): string {
    return join(this.root(), 'runs', runId);
  }

  /**
   * Records that an artifact was computed (not reused), as one empty file per computation under
   * `<root>/computed/`: the evidence that deduplication works (each key should appear once).
   */
  recordComputed(kind: string, key: string): void {
    this.writeAtomic(
      join(this.root(), 'computed', `${kind}.${key}.${process.pid}-${randomBytes(4).toString('hex')}`),
      '',
    );
  }

  /** Every computation recorded so far, as `kind.key` strings (a duplicate means work done twice). */
  computed(): string[] {
    if (!this.dir) return [];
    const d = join(this.dir, 'computed');
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => !f.endsWith('.tmp'))
      .map((f) => f.split('.').slice(0, 2).join('.'));
  }
}
