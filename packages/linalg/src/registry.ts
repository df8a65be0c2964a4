import type { LinalgBackend } from './backend';
import { jsBackend } from './js/backend';

const backends = new Map<string, LinalgBackend>([[jsBackend.name, jsBackend]]);
let current: LinalgBackend = jsBackend;

/** The backend the scores use now (the portable TypeScript one unless another was set). */
export function getBackend(): LinalgBackend {
  return current;
}

/** Make `backend` (an object, or the name of a registered one) the one the scores use. */
export function setBackend(backend: LinalgBackend | string): LinalgBackend {
  if (typeof backend === 'string') {
    const found = backends.get(backend);
    if (!found) {
      throw new Error(`unknown linalg backend "${backend}"; registered: ${[...backends.keys()].join(', ')}`);
    }
    current = found;
  } else {
    backends.set(backend.name, backend);
    current = backend;
  }
  return current;
}

/** Make a backend known by name without selecting it. */
export function registerBackend(backend: LinalgBackend): void {
  backends.set(backend.name, backend);
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

export { jsBackend };
