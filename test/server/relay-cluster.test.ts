/**
 * The relay cluster on Redis (issue 13), end to end with real processes: a real
 * `redis-server` (test/support/redis-server.ts), relays as `erlmesh relay --redis` OS
 * processes (so that kill -9 is a real crash), and server-nodes in this process, each on one
 * relay. Leases are short (600 ms) so that faults are noticed quickly.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/index.js';
import type { Pid } from '../../src/core/terms/pid.js';
import { startNode, type ServerNodeOptions } from '../../src/server/index.js';
import { startRelay, type Relay } from '../../src/server/relay/index.js';
import { eventually } from '../support/cluster.js';
import { linkAndMonitor } from '../support/in-process.js';
import { watch, sorted } from '../support/membership.js';
import { ErlmeshProcess, killAll } from '../support/os-processes.js';
import { RedisServer } from '../support/redis-server.js';
import { sequencedStream } from '../support/sequenced-stream.js';
import { Redis } from 'ioredis';
import { decodeWire, encodeControl, relayChannel, type Control } from '../../src/server/relay/cluster/wire.js';

const COOKIE = 'cluster-cookie';
const LEASE_MS = 600;
let redis: RedisServer;
const nodes: Node[] = [];
const relays: Relay[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await killAll();
  // A fresh Redis for the next test: names leased by a relay killed here would hold for a lease.
  await redis.kill();
  await redis.start();
});

/** An in-process relay on the cluster (fast to start; the crash tests use `relay`). */
async function localRelay(leaseMs = LEASE_MS): Promise<Relay> {
  const r = await startRelay({ port: 0, cookie: COOKIE, logger: false, redis: { url: redis.url, heartbeatMs: leaseMs / 5, leaseMs } });
  relays.push(r);
  return r;
}

/** `erlmesh relay --redis` on `port` (0: a free one), an OS process; resolves with its URL once it listens. */
async function relay(port = 0): Promise<{ proc: ErlmeshProcess; url: string; port: number }> {
  const proc = new ErlmeshProcess(['relay', '--port', String(port), '--cookie', COOKIE, '--redis', redis.url, '--redis-lease', String(LEASE_MS)]);
  const m = await proc.waitFor(/erlmesh relay listening on (ws:\/\/127\.0\.0\.1:(\d+)\/erlmesh)/);
  return { proc, url: m[1]!, port: Number(m[2]) };
}

/**
 * A node on one relay. No direct links: server-nodes with direct links connect to each other
 * past the relays (and mesh with their own ticks), and what is under test is the relays.
 */
function nodeOptions(name: string, relayUrl: string): ServerNodeOptions {
  return { name, cookie: COOKIE, relay: relayUrl, startRelay: false, direct: false, output: false, logger: false } as ServerNodeOptions;
}

async function node(sname: string, relayUrl: string): Promise<Node> {
  const n = await startNode(nodeOptions(`${sname}@127.0.0.1`, relayUrl));
  nodes.push(n);
  return n;
}

const A = 'a@127.0.0.1';
const B = 'b@127.0.0.1';
const codeOf = (e: unknown): unknown => (e as { code?: unknown }).code;

