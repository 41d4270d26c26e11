/**
 * Red-team tests of the trust model: a ticket holder (forceRole) that crafts dist frames by
 * hand, after a valid handshake, trying to reach beyond its role, to speak for another node or
 * process, or to disrupt trusted processes and the name services.
 */
import { describe, expect } from 'vitest';
import { it, simClusterEach } from '../../fixtures.js';
import { BadRpcError, type Capabilities, defineModule, type Node, type Pid, type ProcessContext, Ref } from '../../../src/core/index.js';
import type { SignalFrame } from '../../../src/core/net/frames.js';
import { track } from '../../support/real-time.js';
import { forceRole } from '../../support/forced-role.js';
import { recorder } from '../../support/in-process.js';
import { connect, flushUntil, settled } from '../../support/simulated-time.js';

/** `tm.waiter` waits forever; `tm.answer` registers as `answerer` and answers 'real' once it gets any message. */
const tm = defineModule('tm', {
  waiter: async (self: ProcessContext) => {
    await self.receive(() => false);
  },
  answer: async (self: ProcessContext) => {
    self.node.register('answerer', self.pid);
    await self.receive();
    return 'real';
  },
});

/** The requests a node's runtime awaits a spawn_reply or DOWN for, by ref key (test peek). */
function pendingSpawns(n: Node): Map<number, { ref: Ref; requester: Pid; node: string }> {
  return (n.runtime as unknown as { pendingSpawns: Map<number, { ref: Ref; requester: Pid; node: string }> }).pendingSpawns;
}

const CAPS: Capabilities = {
  guest: { rpc: { kvs: '*' }, spawn: { kvs: '*' } },
  bifs: { rpc: { erlang: '*', erpc: '*', code: '*' }, spawn: { erlang: '*' } },
  grouper: { pg: true },
};

/** Send a hand-made signal frame from `from` to `to` over their connection (a crafted frame). */
function raw(from: Node, to: string, s: SignalFrame): void {
  (from as unknown as { net: { send(node: string, f: SignalFrame): void } }).net.send(to, s);
}

