// From a table of score values to rankings: each score ranks the models it scored; the models no score
// could score are left out; the recommendation rests on the scores that ranked every remaining model.
import { EmmsError } from '@emms/tensor-io';
import type { ScoreCell } from '../bench/score-task';
import { RANK_CODES } from './codes';
import { type KendallW, kendallW, rankModels } from './stats';

/** One score's ranking of the models it could score. */
export interface ScoreRanking {
  readonly id: string;
  readonly higherIsBetter: boolean;
  /** Model → rank (1 = best, ties averaged) among the models the score scored. */
  readonly ranks: ReadonlyMap<string, number>;
  /** Whether it ranked every model of the recommendation (and so counts in the mean rank). */
  readonly complete: boolean;
  /** Its single top model, when one model is first on its own. */
  readonly top?: string;
}

/** Input of {@link rankScores}. */
export interface RankScoresInput {
  /** Every model, in folder order. */
  readonly models: readonly string[];
  /** Per score id, per model, the cell of its value or error. */
  readonly cells: ReadonlyMap<string, ReadonlyMap<string, ScoreCell>>;
  readonly higherIsBetter: ReadonlyMap<string, boolean>;
}

/** Result of {@link rankScores}. */
export interface ScoreRankings {
  /** The scores that ranked at least two models. */
  readonly rankings: ReadonlyMap<string, ScoreRanking>;
  /** The models the recommendation compares, in input order. */
  readonly ranked: readonly string[];
  /** The other models (no score scored them, or only scores that did not rank the others), with why. */
  readonly leftOut: ReadonlyMap<string, string>;
  /** The scores that ranked every model in `ranked`: the mean rank and the recommendation rest on them. */
  readonly restsOn: readonly string[];
  /** Mean rank over `restsOn` per ranked model. */
  readonly meanRank: ReadonlyMap<string, number>;
  /** Kendall's W among the `restsOn` scores, when at least two scores rank at least two models (and not all tie). */
  readonly agreement?: KendallW;
  readonly warnings: readonly string[];
}

/** The distinct error codes of the cells, and how many cells were scored, e.g. "NON_FINITE; 1 scored". */
const codesOf = (cells: Iterable<ScoreCell>) => {
  const all = [...cells];
  const codes = [...new Set(all.flatMap((c) => (c.error ? [c.error.code] : [])))];
  const scored = all.length - all.filter((c) => c.error).length;
  return [codes.join(', '), scored > 0 ? `${scored} scored` : ''].filter(Boolean).join('; ');
};

/**
 * Ranks the models by each score and picks what the recommendation rests on. A model that a score
 * could not score (a failed or not applicable cell) is left out of that score's ranking only; a
 * score that scored fewer than two models ranks nothing. The recommendation compares the largest set
 * of models one score ranked (on equal sizes, the set most scores share) and rests on every score that
 * ranked all of them; the other models are left out of it, with why (e.g. NaN features fail every
 * features score: such a model is left out, and the others are still compared by every score).
 *
 * @param input - {@link RankScoresInput}.
 * @returns {@link ScoreRankings}.
 * @throws EmmsError `NOTHING_RANKED` when no score ranked two models (every score failed), so a
 *   recommendation would rest on zero scores.
 * @example
 * ```ts
 * const r = rankScores({ models: ['a', 'b'], cells, higherIsBetter: new Map([['logme', true]]) });
 * r.restsOn; // ['logme']
 * ```
 */
