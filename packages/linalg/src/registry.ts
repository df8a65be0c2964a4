import { didYouMeanText, EmmsError } from '@emms/tensor-io';
import type { LinalgBackend } from './backend';
import { jsBackend } from './js/backend';

/**
 * Makes a backend, or says it cannot: returns the backend, or null when it is not loadable here
 * (a missing native library, no GPU). May be async. A thrown error also counts as "not
 * loadable", its message being the reason.
 */
export type BackendFactory = () => LinalgBackend | null | Promise<LinalgBackend | null>;

/** Options of {@link registerBackend}. */
export interface RegisterBackendOptions {
  /**
   * Higher is preferred by `resolveBackend('auto')`. The portable js backend has priority 0;
   * native backends register above it (OpenBLAS uses 100).
   */
  readonly priority?: number;
  /** One line for listings: what the backend is. */
  readonly description?: string;
  /**
   * Why the factory returned null, for the notice and the BACKEND_UNAVAILABLE message (e.g.
   * "libopenblas.so.0 not found; install it with …").
   */
  readonly unavailableReason?: () => string | undefined;
}

/** One entry of {@link listBackends}. */
export interface RegisteredBackend {
  readonly name: string;
  readonly priority: number;
  readonly description?: string;
  /** True once the factory ran and returned a backend; false once it failed; undefined before. */
  readonly loaded?: boolean;
  /** Why it did not load, once that is known. */
  readonly reason?: string;
}

/** Result of {@link resolveBackend}. */
export interface ResolvedBackend {
  readonly backend: LinalgBackend;
  /**
   * One line for the user when 'auto' passed over a preferred backend that did not load (e.g.
   * "openblas is not available (…); using js").
   */
  readonly notice?: string;
}

interface Entry {
  readonly name: string;
  readonly factory: BackendFactory;
  readonly priority: number;
  readonly description?: string;
  readonly unavailableReason?: () => string | undefined;
  /** The factory's outcome, computed once. */
  outcome?: Promise<{ backend: LinalgBackend | null; reason?: string }>;
  settled?: { backend: LinalgBackend | null; reason?: string };
}

const entries = new Map<string, Entry>();
let current: LinalgBackend = jsBackend;

function add(name: string, factory: BackendFactory, opts: RegisterBackendOptions): void {
  if (typeof name !== 'string' || name.trim() === '' || name.trim().toLowerCase() === 'auto') {
    throw new EmmsError(
      'INVALID_OPTION',
      `registerBackend: name must be a non-empty string other than "auto", got "${name}"`,
      {
        input: 'name',
      },
    );
  }
  const priority = opts.priority ?? 0;
  if (!Number.isFinite(priority)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `registerBackend: priority must be a finite number, got ${priority}`,
      {
        input: 'priority',
      },
    );
  }
  entries.set(name, {
    name,
    factory,
    priority,
    description: opts.description,
    unavailableReason: opts.unavailableReason,
  });
}

add('js', () => jsBackend, {
  priority: 0,
  description: 'portable TypeScript/WebAssembly kernels, single-threaded, runs anywhere',
});

/**
 * Makes a linear-algebra backend known under `name`, loaded on demand by {@link resolveBackend}.
 * Registering a name again replaces the earlier registration. The portable backend is registered
 * as "js" with priority 0.
 *
 * The older form `registerBackend(backend)` (an object, priority 0) still works.
 *
 * @param name the name users pick it by (not "auto").
 * @param factory returns the backend, or null when it cannot load here; may be async.
 * @param options priority (higher wins under 'auto'), description, and why it is unavailable.
 * @throws EmmsError INVALID_OPTION for an empty name, "auto", or a non-finite priority.
 * @example
 * ```ts
 * import { registerBackend, resolveBackend } from '@emms/linalg';
 * registerBackend('gpu', async () => (await tryWebGpu()) ?? null, { priority: 200 });
 * const { backend, notice } = await resolveBackend('auto'); // gpu when it loads, else the next one
 * ```
 */
export function registerBackend(
  name: string,
  factory: BackendFactory,
  options?: RegisterBackendOptions,
): void;
/** @deprecated Pass a name and a factory. Registers a ready backend object with priority 0. */
export function registerBackend(backend: LinalgBackend): void;
export function registerBackend(
  nameOrBackend: string | LinalgBackend,
  factory?: BackendFactory,
  options: RegisterBackendOptions = {},
): void {
  if (typeof nameOrBackend === 'string') {
    if (typeof factory !== 'function') {
      throw new EmmsError(
        'INVALID_OPTION',
        `registerBackend: the factory of "${nameOrBackend}" must be a function`,
        {
          input: 'factory',
        },
      );
    }
    add(nameOrBackend, factory, options);
  } else {
    const backend = nameOrBackend;
    add(backend.name, () => backend, { priority: 0 });
    const entry = entries.get(backend.name) as Entry;
    entry.settled = { backend };
    entry.outcome = Promise.resolve(entry.settled);
  }
}

