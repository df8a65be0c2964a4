// One page per score, generated from the metric registry: description, formula and cost (a markdown
// partial per score in ../formulas), references, regime, inputs and the options table taken from the
// metric's own definition (a v1 option list, or a v2 zod schema with its descriptions).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Escapes a table cell. */
export function cell(value) {
  if (value === undefined || value === null || value === '') return '';
  return String(value)
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/{{/g, '{&#8203;{');
}

function code(value) {
  if (value === undefined) return '';
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

/** A zod (v4) schema? */
function isZod(schema) {
  return Boolean(schema && typeof schema === 'object' && ('_zod' in schema || 'def' in schema));
}

function jsonSchemaType(p) {
  if (p.enum) return 'string';
  if (Array.isArray(p.anyOf)) return p.anyOf.map(jsonSchemaType).filter(Boolean).join(' \\| ');
  return p.type === 'integer' ? 'integer' : (p.type ?? '');
}

function jsonSchemaRange(p) {
  const parts = [];
  if (p.enum) parts.push(p.enum.map((v) => code(v)).join(', '));
  if (p.minimum !== undefined) parts.push(`≥ ${p.minimum}`);
  if (p.exclusiveMinimum !== undefined) parts.push(`> ${p.exclusiveMinimum}`);
  if (p.maximum !== undefined) parts.push(`≤ ${p.maximum}`);
  if (p.exclusiveMaximum !== undefined) parts.push(`< ${p.exclusiveMaximum}`);
  return parts.join(', ');
}

/**
 * The rows of a metric's options table, read from whatever the metric defines: a plain description
 * list (v2 `optionsDescription`/`optionDocs` or the v1 `options` list) or the zod schema itself.
 */
export function optionRows(metric) {
  const plain = [metric.optionsDescription, metric.optionDocs, metric.options].find(Array.isArray);
  if (plain) {
    return plain.map((o) => ({
      name: o.name,
      type: o.type ?? '',
      default: o.default,
      // v2 metrics describe the allowed values in words; v1 lists only the choices of strings.
      allowed:
        typeof o.allowed === 'string' ? o.allowed : o.choices ? o.choices.map((c) => code(c)).join(', ') : '',
      description: o.description ?? '',
    }));
  }
  if (isZod(metric.options)) {
    const schema = z.toJSONSchema(metric.options, { io: 'input', unrepresentable: 'any' });
    return Object.entries(schema.properties ?? {}).map(([name, p]) => ({
      name,
      type: jsonSchemaType(p),
      default: p.default,
      allowed: jsonSchemaRange(p),
      description: p.description ?? '',
    }));
  }
  return [];
}

/** Splits a markdown partial into its `## ` sections (title -> body); text before the first is ''. */
function sections(text) {
  const out = new Map();
  let title = '';
  let body = [];
  for (const line of text.split('\n')) {
    const m = /^## (.+)$/.exec(line);
    if (m) {
      out.set(title, body.join('\n').trim());
      title = m[1].trim();
      body = [];
    } else body.push(line);
  }
  out.set(title, body.join('\n').trim());
  return out;
}

function referenceLine(r) {
  if (typeof r === 'string') return `- ${r}`;
  const parts = [r.title ? `*${r.title}*` : ''];
  if (r.authors) parts.push(r.authors);
  if (r.venue) parts.push(r.venue);
  if (r.year) parts.push(String(r.year));
  if (r.arxiv) parts.push(`arXiv:${r.arxiv}`);
  if (r.doi) parts.push(`doi:${r.doi}`);
  if (r.repository) parts.push(`reference implementation: \`${r.repository}\``);
  if (r.commit) parts.push(`commit \`${String(r.commit).slice(0, 12)}\``);
  if (r.file) parts.push(`file \`${r.file}\``);
  return `- ${parts.filter(Boolean).join(', ')}`;
}

const INPUT_TEXT = {
  features: 'features (N×D)',
  labels: 'labels (N integers in [0, C))',
  flabels: 'F-labels (K matrices N×L)',
  probs: 'source-model probabilities (N×Cs)',
  targets: 'regression targets (N×T)',
};

/** Renders one page per metric; returns `{ pages: {file: markdown}, sidebar }`. */
export function renderScorePages(metrics, formulasDir) {
  const pages = {};
  const sidebar = [];
  const index = [
    '# Scores',
    '',
    'One page per score registered in `@emms/metrics`, generated from its definition at build time.',
    '',
    '| score | inputs | higher is better | summary |',
    '|---|---|---|---|',
  ];
  for (const m of metrics) {
    const partialPath = join(formulasDir, `${m.id}.md`);
    const partial = existsSync(partialPath) ? sections(readFileSync(partialPath, 'utf8')) : new Map();
    const [name, ...rest] = String(m.description).split(':');
    const title = rest.length > 0 && name.length < 20 ? name.trim() : m.id;
    const required = m.inputs?.required ?? [];
    const optional = m.inputs?.optional ?? [];
    const lines = [
      `# ${title}`,
      '',
      `Score id: \`${m.id}\` · specification ${m.specificationVersion ?? 'v1'}`,
      '',
    ];
    lines.push(`> ${cell(m.description)}`, '');
    lines.push(
      `**Inputs:** ${required.map((i) => INPUT_TEXT[i] ?? i).join(', ')}${optional.length ? `; optional: ${optional.map((i) => INPUT_TEXT[i] ?? i).join(', ')}` : ''}.`,
      '',
      `**Direction:** ${m.higherIsBetter ? 'higher is better' : 'lower is better'}.`,
      '',
    );
    if (partial.get('')) lines.push(partial.get(''), '');
    if (partial.has('Formula')) lines.push('## Formula', '', partial.get('Formula'), '');
    const regime = typeof m.regime === 'string' && m.regime ? m.regime : partial.get('Regime');
    if (regime) lines.push('## When the score is meaningful', '', regime, '');
    if (partial.has('Cost')) lines.push('## Cost in N, D, C', '', partial.get('Cost'), '');
    const refs = Array.isArray(m.references) ? m.references : [];
    lines.push('## Paper and reference implementation', '');
    if (refs.length) lines.push(...refs.map(referenceLine), '');
    // The metric's own references win; the partial's text is the fallback for metrics without them.
    if (!refs.length && partial.has('References')) lines.push(partial.get('References'), '');
    if (!refs.length && !partial.has('References'))
      lines.push('The metric definition lists no references.', '');
    const rows = optionRows(m);
    lines.push('## Options', '');
    if (rows.length === 0) lines.push('This score has no options.', '');
    else {
      lines.push(
        'Read from the metric definition at build time. On the command line: `--option ' +
          `${m.id}.<name>=<value>\`; in code: the \`options\` of \`scoreMetrics\`.`,
        '',
        '| option | type | default | allowed | description |',
        '|---|---|---|---|---|',
        ...rows.map(
          (r) =>
            `| \`${r.name}\` | ${cell(r.type)} | ${r.default === undefined ? '' : cell(code(r.default))} | ${cell(r.allowed)} | ${cell(r.description)} |`,
        ),
        '',
      );
    }
    for (const [t, body] of partial) {
      if (['', 'Formula', 'Regime', 'Cost', 'References'].includes(t)) continue;
      lines.push(`## ${t}`, '', body, '');
    }
    lines.push(
      '## Try it',
      '',
      '```sh',
      `emms score --features X.npy ${required.includes('probs') ? '--probs P.npy ' : ''}--labels y.npy --metrics ${m.id}`,
      '```',
      '',
      `Or in the browser: the [playground](../playground.md).`,
      '',
    );
    pages[`${m.id}.md`] = lines.join('\n');
    sidebar.push({ text: title, link: `/scores/${m.id}` });
    index.push(
      `| [${title}](./${m.id}.md) | ${required.join(', ')}${optional.length ? ` (+ ${optional.join(', ')})` : ''} | ${m.higherIsBetter ? 'yes' : 'no'} | ${cell(rest.join(':').trim() || m.description)} |`,
    );
  }
  pages['index.md'] = `${index.join('\n')}\n`;
  return { pages, sidebar: [{ text: 'All scores', link: '/scores/' }, ...sidebar] };
}
