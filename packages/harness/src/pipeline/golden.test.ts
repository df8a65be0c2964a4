// The redesign changed where the steps run, not what they compute: the report of a small real bench equals,
// timings aside, the one the code before the pipeline produced (test-data/golden-report.json, made by main at
// 83efa78 with `EMMS_LINALG=js emms bench --spec golden-spec.json`), on every executor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsBackend } from '@emms/linalg';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../bench/run';
import { withoutTimings } from '../report/timings';
import { parseBenchSpec } from '../spec';
import { goldenBench, withoutAdditions } from './golden';

const { spec: input, report: golden } = goldenBench();
const spec = parseBenchSpec(input);
const root = mkdtempSync(join(tmpdir(), 'emms-golden-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the pipeline gives the report of the code before it (timings aside)', () => {
  it.each(['inprocess', 'threads'] as const)(
    'executor %s, cold cache',
    async (executorName) => {
      const cache = join(root, executorName);
      const { report } = await runBench(
        { ...spec, cache },
        { noWrite: true, executorName, backend: jsBackend, scorer: { backend: 'js' } },
      );
      expect(withoutAdditions(report)).toEqual(withoutTimings(golden));
      // the rerun reads every result from the store and still gives the same report
      const again = await runBench({ ...spec, cache }, { noWrite: true, executorName, backend: jsBackend });
      expect(again.report.run.cacheMisses).toBe(0);
      expect(withoutAdditions(again.report)).toEqual(withoutTimings(golden));
      // the additions are there: a precision per measured ground truth, a kind per model
      expect(Object.values(report.tasks[0]!.groundTruth).every((g) => g.precision)).toBe(true);
      expect(report.tasks[0]!.models.find((m) => m.id === 'pixels')?.kind).toBe('reference');
    },
    240_000,
  );
});
