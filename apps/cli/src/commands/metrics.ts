import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { formatOption, type OutputFormat, renderJson, renderRows } from '../format';
import { loadScorer } from '../registry';
import { pluginOption } from './score';

/** `emms metrics [ID]`: every registered score with its inputs, or one score's options. */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'List the scores emms can compute (built-in and from plugins), with the inputs each needs.',
  usage: '[ID] [--plugin NAME]... [--format table|json|csv]',
  options: [pluginOption, formatOption],
  details: [
    'Inputs: features (--features), labels (--labels), flabels (--flabels), probs (--probs),',
    "targets (--targets); optional inputs are in brackets. With an ID (any letter case), lists that score's options",
    '(set them with `emms score --option ID.name=value`). Plugins named in emms.config.json in the',
    'working directory are listed too.',
    '',
    'Examples:',
    '  emms metrics',
    '  emms metrics nleep',
    '  emms metrics --plugin @emms/metric-pactran --format json',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError('give at most one metric ID', 'metrics');
    const format = values.format as OutputFormat;
    const scorer = await loadScorer(io, (values.plugin as string[] | undefined) ?? [], 'js');
    const { registry, pluginOf } = scorer;
    const describe = (id: string) => {
      const m = registry.get(scorer.resolveId(id));
      return {
        id: m.id,
        description: m.description,
        inputs: { required: [...m.inputs.required], optional: [...(m.inputs.optional ?? [])] },
        higherIsBetter: m.higherIsBetter,
        regime: m.regime,
        presets: m.presets,
        options: m.options.map((o) => ({
          name: o.name,
          type: o.type,
          default: o.default ?? null,
          ...(o.choices ? { choices: [...o.choices] } : {}),
          ...('min' in o && o.min !== undefined ? { min: o.min, minExclusive: o.minExclusive === true } : {}),
          ...('max' in o && o.max !== undefined ? { max: o.max, maxExclusive: o.maxExclusive === true } : {}),
          ...('allowed' in o ? { allowed: o.allowed } : {}),
          description: o.description,
        })),
        source: pluginOf.get(m.id) ?? 'built-in',
      };
    };
    if (positionals.length === 1) {
      const one = describe(positionals[0]);
      if (format === 'json') {
        io.stdout.write(renderJson(one));
        return 0;
      }
      if (format === 'table') {
        io.stdout.write(`${one.id}: ${one.description}\n\n`);
        if (one.regime) io.stdout.write(`When it is meaningful: ${one.regime}\n`);
        for (const [preset, set] of Object.entries(one.presets)) {
          const text = Object.entries(set ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ');
          if (text) io.stdout.write(`--preset ${preset} sets: ${text}\n`);
        }
        io.stdout.write('\n');
      }
      if (one.options.length === 0 && format === 'table') {
        io.stdout.write(`${one.id} has no options.\n`);
        return 0;
      }
      io.stdout.write(
        renderRows(
          format,
          ['option', 'type', 'default', 'allowed', 'description'],
          one.options.map((o) => [
            o.name,
            o.choices ? o.choices.join('|') : o.type,
            o.default === null ? '' : String(o.default),
            o.allowed ?? '',
            o.description,
          ]),
        ),
      );
      return 0;
    }
    const all = registry.list().map((m) => describe(m.id));
    if (format === 'json') {
      io.stdout.write(renderJson({ metrics: all }));
      return 0;
    }
    const rows = all.map((m) => [
      m.id,
      [...m.inputs.required, ...m.inputs.optional.map((i) => `[${i}]`)].join(' '),
      m.higherIsBetter ? 'higher' : 'lower',
      m.source,
      m.description,
    ]);
    io.stdout.write(renderRows(format, ['metric', 'inputs', 'better', 'source', 'description'], rows));
    return 0;
  },
};
