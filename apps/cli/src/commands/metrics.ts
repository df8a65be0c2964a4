import type { CliCommand } from '../command';
import { formatOption, type OutputFormat, renderJson, renderRows } from '../format';
import { loadRegistry } from '../registry';
import { pluginOption } from './score';

/** `emms metrics`: every registered score with its inputs and a one-line description. */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'List the scores emms can compute (built-in and from plugins), with the inputs each needs.',
  usage: '[--plugin NAME]... [--format table|json|csv]',
  options: [pluginOption, formatOption],
  details: [
    'Inputs: features (--features), labels (--labels), flabels (--flabels), probs (--probs),',
    'targets (--targets); optional inputs are shown in brackets. Plugins named in emms.config.json',
    '(in the working directory) are listed too.',
  ].join('\n'),
  async run({ values }, io) {
    const format = values.format as OutputFormat;
    const { registry, pluginOf } = await loadRegistry(io, (values.plugin as string[] | undefined) ?? []);
    const metrics = registry.list();
    if (format === 'json') {
      io.stdout.write(
        renderJson({
          metrics: metrics.map((m) => ({
            id: m.id,
            description: m.description,
            inputs: { required: [...m.inputs.required], optional: [...(m.inputs.optional ?? [])] },
            higherIsBetter: m.higherIsBetter,
            options: m.options.map((o) => ({
              name: o.name,
              type: o.type,
              default: o.default ?? null,
              description: o.description,
            })),
            source: pluginOf.get(m.id) ?? 'built-in',
          })),
        }),
      );
      return 0;
    }
    const rows = metrics.map((m) => [
      m.id,
      [...m.inputs.required, ...(m.inputs.optional ?? []).map((i) => `[${i}]`)].join(' '),
      m.options.map((o) => `${o.name}=${String(o.default ?? '')}`).join(' '),
      pluginOf.get(m.id) ?? 'built-in',
      m.description,
    ]);
    io.stdout.write(renderRows(format, ['metric', 'inputs', 'options', 'source', 'description'], rows));
    return 0;
  },
};
