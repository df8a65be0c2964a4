#!/usr/bin/env node
// Scaffold a package: node tooling/new-package.mjs <folder> <name> "<description>" [entry ...]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [folder, name, description, ...extra] = process.argv.slice(2);
if (!folder || !name) {
  console.error('usage: node tooling/new-package.mjs <folder> <name> "<description>" [extra-entry ...]');
  process.exit(2);
}
const entries = ['index', ...extra];
const exportsMap = {};
for (const e of entries) {
  const key = e === 'index' ? '.' : `./${e}`;
  exportsMap[key] = {
    import: { types: `./dist/${e}.d.ts`, default: `./dist/${e}.js` },
    require: { types: `./dist/${e}.d.cts`, default: `./dist/${e}.cjs` },
  };
}
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: exportsMap,
  files: ['dist', 'README.md'],
  scripts: {
    build: 'tsup',
    test: 'vitest run',
    typecheck: 'tsc --noEmit',
    lint: 'biome check src',
  },
  dependencies: {},
  devDependencies: {
    '@emms/testing': 'workspace:*',
    '@types/node': '^20.19.0',
    tsup: '8.5.1',
    typescript: '5.9.3',
    vitest: '~4.1.0',
  },
};
mkdirSync(join(folder, 'src'), { recursive: true });
writeFileSync(join(folder, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(folder, 'tsup.config.ts'),
  `import { libraryConfig } from '../../tooling/tsup-preset';\n\nexport default libraryConfig([${entries.map((e) => `'${e}'`).join(', ')}]);\n`,
);
writeFileSync(
  join(folder, 'tsconfig.json'),
  `${JSON.stringify({ extends: '../../tooling/tsconfig/library.json', include: ['src'] }, null, 2)}\n`,
);
writeFileSync(
  join(folder, 'vitest.config.ts'),
  `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
`,
);
for (const e of entries) {
  const f = join(folder, 'src', `${e}.ts`);
  if (!existsSync(f)) writeFileSync(f, `export {};\n`);
}
console.log(`created ${name} in ${folder}`);
