import { isEmmsError, listErrorCodes } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMetric, scoreFunction } from './define';

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

describe('facts declared on the metric', () => {
  const wide = defineMetric({
    id: 'wide-toy',
    description: 'a toy with facts',
    inputs: { required: ['features'] },
    higherIsBetter: true,
    options: z.object({ mode: z.enum(['plain', 'careful']).default('plain').describe('how') }),
    saturation: ({ samples, features: d }, { mode }) =>
      mode === 'plain' && d >= samples ? `D = ${d} ≥ N = ${samples}` : undefined,
    presets: { rank: { mode: 'careful' } },
    docs: { formula: 'the sum', cost: 'O(ND)', notes: [{ title: 'Quirk', body: 'none' }] },
    compute: () => ({ value: 1 }),
  });

  it('saturation sees the run shape and the checked options', () => {
    expect(wide.saturation({ samples: 10, features: 20, classes: 2 })).toBe('D = 20 ≥ N = 10');
    expect(wide.saturation({ samples: 10, features: 20, classes: 2 }, { mode: 'careful' })).toBeUndefined();
    expect(wide.saturation({ samples: 30, features: 20, classes: 2 })).toBeUndefined();
    expect(toy.saturation({ samples: 1, features: 100, classes: 2 })).toBeUndefined();
  });

  it('presets and docs are frozen facts; a metric without them has empty ones', () => {
    expect(wide.presets).toEqual({ rank: { mode: 'careful' } });
    expect(Object.isFrozen(wide.presets) && Object.isFrozen(wide.docs)).toBe(true);
    expect(wide.docs.notes?.[0]?.title).toBe('Quirk');
    expect(toy.presets).toEqual({});
    expect(toy.docs).toEqual({});
  });

  it('refuses preset options the schema rejects, and unknown presets, when the metric is defined', () => {
    const base = {
      id: 'bad-preset',
      description: 'x',
      inputs: { required: [] as never[] },
      higherIsBetter: true,
      options: z.object({ k: z.number().int().min(1).default(1) }),
      compute: () => ({ value: 0 }),
    };
    expect(() => defineMetric({ ...base, presets: { rank: { k: 0 } } })).toThrow(
      /presets\.rank: .*bad-preset\.k=0/,
    );
    expect(() => defineMetric({ ...base, presets: { best: { k: 2 } } as never })).toThrow(
      /presets\.best is not a preset/,
    );
  });
});

describe('inputs of the wrong type are typed errors naming the input', () => {
  it('null or non-matrix inputs', () => {
    for (const [inputs, input] of [
      [null, 'inputs'],
      [{ features: null, labels }, 'features'],
      [{ features, labels: null }, 'labels'],
      [{ features, labels: [0, 1, 0, 1] }, 'labels'],
      [{ features: { rows: 2, cols: 2, data: [1, 2, 3, 4] }, labels }, 'features'],
      [{ features, labels, flabels: [features, null] }, 'flabels[1]'],
      [{ features, labels, flabels: features }, 'flabels'],
    ] as const) {
      const e = errorOf(() => toy.compute(inputs as never));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.input).toBe(input);
      expect(e.message).toMatch(new RegExp(`^${input.replace(/[[\]]/g, '\\$&')} is `));
    }
  });

  it('values whose squares overflow are VALUE_OVERFLOW naming the input; NaN stays NON_FINITE', () => {
    const big = { rows: 4, cols: 2, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 1e300]) };
    const e = errorOf(() => toy.compute({ features: big, labels }));
    expect(e).toMatchObject({ code: 'VALUE_OVERFLOW', input: 'features' });
    expect(e.message).toMatch(/1\.000e\+300.*rescale features/);
    const nan = { rows: 4, cols: 2, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, Number.NaN]) };
    expect(errorOf(() => toy.compute({ features: nan, labels }))).toMatchObject({
      code: 'NON_FINITE',
      input: 'features',
    });
    // large but safe values pass
    const ok = { rows: 4, cols: 2, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 1e150]) };
    expect(() => toy.compute({ features: ok, labels })).not.toThrow();
  });
});
