/**
 * Local links (src/core/relay-client/local-links.ts) between two nodes of one process, over
 * Node's own BroadcastChannel and a real relay on 127.0.0.1: the connection opens through the
 * relay, then moves onto the local link (the relay routes nothing more for the pair), sequenced
 * messages arrive in order, and a node that goes is seen going (nodedown, `noconnection`),
 * whether it says so (stop) or only the relay does (`left`). The browser runs the same code
 * over the page's BroadcastChannel (e2e/broadcast.spec.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startNode, type Node } from '../../src/core/index.js';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import { LocalLinks, type BroadcastChannelCtor } from '../../src/core/relay-client/local-links.js';
import { NodeWebSocket } from '../../src/server/transports/ws-channel.js';
import { eventually } from '../support/cluster.js';
import { RelayNodes } from '../support/relay-nodes.js';
import { sink } from '../support/direct-links.js';
import { watch } from '../support/membership.js';

const COOKIE = 'local-cookie';
/** Node's own BroadcastChannel (its onmessage is typed with the DOM's MessageEvent). */
const Bus = globalThis.BroadcastChannel as unknown as BroadcastChannelCtor;
const mesh = new RelayNodes(COOKIE);
afterEach(() => mesh.stop());

async function tabLike(sname: string, scope?: string): Promise<{ node: Node; transport: RelayTransport; links: LocalLinks }> {
  const url = mesh.relay!.url;
  const links = new LocalLinks({ scope: scope ?? url, BroadcastChannel: Bus });
  const transport = new RelayTransport({ url, cookie: COOKIE, WebSocket: NodeWebSocket, local: links });
  const node = mesh.track(await startNode({ name: `${sname}@127.0.0.1`, cookie: COOKIE, transport }));
  return { node, transport, links };
}

describe('local links', () => {
  it('move a relayed connection off the relay: order kept, the relay routes nothing more', async () => {
    await mesh.startRelay();
    const a = await tabLike('a');
    const b = await tabLike('b');
    expect(await a.node.ping(b.node.name)).toBe('pong');
    expect(a.transport.localPeers()).toEqual([b.node.name]);
    expect(b.transport.localPeers()).toEqual([a.node.name]);
    const got = sink(b.node, 'sink');
    const routed = mesh.relay!.stats().framesRouted;
    const sentBefore = a.links.framesSent;
    const toB = () => a.node.routes.linkStats().find((l) => l.peer === b.node.name)!;
    const fromA = () => b.node.routes.linkStats().find((l) => l.peer === a.node.name)!;
    const [outBefore, inBefore] = [toB().framesOut!, fromA().framesIn!];
    for (let i = 0; i < 2_000; i++) a.node.send(['sink', b.node.name], i);
    await eventually(() => got.length === 2_000);
    expect(got).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    expect(a.links.framesSent).toBeGreaterThan(sentBefore);
    expect(mesh.relay!.stats().framesRouted).toBe(routed);
    // What the observer shows of this connection: carried by BroadcastChannel, every message counted at both ends.
    expect([toB().via, fromA().via]).toEqual(['broadcast', 'broadcast']);
    expect(toB().framesOut! - outBefore).toBeGreaterThanOrEqual(2_000);
    expect(fromA().framesIn! - inBefore).toBeGreaterThanOrEqual(2_000);
  });

  it('a peer that stops: nodedown, and a monitor fires noconnection', async () => {
    await mesh.startRelay();
    const a = await tabLike('a');
    const b = await tabLike('b');
    expect(await a.node.ping(b.node.name)).toBe('pong');
    expect(a.transport.localPeers()).toEqual([b.node.name]);
    const target = b.node.spawn(async (self) => void (await self.receive()));
    const events = watch(a.node);
    const down = a.node.run(async (self) => {
      const ref = self.monitor(target);
      return self.receive((m) => Array.isArray(m) && m[0] === 'DOWN' && m[1] === ref, 5_000);
    });
    await new Promise((r) => setTimeout(r, 20));
    await b.node.stop();
    expect(((await down) as unknown[])[4]).toBe('noconnection');
    await eventually(() => events.some((e) => e[0] === 'nodedown' && e[1] === b.node.name));
  });

  it('a peer that vanishes without a word is dropped on the relay\'s left', async () => {
    await mesh.startRelay();
    const a = await tabLike('a');
    const b = await tabLike('b');
    expect(await a.node.ping(b.node.name)).toBe('pong');
    const events = watch(a.node);
    // b's bus goes quiet (a crashed tab sends nothing) and its relay socket is cut.
    (b.links as unknown as { bus: { onmessage: unknown; postMessage: unknown } }).bus.postMessage = () => undefined;
    mesh.relay!.kick(b.node.name);
    await eventually(() => events.some((e) => e[0] === 'nodedown' && e[1] === b.node.name));
    expect(a.transport.localPeers()).toEqual([]);
  });

  it('different scopes (relays) never meet: the connection stays on the relay', async () => {
    await mesh.startRelay();
    const a = await tabLike('a', 'scope-1');
    const b = await tabLike('b', 'scope-2');
    expect(await a.node.ping(b.node.name)).toBe('pong');
    expect(a.transport.localPeers()).toEqual([]);
    expect(a.links.framesSent).toBe(0);
  });

  it('bad options are named errors', () => {
    expect(() => new LocalLinks({ scope: '', BroadcastChannel: Bus })).toThrow(expect.objectContaining({ code: 'badarg' }));
    expect(() => new LocalLinks({ scope: 'x', BroadcastChannel: undefined as never })).toThrow(expect.objectContaining({ code: 'badarg' }));
    const local = new LocalLinks({ scope: 'x', BroadcastChannel: Bus });
    const direct = { address: 'ws://127.0.0.1:1/erlmesh-direct', start: () => undefined, dial: () => Promise.reject(new Error('no')), close: async () => undefined };
    expect(() => new RelayTransport({ url: 'ws://127.0.0.1:1/erlmesh', cookie: COOKIE, WebSocket: NodeWebSocket, local, direct })).toThrow(expect.objectContaining({ code: 'badarg' }));
  });
});
