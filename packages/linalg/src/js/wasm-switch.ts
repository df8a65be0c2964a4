// Whether the portable backend may use its WebAssembly kernels: one process-wide switch, set by the
// front door from its configuration (the kernels never read the environment).
let enabled = true;

/**
 * Turns the portable backend's WebAssembly kernels off (or back on) for the rest of the process; the
 * JavaScript kernels compute the same results, more slowly. Front doors call it from their
 * configuration (`wasm`, the EMMS_LINALG_WASM variable); the kernels never read the environment.
 *
 * @param on - false to use the JavaScript kernels only.
 * @example
 * ```ts
 * setWasmKernels(false);
 * console.assert(!wasmKernelsEnabled());
 * setWasmKernels(true);
 * ```
 */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/**
 * Whether the WebAssembly kernels may be used (see {@link setWasmKernels}).
 *
 * @example
 * ```ts
 * wasmKernelsEnabled(); // true unless a front door turned them off
 * ```
 */
export function wasmKernelsEnabled(): boolean {
  return enabled;
}
