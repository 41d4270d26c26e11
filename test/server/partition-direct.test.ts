/**
 * Partitions and path choice of server-nodes joined by direct links, on a real relay on
 * 127.0.0.1 (issue 18): `Relay.partition` cuts the direct links too, and a pair that fell back
 * to the relay, or lost it, comes back on its direct link.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import { NodeWebSocket } from '../../src/server/transports/ws-channel.js';
import { eventually } from '../support/cluster.js';
import { RelayNodes } from '../support/relay-nodes.js';
import { flakyLinks, sink } from '../support/direct-links.js';
import { watch } from '../support/membership.js';

const COOKIE = 'partition-cookie';
const mesh = new RelayNodes(COOKIE);
afterEach(() => mesh.stop());

describe('a partition at the relay cuts direct links', () => {
  it('both server-nodes see nodedown, sends do not arrive, rpc fails with nodedown; after heal they reconnect, directly', async () => {
    const relay = await mesh.startRelay();
    const a = await mesh.node('pa');
    const b = await mesh.node('pb');
    expect(await a.ping(b.name)).toBe('pong');
    const routed = relay.stats().framesRouted;
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(relay.stats().framesRouted).toBe(routed); // the pair is on its direct link
    const aEvents = watch(a, { nodedownReason: true });
    const bEvents = watch(b, { nodedownReason: true });
    const got = sink(b, 'sink');

    relay.partition([a.name], [b.name]);
    await eventually(() => aEvents.length > 0 && bEvents.length > 0);
    expect(aEvents).toEqual([['nodedown', b.name, { nodedownReason: 'connection_closed' }]]);
    expect(bEvents).toEqual([['nodedown', a.name, { nodedownReason: 'connection_closed' }]]);
    expect(a.nodes()).toEqual([]);
    expect(b.nodes()).toEqual([]);
    a.send(['sink', b.name], 'during the cut');
    expect(await a.ping(b.name)).toBe('pang');
    expect(await b.ping(a.name)).toBe('pang');
    await expect(a.rpc.call(b.name, 'erlang', 'node', [])).rejects.toMatchObject({ reason: 'nodedown' });
    expect(relay.names().map((p) => p.name).sort()).toEqual([a.name, b.name]); // still registered

    relay.heal();
    expect(await a.ping(b.name)).toBe('pong');
    a.send(['sink', b.name], 'after the heal');
    await eventually(() => got.length > 0);
    expect(got).toEqual(['after the heal']);
    const before = relay.stats().framesRouted;
    expect(await b.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
    expect(relay.stats().framesRouted).toBe(before); // direct again
    expect(aEvents.filter((e) => e[0] === 'nodeup')).toEqual([['nodeup', b.name, {}]]);
  });

  it('a node on neither side keeps both; the cut pair cannot reconnect (the refused inbound link is covered in memory: direct-paths.test.ts)', async () => {
    const relay = await mesh.startRelay();
    const a = await mesh.node('qa');
    const b = await mesh.node('qb');
    const c = await mesh.node('qc');
    await eventually(() => [a, b, c].every((n) => n.nodes().length === 2));
    relay.partition([a.name], [b.name]);
    await eventually(() => !a.nodes().includes(b.name) && !b.nodes().includes(a.name));
    // c is on neither side: untouched.
    expect(await a.ping(c.name)).toBe('pong');
    expect(await b.ping(c.name)).toBe('pong');
    expect(await a.ping(b.name)).toBe('pang');
    expect(a.lastConnectError(b.name)).toBe('nodedown');
    expect(a.nodes().sort()).toEqual([c.name]);
  });
});

describe('direct links come back', () => {
  it('a connection that fell back to the relay (the direct dial failed) is direct again after the next reconnect', async () => {
    const relay = await mesh.startRelay();
    const flaky = await flakyLinks();
    // No background move onto the direct link (migrate-direct.test.ts): this is the reconnect's path choice.
    const transport = new RelayTransport({ url: relay.url, cookie: COOKIE, WebSocket: NodeWebSocket, direct: flaky.links, migrate: false });
    const b = await mesh.node('fb');
    flaky.fail(true);
    const a = await mesh.node('fa', { transport });
    await eventually(() => a.nodes().includes(b.name) && b.nodes().includes(a.name));
    // Only a dials (the newcomer dials everyone): its direct dial failed, so the pair is relayed.
    expect(flaky.dials).toEqual(['failed']);
    expect(transport.directPeers()).toEqual([]);
    let routed = relay.stats().framesRouted;
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(relay.stats().framesRouted).toBeGreaterThan(routed);

    flaky.fail(false);
    a.disconnect(b.name);
    await eventually(() => !b.nodes().includes(a.name));
    expect(await a.ping(b.name)).toBe('pong');
    expect(flaky.dials).toEqual(['failed', 'direct']);
    expect(transport.directPeers()).toEqual([b.name]);
    routed = relay.stats().framesRouted;
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(relay.stats().framesRouted).toBe(routed);
  });

  it('while the relay is down, a pair that lost its connection reconnects on its direct link', async () => {
    await mesh.startRelay();
    const a = await mesh.node('da');
    const b = await mesh.node('db');
    expect(await a.ping(b.name)).toBe('pong');
    await mesh.stopRelay();
    a.disconnect(b.name);
    await eventually(() => !b.nodes().includes(a.name));
    expect(await a.ping(b.name)).toBe('pong');
    expect(await b.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
  });
});
