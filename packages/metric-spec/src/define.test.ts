import { isEmmsError, listErrorCodes } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMetric, fromV1Metric, scoreFunction } from './define';
import type { MetricInputs, MetricV1 } from './types';

const features = { rows: 4, cols: 2, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 9]) };
const labels = Int32Array.from([0, 1, 0, 1]);

function errorOf(f: () => unknown): { code: string; message: string; input?: string } {
  try {
    f();
  } catch (e) {
    if (isEmmsError(e)) return e;
    throw e;
  }
  throw new Error('expected an EmmsError');
}

let computed = 0;
const toy = defineMetric({
  id: 'toy',
  description: 'sum of features times scale',
  inputs: { required: ['features', 'labels'] },
  higherIsBetter: true,
  options: z.object({
    scale: z.number().gt(0).max(10).default(1).describe('multiplier'),
    dims: z.number().int().min(1).default(4).describe('dimensions'),
    center: z.boolean().default(true).describe('centre first'),
    mode: z.enum(['a', 'b']).default('a').describe('which mode'),
  }),
  references: [{ title: 'a toy', arxiv: '0000.00000' }],
  regime: 'any',
  compute({ features: x }, o) {
    computed++;
    let s = 0;
    for (const v of x!.data) s += v;
    return { value: o.scale * s, details: { dims: o.dims, center: o.center, mode: o.mode } };
  },
});

