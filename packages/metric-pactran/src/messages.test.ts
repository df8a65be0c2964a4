// Every EmmsError message template in @emms/metric-spec, @emms/metrics and this package: library
// messages never name CLI flags, and every option or input they suggest exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinMetrics, createRegistry } from '@emms/metrics';
import { repoRoot } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { metrics as pactranMetrics } from './plugin';

const registry = createRegistry([...builtinMetrics, ...pactranMetrics]);
const optionsOf = new Map(registry.list().map((m) => [m.id, new Set(m.options.map((o) => o.name))]));
/** Settings of scoreMetrics itself (not of one metric) that messages may point at. */
const RUN_OPTIONS = new Set(['relabel']);
const INPUTS = new Set(['features', 'labels', 'flabels', 'probs', 'targets']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The text of the call starting at `open` (the index of its "("), balancing brackets outside strings. */
function callText(src: string, open: number): string {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      for (i++; i < src.length && src[i] !== ch; i++) if (src[i] === '\\') i++;
      continue;
    }
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    if (ch === ')' || ch === '}' || ch === ']') depth--;
    if (depth === 0) return src.slice(open, i + 1);
  }
  return src.slice(open);
}

/** The string and template literals inside a piece of source. */
function literals(text: string): string[] {
  return [...text.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
}

interface Template {
  readonly file: string;
  readonly text: string;
}

const templates: Template[] = [];
for (const pkg of ['metric-spec', 'metrics', 'metric-pactran']) {
  for (const file of sourceFiles(join(repoRoot, 'packages', pkg, 'src'))) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/new EmmsError\(|\bdegenerate\(|\bbadOption\(|\bunknownOption\(/g)) {
      const call = callText(src, m.index! + m[0].length - 1);
      // skip the first literal of an EmmsError (its code) and keep the message parts
      const parts = literals(call).filter((s) => !/^[A-Z][A-Z0-9_]+$/.test(s));
      templates.push({ file: file.slice(repoRoot.length + 1), text: parts.join(' ') });
    }
  }
}

/** Options a non-metric API accepts, named by its own messages (the Gaussian mixture's `reg`). */
function apiOptions(file: string): Set<string> {
  if (!file.endsWith('gmm.ts')) return new Set();
  const src = readFileSync(join(repoRoot, file), 'utf8');
  const body = src.slice(src.indexOf('interface GaussianMixtureOptions'));
  return new Set(
    [...body.slice(0, body.indexOf('\n}')).matchAll(/^\s+readonly (\w+)\??:/gm)].map((m) => m[1]),
  );
}

/** What is wrong with one template: CLI flags named, options or inputs suggested that do not exist. */
function problemsOf(t: Template): string[] {
  const problems: string[] = [];
  if (/(^|[\s(`'"])--[a-z]/.test(t.text)) problems.push(`${t.file}: names a CLI flag`);
  // (not file names such as emms.config.json)
  for (const m of t.text.matchAll(/\b([a-z][a-z0-9-]*)\.([a-zA-Z]+)\b(?![.\w])/g)) {
    const known = optionsOf.get(m[1]);
    if (known && !known.has(m[2])) problems.push(`${t.file}: ${m[0]} is not an option of ${m[1]}`);
  }
  // ${metric}.name / ${id}.name in a package: some metric of that package has the option
  for (const m of t.text.matchAll(/\$\{(?:metric|id)\}\.([a-zA-Z]+)/g)) {
    const ids = t.file.includes('metric-pactran') ? pactranMetrics.map((x) => x.id) : [...optionsOf.keys()];
    if (!ids.some((id) => optionsOf.get(id)?.has(m[1]))) problems.push(`${t.file}: ${m[0]} names no option`);
  }
  const suggestion =
    /\boption "([a-zA-Z]+)"|\b(?:set|increase|raise|lower|reduce|give) (?:the )?option "?([a-zA-Z]+)|\bthe ([a-zA-Z]+) option\b|\brun with ([a-zA-Z]+):/g;
  for (const m of t.text.matchAll(suggestion)) {
    const name = m[1] ?? m[2] ?? m[3] ?? m[4];
    const anyMetric = [...optionsOf.values()].some((s) => s.has(name));
    if (!anyMetric && !RUN_OPTIONS.has(name) && !apiOptions(t.file).has(name)) {
      problems.push(`${t.file}: "${m[0]}" suggests an option that does not exist`);
    }
  }
  for (const m of t.text.matchAll(/\b([a-zA-Z]+) option of scoreMetrics/g)) {
    if (!RUN_OPTIONS.has(m[1])) problems.push(`${t.file}: ${m[1]} is not an option of scoreMetrics`);
  }
  for (const m of t.text.matchAll(/\binputs\.([a-zA-Z]+)/g)) {
    if (!INPUTS.has(m[1])) problems.push(`${t.file}: inputs.${m[1]} is not an input`);
  }
  return problems;
}

describe('error message templates', () => {
  it('were found (the scan works)', () => {
    expect(templates.length).toBeGreaterThan(40);
    expect(
      templates.some((t) => t.text.includes('pactran-dirichlet') || t.text.includes('$' + '{metric}')),
    ).toBe(true);
  });

  it('name no CLI flag', () => {
    const flagged = templates.filter((t) => /(^|[\s(`'"])--[a-z]/.test(t.text));
    expect(flagged).toEqual([]);
  });

  it('suggest only options that exist: <metric>.<option> in that metric, `option X` in some metric or the run', () => {
    expect(templates.flatMap(problemsOf)).toEqual([]);
  });

  it('the checks catch the mistakes they look for', () => {
    const bad = (text: string) => problemsOf({ file: 'packages/metrics/src/x.ts', text });
    expect(bad('needs probs; supply it with --probs').length).toBeGreaterThan(0);
    expect(bad('singular; raise nleep.reg').length).toBeGreaterThan(0);
    expect(bad('increase option reg').length).toBeGreaterThan(0);
    expect(bad('supply it as inputs.prob').length).toBeGreaterThan(0);
    expect(bad('the banana option of scoreMetrics').length).toBeGreaterThan(0);
    expect(bad('lower nleep.componentsPerClass; run with relabel: true')).toEqual([]);
  });
});
