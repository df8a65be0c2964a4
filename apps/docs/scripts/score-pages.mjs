// One page per score, generated from the facts each metric declares in defineMetric: description,
// summary, formula, cost and notes (`docs`), references, regime, inputs, the options table, what each
// preset sets (`presets`) and where it saturates (`saturation`). A plugin's metric carries the same facts.
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
 * The rows of a metric's options table: a defined metric's option descriptions (`options`, with
 * the allowed values in words), or a zod schema itself.
 */
export function optionRows(metric) {
  if (Array.isArray(metric.options)) {
    return metric.options.map((o) => ({
      name: o.name,
      type: o.type ?? '',
      default: o.default,
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

/** The shapes at which the saturation check is shown: N samples, C classes. */
const SHAPES = [
  { samples: 50, classes: 10 },
  { samples: 1000, classes: 10 },
];

/**
 * Where a metric's declared saturation check fires, found by asking it: for each preset (with the
 * options the preset sets) and each shape of {@link SHAPES}, the smallest feature dimension D in
 * 1..3N at which it warns, and the warning. Empty when it never warns there.
 */
export function saturationRows(metric) {
  if (typeof metric.saturation !== 'function') return [];
  const rows = [];
  for (const preset of ['published', 'rank']) {
    const options = metric.presets?.[preset] ?? {};
    for (const { samples, classes } of SHAPES) {
      let found;
      for (let d = 1; d <= 3 * samples && !found; d++) {
        const warning = metric.saturation({ samples, features: d, classes }, options);
        if (warning) found = { d, warning };
      }
      if (found) rows.push({ preset, samples, classes, ...found });
    }
  }
  return rows;
}

/** What each preset sets for the metric, as text ('' when nothing). */
function presetText(metric) {
  return Object.entries(metric.presets ?? {})
    .map(([p, set]) => {
      const kv = Object.entries(set ?? {}).map(([k, v]) => `\`${k}\` = ${code(v)}`);
      return kv.length
        ? `Under the \`${p}\` preset it runs with ${kv.join(', ')} unless you set ${kv.length > 1 ? 'them' : 'it'}.`
        : '';
    })
    .filter(Boolean)
    .join(' ');
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

/** Renders one page per metric from its declared facts; returns `{ pages: {file: markdown}, sidebar }`. */
export function renderScorePages(metrics) {
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
    const docs = m.docs ?? {};
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
    if (docs.summary) lines.push(docs.summary, '');
    if (docs.formula) lines.push('## Formula', '', docs.formula, '');
    const regime = typeof m.regime === 'string' && m.regime ? m.regime : '';
    const sat = saturationRows(m);
    const presets = presetText(m);
    if (regime || sat.length || presets) {
      lines.push('## When the score is meaningful', '');
      if (regime) lines.push(regime, '');
      if (presets) lines.push(presets, '');
      if (sat.length) {
        lines.push(
          "Where its declared saturation check warns (in `details.warning` and under the table), for N samples and C classes; D is the feature dimension after the run's reduce stage:",
          '',
          '| preset | N | C | warns from D = | warning |',
          '|---|---|---|---|---|',
          ...sat.map((r) => `| ${r.preset} | ${r.samples} | ${r.classes} | ${r.d} | ${cell(r.warning)} |`),
          '',
        );
      } else {
        lines.push('It declares no saturation regime.', '');
      }
    }
    if (docs.cost) lines.push('## Cost in N, D, C', '', docs.cost, '');
    const refs = Array.isArray(m.references) ? m.references : [];
    lines.push('## Paper and reference implementation', '');
    if (refs.length) lines.push(...refs.map(referenceLine), '');
    else lines.push('The metric definition lists no references.', '');
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
    for (const note of docs.notes ?? []) lines.push(`## ${note.title}`, '', note.body, '');
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
