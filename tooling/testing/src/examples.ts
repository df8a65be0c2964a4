// Runs the TSDoc `@example` blocks of packages against their built dist (used by the packages' examples tests).
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './reference';

/** One `@example` block: where it is and its code. */
export interface Example {
  readonly where: string;
  readonly code: string;
}

function sources(dir: string, skip: readonly string[]): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return skip.includes(e.name) ? [] : sources(p, skip);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Every `@example` block in the sources of the package folders `roots` (sub-folders named in `skip` left out). */
export function collectExamples(roots: readonly string[], skip: readonly string[] = []): Example[] {
  const out: Example[] = [];
  for (const root of roots) {
    for (const file of sources(join(root, 'src'), skip)) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```/g)) {
        const code = m[1]
          .split('\n')
          .map((line) => line.replace(/^\s*\* ?/, ''))
          .join('\n');
        const line = src.slice(0, m.index).split('\n').length;
        out.push({ where: `${file.slice(repoRoot.length + 1)}:${line}`, code });
      }
    }
  }
  return out;
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

/** The exports of the built `dist/index.js` of every root, merged; throws when a dist is older than its src. */
export async function loadBuiltApi(
  roots: readonly string[],
  buildHint: string,
): Promise<Record<string, unknown>> {
  const api: Record<string, unknown> = {};
  for (const root of roots) {
    if (statSync(join(root, 'dist/index.js')).mtimeMs < newest(join(root, 'src'))) {
      throw new Error(`${root}/dist is older than its src: build it first (${buildHint})`);
    }
    Object.assign(api, await import(pathToFileURL(join(root, 'dist/index.js')).href));
  }
  return api;
}

/**
 * Runs one example with every export of `api` as a global and `console.assert` made to throw. `transform`
 * is esbuild's (passed in so this helper needs no dependency of its own).
 */
export async function runExample(
  example: Example,
  api: Record<string, unknown>,
  transform: (
    code: string,
    opts: { loader: 'ts'; format: 'esm'; target: string },
  ) => Promise<{ code: string }>,
): Promise<void> {
  const names = Object.keys(api).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
  const ts = [
    `const { ${names.join(', ')} } = globalThis.__emmsApi;`,
    'const console = { ...globalThis.console, assert: (ok, ...msg) => { if (!ok) throw new Error("assertion failed " + msg.join(" ")); } };',
    'export default async function run() {',
    example.code,
    '}',
  ].join('\n');
  const { code } = await transform(ts, { loader: 'ts', format: 'esm', target: 'node20' });
  const file = join(mkdtempSync(join(tmpdir(), 'emms-example-')), 'example.mjs');
  writeFileSync(file, code);
  (globalThis as { __emmsApi?: unknown }).__emmsApi = api;
  const mod = await import(pathToFileURL(file).href);
  await mod.default();
}
