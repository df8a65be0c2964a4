// Queue addresses: redis://[user:password@]HOST:PORT[/DB] and rediss:// (TLS).
import { EmmsError } from '@emms/tensor-io';
import { Redis, type RedisOptions } from 'ioredis';
import { QUEUE_CODES } from './codes';

/** The environment variable read for the Redis password when the URL has none. */
export const PASSWORD_ENV = 'EMMS_REDIS_PASSWORD';

/** A parsed queue address: options for BullMQ's Redis client and a description safe to log. */
export interface QueueConnection {
  /** Options for BullMQ (ioredis), with `maxRetriesPerRequest: null` as BullMQ workers require. */
  readonly options: RedisOptions;
  /** `redis://HOST:PORT/DB` with any password replaced by `***`: the only form that may be logged. */
  readonly display: string;
}

/**
 * Parses a queue address. The password comes from the URL (`redis://:secret@host:6379`) or else from
 * the `EMMS_REDIS_PASSWORD` environment variable; it never appears in `display`.
 *
 * @param url - `redis://HOST:PORT[/DB]` or `rediss://…` (TLS).
 * @param env - environment to read the password from (default `process.env`).
 * @returns the BullMQ connection options and a redacted description.
 * @throws EmmsError `QUEUE_URL_INVALID` for another scheme, a missing host, a bad port or database number.
 * @example
 * ```ts
 * const { options, display } = parseQueueUrl('redis://127.0.0.1:6379/2');
 * display; // 'redis://127.0.0.1:6379/2'
 * ```
 */
export function parseQueueUrl(url: string, env: NodeJS.ProcessEnv = process.env): QueueConnection {
  let u: URL;
  const bad = (why: string) =>
    new EmmsError(
      QUEUE_CODES.QUEUE_URL_INVALID,
      `queue address ${redact(url)}: ${why}; give redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]`,
      { input: 'queue' },
    );
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`scheme ${u.protocol} is not supported`);
  if (!u.hostname) throw bad('no host');
  const port = u.port ? Number(u.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('bad port');
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw bad(`database "${dbText}" is not a non-negative integer`);
  const password = u.password ? decodeURIComponent(u.password) : env[PASSWORD_ENV] || undefined;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    options: {
      host,
      port,
      db,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
      maxRetriesPerRequest: null,
    },
    display: `${u.protocol}//${u.hostname}:${port}/${db}`,
  };
}

/** A URL with its password (if any) replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/**
 * Opens a Redis client for BullMQ (which, in an ES module, cannot build one from options itself).
 * The caller closes it (`client.disconnect()`) after closing the queues and workers that use it.
 *
 * @param options - ioredis options, e.g. `parseQueueUrl(url).options`.
 * @returns a client with `maxRetriesPerRequest: null` (required by BullMQ workers), reconnecting forever.
 * @example
 * ```ts
 * const client = openRedis(parseQueueUrl('redis://127.0.0.1:6379').options);
 * ```
 */
export function openRedis(options: RedisOptions): Redis {
  return new Redis({
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...options,
    maxRetriesPerRequest: null,
  });
}
