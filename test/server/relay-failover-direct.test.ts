/**
 * Relay failover with direct links (issue 13 point 3): a direct link between two server-nodes
 * does not go through the relay, but the node that fails over comes back as a new incarnation,
 * so its connections from before go down too (as when an Erlang node restarts its distribution):
 * the peer sees nodedown, its link gets `noconnection`, and the next connection meets the new
 * creation. Two real relays on 127.0.0.1, nodes in this process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/index.js';
import { startNode, startRelay, type Relay } from '../../src/server/index.js';
import { eventually } from '../support/cluster.js';
import { watch } from '../support/membership.js';

const COOKIE = 'failover-direct';
const relays: Relay[] = [];
const nodes: Node[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function node(name: string, relay: string | string[]): Promise<Node> {
  const n = await startNode({ name: `${name}@127.0.0.1`, cookie: COOKIE, relay, startRelay: false, output: false, logger: false });
  nodes.push(n);
  return n;
}

describe('relay failover with direct links', () => {
  it('the direct link of before goes down (noconnection at a linked process); the next one meets the new creation', async () => {
    const r1 = await startRelay({ port: 0, cookie: COOKIE, logger: false });
    const r2 = await startRelay({ port: 0, cookie: COOKIE, logger: false });
    relays.push(r1, r2);
    const z = await node('z', r1.url);
    const x = await node('x', [r1.url, r2.url]);
    expect(await x.ping(z.name)).toBe('pong');
    await eventually(() => x.nodes().includes(z.name) && z.nodes().includes(x.name));
    const events = watch(z);
    const before = x.creation;
    const exits: unknown[] = [];
    const target = x.whereis('global_name_server')!;
    z.spawn(async (self) => {
      self.trapExit(true);
      self.link(target);
      exits.push('linked');
      for (;;) exits.push(await self.receive());
    });
    await eventually(() => exits.includes('linked'));
    await r1.close();
    await eventually(() => x.creation > before, 10_000);
    await eventually(() => events.some((e) => e[0] === 'nodedown' && e[1] === x.name));
    await eventually(() => exits.some((m) => Array.isArray(m) && m[0] === 'EXIT' && m[2] === 'noconnection'));
    // z still knows x's direct address: the next connection is a new one, with the new creation.
    expect(await z.ping(x.name)).toBe('pong');
    const pid = await z.rpc.call(x.name, 'erlang', 'self', []);
    expect((pid as { creation: number }).creation).toBe(x.creation);
  });
});
