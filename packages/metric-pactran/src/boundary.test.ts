// A plugin depends on @emms/metric-spec alone: its sources import nothing else, its package.json
// declares nothing else, and the built entry loads nothing else.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const specifiers = (text: string) =>
  [...code(text).matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
const external = (s: string) => !s.startsWith('.') && !s.startsWith('node:');

describe('the plugin depends on @emms/metric-spec alone', () => {
  it('its sources import only @emms/metric-spec (and each other)', () => {
    const files = readdirSync(join(root, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const used = specifiers(readFileSync(join(root, 'src', f), 'utf8')).filter(external);
      expect(
        used.every((s) => s === '@emms/metric-spec'),
        `${f}: ${used.join(', ')}`,
      ).toBe(true);
    }
  });

  it('package.json declares only @emms/metric-spec as a run-time dependency', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['@emms/metric-spec']);
    expect(pkg.peerDependencies ?? {}).toEqual({});
  });

  it.runIf(existsSync(join(root, 'dist/index.js')))('the built entry loads only @emms/metric-spec', () => {
    for (const f of ['index.js', 'index.cjs']) {
      const used = specifiers(readFileSync(join(root, 'dist', f), 'utf8')).filter(external);
      expect([...new Set(used)], f).toEqual(['@emms/metric-spec']);
    }
  });
});