/** Runs an entry's factory once; failures become a reason. */
function load(entry: Entry): Promise<{ backend: LinalgBackend | null; reason?: string }> {
  entry.outcome ??= (async () => {
    try {
      const backend = await entry.factory();
      if (backend) return { backend };
      return { backend: null, reason: entry.unavailableReason?.() ?? 'its factory returned null' };
    } catch (e) {
      return { backend: null, reason: (e as Error)?.message?.split('\n')[0] ?? String(e) };
    }
  })().then((r) => {
    entry.settled = r;
    return r;
  });
  return entry.outcome;
}

/**
 * Finds a backend by choice, without making it current (pass it as the `backend` option of a
 * score, or to {@link setBackend}). `'auto'` tries the registered backends from the highest
 * priority down and takes the first that loads; the portable "js" backend always loads, so
 * 'auto' never fails. A notice says when a preferred backend was passed over. A name picks that
 * backend or throws. Each factory runs at most once per process.
 *
 * @param choice 'auto' or a registered name (case-insensitive, surrounding spaces ignored).
 * @returns the backend and, for 'auto', an optional one-line notice.
 * @throws EmmsError BACKEND_UNAVAILABLE when the named backend is unknown or does not load
 *   (the message names the choice and why).
 * @example
 * ```ts
 * import { resolveBackend } from '@emms/linalg';
 * const { backend, notice } = await resolveBackend('auto');
 * if (notice) console.warn(notice);
 * const g = backend.gram({ rows: 2, cols: 1, data: Float64Array.of(3, 4) }); // [[25]]
 * ```
 */
export async function resolveBackend(choice = 'auto'): Promise<ResolvedBackend> {
  const wanted = String(choice).trim().toLowerCase();
  if (wanted === 'auto' || wanted === '') {
    const ordered = [...entries.values()].sort((x, y) => y.priority - x.priority);
    const skipped: string[] = [];
    for (const entry of ordered) {
      const { backend, reason } = await load(entry);
      if (backend) {
        const notice =
          skipped.length > 0 ? `${skipped.join('; ')}; using the ${backend.name} backend` : undefined;
        return notice ? { backend, notice } : { backend };
      }
      skipped.push(`${entry.name} backend not available (${reason})`);
    }
    return { backend: jsBackend, notice: `${skipped.join('; ')}; using the js backend` };
  }
  const entry = [...entries.values()].find((e) => e.name.toLowerCase() === wanted);
  if (!entry) {
    throw new EmmsError(
      'BACKEND_UNAVAILABLE',
      `backend "${choice}" is not registered${didYouMeanText(String(choice), [...entries.keys()])} Choose "auto" or one of: ${[...entries.keys()].join(', ')}`,
      { input: 'backend', details: { choice, registered: [...entries.keys()] } },
    );
  }
  const { backend, reason } = await load(entry);
  if (!backend) {
    throw new EmmsError(
      'BACKEND_UNAVAILABLE',
      `backend "${choice}" is not available: ${reason}. Choose "auto" to fall back to the portable backend`,
      { input: 'backend', details: { choice, reason } },
    );
  }
  return { backend };
}

/**
 * The registered backends, highest priority first, with what is known about loading them.
 *
 * @example
 * ```ts
 * listBackends().map((b) => b.name); // ['openblas', 'js'] once OpenBLAS is registered
 * ```
 */
export function listBackends(): RegisteredBackend[] {
  return [...entries.values()]
    .sort((x, y) => y.priority - x.priority)
    .map((e) => ({
      name: e.name,
      priority: e.priority,
      description: e.description,
      loaded: e.settled ? e.settled.backend !== null : undefined,
      reason: e.settled?.reason,
    }));
}

/**
 * The process-wide default backend the scores use when no `backend` option is given (the
 * portable one unless {@link setBackend} changed it). Prefer passing a backend explicitly.
 *
 * @example
 * ```ts
 * getBackend().name; // 'js'
 * ```
 */
export function getBackend(): LinalgBackend {
  return current;
}

/**
 * Makes `backend` the process-wide default. A string names an already loaded backend (one that
 * {@link resolveBackend} returned, or "js"); an object is used as it is.
 *
 * @throws EmmsError BACKEND_UNAVAILABLE when a name is unknown or its backend has not been loaded.
 * @example
 * ```ts
 * const { backend } = await resolveBackend('auto');
 * setBackend(backend);
 * ```
 */
export function setBackend(backend: LinalgBackend | string): LinalgBackend {
  if (typeof backend === 'string') {
    const entry = entries.get(backend);
    const found = entry?.settled?.backend ?? (backend === 'js' ? jsBackend : null);
    if (!found) {
      throw new EmmsError(
        'BACKEND_UNAVAILABLE',
        `setBackend: backend "${backend}" is not loaded; call resolveBackend("${backend}") first (registered: ${[...entries.keys()].join(', ')})`,
        { input: 'backend' },
      );
    }
    current = found;
  } else {
    current = backend;
  }
  return current;
}

/** Forgets registrations other than "js" and resets the default; for tests. */
export function resetBackendsForTesting(): void {
  for (const name of [...entries.keys()]) if (name !== 'js') entries.delete(name);
  current = jsBackend;
}