describe('red team: a ticket holder crafting frames', () => {
  const sim = simClusterEach();

  /** Trusted srv (with CAPS) and srv2, and tab seen by both in `role`. */
  async function setup(role = 'guest'): Promise<{ srv: Node; srv2: Node; tab: Node }> {
    const srv = await sim.cluster.node('srv', { capabilities: CAPS });
    const srv2 = await sim.cluster.node('srv2', { capabilities: CAPS });
    srv2.load(tm);
    const tab = await sim.cluster.node('tab', { connectAll: false });
    forceRole(srv, tab.name, role);
    forceRole(srv2, tab.name, role);
    await connect(sim.clock, srv, srv2);
    await connect(sim.clock, tab, srv);
    await connect(sim.clock, tab, srv2);
    return { srv, srv2, tab };
  }

  /** A process on `n` that records its messages. */
  const refusals = (n: Node): string[] => (sim.cluster.captured.get(n.name)?.logs ?? []).map((l) => l.text).filter((t) => t.startsWith('capabilities: refused'));

  // ----- the module table --------------------------------------------------------------------

  it("an allowed module's inherited Object.prototype members are not functions of it ('constructor', 'toString')", async () => {
    const { srv, tab } = await setup();
    for (const f of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const r = await settled(sim.clock, tab.rpc.call(srv.name, 'kvs', f, []));
      expect(r.error, f).toBeInstanceOf(BadRpcError);
      expect((r.error as BadRpcError).reason, f).toEqual(['EXIT', ['undef', ['kvs', f, []]]]);
    }
    // The same through spawn: no process runs Object(self).
    const pid = await settled(sim.clock, tab.spawn(srv.name, 'kvs', 'constructor', []));
    await flushUntil(sim.clock, () => false, 5);
    expect(srv.isProcessAlive(pid.value!)).toBe(false);
    // And for a cookie holder's apply on the node itself.
    expect((await settled(sim.clock, srv.rpc.call(srv.name, 'erlang', 'constructor', []))).error).toBeInstanceOf(BadRpcError);
  });

  // ----- monitors and their references --------------------------------------------------------

  it("a monitor frame reusing another node's reference is refused: it cannot take over a trusted monitor", async () => {
    const { srv, tab } = await setup();
    const victim = recorder(srv);
    const watcher = recorder(srv);
    const w = await watcher.self;
    const ref = w.monitor(victim.pid);
    const attacker = recorder(tab);
    const a = await attacker.self;
    // The same ref key: without a check it replaces the watcher's entry, and a demonitor drops it.
    raw(tab, srv.name, { t: 'monitor', from: a.pid, to: victim.pid, node: srv.name, ref });
    raw(tab, srv.name, { t: 'demonitor', from: a.pid, to: victim.pid, node: srv.name, ref });
    await flushUntil(sim.clock, () => false, 5);
    srv.exit(victim.pid, 'kill');
    await flushUntil(sim.clock, () => watcher.got.length > 0);
    expect(watcher.got).toEqual([['DOWN', ref, 'process', victim.pid, 'killed']]);
    expect(refusals(srv).some((t) => t.includes('a monitor with a reference made by another node'))).toBe(true);
  });

  it("a spawn_request reusing another node's reference is refused", async () => {
    const { srv, tab } = await setup();
    const attacker = recorder(tab);
    const a = await attacker.self;
    const ref = new Ref(srv.name, srv.creation, 1);
    const spec = { kind: 'mfa' as const, module: 'kvs', fun: 'lookup', args: ['k'] };
    raw(tab, srv.name, { t: 'spawn_request', ref, from: a.pid, groupLeader: a.pid, node: srv.name, spec, link: false, monitor: true });
    await flushUntil(sim.clock, () => attacker.got.length > 0);
    expect(refusals(srv).some((t) => t.includes('a spawn with a reference made by another node'))).toBe(true);
  });

  it("a forged DOWN for a trusted process's monitor of a local process is refused", async () => {
    const { srv, tab } = await setup();
    const victim = recorder(srv);
    const watcher = recorder(srv);
    const ref = (await watcher.self).monitor(victim.pid);
    raw(tab, srv.name, { t: 'down', from: 'whatever', to: watcher.pid, ref, reason: 'forged' });
    const a = await recorder(tab).self;
    raw(tab, srv.name, { t: 'down', from: a.pid, to: watcher.pid, ref, reason: 'forged' });
    await flushUntil(sim.clock, () => false, 5);
    expect(watcher.got).toEqual([]);
    expect(refusals(srv).filter((t) => t.includes('a forged DOWN')).length).toBe(2);
  });

  it("a forged DOWN for a trusted process's monitor on another trusted node is refused", async () => {
    const { srv, srv2, tab } = await setup();
    const far = recorder(srv2);
    const watcher = recorder(srv);
    const ref = (await watcher.self).monitor(far.pid);
    await flushUntil(sim.clock, () => false, 5);
    raw(tab, srv.name, { t: 'down', from: far.pid.toString(), to: watcher.pid, ref, reason: 'forged' });
    await flushUntil(sim.clock, () => false, 5);
    expect(watcher.got).toEqual([]);
    expect(refusals(srv).some((t) => t.includes('a forged DOWN'))).toBe(true);
  });

  it("a forged DOWN cannot answer a trusted node's erpc to another trusted node", async () => {
    const { srv, srv2, tab } = await setup();
    const call = settled(sim.clock, srv.erpc.call(srv2.name, 'tm', 'answer', []));
    await flushUntil(sim.clock, () => pendingSpawns(srv).size > 0);
    const [pending] = [...pendingSpawns(srv).values()];
    const a = await recorder(tab).self;
    raw(tab, srv.name, { t: 'down', from: a.pid, to: pending!.requester, ref: pending!.ref, reason: ['$erpc', 'return', 'forged'] });
    await flushUntil(sim.clock, () => false, 5);
    expect(refusals(srv).some((t) => t.includes('a forged DOWN'))).toBe(true);
    // The real worker on srv2 answers once poked.
    srv2.send('answerer', 'go');
    expect((await call).value).toBe('real');
  });

  it("a forged spawn_reply cannot answer a trusted node's spawn on another trusted node", async () => {
    const { srv, srv2, tab } = await setup();
    const a = await recorder(tab).self;
    const spawned = srv.spawn(srv2.name, 'tm', 'waiter', []);
    const [pending] = [...pendingSpawns(srv).values()];
    // Both forgeries are on their way before the real reply (two hops) comes back.
    raw(tab, srv.name, { t: 'spawn_reply', ref: pending!.ref, to: pending!.requester, result: { error: 'forged' } });
    raw(tab, srv.name, { t: 'spawn_reply', ref: pending!.ref, to: pending!.requester, result: { ok: a.pid } });
    const pid = (await settled(sim.clock, spawned)).value!;
    expect(pid.node).toBe(srv2.name);
    expect(srv2.isProcessAlive(pid)).toBe(true);
    expect(refusals(srv).filter((t) => t.includes('a forged spawn_reply')).length).toBe(2);
  });

  // ----- global ------------------------------------------------------------------------------

  it("a ticket holder's g_untrusted does not stop a trusted node from leading global", async () => {
    const { srv, srv2, tab } = await setup();
    const srv3 = await sim.cluster.node('srv3', { capabilities: CAPS });
    forceRole(srv3, tab.name, 'guest');
    await connect(sim.clock, srv3, srv);
    await connect(sim.clock, tab, srv3);
    await flushUntil(sim.clock, () => srv3.nodes().length === 3);
    // srv2 sorts lowest among the trusted nodes ('2' < '@'): it leads. The tab tells it to step down.
    tab.send(['global_name_server', srv2.name], ['g_untrusted', tab.name]);
    await flushUntil(sim.clock, () => false, 5);
    const p1 = recorder(srv).pid;
    const p3 = recorder(srv3).pid;
    expect((await settled(sim.clock, srv.global.registerName('one', p1))).value).toBe('yes');
    expect((await settled(sim.clock, srv3.global.registerName('three', p3))).value).toBe('yes');
    expect(srv2.global.whereisName('one')).toEqual(p1);
    expect(refusals(srv2).some((t) => t.includes('g_untrusted'))).toBe(true);
  });

  it("a ticket holder cannot answer a trusted node's global call by guessing its reference", async () => {
    const { srv, srv2, tab } = await setup();
    await flushUntil(sim.clock, () => false, 10);
    sim.cluster.net.setLatency(10);
    const pid = recorder(srv).pid;
    // srv asks its leader srv2; the forged answers (one hop) overtake the real one (two hops).
    const call = srv.global.registerName('name', pid);
    await sim.clock.advance(1);
    const prefix = `${srv.name}/${srv.creation}#`;
    for (let i = 1; i <= 50; i++) {
      tab.send(['global_name_server', srv.name], ['g_reply', tab.name, `${prefix}${i}`, 'no', null]);
      tab.send(['global_name_server', srv.name], ['g_ops', tab.name, [], [`${prefix}${i}`, 'no', null], null]);
    }
    const t = track(call);
    for (let i = 0; i < 50 && !t.settled; i++) await sim.clock.advance(10);
    expect(t.value).toBe('yes');
    await sim.clock.advance(50);
    expect(srv2.global.whereisName('name')).toEqual(pid);
  });

  // ----- pg ----------------------------------------------------------------------------------

  it("a ticket holder with pg cannot put another node's processes in a group", async () => {
    const { srv, srv2, tab } = await setup('grouper');
    const tabPg = tab.whereis('pg')!;
    const mine = recorder(tab).pid;
    const theirs = recorder(srv2).pid;
    tab.send(['pg', srv.name], ['join', tabPg, 'workers', [theirs, mine]]);
    tab.send(['pg', srv.name], ['sync', tabPg, [['admins', [theirs]]]]);
    await flushUntil(sim.clock, () => false, 10);
    expect(srv.pg.getMembers('workers')).toEqual([]);
    expect(srv.pg.getMembers('admins')).toEqual([]);
    expect(refusals(srv).some((t) => t.includes('pg members of another node'))).toBe(true);
    // Its own processes it may still put there.
    tab.send(['pg', srv.name], ['join', tabPg, 'workers', [mine]]);
    await flushUntil(sim.clock, () => srv.pg.getMembers('workers').length > 0);
    expect(srv.pg.getMembers('workers')).toEqual([mine]);
  });

  // ----- functions that call what their arguments name ----------------------------------------

  it("an allowed 'erlang: *' does not open erlang:apply, erpc:execute or code:loadSources to everything", async () => {
    const { srv, tab } = await setup('bifs');
    const notAllowed = async (p: Promise<unknown>): Promise<void> => {
      const r = await settled(sim.clock, p);
      expect(r.error).toBeInstanceOf(BadRpcError);
      expect((r.error as BadRpcError).reason).toEqual(['EXIT', 'not_allowed']);
    };
    await notAllowed(tab.rpc.call(srv.name, 'erlang', 'apply', ['kvs', 'start', []]));
    await notAllowed(tab.rpc.call(srv.name, 'erlang', 'apply', ['erlang', 'apply', ['kvs', 'start', []]]));
    await notAllowed(tab.rpc.call(srv.name, 'erpc', 'execute', ['kvs', 'start', []]));
    await notAllowed(tab.rpc.call(srv.name, 'erpc', 'executeFun', ['(self) => self.node.name']));
    await notAllowed(tab.rpc.call(srv.name, 'code', 'loadSources', ['evil', { run: '(self) => 1' }]));
    expect(srv.whereis('kvs')).toBeUndefined();
    expect(srv.module('evil')).toBeUndefined();
    // What the allowlist does let through still goes through apply.
    expect((await settled(sim.clock, tab.rpc.call(srv.name, 'erlang', 'apply', ['erlang', 'node', []]))).value).toBe(srv.name);
    const spawned = await settled(sim.clock, tab.spawn(srv.name, 'erlang', 'apply', ['kvs', 'start', []]));
    expect(spawned.value!.node).toBe(tab.name); // refused: a pid that never lived
    await flushUntil(sim.clock, () => false, 5);
    expect(srv.whereis('kvs')).toBeUndefined();
    expect(refusals(srv).some((t) => t.includes('rpc of kvs:start'))).toBe(true);
  });
});
