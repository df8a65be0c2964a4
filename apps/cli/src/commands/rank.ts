import { resolve } from 'node:path';
import { DEFAULT_BOOTSTRAP_REPS, type RankResult, ResultCache, rankFeatures } from '@emms/harness';
import { PRESET_NAMES } from '@emms/metrics';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { renderJson } from '../format';
import { progressRenderer } from '../progress';
import { loadScorer } from '../registry';
import { rankJson, rankTable, trustLines } from './rank-output';
import { pluginOption, scoresNeeding } from './score';

export { rankTable } from './rank-output';

/** A whole number flag in [min, max], else bad usage. */
function wholeNumber(v: unknown, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${String(v)}"`, 'rank');
  }
  return n;
}

function list(v: unknown): string[] {
  return typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [];
}

/** The --level value: a number in (0, 1), else bad usage. */
function rankLevel(v: unknown): number {
  if (v === undefined) return 0.95;
  const n = Number(v);
  if (v === '' || !(n > 0 && n < 1))
    throw new UsageError(`--level must be a number in (0, 1), got "${String(v)}"`, 'rank');
  return n;
}

/** `emms rank`: which of my models should I fine-tune, and how sure is that? */
export const rankCommand: CliCommand = {
  name: 'rank',
  summary: 'Rank the models of a features folder for one task: a recommendation with its P(best).',
  usage:
    '--features-dir DIR (--labels y.npy [--classes FILE] [--flabels Z1,Z2,...] | --targets T.npy[,T2.npy]) [--metrics IDS] [--bootstrap N] [--seed N] [--format FORMAT]',
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
      name: 'targets',
      type: 'string',
      value: 'T1,T2,...',
      description:
        'Regression instead of --labels: files of N continuous targets (N×T each, columns side by side); logme and emms score them, the other scores are NOT_APPLICABLE.',
    },
    {
      name: 'classes',
      type: 'string',
      value: 'FILE',
      description: 'Class names, one per line (line i names class i), checked against --labels and reported.',
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
      name: 'bootstrap',
      type: 'string',
      value: 'N',
      default: String(DEFAULT_BOOTSTRAP_REPS),
      description:
        'Resamples of the target samples (within each class) for P(best), rank intervals and the recommendation; 0 turns the bootstrap off.',
    },
    {
      name: 'seed',
      type: 'string',
      value: 'N',
      default: '0',
      description: 'Seed of the resamples.',
    },
    {
      name: 'level',
      type: 'string',
      value: 'P',
      default: '0.95',
      description: 'Coverage of the rank intervals, in (0, 1).',
    },
    {
      name: 'cache',
      type: 'string',
      value: 'DIR',
      description: 'Result cache folder (reruns compute only new pairs and resamples).',
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
    'Each (model, score) pair runs on its own: a score that fails for a model is shown as (CODE) and',
    'that model is left out of its ranking; a model no score could score is left out of the',
    'recommendation. A "!" marks a score that warned (saturation). Warnings go to stderr.',
    `${scoresNeeding('probs').join('/')} are scored when <model>.probs.npy (N×Cs source probabilities) sits beside <model>.npy.`,
    '',
    'How sure, without ground truth: every (model, score) pair is rescored on --bootstrap resamples of',
    'the N samples, drawn with replacement within each class (the reduction fitted once on all samples).',
    "P(best) is the share of resamples a model ranks first (ties split evenly); 'rank 95%' the range of",
    'its rank. The recommendation is the smallest set of models whose P(best) sums to at least 0.9:',
    'one model ("Fine-tune A (P(best) 0.93)") or "Too close to call: A, B (P(best) 0.48, 0.45)".',
    "nleep and parc refit on every call and are not resampled (held at their ranks). Kendall's W is",
    'the agreement among the scores. The recommendation names the scores it rests on.',
    '',
    'Regression (--targets): logme on the targets and emms with them as its one F-label; the scores that',
    'need class labels are NOT_APPLICABLE; the bootstrap draws the N samples from all of them.',
    '',
    'Exit codes: 0 ranked; 1 bad input, or no score could rank the models (NOTHING_RANKED); 2 bad usage.',
    '',
    'Example:',
    '  emms rank --features-dir features --labels features/labels.npy --flabels z1.npy,z2.npy',
    '  emms rank --features-dir features --targets age.npy',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'rank');
    if (values['features-dir'] === undefined)
      throw new UsageError('missing required option --features-dir DIR', 'rank');
    if ((values.labels === undefined) === (values.targets === undefined))
      throw new UsageError(
        values.labels === undefined
          ? 'missing required option --labels FILE (class labels) or --targets FILE (regression targets)'
          : 'give either --labels (class labels) or --targets (regression targets), not both',
        'rank',
      );
    if (values.targets !== undefined && (values.flabels !== undefined || values.classes !== undefined))
      throw new UsageError(
        `--${values.flabels !== undefined ? 'flabels' : 'classes'} goes with --labels; with --targets emms takes the targets as its F-label`,
        'rank',
      );
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
        ...(values.labels !== undefined
          ? { labels: resolve(io.cwd, values.labels as string) }
          : { targets: list(values.targets).map((f) => resolve(io.cwd, f)) }),
        ...(values.classes !== undefined ? { classes: resolve(io.cwd, values.classes as string) } : {}),
        flabels: list(values.flabels).map((f) => resolve(io.cwd, f)),
        ...(metrics.length ? { metrics } : {}),
        settings,
        bootstrap: wholeNumber(values.bootstrap, '--bootstrap', 0, 100_000) ?? DEFAULT_BOOTSTRAP_REPS,
        seed: wholeNumber(values.seed, '--seed', -(2 ** 31), 2 ** 31 - 1) ?? 0,
        level: rankLevel(values.level),
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
    if (format === 'json') io.stdout.write(renderJson(rankJson(r)));
    else {
      io.stdout.write(rankTable(r, format));
      if (format === 'table') io.stdout.write(`${trustLines(r)}\n${r.recommendation}\n`);
    }
    for (const w of r.warnings) io.stderr.write(`emms: warning: ${w}\n`);
    return 0;
  },
};
