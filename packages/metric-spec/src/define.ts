import { getBackend } from '@emms/linalg';
import { EmmsError } from '@emms/tensor-io';
import { z } from 'zod';
import { METRIC_ERROR_CODES } from './errors';
import {
  type Metric,
  type MetricContext,
  type MetricDocs,
  type MetricInputSpec,
  type MetricInputs,
  type MetricOptionInfo,
  type MetricReference,
  type MetricResampling,
  type MetricResult,
  PRESET_NAMES,
  type Preset,
  type RunShape,
} from './types';
import { validateInputs } from './validate';

/** What {@link defineMetric} takes: everything about a metric, declared once. */
export interface MetricDefinition<S extends z.ZodObject, R extends MetricResult | Promise<MetricResult>> {
  /** Stable id: lower case letters, digits, - or _ (e.g. "logme"). */
  readonly id: string;
  /** One line for `emms metrics`. */
  readonly description: string;
  /** Inputs: `required` must all be present; `optional` are used when given. */
  readonly inputs: MetricInputSpec;
  /** Whether a higher value means better transfer. */
  readonly higherIsBetter: boolean;
  /**
   * The options as a zod object schema: each field's type, `.default()`, range (`.min/.max/.int()`,
   * `z.enum`) and `.describe()` text. Omitted: the metric has no options.
   */
  readonly options?: S;
  /** The paper(s) and reference implementation(s). */
  readonly references?: readonly MetricReference[];
  /** When the score is meaningful, in a sentence or two. */
  readonly regime?: string;
  /**
   * The regime in which the score saturates or stops measuring transferability, for a run of this
   * shape (N, D after the run's reduce stage, C) and these (checked) options: a one-line warning
   * that names the regime and the fix, or undefined. The runner adds it to `details.warning`.
   */
  readonly saturation?: (shape: RunShape, options: z.output<S>) => string | undefined;
  /**
   * Options a run-level preset sets for this metric unless the caller sets them, e.g.
   * `{ rank: { variant: 'corrected' } }`. Checked against `options` when the metric is defined.
   */
  readonly presets?: { readonly [P in Preset]?: Partial<z.input<S>> };
  /** Formula, cost and further notes the docs show (Markdown, TeX in `$…$`). */
  readonly docs?: MetricDocs;
  /**
   * The computation. Receives validated inputs (only those declared), options checked and completed
   * with defaults, and a context with a backend. Throw `EmmsError` (DEGENERATE_INPUT, …) for inputs
   * on which the score is undefined; never return NaN or ±Infinity.
   */
  compute(inputs: MetricInputs, options: z.output<S>, context: MetricContext): R;
  /**
   * Optional: the score under row multiplicities (a bootstrap resample) for these validated inputs
   * and options, equal to `compute` on the materialised rows; or `{ unavailable: reason }` when these
   * inputs have no cheap resampling path. See {@link MetricResampling}.
   */
  resample?(inputs: MetricInputs, options: z.output<S>, context: MetricContext): MetricResampling;
}

const ID_PATTERN = /^[a-z][a-z0-9_-]*$/;

function formatValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function allowedText(o: Omit<MetricOptionInfo, 'allowed'>): string {
  if (o.type === 'boolean') return 'true or false';
  if (o.type === 'string')
    return o.choices ? `one of ${o.choices.map((c) => `"${c}"`).join(', ')}` : 'a string';
  const what = o.type === 'integer' ? 'an integer' : 'a number';
  if (o.min !== undefined && o.max !== undefined) {
    return `${what} in ${o.minExclusive ? '(' : '['}${o.min}, ${o.max}${o.maxExclusive ? ')' : ']'}`;
  }
  if (o.min !== undefined) return `${what} ${o.minExclusive ? '>' : '≥'} ${o.min}`;
  if (o.max !== undefined) return `${what} ${o.maxExclusive ? '<' : '≤'} ${o.max}`;
  return `a finite ${o.type === 'integer' ? 'integer' : 'number'}`;
}

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchemaProperty[];
}

/**
 * The plain description of a zod object schema's fields (through `z.toJSONSchema`): name, type,
 * default, min/max, choices, description and the allowed values in words.
 *
 * @param schema - a zod object schema of metric options.
 * @returns one {@link MetricOptionInfo} per field, in declaration order.
 * @example
 * ```ts
 * const [seed] = describeOptions(z.object({ seed: z.number().int().min(0).default(0).describe('seed') }));
 * console.assert(seed.type === 'integer' && seed.min === 0 && seed.default === 0);
 * ```
 */
