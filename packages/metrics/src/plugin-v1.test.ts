// The plugin-loading boundary is the one place specification-v1 plugins are still accepted.
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { createRegistry, loadPlugin } from './registry';
import { scoreMetrics } from './run';

const features = { rows: 4, cols: 2, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 9]) };

/** Written exactly as the first docs page taught: options as a list, compute unchecked. */
const oldStyle = {
  specificationVersion: 'v1',
  id: 'old-style',
  description: 'rows plus an offset',
  inputs: { required: ['features'], optional: ['labels'] },
  higherIsBetter: false,
  options: [
    { name: 'offset', type: 'integer', default: 2, description: 'added' },
    { name: 'flip', type: 'boolean', default: false, description: 'negate' },
    { name: 'how', type: 'string', default: 'x', choices: ['x', 'y'], description: 'which' },
    { name: 'scale', type: 'number', description: 'no default' },
  ],
  compute(inputs: { features?: { rows: number } }, o: Record<string, unknown>) {
    const v = inputs.features!.rows + (o.offset as number) * ((o.scale as number | undefined) ?? 1);
    return { value: o.flip ? -v : v, details: { how: o.how } };
  },
};

describe('specification-v1 plugins at the loading boundary', () => {
  const [m] = loadPlugin({ default: { specificationVersion: 'v1', name: 'old', metrics: [oldStyle] } }, 'old')
    .metrics as [ReturnType<typeof loadPlugin>['metrics'][number]];

  it('are adapted to defined metrics: defaults filled, options passed, facts empty', async () => {
    expect(m.specificationVersion).toBe('v2');
    expect(m.higherIsBetter).toBe(false);
    expect((await m.compute({ features })).value).toBe(6);
    expect(await m.compute({ features }, { offset: 1, flip: true, how: 'y', scale: 2 })).toEqual({
      value: -6,
      details: { how: 'y' },
    });
    expect(m.options.map((o) => o.allowed)).toEqual([
      'a finite integer',
      'true or false',
      'one of "x", "y"',
      'a finite number',
    ]);
    expect(m.presets).toEqual({});
    expect(m.saturation({ samples: 2, features: 9, classes: 2 })).toBeUndefined();
  });

  it('have their options checked against the list: booleans only true/false, integers, choices', async () => {
    for (const [o, text] of [
      [{ flip: 'banana' }, 'old-style.flip="banana"'],
      [{ offset: 1.5 }, 'old-style.offset=1.5'],
      [{ how: 'z' }, 'old-style.how="z"'],
    ] as const) {
      const r = await scoreMetrics({ features }, ['old-style'], {
        registry: createRegistry([m]),
        options: { 'old-style': o },
      });
      expect(r.errors['old-style']?.code).toBe('INVALID_OPTION');
      expect(r.errors['old-style']?.message).toContain(text);
    }
  });

  it('have their inputs validated and a non-finite value refused', async () => {
    expect(() => m.compute({})).toThrow(expect.objectContaining({ code: 'MISSING_INPUT' }));
    const [inf] = loadPlugin(
      { metrics: [{ ...oldStyle, id: 'inf', compute: () => ({ value: Number.POSITIVE_INFINITY }) }] },
      'inf',
    ).metrics;
    await expect(inf!.compute({ features })).rejects.toMatchObject({ code: 'NON_FINITE_SCORE' });
  });

  it('a v1 option of an unknown type is PLUGIN_LOAD naming the plugin', () => {
    const bad = { ...oldStyle, options: [{ name: 'q', type: 'list', description: '' }] };
    try {
      loadPlugin({ metrics: [bad] }, 'bad-plugin');
      throw new Error('expected PLUGIN_LOAD');
    } catch (e) {
      expect(isEmmsError(e, 'PLUGIN_LOAD') && e.input === 'bad-plugin').toBe(true);
    }
  });
});
