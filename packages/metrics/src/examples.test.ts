// Runs every `@example` block of the public API of @emms/metric-spec and @emms/metrics against the
// built packages (dist), so an example that no longer compiles, throws or asserts wrongly fails here.
// Examples see every export of both packages as globals; `console.assert` is made to throw.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@emms/testing';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const roots = [join(repoRoot, 'packages/metric-spec'), join(repoRoot, 'packages/metrics')];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    // src/node is the Node front door (its own README test covers it); src/testing is test support
    if (e.isDirectory()) return e.name === 'node' || e.name === 'testing' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

interface Example {
  readonly where: string;
  readonly code: string;
}

const examples: Example[] = [];
for (const root of roots) {
  for (const file of sources(join(root, 'src'))) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```/g)) {
      const code = m[1]
        .split('\n')
        .map((line) => line.replace(/^\s*\* ?/, ''))
        .join('\n');
      const line = src.slice(0, m.index).split('\n').length;
      examples.push({ where: `${file.slice(repoRoot.length + 1)}:${line}`, code });
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'emms-examples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function loadApi(): Promise<Record<string, unknown>> {
  for (const root of roots) {
    if (statSync(join(root, 'dist/index.js')).mtimeMs < newest(join(root, 'src'))) {
      throw new Error(
        `${root}/dist is older than its src: build it first (pnpm --filter @emms/metrics... build)`,
      );
    }
  }
  const spec = await import(pathToFileURL(join(roots[0], 'dist/index.js')).href);
  const metrics = await import(pathToFileURL(join(roots[1], 'dist/index.js')).href);
  return { ...spec, ...metrics };
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name.endsWith('.test.ts')) continue;
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

describe('TSDoc @example blocks', () => {
  it('were found in the public API', () => {
    expect(examples.length).toBeGreaterThan(25);
    for (const name of ['emmsScore', 'logmeScore', 'defineMetric', 'scoreMetrics', 'fromV1Metric']) {
      expect(
        examples.some((e) => e.code.includes(name)),
        name,
      ).toBe(true);
    }
  });

  it.each(examples.map((e) => [e.where, e] as const))('%s runs', async (_where, example) => {
    const api = await loadApi();
    const names = Object.keys(api).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
    const ts = [
      `const { ${names.join(', ')} } = globalThis.__emmsApi;`,
      'const console = { ...globalThis.console, assert: (ok, ...msg) => { if (!ok) throw new Error("assertion failed " + msg.join(" ")); } };',
      'export default async function run() {',
      example.code,
      '}',
    ].join('\n');
    const { code } = await transform(ts, { loader: 'ts', format: 'esm', target: 'node20' });
    const file = join(work, `example-${examples.indexOf(example)}.mjs`);
    writeFileSync(file, code);
    (globalThis as { __emmsApi?: unknown }).__emmsApi = api;
    const mod = await import(pathToFileURL(file).href);
    await mod.default();
  });
});