export function rankScores(input: RankScoresInput): ScoreRankings {
  const warnings: string[] = [];
  const partial = new Map<string, Map<string, number>>();
  const hib = (id: string) => input.higherIsBetter.get(id) ?? true;
  for (const [id, cells] of input.cells) {
    const values = new Map<string, number>();
    for (const [m, c] of cells) if (c.value !== undefined) values.set(m, c.value);
    const failed = [...cells].filter(([, c]) => c.error);
    if (values.size === 0) {
      warnings.push(`${id}: not scored (${codesOf(cells.values())}): ${failed[0]?.[1].error?.message ?? ''}`);
      continue;
    }
    for (const [m, c] of failed)
      warnings.push(`${id} failed on ${m} (${c.error!.code}): ${c.error!.message}`);
    for (const [m, c] of cells) if (c.warning) warnings.push(`${id} on ${m}: ${c.warning}`);
    if (values.size < 2) {
      warnings.push(`${id}: scored only ${[...values.keys()].join(', ')}; one model cannot be ranked`);
      continue;
    }
    partial.set(id, rankModels(values, hib(id)));
  }
  if (partial.size === 0) {
    throw new EmmsError(
      RANK_CODES.NOTHING_RANKED,
      `no score could rank these models, so a recommendation would rest on zero scores: ${[...input.cells].map(([id, c]) => `${id} (${codesOf(c.values())})`).join(', ')}; fix the inputs named in the warnings (e.g. features with NaN) or choose other scores`,
      { input: 'metrics', details: { scores: [...input.cells.keys()] } },
    );
  }
  // The models the recommendation compares: the largest set of models one score ranked (on equal
  // sizes, the set most scores share); it rests on every score that ranked all of them.
  const sets = new Map<string, { models: Set<string>; scores: number }>();
  for (const r of partial.values()) {
    const key = input.models.filter((m) => r.has(m)).join('\u0000');
    const e = sets.get(key) ?? { models: new Set(r.keys()), scores: 0 };
    e.scores++;
    sets.set(key, e);
  }
  const chosen = [...sets.values()].reduce((a, b) =>
    b.models.size > a.models.size || (b.models.size === a.models.size && b.scores > a.scores) ? b : a,
  ).models;
  const ranked = input.models.filter((m) => chosen.has(m));
  const restsOn = [...partial].filter(([, r]) => ranked.every((m) => r.has(m))).map(([id]) => id);
  const leftOut = new Map<string, string>();
  for (const m of input.models) {
    if (chosen.has(m)) continue;
    const by = [...partial].filter(([, r]) => r.has(m)).map(([id]) => id);
    const own = [...input.cells.values()].map((c) => c.get(m)).filter((c): c is ScoreCell => !!c?.error);
    const why = by.length
      ? `only ${by.join(', ')} scored it; the recommendation compares the models ${restsOn.join(', ')} all ranked`
      : `no score could score it (${codesOf(own)})`;
    leftOut.set(m, why);
    warnings.push(`${m}: left out of the recommendation: ${why}`);
  }
  const rankings = new Map<string, ScoreRanking>();
  for (const [id, ranks] of partial) {
    const values = [...ranks.values()];
    const best = Math.min(...values);
    const firsts = [...ranks].filter(([, r]) => r === best).map(([m]) => m);
    if (firsts.length > 1 && firsts.length < ranks.size) {
      warnings.push(`${id}: ${firsts.length} models tie for first (${firsts.join(', ')})`);
    }
    if (firsts.length === ranks.size) {
      warnings.push(
        `${id}: every model has the same score (${input.cells.get(id)!.get(firsts[0])!.value}); it cannot rank them`,
      );
    }
    rankings.set(id, {
      id,
      higherIsBetter: hib(id),
      ranks,
      complete: restsOn.includes(id),
      ...(firsts.length === 1 ? { top: firsts[0] } : {}),
    });
  }
  const meanRank = new Map(
    ranked.map((m) => [m, restsOn.reduce((s, id) => s + partial.get(id)!.get(m)!, 0) / restsOn.length]),
  );
  let agreement: KendallW | undefined;
  const rows = restsOn.map((id) => ranked.map((m) => partial.get(id)!.get(m)!));
  const allTied = rows.every((row) => row.every((v) => v === row[0]));
  if (rows.length >= 2 && ranked.length >= 2 && !allTied) agreement = kendallW(rows);
  return { rankings, ranked, leftOut, restsOn, meanRank, ...(agreement ? { agreement } : {}), warnings };
}
