/**
 * The `observer` module (src/core/node/observer): what a node answers by rpc about itself —
 * nodeStats, processes, processInfo, memory, names — on simulated time, and what a ticket
 * role may ask of it (nothing under `rpc: '*'`; what it names).
 */
import { describe, expect } from 'vitest';
import { it, simClusterEach } from '../../fixtures.js';
import { BadRpcError, type Capabilities, type ErlmeshError, type Node, type NodeStats, type Pid, type ProcessDetail, type ProcessList, type ProcessRow } from '../../../src/core/index.js';
import { forceRole } from '../../support/forced-role.js';
import { connect, settled } from '../../support/simulated-time.js';

describe('observer module', () => {
  const sim = simClusterEach();

  async function pair(bExtra: Parameters<typeof sim.cluster.node>[1] = {}): Promise<[Node, Node]> {
    const a = await sim.cluster.node('a');
    const b = await sim.cluster.node('b', bExtra);
    await connect(sim.clock, a, b);
    return [a, b];
  }

  /** `a` calls observer:fun(args) on `b`, on simulated time. */
  async function ask<T>(a: Node, b: Node, fun: string, args: unknown[] = []): Promise<{ value?: T; error?: unknown }> {
    return settled(sim.clock, a.rpc.call(b.name, 'observer', fun, args) as Promise<T>);
  }

  /** A process of `node` that never receives: its queue only grows. */
  const sink = (node: Node): Pid => node.spawn((self) => self.receive(() => false));

  it('nodeStats: the node, its role, uptime on its clock, processes, total mailbox, connections', async () => {
    const [a, b] = await pair();
    const s1 = (await ask<NodeStats>(a, b, 'nodeStats')).value!;
    expect(s1).toMatchObject({ node: b.name, role: undefined, visible: [a.name], hidden: [], peerRoles: {} });
    await sim.clock.advance(5_000);
    const q = sink(b);
    for (let i = 0; i < 3; i++) b.send(q, ['msg', i]);
    const s2 = (await ask<NodeStats>(a, b, 'nodeStats')).value!;
    expect(s2.uptimeMs - s1.uptimeMs).toBeGreaterThanOrEqual(5_000);
    expect(s2.mailboxTotal - s1.mailboxTotal).toBe(3);
    // The rpc's own worker process runs while the answer is made.
    expect(s2.processCount).toBe(b.runtime.processCount + 1);
    expect(['server', 'browser', 'other']).toContain(s2.platform);
  });

  it('processes: kvs by name with its pid; messages are counted from the first listing on', async () => {
    const [a, b] = await pair();
    expect((await settled(sim.clock, a.rpc.call(b.name, 'kvs', 'start', []))).value).toBe(true);
    const kvsPid = b.whereis('kvs')!;
    const first = (await ask<ProcessList>(a, b, 'processes')).value!;
    expect(first.total).toBeGreaterThanOrEqual(first.processes.length);
    const row1 = first.processes.find((p) => p.name === 'kvs')!;
    expect(row1.pid).toEqual(kvsPid);
    expect(row1.received).toBe(0);
    for (let i = 0; i < 4; i++) await settled(sim.clock, a.rpc.call(b.name, 'kvs', 'store', [`k${i}`, i]));
    const row2 = (await ask<ProcessList>(a, b, 'processes')).value!.processes.find((p) => p.name === 'kvs')!;
    expect(row2.received).toBe(4);
    expect(row2.memory).toBeGreaterThan(0);
    const limited = (await ask<ProcessList>(a, b, 'processes', [2])).value!;
    expect(limited.processes).toHaveLength(2);
    expect(limited.total).toBe(first.total);
  });

  it('nodeStats links: per-peer frame counters, on both ends, move as messages flow', async () => {
    const [a, b] = await pair();
    const q = sink(b);
    const linkTo = (s: NodeStats, peer: string) => s.links.find((l) => l.peer === peer)!;
    const before = (await ask<NodeStats>(a, b, 'nodeStats')).value!;
    const aBefore = a.routes.linkStats().find((l) => l.peer === b.name)!;
    expect(linkTo(before, a.name)).toMatchObject({ peer: a.name, via: 'direct' }); // the memory transport
    for (let i = 0; i < 25; i++) a.send(q, ['msg', i]);
    await sim.clock.flush();
    const after = (await ask<NodeStats>(a, b, 'nodeStats')).value!;
    const aAfter = a.routes.linkStats().find((l) => l.peer === b.name)!;
    // 25 messages, plus the second rpc's request (its reply leaves b after the answer is made).
    expect(linkTo(after, a.name).framesIn! - linkTo(before, a.name).framesIn!).toBeGreaterThanOrEqual(25);
    expect(aAfter.framesOut! - aBefore.framesOut!).toBeGreaterThanOrEqual(25);
    expect(b.runtime.local(q)!.length).toBe(25);
    // Nothing flows b → a but the rpc's answers: a's view of what came in moved by a few frames.
    expect(aAfter.framesIn! - aBefore.framesIn!).toBeLessThan(25);
  });

  it('the initial call: [module, fun, arity] for a spawn by name, the module function for kvs, gen_servers by their callback module', async () => {
    const [a, b] = await pair();
    await settled(sim.clock, a.rpc.call(b.name, 'kvs', 'start', []));
    await settled(sim.clock, a.rpc.call(b.name, 'kvs_server', 'start', []));
    const byName = (await settled(sim.clock, a.spawn(b.name, 'dist_demo', 'loop', []))).value!;
    const missing = (await settled(sim.clock, a.spawn(b.name, 'nosuchmod', 'f', [1, 2]))).value!;
    const named = b.spawn(async function worker(self) {
      await self.receive(() => false);
    });
    const closure = sink(b);
    const rows = (await ask<ProcessList>(a, b, 'processes')).value!.processes;
    const call = (pick: (r: ProcessRow) => boolean) => rows.find(pick)?.initialCall;
    expect(call((r) => r.name === 'kvs')).toEqual(['kvs', 'loop', 0]);
    expect(call((r) => r.name === 'kvs_server')).toEqual(['kvs_server', 'init', 1]);
    expect(call((r) => r.pid.equals(byName))).toEqual(['dist_demo', 'loop', 0]);
    expect(call((r) => r.pid.equals(named))).toBe('worker');
    expect(call((r) => r.pid.equals(closure))).toBe('anonymous');
    expect(call((r) => r.name === 'user')).toEqual(['user', 'server', 0]);
    expect(call((r) => r.name === 'global_name_server')).toEqual(['global_name_server', 'init', 1]);
    expect(rows.some((r) => r.pid.equals(missing))).toBe(false); // undef: it exited at once
    // processInfo carries it too, and node.processInfo (Erlang's process_info/1).
    expect((await ask<ProcessDetail>(a, b, 'processInfo', [byName])).value!.initialCall).toEqual(['dist_demo', 'loop', 0]);
    expect(b.processInfo(named)!.initialCall).toBe('worker');
  });

  it('unobserve stops the counting on every process (an observer leaving)', async () => {
    const [a, b] = await pair();
    const q = sink(b);
    await ask(a, b, 'processes');
    expect(b.runtime.local(q)!.received).toBe(0);
    const counted = (await ask<number>(a, b, 'unobserve')).value!;
    expect(counted).toBe(b.runtime.processCount);
    b.send(q, 'x');
    expect(b.runtime.local(q)!.received).toBeUndefined();
    expect(b.runtime.local(q)!.length).toBe(1);
  });

  it('a process nobody listed is not counted (the message path is untouched until asked)', async () => {
    const [, b] = await pair();
    const q = sink(b);
    b.send(q, 'x');
    await sim.clock.flush();
    expect(b.runtime.local(q)!.received).toBeUndefined();
  });

  it('processInfo: links, monitors both ways, and the first queued messages within the limits', async () => {
    const [a, b] = await pair();
    const q = sink(b);
    const partner = b.spawn(async (self) => {
      self.link(q);
      self.monitor(q);
      await self.receive(() => false);
    });
    await sim.clock.flush();
    b.send(q, ['hello', 'world']);
    b.send(q, 'x'.repeat(500));
    b.send(q, 3);
    const full = (await ask<ProcessDetail>(a, b, 'processInfo', [q])).value!;
    expect(full.linked).toEqual([partner]);
    expect(full.monitoredByPids).toEqual([partner]);
    expect(full.queue).toBe(3);
    expect(full.messages).toEqual(["['hello', 'world']", `'${'x'.repeat(500)}'`, '3']);
    expect(full.messagesOmitted).toBe(0);
    const ofPartner = (await ask<ProcessDetail>(a, b, 'processInfo', [partner])).value!;
    expect(ofPartner.monitoring).toEqual([String(q)]);
    const two = (await ask<ProcessDetail>(a, b, 'processInfo', [q, 2])).value!;
    expect(two.messages).toHaveLength(2);
    expect(two.messagesOmitted).toBe(1);
    const small = (await ask<ProcessDetail>(a, b, 'processInfo', [q, 10, 100])).value!;
    expect(small.messages.join('').length).toBeLessThanOrEqual(100);
    expect(small.messages[1]!.endsWith('…')).toBe(true);
    expect(small.messagesOmitted).toBe(1);
  });

  it('processInfo of a dead process is undefined; a pid of another node or a bad limit is badarg', async () => {
    const [a, b] = await pair();
    const gone = b.spawn(() => 'done');
    await sim.clock.flush();
    expect((await ask(a, b, 'processInfo', [gone])).value).toBeUndefined();
    const foreign = await ask(a, b, 'processInfo', [sink(a)]);
    const badarg = (r: { error?: unknown }): [string, string] => {
      expect(r.error).toBeInstanceOf(BadRpcError);
      const [tag, [kind, e]] = (r.error as BadRpcError).reason as [string, [string, ErlmeshError]];
      expect([tag, kind, e.name]).toEqual(['EXIT', 'exception', 'ErlmeshError']);
      return [e.code, e.message];
    };
    expect(badarg(foreign)).toEqual(['badarg', expect.stringContaining(`observer: processInfo needs a pid of ${b.name}, got <a@vm.`)]);
    expect(badarg(await ask(a, b, 'processes', [-1]))).toEqual(['badarg', 'observer: max must be an integer from 0 to 100000, got -1']);
  });

  it('names: registered names, global names and pg groups as the node sees them', async () => {
    const [a, b] = await pair();
    const worker = sink(b);
    b.register('worker', worker);
    expect((await settled(sim.clock, b.global.registerName('glob', worker))).value).toBe('yes');
    b.pg.join('room', worker);
    await settled(sim.clock, a.global.sync());
    const n = (await ask<{ registered: Array<{ name: string; pid: Pid }>; global: unknown[]; pg: unknown[] }>(a, b, 'names')).value!;
    expect(n.registered).toContainEqual({ name: 'worker', pid: worker });
    expect(n.global).toEqual([{ name: 'glob', pid: worker }]);
    expect(n.pg).toEqual([{ group: 'room', members: [worker] }]);
  });

  it('memory: what the platform tells (Node.js here)', async () => {
    const [a, b] = await pair();
    const m = (await ask<{ heapUsed: number; source: string }>(a, b, 'memory')).value!;
    expect(m.source).toBe('process.memoryUsage');
    expect(m.heapUsed).toBeGreaterThan(0);
  });

  it("a ticket role's rpc '*' does not reach the observer; naming its functions does", async () => {
    const caps: Capabilities = { guest: { rpc: '*' }, watcher: { rpc: { observer: ['nodeStats'] } } };
    const b = await sim.cluster.node('b', { capabilities: caps });
    const a = await sim.cluster.node('a');
    const c = await sim.cluster.node('c');
    forceRole(b, a.name, 'guest');
    forceRole(b, c.name, 'watcher');
    await connect(sim.clock, a, b);
    await connect(sim.clock, c, b);
    const refused = await ask(a, b, 'nodeStats');
    expect((refused.error as BadRpcError).reason).toEqual(['EXIT', 'not_allowed']);
    expect((await ask<NodeStats>(c, b, 'nodeStats')).value!.peerRoles).toEqual({ [a.name]: 'guest', [c.name]: 'watcher' });
    expect(((await ask(c, b, 'processes')).error as BadRpcError).reason).toEqual(['EXIT', 'not_allowed']);
  });
});

describe('observer rows', () => {
  it('a row carries what the table shows', async ({ cluster }) => {
    const [a] = await cluster.startNodes('a');
    const rows = (await a.rpc.call(a.name, 'observer', 'processes', [])) as ProcessList;
    const keys: Array<keyof ProcessRow> = ['pid', 'name', 'initialCall', 'queue', 'links', 'monitors', 'monitoredBy', 'received', 'memory', 'trapExit'];
    for (const r of rows.processes) expect(Object.keys(r).sort()).toEqual([...keys].sort());
  });
});
