export type { Dense, EighResult, LinalgBackend } from './backend';
export { getBackend, setBackend, registerBackend, listBackends, jsBackend } from './registry';
