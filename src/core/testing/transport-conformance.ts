/**
 * Transport conformance suite: the invariants of `Transport` (src/core/net/transport.ts) as
 * executable cases, run against every implementation — the in-memory network under vitest,
 * the `ws` transport under Node, and the browser WebSocket transport inside a real page.
 *
 * Framework-neutral on purpose: no test runner, no Node API, only universal globals
 * (setTimeout, TextEncoder). A case is an async function that throws on failure. Waits use
 * real time and are always bounded, so a broken transport fails with a message instead of
 * hanging the runner.
 *
 * The cases live in conformance/, one file per invariant: names.ts (names and creations),
 * delivery.ts (frames) and closing.ts (onClose and close); conformance/kit.ts holds the
 * harness type, assertions and bounded waits.
 *
 * @example
 * // vitest
 * for (const c of transportConformanceCases) it(c.name, () => c.run(harness), 20_000);
 * // browser page
 * const { passed, failed } = await runTransportConformance(harness);
 */
import { show, type TransportConformanceCase, type TransportHarness } from './conformance/kit.js';
import { connectUnknown, listenAgain, listenCreation, listenTaken } from './conformance/names.js';
import { beforeAttach, bigFrame, connectHandsChannel, frameTypes, stringOrder, threePeers } from './conformance/delivery.js';
import { closeFromAcceptor, closeFromDialer, closeIdempotent, closeTransport, sendAfterClose } from './conformance/closing.js';

export { assert, assertEqual } from './conformance/kit.js';
export type { TransportConformanceCase, TransportHarness } from './conformance/kit.js';

/** In the order the suite has always run them. */
const cases: TransportConformanceCase[] = [
  listenCreation,
  connectHandsChannel,
  stringOrder,
  frameTypes,
  beforeAttach,
  closeFromDialer,
  closeFromAcceptor,
  closeIdempotent,
  sendAfterClose,
  connectUnknown,
  listenTaken,
  listenAgain,
  bigFrame,
  threePeers,
  closeTransport,
];

/**
 * Every case, in a stable order. Each is self-contained and closes what it opens.
 *
 * @example
 * describe('my transport', () => {
 *   for (const c of transportConformanceCases) it(c.name, () => c.run(harness), 20_000);
 * });
 */
export const transportConformanceCases: ReadonlyArray<TransportConformanceCase> = cases;

/**
 * Run the cases (optionally filtered by name) one after another, calling `h.cleanup` after
 * each; never throws. For runners without a test framework, e.g. a browser page.
 *
 * @example
 * const { passed, failed } = await runTransportConformance(harness, (name) => !name.includes('big'));
 * for (const f of failed) console.error(f.name, f.error);
 */
export async function runTransportConformance(
  h: TransportHarness,
  filter?: (name: string) => boolean,
): Promise<{ passed: string[]; failed: { name: string; error: string }[] }> {
  const passed: string[] = [];
  const failed: { name: string; error: string }[] = [];
  for (const c of transportConformanceCases) {
    if (filter !== undefined && !filter(c.name)) continue;
    let error: string | undefined;
    try {
      await c.run(h);
    } catch (e) {
      error = describe(e);
    }
    try {
      await h.cleanup?.();
    } catch (e) {
      error ??= `cleanup failed: ${describe(e)}`;
    }
    if (error === undefined) passed.push(c.name);
    else failed.push({ name: c.name, error });
  }
  return { passed, failed };
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return code === undefined ? e.message : `${e.message} (code ${show(code)})`;
  }
  return String(e);
}
