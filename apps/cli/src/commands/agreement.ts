import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  agreement,
  PUBLISHED_TRUTH_IDS,
  publishedTruth,
  readTruthTable,
  type TruthTable,
  truthForDataset,
} from '@emms/harness';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { formatOption, type OutputFormat, renderJson, renderRows } from '../format';

/** The figures `emms agreement` prints, in this order (the JSON keys). */
export const AGREEMENT_KEYS = [
  'weightedTau',
  'kendallTau',
  'pearson',
  'spearman',
  'weightedPearson',
  'rel1',
  'rel3',
  'regret1',
] as const;

/** `emms agreement --scores S --truth T`: how well one score's ranking of models matches the ground truth. */
export const agreementCommand: CliCommand = {
  name: 'agreement',
  summary: "Rank agreement of one score's model ranking with a ground truth (weighted τ, Kendall, rel@k…).",
  usage: '--scores FILE --truth FILE|ID [--dataset NAME] [--lower-is-better] [--format table|json|csv]',
  options: [
    {
      name: 'scores',
      type: 'string',
      value: 'FILE',
      description: 'Score per model: JSON {"model": value} or CSV model,value lines.',
    },
    {
      name: 'truth',
      type: 'string',
      value: 'FILE|ID',
      description: `Ground truth per model (same formats, or {"dataset": {"model": value}}), or a published table: ${PUBLISHED_TRUTH_IDS.join(', ')}.`,
    },
    {
      name: 'dataset',
      type: 'string',
      value: 'NAME',
      description: 'The dataset to use when a file or table holds several.',
    },
    {
      name: 'lower-is-better',
      type: 'boolean',
      default: false,
      description: 'A lower score predicts a better model (the scores are negated first).',
    },
    formatOption,
  ],
  details: [
    'Both files map model names to values; every scored model needs a ground-truth value (models only in',
    'the truth are ignored) and at least two models are needed. Figures, as METRICS-SPEC defines them:',
    'weightedTau (scipy.stats.weightedtau defaults), kendallTau (τ-b), pearson, spearman, weightedPearson',
    "(weights N−i in the truth's listing order), rel1 and rel3 (best truth among the top-1/top-3 by score ÷",
    'best truth), regret1 (best truth − truth of the top pick). A constant score gives correlations 0',
    'with a warning on stderr. With two models the correlations are ±1, as scipy gives them. Any model',
    'name works, "__proto__" and "constructor" included.',
    '',
    'Examples:',
    '  emms agreement --scores logme.json --truth finetune.csv',
    '  emms agreement --scores nce.json --truth paper-cnn --dataset pets --format json',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'agreement');
    const scoresPath = values.scores as string | undefined;
    const truthArg = values.truth as string | undefined;
    if (!scoresPath) throw new UsageError('missing --scores FILE', 'agreement');
    if (!truthArg) throw new UsageError('missing --truth FILE or published table id', 'agreement');
    const dataset = values.dataset as string | undefined;
    const format = values.format as OutputFormat;

    const scoresFile = resolve(io.cwd, scoresPath);
    const scoresTable = await readTruthTable(scoresFile);
    const scores = truthForDataset(scoresTable, pickDataset(scoresTable, dataset), scoresPath);
    const truthFile = resolve(io.cwd, truthArg);
    const isPublished =
      !existsSync(truthFile) && (PUBLISHED_TRUTH_IDS as readonly string[]).includes(truthArg);
    const truthTable = isPublished ? publishedTruth(truthArg).table : await readTruthTable(truthFile);
    const truth = truthForDataset(truthTable, pickDataset(truthTable, dataset), truthArg);

    const figures = agreement(scores, truth, { higherIsBetter: values['lower-is-better'] !== true });
    for (const w of figures.warnings ?? []) io.stderr.write(`emms: warning: ${w}\n`);
    const picked = Object.fromEntries(AGREEMENT_KEYS.map((k) => [k, figures[k]]));
    if (format === 'json') io.stdout.write(renderJson(picked));
    else if (format === 'csv')
      io.stdout.write(renderRows('csv', [...AGREEMENT_KEYS], [AGREEMENT_KEYS.map((k) => figures[k])]));
    else {
      io.stdout.write(
        renderRows(
          'table',
          ['figure', 'value'],
          [...AGREEMENT_KEYS.map((k) => [k, figures[k]]), ['models', figures.models]],
        ),
      );
    }
    return 0;
  },
};

/** The asked dataset when the table holds it, else the table's only dataset (a flat file), else the asked one (an error names the choices). */
function pickDataset(table: TruthTable, dataset: string | undefined): string | undefined {
  if (dataset !== undefined && Object.hasOwn(table, dataset)) return dataset;
  return singleOrUndefined(table) ?? dataset;
}

function singleOrUndefined(table: TruthTable): string | undefined {
  const names = Object.keys(table);
  return names.length === 1 ? names[0] : undefined;
}
