/**
 * Relay-to-relay links (src/server/relay/cluster/links.ts), end to end on a real
 * `redis-server`: two relays in this process, each on an HTTP server of the test's own, so that
 * the test can cut the link's real TCP socket as a network would; server-nodes on them.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Node } from '../../src/core/index.js';
import { startNode, type ServerNodeOptions } from '../../src/server/index.js';
import { startRelay, type Relay } from '../../src/server/relay/index.js';
import { CLUSTER_LINK_PATH } from '../../src/server/relay/cluster/links.js';
import { decodeWire } from '../../src/server/relay/cluster/wire.js';
import { eventually } from '../support/cluster.js';
import { RedisServer } from '../support/redis-server.js';
import { sequencedStream } from '../support/sequenced-stream.js';

const COOKIE = 'links-cookie';
const A = 'a@127.0.0.1';
const B = 'b@127.0.0.1';
let redis: RedisServer;
const nodes: Node[] = [];
const relays: Relay[] = [];
const servers: http.Server[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await redis.kill();
  await redis.start();
});

/** A relay on an HTTP server of the test's own, listening on loopback; `links` collects the sockets of links dialled to it. */
async function relay(opts: { links?: boolean } = {}): Promise<{ relay: Relay; links: Duplex[] }> {
  const server = http.createServer();
  servers.push(server);
  const links: Duplex[] = [];
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    if (req.url === CLUSTER_LINK_PATH) links.push(socket);
  });
  const r = await startRelay({ server, cookie: COOKIE, logger: false, redis: { url: redis.url, heartbeatMs: 100, leaseMs: 600, links: opts.links } });
  relays.push(r);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { relay: r, links };
}

async function node(sname: string, relayUrl: string): Promise<Node> {
  const o = { name: `${sname}@127.0.0.1`, cookie: COOKIE, relay: relayUrl, startRelay: false, direct: false, output: false, logger: false };
  const n = await startNode(o as ServerNodeOptions);
  nodes.push(n);
  return n;
}

/** What reaches Redis pub/sub on the relays' channels meanwhile: wire messages counted by kind. */
async function watchPubSub(): Promise<{ counts: Record<string, number>; stop(): void }> {
  const sub = new Redis(redis.url);
  const counts: Record<string, number> = {};
  sub.on('pmessageBuffer', (_p: Buffer, _c: Buffer, m: Buffer) => {
    const w = decodeWire(m);
    const k = w === undefined ? 'bad' : w.kind === 'control' ? w.msg.t : w.kind;
    counts[k] = (counts[k] ?? 0) + 1;
  });
  await sub.psubscribe('erlmesh:r:*');
  return { counts, stop: () => sub.disconnect() };
}

describe('relay-to-relay links', () => {
  it('carry every message between two relays once up: nothing crosses Redis pub/sub, rpc works across', async () => {
    const [r1, r2] = await Promise.all([relay(), relay()]);
    const a = await node('a', r1.relay.url);
    const b = await node('b', r2.relay.url);
    await eventually(() => a.nodes().includes(B) && b.nodes().includes(A) && r1.relay.stats().clusterLinks === 1 && r2.relay.stats().clusterLinks === 1);
    expect(r2.links.length).toBe(1); // r1 dialled r2
    const pubsub = await watchPubSub();
    try {
      for (let i = 0; i < 200; i++) expect(await a.rpc.call(B, 'erlang', 'node', [])).toBe(B);
      await new Promise((r) => setTimeout(r, 300)); // three heartbeats
      expect(pubsub.counts).toEqual({});
    } finally {
      pubsub.stop();
    }
  }, 20_000);

  it('links: false on one relay: no link either way, every message through Redis, rpc works across', async () => {
    const [r1, r2] = await Promise.all([relay(), relay({ links: false })]);
    const a = await node('a', r1.relay.url);
    const b = await node('b', r2.relay.url);
    await eventually(() => a.nodes().includes(B) && b.nodes().includes(A));
    const pubsub = await watchPubSub();
    try {
      expect(await a.rpc.call(B, 'erlang', 'node', [])).toBe(B);
      expect(await b.rpc.call(A, 'erlang', 'node', [])).toBe(A);
      await eventually(() => (pubsub.counts.hb ?? 0) >= 2 && (pubsub.counts.bin ?? 0) + (pubsub.counts.text ?? 0) >= 4);
    } finally {
      pubsub.stop();
    }
    expect(r1.relay.stats().clusterLinks).toBe(0);
    expect(r2.relay.stats().clusterLinks).toBe(0);
    expect(r1.links.length + r2.links.length).toBe(0);
  }, 20_000);

  it('a sequenced stream while the link is cut and dialled again, five times: never reordered or duplicated, every gap after a nodedown', async () => {
    const [r1, r2] = await Promise.all([relay(), relay()]);
    const a = await node('a', r1.relay.url);
    const b = await node('b', r2.relay.url);
    await eventually(() => a.nodes().includes(B) && b.nodes().includes(A) && r1.relay.stats().clusterLinks === 1);
    const stream = sequencedStream(a, b, 2);
    await stream.resumed();
    for (let cut = 1; cut <= 5; cut++) {
      const socket = r2.links.at(-1)!;
      socket.destroy(); // r1 → r2: r1 falls back to Redis, then dials again
      await eventually(() => r2.links.length > cut && r1.relay.stats().clusterLinks === 1, 10_000);
      await stream.resumed();
    }
    const { sent, received, nodedowns } = stream.stop();
    expect(received).toBeGreaterThan(1000);
    console.log(`link cuts: ${sent} sent, ${received} received, ${nodedowns} nodedowns, ${r2.links.length} links dialled`);
  }, 90_000);
});
