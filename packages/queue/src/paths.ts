// Where a queued run's report lives in the shared store.
import { join } from 'node:path';
import type { ArtifactStore } from '@emms/harness';

/** Path of a run's report in the store (`<store>/runs/<runId>/report.json`). */
export function runReportPath(store: ArtifactStore, runId: string): string {
  return join(store.runDir(runId), 'report.json');
}
