import { defineConfig } from 'tsup';
import { libraryOptions } from '../../tooling/tsup-preset';

export default defineConfig([
  // import.meta.url (plugin resolution from the CLI's own folder) also works in the CJS build.
  libraryOptions(['index'], { shims: true }),
  {
    // the executable, and the fuzz pass (`pnpm --filter emms fuzz`), which runs bin.js beside it
    entry: { bin: 'src/bin.ts', fuzz: 'src/fuzz/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
