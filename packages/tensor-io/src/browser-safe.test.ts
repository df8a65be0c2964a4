import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('main entry', () => {
  it('reaches no Node built-in through its imports', () => {
    const seen = new Set<string>();
    const builtins: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(fileURLToPath(new URL(`./${file}.ts`, import.meta.url)), 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1];
        if (spec.startsWith('./')) visit(spec.slice(2));
        else if (spec.startsWith('node:') || ['fs', 'path', 'os', 'url', 'stream', 'buffer'].includes(spec)) {
          builtins.push(`${file}: ${spec}`);
        } else expect(spec, `${file} imports ${spec}`).toBe('fflate');
      }
    };
    visit('index');
    expect(seen.size).toBeGreaterThan(10);
    expect(builtins).toEqual([]);
  });
});