export function describeOptions(schema: z.ZodObject): MetricOptionInfo[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
  };
  const out: MetricOptionInfo[] = [];
  for (const [name, raw] of Object.entries(json.properties ?? {})) {
    // Nullable/union fields: describe the first non-null branch.
    const p: JsonSchemaProperty =
      raw.anyOf?.find((b) => b.type !== 'null') !== undefined
        ? { ...raw.anyOf.find((b) => b.type !== 'null'), ...raw, anyOf: undefined }
        : raw;
    const t = Array.isArray(p.type) ? p.type[0] : p.type;
    const type: MetricOptionInfo['type'] =
      t === 'integer' ? 'integer' : t === 'number' ? 'number' : t === 'boolean' ? 'boolean' : 'string';
    const safe = Number.MAX_SAFE_INTEGER;
    const base = {
      name,
      type,
      default: p.default as MetricOptionInfo['default'],
      description: p.description ?? '',
      ...(p.enum ? { choices: p.enum.map(String) } : {}),
      ...(p.exclusiveMinimum !== undefined
        ? { min: p.exclusiveMinimum, minExclusive: true }
        : p.minimum !== undefined && p.minimum > -safe
          ? { min: p.minimum }
          : {}),
      ...(p.exclusiveMaximum !== undefined
        ? { max: p.exclusiveMaximum, maxExclusive: true }
        : p.maximum !== undefined && p.maximum < safe
          ? { max: p.maximum }
          : {}),
    };
    out.push({ ...base, allowed: allowedText(base) });
  }
  return out;
}

function unknownOption(id: string, name: string, infos: readonly MetricOptionInfo[]): EmmsError {
  const known = infos.map((o) => o.name).join(', ') || 'none';
  const why =
    name === 'relabel'
      ? `; relabel is a run-level setting (the relabel option of scoreMetrics), not an option of one metric`
      : '';
  return new EmmsError(
    'INVALID_OPTION',
    `metric "${id}" has no option "${name}" (its options: ${known})${why}`,
    { input: `${id}.${name}`, details: { metric: id, option: name, known: infos.map((o) => o.name) } },
  );
}

function badOption(id: string, info: MetricOptionInfo, value: unknown): EmmsError {
  return new EmmsError(
    'INVALID_OPTION',
    `option ${id}.${info.name}=${formatValue(value)} is not allowed: give ${info.allowed}`,
    {
      input: `${id}.${info.name}`,
      details: {
        metric: id,
        option: info.name,
        value: typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
        allowed: info.allowed,
        ...(info.min !== undefined ? { min: info.min } : {}),
        ...(info.max !== undefined ? { max: info.max } : {}),
        ...(info.choices ? { choices: info.choices } : {}),
      },
    },
  );
}

function plainOptions(id: string, options: unknown): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new EmmsError('INVALID_OPTION', `options of metric "${id}" must be an object of name → value`, {
      input: id,
    });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out;
}

/** The docs facts as a frozen copy, each field checked to be Markdown text. */
function checkedDocs(id: string, docs: MetricDocs | undefined): MetricDocs {
  if (docs === undefined) return Object.freeze({});
  const text = (v: unknown, what: string) => {
    if (v !== undefined && typeof v !== 'string')
      throw new Error(`metric "${id}": docs.${what} must be text`);
  };
  text(docs.summary, 'summary');
  text(docs.formula, 'formula');
  text(docs.cost, 'cost');
  for (const n of docs.notes ?? []) {
    text(n.title, 'notes[].title');
    text(n.body, 'notes[].body');
  }
  return Object.freeze({
    ...docs,
    ...(docs.notes ? { notes: Object.freeze(docs.notes.map((n) => Object.freeze({ ...n }))) } : {}),
  });
}

function checkedResult<R extends MetricResult>(id: string, r: R): R {
  if (typeof r !== 'object' || r === null || typeof r.value !== 'number' || !Number.isFinite(r.value)) {
    const got = typeof r === 'object' && r !== null ? (r as MetricResult).value : r;
    throw new EmmsError(
      METRIC_ERROR_CODES.NON_FINITE_SCORE,
      `metric "${id}" produced ${formatValue(got)} instead of a finite score; its inputs are degenerate for it or it has a bug`,
      { input: id, details: { metric: id, value: formatValue(got) } },
    );
  }
  return r;
}

function checkRelabel(relabel: unknown): void {
  if (relabel !== undefined && typeof relabel !== 'boolean') {
    throw new EmmsError(
      'INVALID_OPTION',
      `the run-level relabel option must be true or false, got ${formatValue(relabel)}`,
      { input: 'relabel', details: { value: formatValue(relabel) } },
    );
  }
}

