import { readdirSync } from 'node:fs';
import { jsBackend, type LinalgBackend } from '@emms/linalg';
import { openblasBackend } from '@emms/linalg-openblas';
import type { Matrix } from '@emms/tensor-io';
import { readLabelsFile, readMatrixFile } from '@emms/tensor-io/node';
import { fixtureNames, fixturePath } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, type MetricInputs, scoreMetrics } from './index';

// Every registered score on every reference fixture gives the same value on the native and the
// portable backend, to 1e-9 relative. Values that are round-off of an exact zero (EMMS when
// N ≤ D: "wide") are compared with an absolute tolerance instead.

const native = openblasBackend() as LinalgBackend | null;
const RTOL = 1e-9;
const ATOL = 1e-12;

async function load(fixture: string): Promise<{ base: MetricInputs; flabels: Matrix[] }> {
  const zs = readdirSync(fixturePath(fixture, '.'))
    .filter((f) => f.startsWith('Z_') && f.endsWith('.npy'))
    .sort();
  const flabels = await Promise.all(zs.map((f) => readMatrixFile(fixturePath(fixture, f))));
  const base: MetricInputs = {
    features: await readMatrixFile(fixturePath(fixture, 'X.npy')),
    labels: (await readLabelsFile(fixturePath(fixture, 'y.npy'))).labels,
    probs: await readMatrixFile(fixturePath(fixture, 'P.npy')),
  };
  return { base, flabels };
}

/** The runs to compare: every metric with all inputs, EMMS on one-hot labels, LogME on each F-label. */
function cases(base: MetricInputs, flabels: Matrix[]): { name: string; id: string; inputs: MetricInputs }[] {
  const out: { name: string; id: string; inputs: MetricInputs }[] = defaultRegistry
    .list()
    .map((m) => ({ name: m.id, id: m.id, inputs: { ...base, flabels } }));
  out.push({ name: 'emms one-hot', id: 'emms', inputs: { features: base.features, labels: base.labels } });
  flabels.forEach((targets, k) => {
    out.push({ name: `logme on F-label ${k}`, id: 'logme', inputs: { features: base.features, targets } });
  });
  return out;
}

describe.skipIf(!native).each(fixtureNames)('fixture %s: openblas and js give the same scores', (fixture) => {
  it('for every score', async () => {
    const { base, flabels } = await load(fixture);
    const checked: string[] = [];
    for (const c of cases(base, flabels)) {
      const a = await scoreMetrics(c.inputs, [c.id], { backend: jsBackend });
      const b = await scoreMetrics(c.inputs, [c.id], { backend: native! });
      expect(a.errors[c.id], `${c.name} (js)`).toBeUndefined();
      expect(b.errors[c.id], `${c.name} (openblas)`).toBeUndefined();
      const x = a.scores[c.id]!;
      const y = b.scores[c.id]!;
      const gap = Math.abs(x - y);
      expect(gap, `${c.name}: js ${x} vs openblas ${y}`).toBeLessThanOrEqual(
        RTOL * Math.max(Math.abs(x), Math.abs(y)) + ATOL,
      );
      checked.push(c.name);
    }
    expect(checked.length).toBeGreaterThanOrEqual(defaultRegistry.list().length + 1 + flabels.length);
  });
});
