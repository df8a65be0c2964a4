// The run-level presets. What a preset sets for one metric is declared on that metric (`presets`).
import type { Preset } from '@emms/metric-spec';

export type { Preset, RunShape } from '@emms/metric-spec';

/** The presets, for help texts and docs. */
export const PRESETS: Readonly<Record<Preset, string>> = {
  published:
    'the published implementations exactly: features as given, every score with its reference behaviour (reproduces the reference fixtures)',
  rank: 'features reduced with reduce "auto" and LogME with the corrected evidence instead of the published fixed-point one; a bench run with two or more tasks validates each of these choices leave-one-task-out and reports the weighted τ it gets on every held-out task',
};

/** The reduce stage each preset uses unless the caller gives one. */
export const PRESET_REDUCE: Readonly<Record<Preset, 'none' | 'auto'>> = {
  published: 'none',
  rank: 'auto',
};
