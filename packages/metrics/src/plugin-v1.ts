// The one place specification-v1 metrics are still accepted: plugin packages written against the
// first metric interface (options as a list, compute unchecked), which the first docs page on
// writing a baseline taught. loadPlugin adapts them here; nothing else in the repository knows v1.
import { defineMetric, type Metric, type MetricContext, type MetricInputs, z } from '@emms/metric-spec';
import { EmmsError } from '@emms/tensor-io';

/** One option of a v1 metric. */
interface V1Option {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'string';
  readonly default?: number | boolean | string;
  readonly description?: string;
  readonly choices?: readonly string[];
}

/** A metric as a specification-v1 plugin exports it. */
interface V1Metric {
  readonly specificationVersion: 'v1';
  readonly id: string;
  readonly description: string;
  readonly inputs: Metric['inputs'];
  readonly higherIsBetter: boolean;
  readonly options: readonly V1Option[];
  compute(
    inputs: MetricInputs,
    options: Record<string, unknown>,
    context: MetricContext,
  ):
    | { value: number; details?: Record<string, unknown> }
    | Promise<{ value: number; details?: Record<string, unknown> }>;
}

/** Whether `m` claims to be a specification-v1 metric. */
export function isV1Metric(m: unknown): m is V1Metric {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as { specificationVersion?: unknown }).specificationVersion === 'v1'
  );
}

function optionSchema(o: V1Option, source: string, id: string): z.ZodType {
  let s: z.ZodType;
  if (o.type === 'integer') s = z.number().int();
  else if (o.type === 'number') s = z.number();
  else if (o.type === 'boolean') s = z.boolean();
  else if (o.type === 'string')
    s = o.choices?.length ? z.enum(o.choices as [string, ...string[]]) : z.string();
  else {
    throw new EmmsError(
      'PLUGIN_LOAD',
      `${source}: option "${String((o as V1Option).name)}" of metric "${id}" has type ${JSON.stringify((o as V1Option).type)}; a v1 option is a number, integer, boolean or string`,
      { input: source },
    );
  }
  s = o.default === undefined ? s.optional() : (s as z.ZodNumber).default(o.default as never);
  return o.description ? s.describe(o.description) : s;
}

/**
 * A specification-v1 metric as a defined (v2) metric: its option list becomes a zod schema (type,
 * choices, default, description), so options are checked, inputs validated and the value checked
 * finite like any other metric; its compute runs unchanged.
 *
 * @param m - the v1 metric a plugin exported.
 * @param source - the plugin, for messages.
 * @returns the metric as v2.
 * @throws EmmsError PLUGIN_LOAD when an option has an unknown type or the id is malformed.
 */
export function adaptV1Metric(m: V1Metric, source: string): Metric {
  const shape: Record<string, z.ZodType> = {};
  for (const o of m.options) shape[o.name] = optionSchema(o, source, m.id);
  try {
    return defineMetric({
      id: m.id,
      description: m.description,
      inputs: m.inputs,
      higherIsBetter: m.higherIsBetter,
      options: z.object(shape),
      async compute(inputs, options, context) {
        return m.compute(inputs, options as Record<string, unknown>, context);
      },
    });
  } catch (e) {
    throw new EmmsError('PLUGIN_LOAD', `${source}: metric "${m.id}": ${(e as Error).message}`, {
      input: source,
      cause: e,
    });
  }
}
