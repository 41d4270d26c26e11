/**
 * The transport conformance suite (src/core/testing/transport-conformance.ts) as vitest
 * cases: one `it` per case, with the harness's cleanup after each, pass or fail.
 */
import { it } from 'vitest';
import { transportConformanceCases, type TransportHarness } from '../../src/core/testing/transport-conformance.js';

/** Register every conformance case against `h` (inside a `describe`); `timeoutMs` per case, vitest's default when undefined. */
export function itConformsToTransport(h: TransportHarness, timeoutMs?: number): void {
  for (const c of transportConformanceCases) {
    it(c.name, async () => {
      try {
        await c.run(h);
      } finally {
        await h.cleanup?.();
      }
    }, timeoutMs);
  }
}
