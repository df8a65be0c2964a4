import { fixtureNames } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { scoreMetrics } from '../run';
import { expectedOf, fixtureLabels, fixtureMatrix } from '../testing/fixtures';

// The baselines owned here; emms/logme keys are tested beside their own code.
const ids = ['leep', 'nce', 'nleep', 'sfda', 'transrate', 'hscore', 'gbc', 'parc'];

describe.each(fixtureNames)('reference fixture %s', (fixture) => {
  const expected = expectedOf(fixture);
  const inputs = {
    features: fixtureMatrix(fixture, 'X.npy'),
    labels: fixtureLabels(fixture),
    probs: fixtureMatrix(fixture, 'P.npy'),
  };
  const report = scoreMetrics(inputs, ids);

  it.each(ids)('%s reproduces the published value within its tolerance', async (id) => {
    const r = await report;
    expect(r.errors[id]).toBeUndefined();
    const e = expected[id];
    const ours = r.scores[id];
    // pass when |ours − value| ≤ rtol·|value| + atol
    expect(Math.abs(ours - e.value)).toBeLessThanOrEqual(e.rtol * Math.abs(e.value) + e.atol);
  });
});
