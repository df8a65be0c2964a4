// Runs every `@example` block of the public API of @emms/metric-spec and @emms/metrics against the
// built packages (dist), so an example that no longer compiles, throws or asserts wrongly fails here.
// src/node (the front door, covered by its README test) and src/testing are left out.
import { join } from 'node:path';
import { collectExamples, loadBuiltApi, repoRoot, runExample } from '@emms/testing';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';

const roots = [join(repoRoot, 'packages/metric-spec'), join(repoRoot, 'packages/metrics')];
const examples = collectExamples(roots, ['node', 'testing']);

describe('TSDoc @example blocks', () => {
  it('were found in the public API', () => {
    expect(examples.length).toBeGreaterThan(25);
    for (const name of [
      'emmsScore',
      'logmeScore',
      'defineMetric',
      'scoreMetrics',
      'resolveRunSettings',
      'reduceInputs',
    ]) {
      expect(
        examples.some((e) => e.code.includes(name)),
        name,
      ).toBe(true);
    }
  });

  it.each(examples.map((e) => [e.where, e] as const))('%s runs', async (_where, example) => {
    await runExample(example, await loadBuiltApi(roots, 'pnpm --filter @emms/metrics... build'), transform);
  });
});
