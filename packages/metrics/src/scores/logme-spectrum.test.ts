import { fixtureNames } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { expectedOf, fixtureLabels, fixtureMatrix, within } from '../testing/fixtures';
import { logmeScore } from './logme';
import { logmeEvidenceForTargets, logmeSpectrum } from './logme-spectrum';

describe('logmeSpectrum + logmeEvidenceForTargets', () => {
  for (const f of fixtureNames) {
    it(`${f}: one decomposition scores the labels and every F-label as the published reference does`, () => {
      const expected = expectedOf(f);
      const x = fixtureMatrix(f, 'X.npy');
      const names = ['bert', 'clip', 'gpt2'];
      const spectrum = logmeSpectrum(x);
      const results = logmeEvidenceForTargets(spectrum, [
        { labels: fixtureLabels(f) },
        ...names.map((z) => ({ targets: fixtureMatrix(f, `Z_${z}.npy`) })),
      ]);
      expect(results.map((r) => r.mode)).toEqual([
        'classification',
        'regression',
        'regression',
        'regression',
      ]);
      const keys = ['logme', ...names.map((z) => `logme_flabel_${z}`)];
      keys.forEach((key, i) => {
        expect(within(results[i].value, expected[key]), `${f} ${key}: ${results[i].value}`).toBe(true);
      });
      // and the same numbers as one logmeScore call per target (which decomposes each time)
      const single = logmeScore({ features: x, targets: fixtureMatrix(f, 'Z_clip.npy') });
      expect(results[2].value).toBeCloseTo(single.value, 9);
      expect(results[2].iterations).toEqual(single.details.iterations);
    });
  }

  it('refuses a target whose rows differ from the features', () => {
    const x = fixtureMatrix('small', 'X.npy');
    const s = logmeSpectrum(x);
    expect(() => logmeEvidenceForTargets(s, [{ labels: new Int32Array(3) }])).toThrow(/labels has 3 entries/);
  });
});
