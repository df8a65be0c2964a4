#!/usr/bin/env node
// Scaffold a package: node tooling/new-package.mjs <folder> <name> "<description>" [--metric [--id ID]] [entry ...]
// With --metric it writes a working metric plugin (a defineMetric score, its facts, a plugin export
// and a test) that depends on @emms/metric-spec alone. The docs page "Write a baseline package"
// shows the files metricPluginFiles() returns, so page and scaffold cannot drift apart.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** package.json of a new package. */
export function packageJson({ name, description, entries = ['index'], metric = false }) {
  const exportsMap = {};
  for (const e of entries) {
    const key = e === 'index' ? '.' : `./${e}`;
    exportsMap[key] = {
      import: { types: `./dist/${e}.d.ts`, default: `./dist/${e}.js` },
      require: { types: `./dist/${e}.d.cts`, default: `./dist/${e}.cjs` },
    };
  }
  return {
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
    dependencies: metric ? { '@emms/metric-spec': 'workspace:*' } : {},
    devDependencies: {
      '@emms/testing': 'workspace:*',
      '@types/node': '^20.19.0',
      tsup: '8.5.1',
      typescript: '5.9.3',
      vitest: '~4.1.0',
    },
  };
}

/** The build, type and test configuration files every package has. */
export function configFiles(entries = ['index']) {
  return {
    'tsup.config.ts': `import { libraryConfig } from '../../tooling/tsup-preset';\n\nexport default libraryConfig([${entries.map((e) => `'${e}'`).join(', ')}]);\n`,
    'tsconfig.json': '{\n  "extends": "../../tooling/tsconfig/library.json",\n  "include": ["src"]\n}\n',
    'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
`,
  };
}

/** "class-share" → "classShare". */
function camel(id) {
  return id.replace(/[-_]([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** The metric id a package name suggests: "@emms/metric-class-share" → "class-share". */
export function metricIdOf(name) {
  const base = name.replace(/^@[^/]+\//, '').replace(/^metric-/, '');
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '-')
      .replace(/^[^a-z]+/, '') || 'my-score'
  );
}

/**
 * The source files of a metric plugin package (paths relative to the package folder): a working
 * score made with defineMetric and its facts, the plugin export, a test and a README.
 */
export function metricPluginFiles({ name, description, id = metricIdOf(name) }) {
  if (!/^[a-z][a-z0-9_-]*$/.test(id))
    throw new Error(`metric id "${id}" must be lower case letters, digits, - or _`);
  const v = `${camel(id)}Metric`;
  const metric = `// The score, declared once with everything the runner, the CLI and the docs need to know about it.
import { defineMetric, degenerate, type MetricPlugin, z } from '@emms/metric-spec';

/**
 * \`${id}\`: the share of the feature variance that lies between the class means,
 * tr(S_between) / tr(S_total), in [0, 1]; higher is better. A template: replace the computation
 * (and its docs, references and saturation regime) with your score's.
 *
 * @example
 * \`\`\`ts
 * const features = { rows: 4, cols: 1, data: new Float64Array([0, 2, 4, 6]) };
 * const { value } = ${v}.compute({ features, labels: Int32Array.from([0, 0, 1, 1]) });
 * console.assert(Math.abs(value - 0.8) < 1e-12);
 * \`\`\`
 */
export const ${v} = defineMetric({
  id: '${id}',
  description:
    '${id}: share of the feature variance between the class means (a template score); higher is better',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  // Options: type, default, range and description in one zod schema (checked before compute runs).
  options: z.object({
    standardise: z.boolean().default(false).describe('scale each feature column to unit variance first'),
  }),
  references: [
    { title: 'Fisher, "The use of multiple measurements in taxonomic problems", Annals of Eugenics 1936' },
  ],
  regime: 'Needs several samples per class; with one sample per class every class mean is that sample.',
  // The regime in which the score stops measuring anything: the runner adds this to details.warning.
  saturation: ({ samples, classes }) =>
    classes > 0 && samples < 2 * classes
      ? \`N = \${samples} < 2·C = \${2 * classes}: most classes have one sample, so the share tends to 1 for every model; give more samples\`
      : undefined,
  // Options a run-level preset sets unless the caller does (e.g. { rank: { standardise: true } }).
  presets: {},
  // What the docs page of the score shows.
  docs: {
    formula: String.raw\`$$\\mathrm{score} = \\frac{\\sum_c n_c\\,\\|\\mu_c - \\mu\\|^2}{\\sum_i \\|x_i - \\mu\\|^2}$$
with $\\mu_c$ the mean of class $c$, $n_c$ its size and $\\mu$ the mean of all samples.\`,
    cost: 'One pass over the features: O(N·D) time, O(C·D) memory.',
  },
  // Inputs arrive validated (finite, rows agreeing, labels 0..C−1); options checked and defaulted.
  compute({ features, labels }, { standardise }, context) {
    const { rows: n, cols: d, data } = features!;
    const y = labels!;
    let c = 0;
    for (let i = 0; i < n; i++) c = Math.max(c, y[i] + 1);
    const mean = new Float64Array(d);
    const sums = new Float64Array(c * d);
    const counts = new Float64Array(c);
    for (let i = 0; i < n; i++) {
      counts[y[i]] += 1;
      for (let j = 0; j < d; j++) {
        mean[j] += data[i * d + j];
        sums[y[i] * d + j] += data[i * d + j];
      }
    }
    for (let j = 0; j < d; j++) mean[j] /= n;
    const scale = new Float64Array(d).fill(1);
    if (standardise) {
      const sq = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[j] += (data[i * d + j] - mean[j]) ** 2;
      for (let j = 0; j < d; j++) if (sq[j] > 0) scale[j] = Math.sqrt(n / sq[j]);
    }
    context.signal?.throwIfAborted();
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) total += ((data[i * d + j] - mean[j]) * scale[j]) ** 2;
    if (!(total > 0)) {
      // Well-formed but undefined input: a typed error naming the input and the fix.
      throw degenerate(
        '${id}',
        'features',
        'are constant (every column has one value)',
        'give features that vary between samples',
      );
    }
    let between = 0;
    for (let k = 0; k < c; k++) {
      if (counts[k] === 0) continue;
      for (let j = 0; j < d; j++)
        between += counts[k] * ((sums[k * d + j] / counts[k] - mean[j]) * scale[j]) ** 2;
    }
    return { value: between / total, details: { classes: c } };
  },
});

/** The plugin \`emms score --plugin ${name}\` loads (also listed under "plugins" in emms.config.json). */
export const plugin: MetricPlugin = {
  specificationVersion: 'v2',
  name: '${name}',
  metrics: [${v}],
};
`;
  const index = `/**
 * ${name}: ${description}
 *
 * A metric plugin for emms: \`emms score --plugin ${name} --features X.npy --labels y.npy --metrics ${id}\`.
 */
import { plugin } from './metric';

export { ${[v, 'plugin'].sort((a, b) => a.localeCompare(b)).join(', ')} } from './metric';
export default plugin;
`;
  const test = `import { describe, expect, it } from 'vitest';
import plugin, { ${v} } from './index';

const labels = Int32Array.from([0, 0, 1, 1]);
// One feature: 0, 2 | 4, 6. Mean 3; total = 9 + 1 + 1 + 9 = 20; class means 1 and 5: between = 2·4 + 2·4 = 16.
const features = { rows: 4, cols: 1, data: new Float64Array([0, 2, 4, 6]) };

describe('${id}', () => {
  it('gives the value worked out by hand, and the same after a change of scale', () => {
    expect(${v}.compute({ features, labels }).value).toBeCloseTo(0.8, 12);
    const scaled = { ...features, data: features.data.map((v) => 1000 * v) };
    const rescaled = ${v}.compute({ features: scaled, labels }, { standardise: true });
    expect(rescaled.value).toBeCloseTo(0.8, 12);
  });

  it('refuses bad options and inputs with typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'no error';
    };
    const yes = { standardise: 'yes' };
    expect(code(() => ${v}.compute({ features, labels }, yes))).toBe('INVALID_OPTION');
    expect(code(() => ${v}.compute({ features }))).toBe('MISSING_INPUT');
    const flat = { rows: 4, cols: 1, data: new Float64Array([1, 1, 1, 1]) };
    expect(code(() => ${v}.compute({ features: flat, labels }))).toBe('DEGENERATE_INPUT');
  });

  it('declares its facts and is exported as a plugin', () => {
    expect(plugin.specificationVersion).toBe('v2');
    expect(plugin.metrics).toContain(${v});
    expect(${v}.saturation({ samples: 4, features: 1, classes: 4 })).toMatch(/N = 4 < 2·C/);
    expect(${v}.saturation({ samples: 40, features: 1, classes: 4 })).toBeUndefined();
    expect(${v}.docs.formula).toContain('\\\\mu_c');
  });
});
`;
  const readme = `# ${name}

${description}

A metric plugin for emms, made with \`defineMetric\` of \`@emms/metric-spec\` (its only dependency).

\`\`\`sh
emms score --plugin ${name} --features X.npy --labels y.npy --metrics ${id}
emms metrics ${id} --plugin ${name}     # its options, regime and preset settings
\`\`\`

In an \`emms.config.json\`: \`{ "plugins": ["${name}"] }\`.

## What is computed

Say what the score computes, its references, where it departs from the reference implementation
and how its values were checked (an independent implementation under \`scripts/\`, never values
produced by this code).
`;
  return {
    'src/metric.ts': metric,
    'src/index.ts': index,
    'src/metric.test.ts': test,
    'README.md': readme,
  };
}

/** Every file of a new package (paths relative to its folder). */
export function packageFiles({ name, description, entries = ['index'], metric = false, id }) {
  const files = {
    'package.json': `${JSON.stringify(packageJson({ name, description, entries, metric }), null, 2)}\n`,
    ...configFiles(entries),
  };
  if (metric) Object.assign(files, metricPluginFiles({ name, description, id }));
  for (const e of entries) {
    if (!files[`src/${e}.ts`]) files[`src/${e}.ts`] = 'export {};\n';
  }
  return files;
}

/** Writes the files under `folder`, never overwriting a source file that exists. */
export function writePackage(folder, files) {
  for (const [rel, text] of Object.entries(files)) {
    const path = join(folder, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (rel.startsWith('src/') && existsSync(path)) continue;
    writeFileSync(path, text);
  }
}

function main(argv) {
  const args = [...argv];
  const take = (flag, withValue) => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    const value = withValue ? args[at + 1] : true;
    args.splice(at, withValue ? 2 : 1);
    return value;
  };
  const metric = take('--metric', false) === true;
  const id = take('--id', true);
  const [folder, name, description = '', ...extra] = args;
  if (!folder || !name) {
    console.error(
      'usage: node tooling/new-package.mjs <folder> <name> "<description>" [--metric [--id ID]] [extra-entry ...]',
    );
    process.exit(2);
  }
  if (metric && extra.length > 0) {
    console.error('--metric writes a plugin with one entry (src/index.ts); leave out the extra entries');
    process.exit(2);
  }
  writePackage(folder, packageFiles({ name, description, entries: ['index', ...extra], metric, id }));
  console.log(
    `created ${name} in ${folder}${metric ? ` (metric plugin "${id ?? metricIdOf(name)}"; run pnpm install, then pnpm --filter ${name} test)` : ''}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2));