describe('defineMetric', () => {
  it('is specification v2 with a plain description of its options from the schema', () => {
    expect(toy.specificationVersion).toBe('v2');
    expect(toy.options).toEqual([
      expect.objectContaining({
        name: 'scale',
        type: 'number',
        default: 1,
        min: 0,
        minExclusive: true,
        max: 10,
      }),
      expect.objectContaining({
        name: 'dims',
        type: 'integer',
        default: 4,
        min: 1,
        allowed: 'an integer ≥ 1',
      }),
      expect.objectContaining({ name: 'center', type: 'boolean', default: true, allowed: 'true or false' }),
      expect.objectContaining({ name: 'mode', type: 'string', default: 'a', choices: ['a', 'b'] }),
    ]);
    expect(toy.options[0].allowed).toBe('a number in (0, 10]');
    expect(toy.options[1].description).toBe('dimensions');
  });

  it('fills defaults and passes typed options to compute', () => {
    const r = toy.compute({ features, labels });
    expect(r.value).toBe(37);
    expect(r.details).toEqual({ dims: 4, center: true, mode: 'a' });
    expect(toy.compute({ features, labels }, { scale: 2 }).value).toBe(74);
  });

  it.each([
    [{ scale: 11 }, 'toy.scale=11', 'a number in (0, 10]'],
    [{ scale: 0 }, 'toy.scale=0', '(0, 10]'],
    [{ dims: 0 }, 'toy.dims=0', 'an integer ≥ 1'],
    [{ dims: 1.5 }, 'toy.dims=1.5', 'an integer ≥ 1'],
    [{ center: 'banana' }, 'toy.center="banana"', 'true or false'],
    [{ center: 'false' }, 'toy.center="false"', 'true or false'],
    [{ mode: 'c' }, 'toy.mode="c"', 'one of "a", "b"'],
    [{ scale: Number.NaN }, 'toy.scale=NaN', '(0, 10]'],
  ])(
    'option %j: INVALID_OPTION naming the option, the value and the range, before compute',
    (o, named, range) => {
      const before = computed;
      const e = errorOf(() => toy.compute({ features, labels }, o));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.message).toContain(named);
      expect(e.message).toContain(range);
      expect(computed).toBe(before);
    },
  );

  it('an unknown option is INVALID_OPTION listing the known ones; relabel is pointed at the run option', () => {
    const e = errorOf(() => toy.compute({ features, labels }, { scal: 1 }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('scale, dims, center, mode');
    const r = errorOf(() => toy.compute({ features, labels }, { relabel: true }));
    expect(r.message).toContain('run-level');
  });

  it('validates inputs before compute (nothing reaches an unvalidated compute)', () => {
    const before = computed;
    expect(errorOf(() => toy.compute({ features })).code).toBe('MISSING_INPUT');
    const bad = { ...features, data: Float64Array.from([1, Number.NaN, 3, 4, 5, 6, 7, 8]) };
    expect(errorOf(() => toy.compute({ features: bad, labels })).code).toBe('NON_FINITE');
    expect(errorOf(() => toy.compute({ features, labels: Int32Array.from([0, 2, 0, 2]) })).code).toBe(
      'MISSING_CLASSES',
    );
    expect(computed).toBe(before);
    // relabel is a context setting, and must be a boolean
    expect(
      toy.compute({ features, labels: Int32Array.from([0, 2, 0, 2]) }, {}, { relabel: true }).value,
    ).toBe(37);
    const e = errorOf(() => toy.compute({ features, labels }, {}, { relabel: 'yes' as unknown as boolean }));
    expect(e.code).toBe('INVALID_OPTION');
  });

  it('a non-finite value becomes NON_FINITE_SCORE, never a number', () => {
    const nan = defineMetric({
      id: 'nan',
      description: 'x',
      inputs: { required: [] },
      higherIsBetter: true,
      compute: () => ({ value: Number.NaN }),
    });
    expect(errorOf(() => nan.compute({})).code).toBe('NON_FINITE_SCORE');
    expect(listErrorCodes().map((c) => c.code)).toEqual(
      expect.arrayContaining(['DEGENERATE_INPUT', 'NON_FINITE_SCORE']),
    );
  });

  it('scoreFunction gives xScore(inputs, options) with run settings beside the options', () => {
    const toyScore = scoreFunction(toy);
    expect(toyScore({ features, labels }, { scale: 3 }).value).toBe(111);
    expect(errorOf(() => toyScore({ features, labels }, { dims: 0 })).code).toBe('INVALID_OPTION');
  });
});

describe('v1 metrics through the adapter', () => {
  // Written exactly as a plugin against specification v1 would: options as a list, compute unchecked.
  const v1: MetricV1 = {
    specificationVersion: 'v1',
    id: 'old-style',
    description: 'rows plus an offset',
    inputs: { required: ['features'], optional: ['labels'] },
    higherIsBetter: false,
    options: [
      { name: 'offset', type: 'integer', default: 2, description: 'added' },
      { name: 'flip', type: 'boolean', default: false, description: 'negate' },
      { name: 'how', type: 'string', default: 'x', choices: ['x', 'y'], description: 'which' },
    ],
    compute(inputs: MetricInputs, o: Record<string, unknown>) {
      const v = inputs.features!.rows + (o.offset as number);
      return { value: o.flip ? -v : v, details: { how: o.how } };
    },
  };
  const m = fromV1Metric(v1);

  it('keeps working: defaults filled, options passed, v2 shape', async () => {
    expect(m.specificationVersion).toBe('v2');
    expect(m.higherIsBetter).toBe(false);
    expect((await m.compute({ features })).value).toBe(6);
    expect(await m.compute({ features }, { offset: 1, flip: true, how: 'y' })).toEqual({
      value: -5,
      details: { how: 'y' },
    });
    expect(m.options.map((o) => o.allowed)).toEqual(['a finite integer', 'true or false', 'one of "x", "y"']);
  });

  it('checks options against the list: booleans only true/false, integers, choices', () => {
    for (const [o, text] of [
      [{ flip: 'banana' }, 'old-style.flip="banana"'],
      [{ offset: 1.5 }, 'old-style.offset=1.5'],
      [{ how: 'z' }, 'old-style.how="z"'],
    ] as const) {
      const e = errorOf(() => m.compute({ features }, o));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.message).toContain(text);
    }
  });

  it('validates inputs and rejects a non-finite value of the v1 compute', async () => {
    expect(errorOf(() => m.compute({})).code).toBe('MISSING_INPUT');
    const inf = fromV1Metric({ ...v1, compute: () => ({ value: Number.POSITIVE_INFINITY }) });
    await expect(inf.compute({ features })).rejects.toMatchObject({ code: 'NON_FINITE_SCORE' });
  });
});
