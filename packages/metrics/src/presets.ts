// Run-level presets and the regimes in which built-in scores saturate.

/** `published`: every score as its reference implementation computes it; `rank`: the defaults that rank models best. */
export type Preset = 'published' | 'rank';

/** The presets, for help texts and docs. */
export const PRESETS: Readonly<Record<Preset, string>> = {
  published:
    'the published implementations exactly: features as given, every score with its reference behaviour (reproduces the reference fixtures)',
  rank: 'the configuration that ranked real models best on held-out evidence: features reduced with reduce "auto" and LogME with the corrected evidence',
};

/** What a preset sets when the caller did not: the reduce stage and per-metric options. */
export const PRESET_SETTINGS: Readonly<
  Record<
    Preset,
    { readonly reduce: string; readonly options: Readonly<Record<string, Readonly<Record<string, unknown>>>> }
  >
> = {
  published: { reduce: 'none', options: {} },
  rank: { reduce: 'auto', options: { logme: { variant: 'corrected' } } },
};

/** N, D (after any reduction) and C of a run, for the saturation checks. */
export interface RunShape {
  readonly samples: number;
  readonly features: number;
  readonly classes: number;
}

/**
 * The regime in which a built-in score stops measuring transferability, as a warning for `details.warning`
 * (undefined when the score is in its meaningful regime). Based on each score's maths: least-squares scores
 * fit any target once D ≥ N − 1; discriminant scores saturate well before (D ≳ N/2).
 */
export const SATURATION: Readonly<
  Record<string, (s: RunShape, options: Readonly<Record<string, unknown>>) => string | undefined>
> = {
  emms: ({ samples: n, features: d }) =>
    d >= n - 1
      ? `D = ${d} ≥ N − 1 = ${n - 1}: the least squares fits any F-label exactly, so EMMS is 0 for every model; reduce the features (reduce "auto" or "pca:K")`
      : d >= n / 2
        ? `D = ${d} ≥ N/2 = ${n / 2}: the fit approaches interpolation and EMMS rewards wide features; reduce the features (reduce "auto")`
        : undefined,
  logme: ({ samples: n, features: d }, o) =>
    o.variant === 'fixed-point' && d >= n
      ? undefined // logme reports this case itself
      : o.variant !== 'corrected' && d >= n / 2
        ? `D = ${d} ≥ N/2 = ${n / 2}: the published evidence depends on the feature scale and favours wide features here; use variant "corrected" or reduce the features`
        : undefined,
  hscore: ({ samples: n, features: d, classes: c }) =>
    d >= n / 2
      ? `D = ${d} ≥ N/2 = ${n / 2}: the feature covariance is (nearly) singular and H-score approaches its maximum C − 1 = ${c - 1}; reduce the features`
      : undefined,
  sfda: ({ samples: n, features: d }) =>
    d >= n / 2
      ? `D = ${d} ≥ N/2 = ${n / 2}: the classes become linearly separable on the training samples and SFDA saturates towards 1; reduce the features`
      : undefined,
  transrate: ({ samples: n, features: d }) =>
    d >= n
      ? `D = ${d} ≥ N = ${n}: the coding rates are limited by N, not by the features, so TransRate stops separating models; reduce the features`
      : undefined,
  gbc: () => undefined,
  parc: () => undefined,
  nleep: ({ samples: n, classes: c }) =>
    n < 5 * c * 2
      ? `N = ${n} < 10·C: the mixture has 5·C components for ${n} samples, about two per component; NLEEP is noisy here`
      : undefined,
};
