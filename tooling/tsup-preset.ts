import { defineConfig, type Options } from 'tsup';

/**
 * The build options every library package shares: ESM + CJS + .d.ts for Node 20, one file per
 * entry. `extra` overrides or adds tsup options (e.g. `shims: true` for import.meta.url in CJS).
 */
export function libraryOptions(entries: string[], extra: Options = {}): Options {
  return {
    entry: entries.map((e) => `src/${e}.ts`),
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...extra,
  };
}

/** A package's whole tsup config: {@link libraryOptions} wrapped in defineConfig. */
export function libraryConfig(entries: string[], extra: Options = {}) {
  return defineConfig(libraryOptions(entries, extra));
}
