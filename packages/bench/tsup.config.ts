import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/bench.ts', 'src/child.ts', 'src/precision.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
