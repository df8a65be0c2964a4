// The shared, content-addressed artifact store: a folder every worker and the client can read.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ResultCache } from '@emms/harness';
import { EmmsError } from '@emms/tensor-io';
import { QUEUE_CODES } from './codes';

/**
 * A folder shared by the workers (a network filesystem in a cluster). Its root is also the harness's
 * result cache (`<root>/<k2>/<key>.json`) and feature folder (`<root>/features/`), so a queued run and a
 * local `runBench` with `cache: <root>` share every artifact. Every write goes to a temporary file in the
 * same folder and is renamed into place, so a retried or duplicated job only ever replaces a whole file
 * by an equal one. Redis holds only jobs and small results.
 *
 * @example
 * ```ts
 * const store = new ArtifactStore('/mnt/emms-store');
 * store.putJson(key, { rows: 3 });
 * store.getJson(key); // { rows: 3 }
 * ```
 */
export class ArtifactStore {
  /** Absolute root folder. */
  readonly dir: string;
  /** The harness result cache on the same folder. */
  readonly cache: ResultCache;

  /** @param dir - the shared folder (created on first write). */
  constructor(dir: string) {
    this.dir = resolve(dir);
    this.cache = new ResultCache(this.dir);
  }

  /** The harness feature folder (`<root>/features`). */
  get featuresDir(): string {
    return join(this.dir, 'features');
  }

  /** Folder of one run's manifest and report (`<root>/runs/<runId>`). */
  runDir(runId: string): string {
    return join(this.dir, 'runs', runId);
  }

  /**
   * Writes a file atomically (temporary file in the same folder, then rename).
   *
   * @param path - absolute path inside the store.
   * @param data - the bytes or text.
   * @throws EmmsError `STORE_UNWRITABLE` when the folder cannot be written.
   */
  writeAtomic(path: string, data: string | Uint8Array): void {
    const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(tmp, data);
      renameSync(tmp, path);
    } catch (cause) {
      rmSync(tmp, { force: true });
      throw new EmmsError(
        QUEUE_CODES.STORE_UNWRITABLE,
        `cannot write ${path} in the artifact store ${this.dir} (${(cause as Error).message}); give a writable shared folder`,
        { input: this.dir, cause },
      );
    }
  }

  /** Stores a JSON value under a content key (the harness cache layout). */
  putJson(key: string, value: unknown): void {
    this.writeAtomic(join(this.dir, key.slice(0, 2), `${key}.json`), JSON.stringify({ key, value }));
  }

  /** The JSON value under a content key, or undefined. */
  getJson<T>(key: string): T | undefined {
    return this.cache.get<T>(key);
  }

  /** Reads a JSON file of the store, or undefined when absent. */
  readJsonFile<T>(path: string): T | undefined {
    if (!existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  }

  /**
   * Records that an artifact was computed (not reused), as one small file per computation under
   * `<root>/computed/`: the evidence that deduplication works (each key should appear once).
   *
   * @param kind - the job kind ("extract", "flabels", "task").
   * @param key - the artifact's key.
   */
  recordComputed(kind: string, key: string): void {
    this.writeAtomic(
      join(this.dir, 'computed', `${kind}.${key}.${process.pid}-${randomBytes(4).toString('hex')}`),
      '',
    );
  }

  /** Every computation recorded so far, as `kind.key` strings (a duplicate means work done twice). */
  computed(): string[] {
    const d = join(this.dir, 'computed');
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => !f.endsWith('.tmp'))
      .map((f) => f.split('.').slice(0, 2).join('.'));
  }
}
