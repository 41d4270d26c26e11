/**
 * An explicit `transport` wins over the server-node defaults: `startNode` from
 * 'erlmesh/server' (and so `erlmesh` in Node) given a MemoryNetwork's transport joins that
 * network and never dials or starts a relay. The relay URL here points at a TCP listener
 * that counts connections: it must see none.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startNode } from '../../src/server/index.js';
import { startNode as rootStartNode } from '../../src/server/root.js';
import { MemoryNetwork, SimulatedClock } from '../../src/core/testing/index.js';
import type { Node } from '../../src/core/index.js';

let spy: Server | undefined;
const nodes: Node[] = [];

afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
  await new Promise<void>((resolve) => (spy ? spy.close(() => resolve()) : resolve()));
  spy = undefined;
});

/** A loopback TCP port that records every connection made to it and drops it at once. */
async function relaySpy(): Promise<{ url: string; connections: () => number }> {
  let count = 0;
  spy = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => spy!.listen(0, '127.0.0.1', resolve));
  const addr = spy.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { url: `ws://127.0.0.1:${addr.port}`, connections: () => count };
}

describe('server startNode with an explicit transport', () => {
  it.each([
    ['erlmesh/server', startNode],
    ['erlmesh (the node condition)', rootStartNode],
  ])('%s joins the memory network and never touches a relay', async (_entry, start) => {
    const relay = await relaySpy();
    const net = new MemoryNetwork();
    const gandalf = await start({ sname: 'gandalf@localhost', cookie: 'abc', relay: relay.url, transport: net.transport(), logger: false });
    nodes.push(gandalf);
    const bilbo = await start({ sname: 'bilbo@localhost', cookie: 'abc', relay: relay.url, transport: net.transport(), logger: false });
    nodes.push(bilbo);

    expect(gandalf.name).toBe('gandalf@localhost');
    expect(await bilbo.rpc.call(gandalf.name, 'kvs', 'start', [])).toBe(true);
    expect(await bilbo.rpc.call(gandalf.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
    expect(await bilbo.rpc.call(gandalf.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
    expect(bilbo.nodes()).toEqual(['gandalf@localhost']);
    expect((gandalf as Node & { relay?: unknown }).relay).toBeUndefined();
    expect(relay.connections()).toBe(0);
  });

  it('still loads the server modules (file) on the node', async () => {
    const net = new MemoryNetwork({ clock: new SimulatedClock() });
    const a = await startNode({ sname: 'a@localhost', cookie: 'abc', transport: net.transport(), logger: false });
    nodes.push(a);
    const listed = await a.rpc.call(a.name, 'file', 'list_dir', ['.']);
    expect(Array.isArray(listed) && listed[0]).toBe('ok');
  });
});