function runChecked<R extends MetricResult | Promise<MetricResult>>(
  metric: { id: string; inputs: MetricInputSpec },
  inputs: MetricInputs,
  context: Partial<MetricContext> | undefined,
  run: (checked: MetricInputs, ctx: MetricContext) => R,
): R {
  const ctx = context ?? {};
  checkRelabel(ctx.relabel);
  const checked = validateInputs(metric, inputs === undefined ? {} : inputs, {
    relabel: ctx.relabel === true,
  });
  const full: MetricContext = { ...ctx, backend: ctx.backend ?? getBackend() };
  const r = run(checked, full);
  if (r && typeof (r as Promise<MetricResult>).then === 'function') {
    return (r as Promise<MetricResult>).then((x) => checkedResult(metric.id, x)) as R;
  }
  return checkedResult(metric.id, r as MetricResult) as R;
}

/**
 * Defines a metric once: its options schema gives the TypeScript type of `compute`'s options, their
 * defaults, allowed ranges and descriptions (for `emms metrics NAME` and the docs). The returned
 * metric (specificationVersion 'v2') checks options and validates inputs itself before the
 * computation, and turns a non-finite value into an error.
 *
 * @param def - id, description, inputs, higherIsBetter, options (a zod object schema), references,
 *   regime, the facts the runner and the docs read (saturation, presets, docs) and compute.
 * @returns the {@link Metric}; its `compute(inputs, options?, context?)` returns what `def.compute`
 *   returns (sync or a promise).
 * @throws Error when `def.id` is not lower case letters, digits, - or _, or a preset's options do
 *   not pass the schema (programming mistakes).
 *   Its compute throws EmmsError INVALID_OPTION (naming `<id>.<option>`, the range and the bad
 *   value), MISSING_INPUT, the input-validation codes, NON_FINITE_SCORE, and whatever the
 *   computation throws (e.g. DEGENERATE_INPUT).
 * @example
 * ```ts
 * const meanMetric = defineMetric({
 *   id: 'feature-mean',
 *   description: 'mean of all feature values (a toy)',
 *   inputs: { required: ['features'] },
 *   higherIsBetter: true,
 *   options: z.object({ scale: z.number().positive().default(1).describe('multiplies the mean') }),
 *   compute({ features }, { scale }) {
 *     let s = 0;
 *     for (const v of features!.data) s += v;
 *     return { value: (scale * s) / features!.data.length };
 *   },
 * });
 * const features = { rows: 2, cols: 1, data: new Float64Array([1, 3]) };
 * console.assert(meanMetric.compute({ features }, { scale: 2 }).value === 4);
 * ```
 */
export function defineMetric<
  S extends z.ZodObject = z.ZodObject<Record<string, never>>,
  R extends MetricResult | Promise<MetricResult> = MetricResult,
>(def: MetricDefinition<S, R>): Metric<z.output<S>, R> {
  if (!ID_PATTERN.test(def.id)) {
    throw new Error(`metric id "${def.id}" must be lower case letters, digits, - or _`);
  }
  const schema = (def.options ?? z.object({})) as S;
  const options = describeOptions(schema);
  const byName = new Map(options.map((o) => [o.name, o]));
  const parseOptions = (raw?: Readonly<Record<string, unknown>>): z.output<S> => {
    const given = plainOptions(def.id, raw);
    for (const name of Object.keys(given)) if (!byName.has(name)) throw unknownOption(def.id, name, options);
    const r = schema.safeParse(given);
    if (!r.success) {
      const issue = r.error.issues[0];
      const name = String(issue.path[0] ?? '');
      const info = byName.get(name);
      if (info) throw badOption(def.id, info, given[name]);
      throw new EmmsError('INVALID_OPTION', `options of metric "${def.id}": ${issue.message}`, {
        input: def.id,
      });
    }
    return r.data as z.output<S>;
  };
  const presets: Partial<Record<Preset, Readonly<Record<string, unknown>>>> = {};
  for (const [preset, given] of Object.entries(def.presets ?? {})) {
    if (!PRESET_NAMES.includes(preset as Preset)) {
      throw new Error(`metric "${def.id}": presets.${preset} is not a preset (${PRESET_NAMES.join(', ')})`);
    }
    try {
      parseOptions(given as Record<string, unknown>);
    } catch (e) {
      throw new Error(`metric "${def.id}": presets.${preset}: ${(e as Error).message}`);
    }
    presets[preset as Preset] = Object.freeze({ ...(given as Record<string, unknown>) });
  }
  const saturation = def.saturation;
  return Object.freeze({
    specificationVersion: 'v2' as const,
    id: def.id,
    description: def.description,
    inputs: def.inputs,
    higherIsBetter: def.higherIsBetter,
    options,
    references: def.references ?? [],
    regime: def.regime ?? '',
    presets: Object.freeze(presets),
    docs: checkedDocs(def.id, def.docs),
    saturation(shape: RunShape, raw?: Readonly<Record<string, unknown>>): string | undefined {
      return saturation ? saturation(shape, parseOptions(raw)) : undefined;
    },
    parseOptions,
    compute(
      inputs: MetricInputs,
      raw?: Readonly<Record<string, unknown>>,
      context?: Partial<MetricContext>,
    ): R {
      const parsed = parseOptions(raw);
      return runChecked(def, inputs, context, (checked, ctx) => def.compute(checked, parsed, ctx));
    },
    ...(def.resample ? { prepareResampling: resamplingOf(def, parseOptions) } : {}),
  });
}

