/**
 * A name call answers only once every connected node has the change (issue 12, point 16):
 * OTP's global:register_name returns when every node's table holds the name, so a third node's
 * whereis_name right after it finds the pid, and a gen_server started with a global name is
 * callable from any node at once. On simulated time, with 10 ms between any two nodes, so that
 * the owner's broadcast to a third node is still in flight when the caller hears back.
 */
import { describe, expect } from 'vitest';
import { it, type ClusterFactory, type TestCluster } from '../../fixtures.js';
import { track } from '../../support/real-time.js';
import { genServer, defineGenServer, type Node, type Pid } from '../../../src/core/index.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

const LATENCY = 10;

/** Advance simulated time 1 ms at a time until `p` settles (bounded); its outcome. */
async function until<T>(clock: SimulatedClock, p: Promise<T>, maxMs = 2_000): Promise<{ settled: boolean; value?: T; error?: unknown }> {
  const t = track(p);
  for (let i = 0; i < maxMs && !t.settled; i++) await clock.advance(1);
  expect(t.settled).toBe(true);
  return t;
}

/** a, b, c (or `names`) fully connected on `clock` with LATENCY, every name server settled. */
async function slowMesh(clusters: ClusterFactory, clock: SimulatedClock, names = ['a', 'b', 'c']): Promise<Node[]> {
  return (await slowMeshIn(clusters, clock, names)).nodes;
}

async function slowMeshIn(clusters: ClusterFactory, clock: SimulatedClock, names = ['a', 'b', 'c']): Promise<{ net: TestCluster['net']; nodes: Node[] }> {
  const c = clusters({ clock, latencyMs: LATENCY });
  const nodes: Node[] = [];
  for (const n of names) nodes.push(await until(clock, c.node(n)).then((r) => r.value!));
  for (const x of nodes) for (const y of nodes) if (x !== y && !x.nodes().includes(y.name)) expect((await until(clock, x.ping(y.name))).value).toBe('pong');
  await until(clock, Promise.all(nodes.map((n) => n.global.sync())));
  return { net: c.net, nodes };
}

/** A process that waits forever. */
const idle = (n: Node): Pid => n.spawn((self) => self.receive(() => false));

/** What every node's table says of `name` at the moment `call` settles: pid keys (or undefined). */
function viewsWhenSettled<T>(nodes: Node[], name: string, call: Promise<T>): Promise<[T, Array<string | undefined>]> {
  return call.then((v) => [v, nodes.map((n) => n.global.whereisName(name)?.key)]);
}

describe('global: a name call answers once every connected node has the change', () => {
  it('the leader registering its own process: b and c see the name when registerName resolves', async ({ clusters, clock }) => {
    const nodes = await slowMesh(clusters, clock);
    const [a] = nodes as [Node];
    const pid = idle(a);
    const r = await until(clock, viewsWhenSettled(nodes, 'lead', a.global.registerName('lead', pid)));
    expect(r.value).toEqual(['yes', [pid.key, pid.key, pid.key]]);
  });

  it('a non-leader registering its own process (leader a, caller and owner c)', async ({ clusters, clock }) => {
    const nodes = await slowMesh(clusters, clock, ['a', 'b', 'c', 'd']);
    const c = nodes[2]!;
    const pid = idle(c);
    const r = await until(clock, viewsWhenSettled(nodes, 'mine', c.global.registerName('mine', pid)));
    expect(r.value).toEqual(['yes', nodes.map(() => pid.key)]);
  });

  it('registering a process of another node (caller d, owner b)', async ({ clusters, clock }) => {
    const nodes = await slowMesh(clusters, clock, ['a', 'b', 'c', 'd']);
    const pid = idle(nodes[1]!);
    const r = await until(clock, viewsWhenSettled(nodes, 'on_b', nodes[3]!.global.registerName('on_b', pid)));
    expect(r.value).toEqual(['yes', nodes.map(() => pid.key)]);
  });

  it('reRegisterName and unregisterName too', async ({ clusters, clock }) => {
    const nodes = await slowMesh(clusters, clock);
    const [a, b, c] = nodes as [Node, Node, Node];
    const first = idle(b);
    expect((await until(clock, c.global.registerName('x', first))).value).toBe('yes');
    const second = idle(c);
    const re = await until(clock, viewsWhenSettled(nodes, 'x', b.global.reRegisterName('x', second)));
    expect(re.value).toEqual(['yes', [second.key, second.key, second.key]]);
    const un = await until(clock, viewsWhenSettled(nodes, 'x', a.global.unregisterName('x')));
    expect(un.value).toEqual(['ok', [undefined, undefined, undefined]]);
  });

  it("a genServer started with a global name on a is callable from c as soon as start resolves", async ({ clusters, clock }) => {
    const nodes = await slowMesh(clusters, clock);
    const [a, , c] = nodes as [Node, Node, Node];
    const echo = defineGenServer<null, null>('echo', {
      init: () => ['ok', null],
      handleCall: (self, req, _from, state) => ['reply', ['echo', self.node.name, req], state],
    });
    a.load(echo);
    const started = await until(clock, genServer.start(a, echo, null, { name: ['global', 'gecho'] }).then(() => genServer.call(c, ['global', 'gecho'], 'hi')));
    expect(started.error).toBeUndefined();
    expect(started.value).toEqual(['echo', a.name, 'hi']);
  });

  it('a peer that goes down during the wait is not waited for', async ({ clusters, clock }) => {
    const { net, nodes } = await slowMeshIn(clusters, clock);
    const [a, b, c] = nodes as [Node, Node, Node];
    const pid = idle(a);
    net.freeze(c.name); // c hears nothing and answers nothing
    const p = track(viewsWhenSettled([a, b], 'held', a.global.registerName('held', pid)));
    await clock.advance(10 * LATENCY);
    expect(p.settled).toBe(false); // waiting for c
    net.kill(c.name);
    for (let i = 0; i < 100 && !p.settled; i++) await clock.advance(1);
    expect(p.value).toEqual(['yes', [pid.key, pid.key]]);
  });
});
