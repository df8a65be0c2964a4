import { resolve } from 'node:path';
import { type RankResult, ResultCache, rankFeatures } from '@emms/harness';
import { PRESET_NAMES } from '@emms/metrics';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { type Cell, humanNumber, renderJson, renderRows } from '../format';
import { progressRenderer } from '../progress';
import { loadScorer } from '../registry';
import { pluginOption, scoresNeeding } from './score';

function list(v: unknown): string[] {
  return typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [];
}

/** The ranked table: one row per model, its mean rank, then each score's value and rank. */
export function rankTable(r: RankResult, format: 'table' | 'csv'): string {
  const ids = Object.keys(r.scores).filter((id) =>
    Object.values(r.scores[id]!).some((c) => c.value !== undefined),
  );
  const columns = ['rank', 'model', 'D', 'mean rank', ...ids];
  const rows: Cell[][] = r.models.map((m, i) => [
    i + 1,
    m.id,
    m.featureDim,
    Number(m.meanRank.toFixed(2)),
    ...ids.map((id) => {
      const c = r.scores[id]![m.id];
      if (!c || c.value === undefined) return c?.error ? `(${c.error.code})` : '';
      return format === 'csv'
        ? c.value
        : `${humanNumber(Number(c.value.toPrecision(4)))} (#${m.ranks[id]})${c.warning ? '!' : ''}`;
    }),
  ]);
  return renderRows(format, columns, rows);
}

/** `emms rank`: which of my models should I fine-tune? */
export const rankCommand: CliCommand = {
  name: 'rank',
  summary: 'Rank the models of a features folder for one task, with a recommendation.',
  usage: '--features-dir DIR --labels y.npy [--flabels Z1,Z2,...] [--metrics IDS] [--format FORMAT]',
  options: [
    {
      name: 'features-dir',
      type: 'string',
      value: 'DIR',
      description: 'Folder of <model>.npy feature files (N×D each; name = file stem).',
    },
    {
      name: 'labels',
      type: 'string',
      value: 'FILE',
      description: 'N integer class labels (.npy, .txt, .csv).',
    },
    {
      name: 'flabels',
      type: 'string',
      value: 'Z1,Z2,...',
      description: 'F-label files (N×L each), comma-separated (emms).',
    },
    {
      name: 'metrics',
      type: 'string',
      value: 'IDS',
      description: 'Comma-separated score ids (default: every score and plugin).',
    },
    {
      name: 'preset',
      type: 'string',
      value: 'rank|published',
      default: 'rank',
      choices: PRESET_NAMES,
      description:
        'rank: the defaults that rank models best (features reduced with --reduce auto, LogME corrected); published: every score exactly as its reference implementation.',
    },
    {
      name: 'reduce',
      type: 'string',
      value: 'none|auto|pca:K',
      description:
        "Feature reduction before every score (default: the preset's: auto for rank, none for published).",
    },
    {
      name: 'cache',
      type: 'string',
      value: 'DIR',
      description: 'Result cache folder (reruns compute only new pairs).',
    },
    pluginOption,
    {
      name: 'format',
      type: 'string',
      value: 'FORMAT',
      default: 'table',
      choices: ['table', 'json', 'csv'],
      description: 'Output: table, json or csv.',
    },
  ],
  details: [
    'Each (model, score) pair runs on its own: a score that fails for a model is shown as (CODE).',
    'A "!" marks a score that warned (saturation). Warnings go to stderr: scores that disagree about',
    'the top model, models whose feature dimension is at or above N (or N/2), failed scores.',
    `${scoresNeeding('probs').join('/')} are scored when <model>.probs.npy (N×Cs source probabilities) sits beside <model>.npy.`,
    '',
    'Example:',
    '  emms rank --features-dir features --labels features/labels.npy --flabels z1.npy,z2.npy',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'rank');
    if (values['features-dir'] === undefined)
      throw new UsageError('missing required option --features-dir DIR', 'rank');
    if (values.labels === undefined) throw new UsageError('missing required option --labels FILE', 'rank');
    const scorer = await loadScorer(io, (values.plugin as string[] | undefined) ?? []);
    const { registry, backend } = scorer;
    const metrics = list(values.metrics).map((id) => scorer.resolveId(id));
    // preset and reduce resolved once, before any file is read
    const settings = scorer.settings({
      preset: values.preset as 'rank' | 'published',
      reduce: values.reduce as string | undefined,
    });
    const progress = progressRenderer(io);
    let r: RankResult;
    try {
      r = await rankFeatures({
        featuresDir: resolve(io.cwd, values['features-dir'] as string),
        labels: resolve(io.cwd, values.labels as string),
        flabels: list(values.flabels).map((f) => resolve(io.cwd, f)),
        ...(metrics.length ? { metrics } : {}),
        settings,
        registry,
        backend,
        ...(typeof values.cache === 'string'
          ? { cache: ResultCache.open(resolve(io.cwd, values.cache), { name: '--cache' }) }
          : {}),
        onProgress: progress.listener,
      });
    } finally {
      progress.finish();
    }
    const format = values.format as 'table' | 'json' | 'csv';
    if (format === 'json') {
      io.stdout.write(
        renderJson({
          samples: r.samples,
          classes: r.classes,
          recommendation: r.recommendation,
          warnings: r.warnings,
          top: r.top,
          models: r.models,
          scores: r.scores,
        }),
      );
    } else {
      io.stdout.write(rankTable(r, format));
      if (format === 'table') io.stdout.write(`\n${r.recommendation}\n`);
    }
    for (const w of r.warnings) io.stderr.write(`emms: warning: ${w}\n`);
    return 0;
  },
};