/** Row multiplicities: one non-negative integer per input row, not all zero. */
function checkCounts(id: string, counts: Float64Array, rows: number): void {
  if (!(counts instanceof Float64Array) || counts.length !== rows) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `resampling metric "${id}": counts must be a Float64Array with one multiplicity per row (${rows}), got ${counts?.length ?? typeof counts}`,
      { input: 'counts', details: { metric: id, expected: rows } },
    );
  }
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const c = counts[i];
    if (!(c >= 0) || !Number.isInteger(c)) {
      throw new EmmsError(
        'INVALID_OPTION',
        `resampling metric "${id}": counts[${i}] is ${c}; give non-negative whole multiplicities`,
        { input: 'counts', details: { metric: id, index: i } },
      );
    }
    total += c;
  }
  if (total === 0) {
    throw new EmmsError(
      'INVALID_OPTION',
      `resampling metric "${id}": every count is 0; keep at least one row`,
      {
        input: 'counts',
        details: { metric: id },
      },
    );
  }
}

/** `prepareResampling` of a defined metric: checks as `compute` does, then every resampled value. */
function resamplingOf<S extends z.ZodObject, R extends MetricResult | Promise<MetricResult>>(
  def: MetricDefinition<S, R>,
  parseOptions: (raw?: Readonly<Record<string, unknown>>) => z.output<S>,
) {
  return (
    inputs: MetricInputs,
    raw?: Readonly<Record<string, unknown>>,
    context?: Partial<MetricContext>,
  ): MetricResampling => {
    const parsed = parseOptions(raw);
    const ctx = context ?? {};
    checkRelabel(ctx.relabel);
    const checked = validateInputs(def, inputs ?? {}, { relabel: ctx.relabel === true });
    const r = def.resample!(checked, parsed, { ...ctx, backend: ctx.backend ?? getBackend() });
    if (!('resample' in r)) return r;
    const inner = r.resample;
    const rows = checked.features?.rows ?? checked.labels?.length ?? checked.probs?.rows ?? 0;
    return {
      resample: (counts) => {
        checkCounts(def.id, counts, rows);
        return checkedResult(def.id, { value: inner(counts) }).value;
      },
    };
  };
}

/** Run-time settings a built-in score function accepts beside the metric's own options. */
export type ScoreCallOptions<O> = Partial<O> & Partial<MetricContext>;

/**
 * A direct function for a synchronous defined metric: `xScore(inputs, options?) → { value, details }`
 * where `options` holds the metric's options and, optionally, `backend`, `signal`, `onProgress` and
 * `relabel`. It validates like the metric (it calls its compute).
 *
 * @param metric - a defined metric whose compute is synchronous.
 * @returns the score function.
 * @example
 * ```ts
 * const zero = defineMetric({ id: 'zero', description: 'always 0', inputs: { required: [] },
 *   higherIsBetter: true, compute: () => ({ value: 0, details: {} }) });
 * console.assert(scoreFunction(zero)({}).value === 0);
 * ```
 */
export function scoreFunction<O extends Record<string, unknown>, R extends MetricResult>(
  metric: Metric<O, R>,
): (inputs: MetricInputs, options?: ScoreCallOptions<O>) => R {
  return (inputs, options = {}) => {
    const { backend, signal, onProgress, relabel, ...rest } = options as ScoreCallOptions<O>;
    return metric.compute(inputs, rest as Record<string, unknown>, { backend, signal, onProgress, relabel });
  };
}
