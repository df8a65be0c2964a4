// Issue 3 "Proof": for every fixture and every key of its expected.json, the command line that
// /work/shared/reference/README.md lists for that key, run through runCli, reproduces the published
// value within the stated tolerance: |ours - value| <= rtol*|value| + atol.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceDir } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { run } from './test-helpers';

interface Expected {
  readonly value: number;
  readonly rtol: number;
  readonly atol: number;
}

const fixturesDir = join(referenceDir(), 'fixtures');
const fixtures = readdirSync(fixturesDir).filter((f) => {
  try {
    readFileSync(join(fixturesDir, f, 'expected.json'));
    return true;
  } catch {
    return false;
  }
});

const allMetrics = ['emms', 'logme', 'leep', 'nce', 'sfda', 'transrate', 'hscore', 'gbc', 'nleep', 'parc'];

/** `emms score --features F/X.npy <inputs> --metrics <metrics> --format json`. */
function scoreJson(F: string, inputs: string[], metrics: string): string[] {
  return ['score', '--features', `${F}/X.npy`, ...inputs, '--metrics', metrics, '--format', 'json'];
}

/** The README's command line for a key, and which score of its output the key is. */
function commandFor(key: string, F: string): { argv: string[]; metric: string } {
  if (allMetrics.includes(key)) {
    const inputs = [
      '--labels',
      `${F}/y.npy`,
      '--flabels',
      `${F}/Z_bert.npy,${F}/Z_clip.npy,${F}/Z_gpt2.npy`,
      '--probs',
      `${F}/P.npy`,
    ];
    return { argv: scoreJson(F, inputs, allMetrics.join(',')), metric: key };
  }
  if (key === 'emms_onehot') {
    return { argv: scoreJson(F, ['--labels', `${F}/y.npy`], 'emms'), metric: 'emms' };
  }
  const flabel = /^logme_flabel_(.+)$/.exec(key);
  if (flabel) {
    return { argv: scoreJson(F, ['--targets', `${F}/Z_${flabel[1]}.npy`], 'logme'), metric: 'logme' };
  }
  throw new Error(`expected.json key "${key}" has no command line in the reference README; add it here`);
}

// One run per distinct command line and backend (the ten-metric line serves ten keys).
const runs = new Map<string, ReturnType<typeof run>>();
function runOnce(argv: string[], backend: string) {
  const key = [backend, ...argv].join('\u0000');
  let r = runs.get(key);
  if (!r) {
    r = run(argv, { env: { EMMS_LINALG: backend } });
    runs.set(key, r);
  }
  return r;
}

// The portable backend always; OpenBLAS too where the library loads (tooling/setup.sh installs it).
const backends = ['js'];
try {
  const { openblasBackend } = await import('@emms/linalg-openblas');
  if (openblasBackend()) backends.push('openblas');
} catch {
  // not installed: the js backend alone is checked
}

describe.each(fixtures.flatMap((f) => backends.map((b) => [f, b] as const)))(
  'fixture %s (backend %s) reproduces expected.json through emms score',
  (fixture, backend) => {
    const F = join(fixturesDir, fixture);
    const expected = JSON.parse(readFileSync(join(F, 'expected.json'), 'utf8')).metrics as Record<
      string,
      Expected
    >;
    it.each(Object.keys(expected))('%s', async (key) => {
      const { argv, metric } = commandFor(key, F);
      const r = await runOnce(argv, backend);
      expect(JSON.parse(r.stdout).backend).toBe(backend);
      const out = JSON.parse(r.stdout);
      expect(
        out.errors?.[metric],
        `${metric} failed: ${JSON.stringify(out.errors?.[metric])}`,
      ).toBeUndefined();
      const ours = out.scores[metric] as number;
      const { value, rtol, atol } = expected[key];
      const allowed = rtol * Math.abs(value) + atol;
      expect(
        Math.abs(ours - value),
        `ours ${ours} vs reference ${value} (allowed ${allowed})`,
      ).toBeLessThanOrEqual(allowed);
    });
  },
);