describe('a relay cluster on Redis', () => {
  it('refuses a redis option that is not a redis:// URL (badarg), and a Redis nobody answers at (redis_unavailable)', async () => {
    const start = (redis: unknown) => startRelay({ port: 0, cookie: COOKIE, logger: false, redis } as Parameters<typeof startRelay>[0]).then(() => 'started', codeOf);
    expect(await start('http://127.0.0.1:6379')).toBe('badarg');
    expect(await start({ url: redis.url, heartbeatMs: 1000, leaseMs: 1500 })).toBe('badarg');
    const stopped = await RedisServer.start();
    await stopped.stop();
    expect(await start(stopped.url)).toBe('redis_unavailable');
    // The CLI says so and exits 1.
    const cli = new ErlmeshProcess(['relay', '--port', '0', '--cookie', COOKIE, '--redis', stopped.url]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr).toContain(`erlmesh relay: cannot reach Redis at ${stopped.url}`);
  }, 20_000);

  it('two relays, a node on each: nodes() lists both, rpc works across, the same name on the other relay is refused name_taken', async () => {
    const [r1, r2] = await Promise.all([localRelay(), localRelay()]);
    const a = await node('a', r1.url);
    const b = await node('b', r2.url);
    await eventually(() => a.nodes().includes(B) && b.nodes().includes(A));
    expect(sorted([a.name, ...a.nodes()])).toEqual(sorted([b.name, ...b.nodes()]));
    expect(await a.rpc.call(B, 'erlang', 'node', [])).toBe(B);
    expect(await b.rpc.call(A, 'erlang', 'node', [])).toBe(A);
    // A's name is held at r1: r2 refuses it, and so does r1.
    const dup = startNode(nodeOptions(A, r2.url));
    expect(await dup.then(() => 'admitted', codeOf)).toBe('name_taken');
    // A third relay joining later learns both, and its node is listed everywhere.
    const r3 = await localRelay();
    const c = await node('c', r3.url);
    await eventually(() => sorted(c.nodes()).join() === [A, B].join() && a.nodes().includes(c.name) && b.nodes().includes(c.name));
    expect(await c.rpc.call(A, 'erlang', 'node', [])).toBe(A);
    expect(r1.stats()).toMatchObject({ clusterRelays: 2, clusterUp: 1 });
    // Creations are per name across the cluster: a's next incarnation, on another relay, gets a greater one.
    const first = a.creation;
    await a.stop();
    await eventually(() => !b.nodes().includes(A));
    const again = await node('a', r2.url);
    expect(again.creation).toBeGreaterThan(first);
  }, 30_000);

  it('kill -9 of a relay: its nodes go down everywhere (relay_down), links and monitors fire noconnection, its names come free', async () => {
    const [r1, r2] = await Promise.all([localRelay(), relay()]);
    const a = await node('a', r1.url);
    const b = await node('b', r2.url);
    const events = watch(a, { nodedownReason: true });
    await eventually(() => a.nodes().includes(B));
    const victim = b.spawn(async (self) => {
      await self.receive(() => true);
    });
    b.register('victim', victim);
    const target = (await a.rpc.call(B, 'erlang', 'whereis', ['victim'])) as Pid;
    const { ready, seen } = linkAndMonitor(a, target);
    await ready;
    r2.proc.kill('SIGKILL');
    await r2.proc.exited;
    expect(await seen).toEqual([['EXIT', target, 'noconnection'], 'noconnection']);
    await eventually(() => events.some((e) => e[0] === 'nodedown' && e[1] === B), 5000);
    expect(events.filter((e) => e[0] === 'nodedown')).toEqual([['nodedown', B, { nodedownReason: 'relay_down' }]]);
    expect(a.nodes()).toEqual([]);
    // b's name was leased by the dead relay: once the lease ends, another node may take it.
    let taken: Node | undefined;
    await eventually(async () => {
      taken = await startNode(nodeOptions(B, r1.url)).catch(() => undefined);
      return taken !== undefined;
    }, 5000);
    nodes.push(taken!);
    await eventually(() => a.nodes().includes(B));
    expect(await a.rpc.call(B, 'erlang', 'node', [])).toBe(B);
  }, 30_000);

  it('Redis restarted: every relay reports the other relays\' nodes down (redis_down), then the cluster re-forms by itself', async () => {
    const [r1, r2] = await Promise.all([localRelay(), localRelay()]);
    const a = await node('a', r1.url);
    const b = await node('b', r2.url);
    const events = watch(a, { nodedownReason: true });
    await eventually(() => a.nodes().includes(B) && b.nodes().includes(A));
    expect(await a.ping(B)).toBe('pong');
    await redis.kill();
    await eventually(() => events.some((e) => e[0] === 'nodedown'), 5000);
    expect(events.filter((e) => e[0] === 'nodedown')).toEqual([['nodedown', B, { nodedownReason: 'redis_down' }]]);
    // Meanwhile no relay can claim a name: a new node is refused, and told why.
    const refused = await startNode(nodeOptions('c@127.0.0.1', r1.url)).then(() => undefined, (e: Error) => e);
    expect(codeOf(refused)).toBe('relay_unreachable');
    expect(refused?.message).toContain('cluster_unavailable');
    await redis.start();
    await eventually(() => a.nodes().includes(B) && b.nodes().includes(A), 10_000);
    expect(await a.rpc.call(B, 'erlang', 'node', [])).toBe(B);
    // The names are claimed again: neither can be taken on the other relay.
    const dup = startNode(nodeOptions(B, r1.url));
    expect(await dup.then(() => 'admitted', codeOf)).toBe('name_taken');
  }, 30_000);

  it('a relay frozen past its lease (SIGSTOP): its node is down elsewhere, its name is taken on another relay, and on SIGCONT it closes its node with name_taken', async () => {
    const [r1, r2] = await Promise.all([relay(), localRelay()]);
    const a = await node('a', r1.url);
    const b = await node('b', r2.url);
    const events = watch(b, { nodedownReason: true });
    await eventually(() => b.nodes().includes(A) && a.nodes().includes(B));
    process.kill(r1.proc.pid, 'SIGSTOP');
    try {
      await eventually(() => events.some((e) => e[0] === 'nodedown' && e[1] === A), 5000);
      expect(events.filter((e) => e[0] === 'nodedown')).toEqual([['nodedown', A, { nodedownReason: 'relay_down' }]]);
      // Its lease on a's name ends: another node takes the name on r2.
      let a2: Node | undefined;
      await eventually(async () => (a2 = await startNode(nodeOptions(A, r2.url)).catch(() => undefined)) !== undefined, 5000);
      nodes.push(a2!);
      a2!.register('second', a2!.spawn(async (self) => void (await self.receive(() => true))));
    } finally {
      process.kill(r1.proc.pid, 'SIGCONT');
    }
    // r1 finds the name lost and closes its node; the cluster re-forms around a2.
    await r1.proc.waitFor(/"event":"name_lost"[^\n]*"name":"a@127\.0\.0\.1"/, 10_000, 'stderr');
    await eventually(() => b.nodes().includes(A), 5000);
    // b reaches the node that holds the name now (only it has `second`).
    expect(await b.rpc.call(A, 'erlang', 'whereis', ['second'])).toBeTruthy();
  }, 30_000);

  it('a relay frozen past its lease whose names nobody claimed: on SIGCONT it keeps its node, which comes back up everywhere, and rpc works both ways', async () => {
    const [r1, r2] = await Promise.all([relay(), localRelay()]);
    const a = await node('a', r1.url);
    const b = await node('b', r2.url);
    const atB = watch(b, { nodedownReason: true });
    await eventually(() => b.nodes().includes(A) && a.nodes().includes(B));
    const creation = a.creation;
    const mark = atB.length;
    process.kill(r1.proc.pid, 'SIGSTOP');
    try {
      await eventually(() => atB.some((e) => e[0] === 'nodedown' && e[1] === A), 5000);
      await new Promise((r) => setTimeout(r, 2 * LEASE_MS)); // a's lease has run out by now
    } finally {
      process.kill(r1.proc.pid, 'SIGCONT');
    }
    await eventually(() => b.nodes().includes(A) && a.nodes().includes(B), 10_000);
    expect(atB.slice(mark).filter((e) => e[1] === A)).toEqual([['nodedown', A, { nodedownReason: 'relay_down' }], ['nodeup', A, {}]]);
    expect(a.creation).toBe(creation); // the same node, not a new incarnation
    expect(r1.proc.stderr).not.toContain('name_lost');
    expect(await b.rpc.call(A, 'erlang', 'node', [])).toBe(A);
    expect(await a.rpc.call(B, 'erlang', 'node', [])).toBe(B);
  }, 30_000);

  it("a gap in another relay's stream: its nodes go down first and the pair is reset; a late duplicate is dropped", async () => {
    // The other relay is this test, speaking the wire protocol (cluster/wire.ts) over a real Redis.
    const a = await node('a', (await localRelay(10_000)).url); // a long lease: the hand-written relay sends no heartbeats
    const events = watch(a, { nodedownReason: true });
    const raw = new Redis(redis.url);
    const sub = new Redis(redis.url);
    try {
      const [id] = await raw.smembers('erlmesh:relays');
      const fake = 'feedfeedfeedfeed';
      /** The relay's resets and syncs to this one: a sync answers the first reset. */
      const heard: Control['t'][] = [];
      sub.on('messageBuffer', (_c: Buffer, m: Buffer) => {
        const w = decodeWire(m);
        if (w?.kind === 'control' && (w.msg.t === 'reset' || w.msg.t === 'sync')) heard.push(w.msg.t);
      });
      await sub.subscribe(relayChannel(fake));
      const to = async (seq: number, msg: Control): Promise<void> => {
        await raw.publish(relayChannel(id!), encodeControl(fake, seq, msg));
      };
      const F = 'f@127.0.0.1';
      const G = 'g@127.0.0.1';
      const f = { entry: { name: F, hidden: false }, creation: 7, members: true };
      await to(1, { t: 'reset' });
      await to(2, { t: 'sync', nodes: [f] });
      await eventually(() => a.nodes().includes(F));
      await to(3, { t: 'hb' });
      await to(5, { t: 'hb' }); // 4 was lost
      await eventually(() => events.some((e) => e[0] === 'nodedown'));
      expect(events.filter((e) => e[0] === 'nodedown')).toEqual([['nodedown', F, { nodedownReason: 'connection_closed' }]]);
      await eventually(() => heard.length === 3);
      expect(heard).toEqual(['sync', 'reset', 'sync']); // after the gap: reset the pair
      // 4 comes late: dropped, so f stays gone; 6 (g joined) is in order and is taken.
      await to(4, { t: 'joined', node: f });
      await to(6, { t: 'joined', node: { ...f, entry: { name: G, hidden: false } } });
      await eventually(() => a.nodes().includes(G));
      expect(a.nodes()).not.toContain(F);
    } finally {
      raw.disconnect();
      sub.disconnect();
    }
  }, 30_000);

  it('a sequenced stream across relays through a Redis restart and a kill -9 of the sender\'s relay: no message reordered or duplicated, every gap after a nodedown', async () => {
    const [r1, r2] = await Promise.all([relay(), localRelay()]);
    const a = await node('a', r1.url);
    const b = await node('b', r2.url);
    await eventually(() => a.nodes().includes(B) && b.nodes().includes(A));
    const stream = sequencedStream(a, b);
    await stream.resumed();
    await redis.kill();
    await new Promise((r) => setTimeout(r, 300));
    await redis.start();
    await stream.resumed();
    r1.proc.kill('SIGKILL');
    await r1.proc.exited;
    await relay(r1.port); // the same URL again: a's relay socket reconnects, a registers anew
    await stream.resumed();
    const { sent, received, gaps, nodedowns } = stream.stop();
    expect(nodedowns).toBeGreaterThanOrEqual(2);
    console.log(`stream: ${sent} sent, ${received} received, gaps at ${gaps.join(', ')}, ${nodedowns} nodedowns`);
  }, 60_000);
});
