// Test helpers: a private redis-server child process on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { Queue } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { QUEUE_CODES } from './codes';
import { openRedis } from './connection';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Append-only file persistence (`appendonly yes`, fsync always), so a restart keeps every job. Default false. */
  readonly persist?: boolean;
  /** A fixed port (default: a free one chosen by the OS). */
  readonly port?: number;
  /** The data folder (default: a new temporary folder, removed by `stop`). */
  readonly dir?: string;
  /** The redis-server executable (default `redis-server` on PATH). */
  readonly executable?: string;
  /** A password clients must give (`--requirepass`); default none. */
  readonly requirePass?: string;
}

/** A running private Redis. */
export interface TestRedis {
  /** Always 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** The data folder. */
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); `keepDir` keeps the data folder for a restart. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Sends PING over a raw socket; resolves true on `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    // a server that wants a password answers NOAUTH: it is up
    s.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
  });
}

/**
 * Starts a private `redis-server` child process bound to 127.0.0.1 only, on a free port, with its own
 * data folder, and waits until it answers PING. Persistence is off (`--save ''`, no AOF) unless `persist`.
 *
 * @param opts - {@link StartRedisOptions}.
 * @returns the running server; call `stop()` afterwards.
 * @throws EmmsError `REDIS_UNAVAILABLE` when redis-server is not installed or does not answer within 10 s.
 * @example
 * ```ts
 * const redis = await startRedis({ persist: true });
 * try { … redis.url … } finally { await redis.stop(); }
 * ```
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<TestRedis> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'emms-redis-'));
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    opts.persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--loglevel',
    'warning',
    ...(opts.requirePass ? ['--requirepass', opts.requirePass] : []),
  ];
  const child: ChildProcess = spawn(opts.executable ?? 'redis-server', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let exited = false;
  let spawnError: Error | undefined;
  child.once('error', (e) => {
    spawnError = e;
    exited = true;
  });
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new EmmsError(
        QUEUE_CODES.REDIS_UNAVAILABLE,
        `could not start redis-server on 127.0.0.1:${port}${spawnError ? ` (${spawnError.message})` : ''}; install redis-server`,
        { input: 'redis-server' },
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async stop(o = {}) {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      if (!o.keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every job of a queue with what Redis keeps of it (name, data, return value, failure), for tests that
 * look at what reached Redis.
 *
 * @param connection - where Redis is (host, port, password).
 * @param queue - the queue name (default `emms-bench`).
 * @returns the jobs.
 */
export async function listJobs(
  connection: RedisOptions,
  queue = 'emms-bench',
): Promise<{ id?: string; name: string; data: unknown; returnvalue: unknown; failedReason?: string }[]> {
  const client = openRedis(connection, { retries: 1 });
  const q = new Queue(queue, { connection: client });
  try {
    await client.ready;
    const jobs = await q.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed', 'waiting-children']);
    return jobs.map((j) => ({
      id: j.id,
      name: j.name,
      data: j.data,
      returnvalue: j.returnvalue,
      ...(j.failedReason ? { failedReason: j.failedReason } : {}),
    }));
  } finally {
    await q.close();
    client.disconnect();
  }
}
