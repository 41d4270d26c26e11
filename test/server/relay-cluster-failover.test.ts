/**
 * Issue 13's acceptance with both features together: a relay cluster on Redis and relay
 * failover. Two `erlmesh relay --redis` OS processes on one real `redis-server`; node X is
 * given [r1, r2] and registers on r1, node Y is on r2. kill -9 of r1: Y sees X's nodedown,
 * Y's link and monitor on a process of X fire `noconnection`, and X comes back through r2
 * (once r1's lease on its name has ended) under a greater creation: Y sees its nodeup and rpc
 * works both ways. Relayed only (`direct: false`): a direct link would outlive the relay.
 *
 * It fails without failover: X given [r1] alone never comes back (checked by hand when it was
 * written: the wait for Y's nodeup of X times out).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/index.js';
import type { Pid } from '../../src/core/terms/pid.js';
import { startNode, type ServerNodeOptions } from '../../src/server/index.js';
import { eventually } from '../support/cluster.js';
import { linkAndMonitor } from '../support/in-process.js';
import { watch } from '../support/membership.js';
import { ErlmeshProcess, killAll } from '../support/os-processes.js';
import { RedisServer } from '../support/redis-server.js';

const COOKIE = 'cluster-failover-cookie';
const LEASE_MS = 600;
let redis: RedisServer;
const nodes: Node[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await killAll();
});

async function relay(): Promise<{ proc: ErlmeshProcess; url: string }> {
  const proc = new ErlmeshProcess(['relay', '--port', '0', '--cookie', COOKIE, '--redis', redis.url, '--redis-lease', String(LEASE_MS)]);
  const m = await proc.waitFor(/erlmesh relay listening on (ws:\/\/127\.0\.0\.1:\d+\/erlmesh)/);
  return { proc, url: m[1]! };
}

async function node(name: string, relays: string[]): Promise<Node> {
  const opts = { name, cookie: COOKIE, relay: relays, startRelay: false, direct: false, output: false, logger: false } as ServerNodeOptions;
  const n = await startNode(opts);
  nodes.push(n);
  return n;
}

const X = 'x@127.0.0.1';
const Y = 'y@127.0.0.1';

describe('relay cluster + failover', () => {
  it('kill -9 of one relay: nodedown and noconnection on the other side, the node given both URLs comes back through the other relay, rpc works again', async () => {
    const [r1, r2] = await Promise.all([relay(), relay()]);
    const x = await node(X, [r1.url, r2.url]);
    const y = await node(Y, [r2.url]);
    const events = watch(y);
    await eventually(() => x.nodes().includes(Y) && y.nodes().includes(X), 10_000);
    const before = x.creation;
    expect(await y.rpc.call(X, 'erlang', 'node', [])).toBe(X);

    // A process on X that Y links to and monitors (across the two relays).
    x.register('victim', x.spawn(async (self) => void (await self.receive(() => true))));
    const target = (await y.rpc.call(X, 'erlang', 'whereis', ['victim'])) as Pid;
    const { ready, seen } = linkAndMonitor(y, target);
    await ready;

    r1.proc.kill('SIGKILL');
    await r1.proc.exited;
    expect(await seen).toEqual([['EXIT', target, 'noconnection'], 'noconnection']);
    await eventually(() => events.some((e) => e[0] === 'nodedown' && e[1] === X), 10_000);

    // X registers again through r2 once r1's lease on its name is over.
    await eventually(() => events.some((e, i) => e[0] === 'nodeup' && e[1] === X && i > events.findIndex((d) => d[0] === 'nodedown')), 20_000);
    expect(events.map((e) => `${e[0]} ${e[1]}`)).toEqual([`nodedown ${X}`, `nodeup ${X}`]);
    expect(x.creation).toBeGreaterThan(before);
    await eventually(() => x.nodes().includes(Y), 10_000);
    expect(await y.rpc.call(X, 'erlang', 'node', [])).toBe(X);
    expect(await x.rpc.call(Y, 'erlang', 'node', [])).toBe(Y);
    // A process started on X now carries the new creation, and Y reaches it.
    x.register('fresh', x.spawn(async (self) => void (await self.receive(() => true))));
    const fresh = (await y.rpc.call(X, 'erlang', 'whereis', ['fresh'])) as Pid;
    expect(fresh.creation).toBe(x.creation);
  }, 40_000);
});
