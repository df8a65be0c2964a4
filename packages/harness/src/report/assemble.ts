/**
 * Small helpers for whoever assembles a {@link BenchReport}: the static baselines from the model facts,
 * and the "beats the baselines" marks of agreement rows. No Node imports.
 */
import type { AgreementInfo, BaselineInfo, ModelInfo } from './schema';

/**
 * The static baseline rankings of a task, from facts that need no data: model file size, feature
 * dimension and parameter count (larger predicted better). A baseline is included when at least two
 * models have the fact (failed models count when the fact is known).
 *
 * @param models - the task's models.
 * @returns baselines keyed `file-size`, `feature-dim`, `params` (those with two or more values).
 * @example
 * ```ts
 * task.baselines = staticBaselines(task.models);
 * ```
 */
export function staticBaselines(models: readonly ModelInfo[]): Record<string, BaselineInfo> {
  const facts: [string, string, (m: ModelInfo) => number | undefined][] = [
    ['file-size', 'model file size in bytes (larger ranked higher)', (m) => m.fileBytes],
    ['feature-dim', 'feature dimension D (larger ranked higher)', (m) => m.featureDim],
    ['params', 'parameter count (larger ranked higher)', (m) => m.params],
  ];
  const out: Record<string, BaselineInfo> = {};
  for (const [id, description, get] of facts) {
    const values: Record<string, number> = {};
    for (const m of models) {
      const v = get(m);
      if (v !== undefined) values[m.id] = v;
    }
    if (Object.keys(values).length >= 2) out[id] = { description, higherIsBetter: true, values };
  }
  return out;
}

/**
 * Marks each score row of one ground truth's agreement table: `beatsBaselines` is true when its weighted
 * τ is strictly above the weighted τ of every baseline row, and `baselinesNotBeaten` lists the baselines
 * it does not exceed. Baseline rows are returned unchanged; with no baseline row, every score beats
 * "them" (vacuously) and the mark is left out instead.
 *
 * @param rows - `agreement[truthId]`: ranking id → figures (not modified).
 * @returns a new record with the marks set.
 * @example
 * ```ts
 * task.agreement['linear-probe'] = markBeatsBaselines(task.agreement['linear-probe']);
 * ```
 */
export function markBeatsBaselines(
  rows: Readonly<Record<string, AgreementInfo>>,
): Record<string, AgreementInfo> {
  const baselines = Object.entries(rows).filter(([, a]) => a.kind === 'baseline');
  const out: Record<string, AgreementInfo> = {};
  for (const [id, a] of Object.entries(rows)) {
    if (a.kind !== 'score' || baselines.length === 0) {
      out[id] = a;
      continue;
    }
    const notBeaten = baselines.filter(([, b]) => !(a.weightedTau > b.weightedTau)).map(([bid]) => bid);
    const { baselinesNotBeaten: _old, ...rest } = a;
    out[id] = {
      ...rest,
      beatsBaselines: notBeaten.length === 0,
      ...(notBeaten.length ? { baselinesNotBeaten: notBeaten } : {}),
    };
  }
  return out;
}
