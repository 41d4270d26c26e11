/**
 * Test helpers for server-nodes joined by direct links (test/server/partition-direct and
 * migrate-direct): direct links whose dials can be made to fail, and a registered process
 * that keeps what it receives.
 */
import type { Node, Pid } from '../../src/core/index.js';
import type { Channel } from '../../src/core/net/transport.js';
import type { DirectLinks } from '../../src/core/relay-client/direct-paths.js';
import { startDirectLinks } from '../../src/server/transports/direct-links.js';

/**
 * Direct links whose dials fail while `fail(true)` is set (the peer looks frozen); `dials`
 * records each dial as 'failed', 'direct' or 'migrate' (a move of a relayed connection).
 */
export async function flakyLinks(): Promise<{ links: DirectLinks; fail(on: boolean): void; dials: string[] }> {
  const real = await startDirectLinks({ host: '127.0.0.1' });
  let failing = false;
  const dials: string[] = [];
  const links: DirectLinks = {
    address: real.address,
    start: (name, onInbound) => real.start(name, onInbound),
    dial(address: string, peer: string, migrate?: string): Promise<Channel> {
      dials.push(failing ? 'failed' : migrate === undefined ? 'direct' : 'migrate');
      return failing ? Promise.reject(new Error('simulated dial timeout')) : real.dial(address, peer, migrate);
    },
    close: () => real.close(),
  };
  return { links, fail: (on) => (failing = on), dials };
}

/** A process registered as `name` on `node` that keeps what it receives. */
export function sink(node: Node, name: string): unknown[] {
  const got: unknown[] = [];
  const pid = node.spawn(async (self) => {
    for (;;) got.push(await self.receive());
  }) as Pid;
  node.register(name, pid);
  return got;
}
