import { defineConfig } from 'tsup';
import { libraryOptions } from '../../tooling/tsup-preset';

export default defineConfig([
  // import.meta.url (plugin resolution from the CLI's own folder) also works in the CJS build.
  libraryOptions(['index'], { shims: true }),
  {
    entry: ['src/bin.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
