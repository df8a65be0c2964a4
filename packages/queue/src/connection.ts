// Queue addresses (redis://[user:password@]HOST:PORT[/DB], rediss:// for TLS), Redis clients that give up
// after a bounded number of retries with a typed error, and keeping the password out of every message.
import { EmmsError } from '@emms/tensor-io';
import { Redis, type RedisOptions } from 'ioredis';
import { QUEUE_CODES } from './codes';

/** The environment variable read for the Redis password when the URL has none. */
export const PASSWORD_ENV = 'EMMS_REDIS_PASSWORD';

/** Reconnection attempts before a client gives up (`retries`), unless told otherwise. */
export const DEFAULT_REDIS_RETRIES = 5;

/** A parsed queue address: options for BullMQ's Redis client and a description safe to log. */
export interface QueueConnection {
  /** Options for BullMQ (ioredis), with `maxRetriesPerRequest: null` as BullMQ workers require. */
  readonly options: RedisOptions;
  /** `redis://HOST:PORT/DB` without user or password: the only form that may be logged. */
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
 * Text with every credential taken out: the password part of any `scheme://user:password@` and every
 * literal secret given (e.g. the Redis password of the connection, `EMMS_REDIS_PASSWORD`). The one
 * function that turns messages safe, used where errors become text (the CLI's error output, worker logs).
 *
 * @param text - a message, a log line.
 * @param secrets - literal secrets to replace (empty and very short strings are ignored).
 * @returns the text with each secret replaced by `***`.
 * @example
 * ```ts
 * redactSecrets('AUTH user s3cret failed on redis://u:s3cret@h', ['s3cret']); // 'AUTH user *** failed on redis://u:***@h'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi, '$1***@');
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** Options of {@link openRedis}. */
export interface RedisLimits {
  /** Reconnection attempts before giving up (default {@link DEFAULT_REDIS_RETRIES}); 0 = no retry. */
  readonly retries?: number;
}

/** The typed error a failed connection gives, without the password the client library puts in its errors. */
function connectionError(e: Error | undefined, options: RedisOptions, tries: number): EmmsError {
  const where = `redis://${options.host ?? '127.0.0.1'}:${options.port ?? 6379}/${options.db ?? 0}`;
  const reason = redactSecrets((e?.message ?? 'connection closed').split('\n')[0]!, [options.password]);
  if (isAuthError(e)) {
    return new EmmsError(
      QUEUE_CODES.REDIS_AUTH_FAILED,
      `Redis at ${where} refused the login (${reason}); check the password (in the URL or ${PASSWORD_ENV}) and the user`,
      { input: 'queue' },
    );
  }
  return new EmmsError(
    QUEUE_CODES.REDIS_UNAVAILABLE,
    `cannot reach Redis at ${where} after ${tries} attempt(s) (${reason}); start redis-server there or check the queue address`,
    { input: 'queue' },
  );
}

function isAuthError(e: Error | undefined): boolean {
  return /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(e?.message ?? '');
}

/** A Redis client that knows why it stopped. */
export interface GuardedRedis extends Redis {
  /** Resolves when the client is ready; rejects with the typed error when it gives up (see {@link openRedis}). */
  readonly ready: Promise<void>;
  /** The typed error once the client has given up (bounded retries spent, or a refused login). */
  readonly failure: () => EmmsError | undefined;
}

/**
 * Opens a Redis client for BullMQ (which, in an ES module, cannot build one from options itself) that gives
 * up instead of retrying forever: after `retries` failed reconnections, or at once when the server refuses
 * the login, it stops and `ready` rejects with `REDIS_UNAVAILABLE` / `REDIS_AUTH_FAILED` (never with the
 * password). Its errors are handled here, so the client library prints nothing. The caller closes it
 * (`client.disconnect()`) after the queues and workers that use it.
 *
 * @param options - ioredis options, e.g. `parseQueueUrl(url).options`.
 * @param limits - {@link RedisLimits}: the number of retries.
 * @returns the client, with `ready` and `failure`.
 * @example
 * ```ts
 * const client = openRedis(parseQueueUrl('redis://127.0.0.1:6379').options, { retries: 3 });
 * await client.ready; // or a typed error after 3 retries
 * ```
 */
export function openRedis(options: RedisOptions, limits: RedisLimits = {}): GuardedRedis {
  const retries = limits.retries ?? DEFAULT_REDIS_RETRIES;
  let last: Error | undefined;
  let failure: EmmsError | undefined;
  let tries = 0;
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  ready.catch(() => undefined); // observed by whoever awaits it
  const client = new Redis({
    connectTimeout: 5000,
    ...options,
    maxRetriesPerRequest: null,
    lazyConnect: false,
    retryStrategy: (times) => {
      tries = times;
      if (failure || times > retries) return null;
      return Math.min(200 * 2 ** (times - 1), 2000);
    },
    // a refused login does not get better by reconnecting
    reconnectOnError: () => false,
  }) as GuardedRedis;
  const giveUp = () => {
    failure ??= connectionError(last, options, tries);
    settle?.reject(failure);
  };
  client.on('error', (e: Error) => {
    last = e;
    if (isAuthError(e)) {
      giveUp();
      client.disconnect();
    }
  });
  client.on('ready', () => {
    tries = 0;
    settle?.resolve();
  });
  client.on('end', giveUp);
  Object.defineProperties(client, {
    ready: { value: ready },
    failure: { value: () => failure },
  });
  return client;
}
