import { runBackendConformance } from '@emms/linalg/conformance';
import { describe, it } from 'vitest';
import { createOpenblasBackend } from './backend';
import { openblasBackend, openblasStatus } from './index';
import { loadNativeBlas } from './library';

// The conformance suite every @emms/linalg backend runs (the portable backend runs it in
// @emms/linalg's own tests): the same kernels, identities and error codes.
const native = openblasBackend();
if (!native) {
  const why = openblasStatus().reason;
  if (process.env.CI) throw new Error(`CI must install libopenblas0-pthread: ${why}`);
  describe.skip(`backend conformance: openblas (not loadable: ${why})`, () => {
    it('skipped', () => {});
  });
} else {
  runBackendConformance(native, { describe, it });
  // Tiny float32 conversion blocks, so block boundaries are crossed by the suite's small inputs.
  const loaded = loadNativeBlas();
  if (loaded.ok) {
    describe('with 50-element float32 blocks', () => {
      runBackendConformance(createOpenblasBackend(loaded.blas, { blockElems: 50 }), { describe, it });
    });
  }
}
