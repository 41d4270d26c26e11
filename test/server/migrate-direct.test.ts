/**
 * A connection that fell back to the relay moves onto its direct link once the direct dial
 * succeeds (issue 18 point 3), on a real relay on 127.0.0.1: no nodedown/nodeup, and sequenced
 * streams in both directions across the switch arrive complete and in order; after the move,
 * killing the relay does not drop the pair.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/index.js';
import { startDirectLinks } from '../../src/server/transports/direct-links.js';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import { NodeWebSocket } from '../../src/server/transports/ws-channel.js';
import { eventually } from '../support/cluster.js';
import { RelayNodes } from '../support/relay-nodes.js';
import { flakyLinks, sink } from '../support/direct-links.js';
import { watch } from '../support/membership.js';

const COOKIE = 'migrate-cookie';
const mesh = new RelayNodes(COOKIE);
afterEach(() => mesh.stop());

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Send `from` → `['sink', to]` numbered messages, a few per turn, until `stop()`; then `n`. */
function stream(from: Node, to: Node): { stop(): Promise<number> } {
  let n = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      for (let i = 0; i < 5; i++) from.send(['sink', to.name], n++);
      await tick();
    }
    return n;
  })();
  return {
    stop: () => {
      running = false;
      return done;
    },
  };
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('a relayed connection moves onto its direct link', () => {
  it('after the direct dial recovers: direct, one relayed channel fewer, no nodedown/nodeup, streams both ways complete and in order; a relay kill then leaves the pair up', async () => {
    const relay = await mesh.startRelay();
    const flaky = await flakyLinks();
    const ta = new RelayTransport({ url: relay.url, cookie: COOKIE, WebSocket: NodeWebSocket, direct: flaky.links, migrate: { initialMs: 20, maxMs: 100 } });
    const tb = new RelayTransport({ url: relay.url, cookie: COOKIE, WebSocket: NodeWebSocket, direct: await startDirectLinks({ host: '127.0.0.1' }) });
    const b = await mesh.node('mb', { transport: tb });
    flaky.fail(true);
    const a = await mesh.node('ma', { transport: ta });
    await eventually(() => a.nodes().includes(b.name) && b.nodes().includes(a.name));
    expect(flaky.dials[0]).toBe('failed');
    expect(ta.directPeers()).toEqual([]);
    const relayed = relay.stats().channels;
    expect(relayed).toBeGreaterThan(0);
    const aEvents = watch(a, { nodedownReason: true });
    const bEvents = watch(b, { nodedownReason: true });
    const atB = sink(b, 'sink');
    const atA = sink(a, 'sink');

    // Streams in both directions, running while the dialer recovers and the pair switches.
    const ab = stream(a, b);
    const ba = stream(b, a);
    await eventually(() => atB.length > 50 && atA.length > 50);
    // What the observer shows of the connection (nodeStats().links): on the relay so far.
    const linkOf = (n: typeof a, peer: string) => n.routes.linkStats().find((l) => l.peer === peer)!;
    expect([linkOf(a, b.name).via, linkOf(b, a.name).via]).toEqual(['relay', 'relay']);
    flaky.fail(false);
    await eventually(() => ta.directPeers().includes(b.name) && tb.directPeers().includes(a.name));
    await eventually(() => relay.stats().channels === relayed - 1);
    const seenB = atB.length;
    const seenA = atA.length;
    await eventually(() => atB.length > seenB + 50 && atA.length > seenA + 50);
    const [nab, nba] = await Promise.all([ab.stop(), ba.stop()]);
    await eventually(() => atB.length === nab && atA.length === nba);
    expect(atB).toEqual(upTo(nab));
    expect(atA).toEqual(upTo(nba));
    expect(flaky.dials.at(-1)).toBe('migrate');
    // On the direct link now; the counters went on across the move: every message of a's stream is in them.
    expect([linkOf(a, b.name).via, linkOf(b, a.name).via]).toEqual(['direct', 'direct']);
    expect(linkOf(a, b.name).framesOut).toBeGreaterThanOrEqual(nab);
    expect(linkOf(b, a.name).framesIn).toBeGreaterThanOrEqual(nab);
    expect(aEvents).toEqual([]);
    expect(bEvents).toEqual([]);

    // The pair no longer depends on the relay.
    const routed = relay.stats().framesRouted;
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(relay.stats().framesRouted).toBe(routed);
    await mesh.stopRelay();
    await eventually(() => !ta.connected && !tb.connected);
    expect(await a.ping(b.name)).toBe('pong');
    expect(await b.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
    expect(aEvents).toEqual([]);
    expect(bEvents).toEqual([]);
  });

  it('a partition still cuts a pair that moved onto its direct link', async () => {
    const relay = await mesh.startRelay();
    const flaky = await flakyLinks();
    const ta = new RelayTransport({ url: relay.url, cookie: COOKIE, WebSocket: NodeWebSocket, direct: flaky.links, migrate: { initialMs: 20, maxMs: 40 } });
    const b = await mesh.node('pb');
    flaky.fail(true);
    const a = await mesh.node('pa', { transport: ta });
    await eventually(() => a.nodes().includes(b.name) && b.nodes().includes(a.name));
    flaky.fail(false);
    await eventually(() => ta.directPeers().includes(b.name));
    const aEvents = watch(a, { nodedownReason: true });
    const bEvents = watch(b, { nodedownReason: true });
    relay.partition([a.name], [b.name]);
    await eventually(() => aEvents.length > 0 && bEvents.length > 0);
    expect(aEvents).toEqual([['nodedown', b.name, { nodedownReason: 'connection_closed' }]]);
    expect(bEvents).toEqual([['nodedown', a.name, { nodedownReason: 'connection_closed' }]]);
    expect(await a.ping(b.name)).toBe('pang');
    expect(ta.directPeers()).toEqual([]);
  });
});
