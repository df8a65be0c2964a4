import { describe, expect, it } from 'vitest';
import { jsBackend } from './backend';
import { rotationKernel } from './rotations';
import { setWasmKernels, wasmKernelsEnabled } from './wasm-switch';
import { wasmTiles } from './wasm-tiles';

describe('setWasmKernels', () => {
  it('turns both WebAssembly kernels off and on for the process; results do not change', () => {
    const x = { rows: 30, cols: 7, data: Float64Array.from({ length: 210 }, (_, i) => Math.sin(i)) };
    const withWasm = jsBackend.gram(x);
    const onBefore = wasmTiles() !== null;
    setWasmKernels(false);
    try {
      expect(wasmKernelsEnabled()).toBe(false);
      expect(wasmTiles()).toBeNull();
      expect(rotationKernel()).toBeNull();
      const without = jsBackend.gram(x);
      for (let i = 0; i < without.data.length; i++)
        expect(without.data[i]).toBeCloseTo(withWasm.data[i]!, 12);
    } finally {
      setWasmKernels(true);
    }
    expect(wasmTiles() !== null).toBe(onBefore);
  });
});
