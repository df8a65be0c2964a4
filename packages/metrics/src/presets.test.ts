import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { scoreMetrics } from './run';
import { expectedOf, fixtureLabels, fixtureMatrix, within } from './testing/fixtures';

const wide = () => ({
  features: fixtureMatrix('wide', 'X.npy'),
  labels: fixtureLabels('wide'),
  flabels: [fixtureMatrix('wide', 'Z_bert.npy'), fixtureMatrix('wide', 'Z_clip.npy')],
});

describe('presets and the reduce stage', () => {
  it('published (the default) reproduces the reference values and flags the saturated scores', async () => {
    const inputs = {
      ...wide(),
      flabels: ['Z_bert', 'Z_clip', 'Z_gpt2'].map((z) => fixtureMatrix('wide', `${z}.npy`)),
    };
    const r = await scoreMetrics(inputs, ['emms', 'logme', 'hscore', 'sfda']);
    const expected = expectedOf('wide');
    for (const id of ['emms', 'logme', 'hscore', 'sfda'])
      expect(within(r.scores[id], expected[id])).toBe(true);
    expect(r.preset).toBe('published');
    expect(r.reduce?.applied).toBe('none');
    for (const id of ['emms', 'logme', 'hscore', 'sfda']) {
      expect((r.details[id] as { warning?: string }).warning).toMatch(/D = 200/);
    }
  });
  it('rank reduces wide features, records it, and leaves EMMS informative', async () => {
    const r = await scoreMetrics(wide(), ['emms', 'logme', 'hscore'], { preset: 'rank' });
    expect(r.preset).toBe('rank');
    // N = 120, C = 4: K = min(200, 64, max(4, 7)) = 7.
    expect(r.reduce).toMatchObject({ applied: 'pca', from: 200, to: 7 });
    expect(r.scores.emms).toBeLessThan(-1);
    expect((r.details.logme as { variant: string }).variant).toBe('corrected');
    expect((r.details.emms as { reduce: { to: number } }).reduce.to).toBe(7);
    expect((r.details.emms as { warning?: string }).warning).toBeUndefined();
  });
  it('an explicit reduce and per-metric option win over the preset', async () => {
    const r = await scoreMetrics(wide(), ['logme'], {
      preset: 'rank',
      reduce: 'none',
      options: { logme: { variant: 'icml' } },
    });
    expect(r.reduce?.applied).toBe('none');
    expect((r.details.logme as { variant: string }).variant).toBe('icml');
  });
  it('bad reduce values and presets are typed errors naming the option', async () => {
    for (const [opts, input] of [
      [{ reduce: 'pca:0' }, 'reduce'],
      [{ reduce: 'pca:121' }, 'reduce'],
      [{ preset: 'best' }, 'preset'],
    ] as const) {
      const err = await scoreMetrics(wide(), ['emms'], opts as never).catch((e) => e);
      expect(isEmmsError(err, 'INVALID_OPTION')).toBe(true);
      expect(err.input).toBe(input);
    }
  });
  it('auto on fewer than 3 samples per class explains why instead of scoring', async () => {
    const x = fixtureMatrix('wide', 'X.npy');
    const few = { rows: 10, cols: x.cols, data: x.data.slice(0, 10 * x.cols) };
    const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    const err = await scoreMetrics({ features: few, labels }, ['emms'], { reduce: 'auto' }).catch((e) => e);
    expect(isEmmsError(err, 'DEGENERATE_INPUT')).toBe(true);
    expect(err.message).toMatch(/fewer than 3 per class/);
  });
});
