// Runs every `@example` block of this package's public API against its built dist (as
// packages/metrics/src/examples.test.ts does for metric-spec and metrics).
import { join } from 'node:path';
import { collectExamples, loadBuiltApi, repoRoot, runExample } from '@emms/testing';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';

const roots = [join(repoRoot, 'packages/metric-pactran')];
const examples = collectExamples(roots, ['node', 'testing']);

describe('TSDoc @example blocks', () => {
  it('were found in the public API', () => {
    expect(examples.length).toBeGreaterThan(8);
    for (const name of ['pactranGauss', 'pactranDirichletMetric', 'pactranGaussMetric']) {
      expect(
        examples.some((e) => e.code.includes(name)),
        name,
      ).toBe(true);
    }
  });

  it.each(examples.map((e) => [e.where, e] as const))('%s runs', async (_where, example) => {
    await runExample(
      example,
      await loadBuiltApi(roots, 'pnpm --filter @emms/metric-pactran... build'),
      transform,
    );
  });
});
