// The run settings: preset, reduce, per-metric options and relabelling, resolved once.
import { type Metric, PRESET_NAMES, type Preset } from '@emms/metric-spec';
import { EmmsError } from '@emms/tensor-io';
import { PRESET_REDUCE } from './presets';
import { parseReduce, type ReduceSpec } from './reduce';
import { defaultRegistry, type MetricRegistry } from './registry';

/** Per-metric options as given: metric id → option name → value. */
export type MetricOptionsInput = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** What {@link resolveRunSettings} takes: every field optional, as a caller or a command line gives it. */
export interface RunSettingsInput {
  /** `published` or `rank` (default: `defaultPreset` of the call, else `published`). */
  readonly preset?: string;
  /** `none`, `auto` or `pca:K` (default: the preset's, see {@link PRESET_REDUCE}). */
  readonly reduce?: string;
  /** Per-metric options, e.g. `{ nleep: { seed: 3 } }`; ids match case-insensitively. */
  readonly options?: MetricOptionsInput;
  /** Map sparse class ids to the classes present (default false). */
  readonly relabel?: boolean;
}

/** The reduce stage of a run: its canonical text (`none`, `auto`, `pca:K`) and its parsed form. */
export interface ReduceSetting {
  /** Canonical text, recorded in reports and cache keys. */
  readonly text: string;
  readonly spec: ReduceSpec;
  /** True when the preset chose it (the caller gave none). */
  readonly fromPreset: boolean;
}

/**
 * A run's settings, resolved and checked once (by {@link resolveRunSettings}) and frozen: what the
 * runner, the harness and the CLI pass down instead of re-reading or re-defaulting raw values.
 */
export interface RunSettings {
  readonly preset: Preset;
  readonly reduce: ReduceSetting;
  readonly relabel: boolean;
  /** The caller's per-metric options, keyed by registered metric id (preset options not merged in). */
  readonly options: MetricOptionsInput;
}

/** Marks objects made by {@link resolveRunSettings}, so that a hand-built object is not mistaken for one. */
const RESOLVED = Symbol('emms.runSettings');

