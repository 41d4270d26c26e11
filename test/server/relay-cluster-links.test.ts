/**
 * Relay-to-relay links (src/server/relay/cluster/links.ts), end to end on a real
 * `redis-server`: two relays in this process, each on an HTTP server of the test's own, so that
 * the test can cut the link's real TCP socket as a network would; server-nodes on them.
 */
import * as http from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { Node } from '../../src/core/index.js';
import { startNode, type ServerNodeOptions } from '../../src/server/index.js';
import { startRelay, type Relay } from '../../src/server/relay/index.js';
import { CLUSTER_LINK_PATH, linkUrlOf, parseLinkInfo } from '../../src/server/relay/cluster/links.js';
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

describe('relay-to-relay link admission', () => {
  it('a dialler without the relay secret is refused (4401 bad_token), one with a bad first message too; the relay goes on', async () => {
    const { relay: r } = await relay();
    const url = r.url.replace(/\/erlmesh$/, CLUSTER_LINK_PATH);
    const closeOf = (first: string | Buffer): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('open', () => ws.send(first));
        ws.on('close', (code) => resolve(code));
        ws.on('error', reject);
      });
    const id = 'feedfeedfeedfeed';
    const raw = new Redis(redis.url);
    const [to] = await raw.smembers('erlmesh:relays');
    raw.disconnect();
    expect(await closeOf(JSON.stringify({ t: 'link', from: id, to, token: 'guess' }))).toBe(4401);
    expect(await closeOf('not json')).toBe(4401);
    expect(await closeOf(Buffer.from([1, 2, 3]))).toBe(4401);
    expect(r.stats().clusterUp).toBe(1);
    const a = await node('a', r.url);
    expect(a.nodes()).toEqual([]);
  }, 20_000);
});

describe('linkUrlOf and parseLinkInfo', () => {
  it('the link address: advertise first, else the relay URL with the link path; a wildcard bind says a non-loopback IPv4 when there is one', () => {
    expect(linkUrlOf('ws://127.0.0.1:4367/erlmesh', false, undefined)).toBe('ws://127.0.0.1:4367/erlmesh-cluster');
    expect(linkUrlOf('wss://relay.example:443/erlmesh', false, undefined)).toBe('wss://relay.example/erlmesh-cluster');
    expect(linkUrlOf('ws://127.0.0.1:4367/erlmesh', true, 'ws://10.0.0.5:4367')).toBe('ws://10.0.0.5:4367/erlmesh-cluster');
    const ip = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.1';
    expect(linkUrlOf('ws://127.0.0.1:4367/erlmesh', true, undefined)).toBe(`ws://${ip}:4367/erlmesh-cluster`);
  });

  it('a relay key that is not a link address (an older relay, a bad value) means: no link, Redis only', () => {
    expect(parseLinkInfo('{"link":"ws://h:1/erlmesh-cluster","token":"t","max":10}')).toEqual({ link: 'ws://h:1/erlmesh-cluster', token: 't', max: 10 });
    for (const v of [null, '', '1', '{', '{"link":"x","token":"t"}', '{"link":"x","token":"t","max":-1}', '{"link":1,"token":"t","max":1}']) expect(parseLinkInfo(v)).toBeUndefined();
  });
});