function text(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Resolves a run's preset, reduce stage, per-metric options and relabelling into one typed, frozen
 * {@link RunSettings}: the preset is checked (default `defaultPreset`), `reduce` is validated and
 * parsed once (default: the preset's), option keys are matched to registered ids and relabel must
 * be a boolean. Option values are checked per metric when it runs ({@link metricOptions}), so one
 * metric's bad option fails that metric only.
 *
 * @param input - preset, reduce, options, relabel as given.
 * @param registry - where option keys are looked up (default: the built-in scores).
 * @param opts - `defaultPreset`: the preset when none is given (default `published`).
 * @returns the settings.
 * @throws EmmsError INVALID_OPTION naming `preset`, `reduce`, `relabel` or `options`;
 *   UNKNOWN_METRIC naming an option key no metric has (with a suggestion).
 * @example
 * ```ts
 * const settings = resolveRunSettings({ preset: 'rank', options: { NLEEP: { seed: 3 } } });
 * console.assert(settings.reduce.text === 'auto' && settings.options.nleep.seed === 3);
 * ```
 */
export function resolveRunSettings(
  input: RunSettingsInput | RunSettings = {},
  registry: MetricRegistry = defaultRegistry,
  opts: { readonly defaultPreset?: Preset } = {},
): RunSettings {
  if (isRunSettings(input)) return input;
  if (typeof input !== 'object' || input === null) {
    throw new EmmsError('INVALID_OPTION', `run settings must be an object, got ${text(input)}`, {
      input: 'settings',
    });
  }
  const preset = input.preset ?? opts.defaultPreset ?? 'published';
  if (!PRESET_NAMES.includes(preset as Preset)) {
    throw new EmmsError(
      'INVALID_OPTION',
      `preset must be ${PRESET_NAMES.map((p) => `"${p}"`).join(' or ')}, got ${text(preset)}`,
      { input: 'preset', details: { value: text(preset), allowed: PRESET_NAMES } },
    );
  }
  if (input.relabel !== undefined && typeof input.relabel !== 'boolean') {
    throw new EmmsError('INVALID_OPTION', `relabel must be true or false, got ${text(input.relabel)}`, {
      input: 'relabel',
      details: { value: text(input.relabel) },
    });
  }
  if (input.reduce !== undefined && typeof input.reduce !== 'string') {
    throw new EmmsError(
      'INVALID_OPTION',
      `reduce must be "none", "auto" or "pca:K", got ${text(input.reduce)}`,
      { input: 'reduce', details: { value: text(input.reduce) } },
    );
  }
  const given = input.reduce ?? PRESET_REDUCE[preset as Preset];
  const spec = parseReduce(given);
  const reduce: ReduceSetting = Object.freeze({
    text: spec.mode === 'pca' ? `pca:${spec.k}` : spec.mode,
    spec: Object.freeze(spec),
    fromPreset: input.reduce === undefined,
  });
  const options: Record<string, Readonly<Record<string, unknown>>> = {};
  if (input.options !== undefined) {
    if (typeof input.options !== 'object' || input.options === null || Array.isArray(input.options)) {
      throw new EmmsError(
        'INVALID_OPTION',
        `options must be an object of metric id → { option: value }, e.g. { nleep: { seed: 3 } }, got ${text(input.options)}`,
        { input: 'options' },
      );
    }
    for (const [key, value] of Object.entries(input.options)) {
      const id = registry.get(key).id;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new EmmsError(
          'INVALID_OPTION',
          `options.${key} must be an object of option → value, e.g. { seed: 3 }, got ${text(value)}`,
          { input: id },
        );
      }
      options[id] = Object.freeze({ ...options[id], ...value });
    }
  }
  const settings: RunSettings = {
    preset: preset as Preset,
    reduce,
    relabel: input.relabel === true,
    options: Object.freeze(options),
  };
  Object.defineProperty(settings, RESOLVED, { value: true });
  return Object.freeze(settings);
}

/**
 * Whether `x` was made by {@link resolveRunSettings}.
 *
 * @example
 * ```ts
 * console.assert(isRunSettings(resolveRunSettings()) && !isRunSettings({ preset: 'rank' }));
 * ```
 */
export function isRunSettings(x: unknown): x is RunSettings {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[RESOLVED] === true;
}

/**
 * The options `metric` runs with under `settings`: the preset's options declared on the metric,
 * then the caller's (which win), checked against the metric's schema and completed with defaults.
 *
 * @param settings - the run's settings.
 * @param metric - a registered metric.
 * @returns the checked options.
 * @throws EmmsError INVALID_OPTION naming `<metric>.<option>`.
 * @example
 * ```ts
 * const o = metricOptions(resolveRunSettings({ preset: 'rank' }), defaultRegistry.get('logme'));
 * console.assert(o.variant === 'corrected');
 * ```
 */
export function metricOptions(settings: RunSettings, metric: Metric): Record<string, unknown> {
  return metric.parseOptions(givenOptions(settings, metric));
}

/**
 * The raw options of `metric` under `settings` (preset's, then the caller's), before checking.
 *
 * @example
 * ```ts
 * givenOptions(resolveRunSettings({ preset: 'rank' }), defaultRegistry.get('logme')); // { variant: 'corrected' }
 * ```
 */
export function givenOptions(settings: RunSettings, metric: Metric): Record<string, unknown> {
  return { ...(metric.presets[settings.preset] ?? {}), ...(settings.options[metric.id] ?? {}) };
}

/**
 * Throws INVALID_OPTION when a call gives both resolved `settings` and any of the loose fields they
 * replace (preset, reduce, options, relabel): one or the other, never a silent choice.
 *
 * @example
 * ```ts
 * settingsOrLoose({ preset: 'rank' }); // passes
 * ```
 */
export function settingsOrLoose(call: RunSettingsInput & { readonly settings?: RunSettings }): void {
  const loose = [call.preset, call.reduce, call.options, call.relabel].some((v) => v !== undefined);
  if (call.settings && loose) {
    throw new EmmsError(
      'INVALID_OPTION',
      'give either settings (resolved once) or preset/reduce/options/relabel, not both',
      { input: 'settings' },
    );
  }
}
