/**
 * Capabilities enforced on the callee (trust/guard.ts): for each RolePolicy field, the
 * allowed case and the refused one with the exact shape the calling side sees, the log line on
 * the callee, cookie holders unaffected, a role with no policy, log-flood protection, forged
 * name-service messages, and the rate limit on simulated time.
 */
import { describe, expect } from 'vitest';
import { it, simClusterEach } from '../../fixtures.js';
import { BadRpcError, type Capabilities, defineModule, ErpcError, type Node, type NodeEvent, Pid, type ProcessContext } from '../../../src/core/index.js';
import { forceRole } from '../../support/forced-role.js';
import { recorder, trapExits } from '../../support/in-process.js';
import { connect, flushUntil, settled } from '../../support/simulated-time.js';

/** Functions the server offers: `tm.waiter` waits forever, `tm.hello` returns 'hello'. */
const tm = defineModule('tm', {
  waiter: async (self: ProcessContext) => {
    await self.receive(() => false);
  },
  hello: () => 'hello',
});

const CAPS: Capabilities = {
  guest: { rpc: { tm: ['hello'] }, spawn: { tm: ['waiter'] }, send: ['kvs'] },
  trusted_ish: { rpc: '*', spawn: '*', shipFunctions: true, link: true, exit: true, send: '*' },
  rated: { maxMessagesPerSecond: 10 },
  watcher: { maxMonitors: 8 },
};

describe('capabilities: enforcement on the callee', () => {
  const sim = simClusterEach();

  /** srv (with CAPS) and tab, where srv sees tab in `role` (none: a cookie holder). */
  async function setup(role: string | undefined, caps: Capabilities = CAPS): Promise<{ srv: Node; tab: Node }> {
    const srv = await sim.cluster.node('srv', { capabilities: caps });
    srv.load(tm);
    const tab = await sim.cluster.node('tab');
    if (role !== undefined) forceRole(srv, tab.name, role);
    await connect(sim.clock, tab, srv);
    return { srv, tab };
  }

  /** A process on `n` that records its messages (trapping exits if asked). */
  const refusals = (n: Node): string[] => (sim.cluster.captured.get(n.name)?.logs ?? []).map((l) => l.text).filter((t) => t.startsWith('capabilities: refused'));

  // ----- cookie holders ----------------------------------------------------------------------

  it('a cookie holder may do everything, whatever the capabilities say', async () => {
    const { srv, tab } = await setup(undefined);
    expect((await settled(sim.clock, tab.rpc.call(srv.name, 'erlang', 'nodes', []))).value).toEqual([tab.name]);
    expect((await settled(sim.clock, tab.erpc.call(srv.name, (self: ProcessContext) => self.node.name))).value).toBe(srv.name);
    const victim = recorder(srv);
    const r = recorder(tab);
    const me = await r.self;
    me.send(['anything', srv.name], 'x'); // an unregistered name: dropped silently, as Erlang
    me.exit(victim.pid, 'kill');
    await flushUntil(sim.clock, () => !srv.isProcessAlive(victim.pid));
    expect(srv.isProcessAlive(victim.pid)).toBe(false);
    expect(refusals(srv)).toEqual([]);
    expect(r.got).toEqual([]);
  });

  // ----- rpc ---------------------------------------------------------------------------------

  it('rpc: an allowed M:F runs; a refused one rejects BadRpcError ["EXIT", "not_allowed"] and is logged on the callee', async () => {
    const { srv, tab } = await setup('guest');
    expect((await settled(sim.clock, tab.rpc.call(srv.name, 'tm', 'hello', []))).value).toBe('hello');
    const { error } = await settled(sim.clock, tab.rpc.call(srv.name, 'erlang', 'nodes', []));
    expect(error).toBeInstanceOf(BadRpcError);
    expect((error as BadRpcError).reason).toEqual(['EXIT', 'not_allowed']);
    expect(refusals(srv)).toEqual([`capabilities: refused rpc of erlang:nodes from node ${tab.name} (role 'guest')`]);
  });

  it('erpc: a refused M:F rejects ErpcError class "error", reason ["erpc", "not_allowed"]', async () => {
    const { srv, tab } = await setup('guest');
    const { error } = await settled(sim.clock, tab.erpc.call(srv.name, 'erlang', 'nodes', []));
    expect(error).toBeInstanceOf(ErpcError);
    expect((error as ErpcError).class).toBe('error');
    expect((error as ErpcError).reason).toEqual(['erpc', 'not_allowed']);
  });

  it('shipFunctions: erpc of a function is refused without it, allowed with it', async () => {
    const { srv, tab } = await setup('guest');
    const { error } = await settled(sim.clock, tab.erpc.call(srv.name, (self: ProcessContext) => self.node.name));
    expect((error as ErpcError).reason).toEqual(['erpc', 'not_allowed']);
    expect(refusals(srv)).toEqual([`capabilities: refused erpc of a shipped function from node ${tab.name} (role 'guest')`]);
    await sim.cluster.stop();
    const again = await setup('trusted_ish');
    expect((await settled(sim.clock, again.tab.erpc.call(again.srv.name, (self: ProcessContext) => self.node.name))).value).toBe(again.srv.name);
  });

  it('rpc.cast of a refused M:F: true on the caller, a refusal line on the callee, "Can not start" on the caller', async () => {
    const { srv, tab } = await setup('guest');
    expect(tab.rpc.cast(srv.name, 'erlang', 'nodes', [])).toBe(true);
    await flushUntil(sim.clock, () => sim.cluster.logs(tab).includes('Can not start'));
    expect(refusals(srv)).toEqual([`capabilities: refused rpc of erlang:nodes from node ${tab.name} (role 'guest')`]);
    expect(sim.cluster.logs(tab)).toContain(`** Can not start erpc:executeCast,`);
  });

  // ----- spawn -------------------------------------------------------------------------------

  it('spawn: an allowed M:F starts; a refused spawnMonitor gets ["DOWN", ref, "process", pid, "not_allowed"]', async () => {
    const { srv, tab } = await setup('guest');
    const r = recorder(tab);
    const me = await r.self;
    const ok = await settled(sim.clock, me.spawnMonitor(srv.name, 'tm', 'waiter', []));
    const [okPid] = ok.value!;
    expect(srv.isProcessAlive(okPid)).toBe(true);
    const refused = await settled(sim.clock, me.spawnMonitor(srv.name, 'erlang', 'node', []));
    const [pid, ref] = refused.value!;
    await flushUntil(sim.clock, () => r.got.length > 0);
    expect(r.got).toEqual([['DOWN', ref, 'process', pid, 'not_allowed']]);
    expect(refusals(srv)).toEqual([`capabilities: refused spawn of erlang:node from node ${tab.name} (role 'guest')`]);
  });

  it('spawn of a shipped function is refused without shipFunctions: a pid that never lived', async () => {
    const { srv, tab } = await setup('guest');
    const { value: pid } = await settled(sim.clock, tab.spawn(srv.name, async () => 'never'));
    expect(pid).toBeInstanceOf(Pid);
    expect(refusals(srv)).toEqual([`capabilities: refused spawn of a shipped function from node ${tab.name} (role 'guest')`]);
    expect(sim.cluster.logs(tab)).toContain('** Can not start fun on srv@vm **');
  });

  it('spawnLink of an allowed M:F is refused when the role may not link: EXIT not_allowed to the trapping caller', async () => {
    const { srv, tab } = await setup('guest');
    const r = recorder(tab, trapExits);
    const me = await r.self;
    const { value: pid } = await settled(sim.clock, me.spawnLink(srv.name, 'tm', 'waiter', []));
    await flushUntil(sim.clock, () => r.got.length > 0);
    expect(r.got).toEqual([['EXIT', pid, 'not_allowed']]);
    expect(refusals(srv)).toEqual([`capabilities: refused spawn of tm:waiter with link (link not allowed) from node ${tab.name} (role 'guest')`]);
  });

  // ----- link and exit -----------------------------------------------------------------------

  it('link refused: the trapping linker gets ["EXIT", pid, "not_allowed"], the target keeps no link', async () => {
    const { srv, tab } = await setup('guest');
    const target = recorder(srv);
    const r = recorder(tab, trapExits);
    (await r.self).link(target.pid);
    await flushUntil(sim.clock, () => r.got.length > 0);
    expect(r.got).toEqual([['EXIT', target.pid, 'not_allowed']]);
    expect(srv.processInfo(target.pid)?.links).toEqual([]);
    expect(refusals(srv)).toEqual([`capabilities: refused link to ${target.pid.toString()} from node ${tab.name} (role 'guest')`]);
  });

  it('link refused: a linker that does not trap exits dies with not_allowed (as with noproc)', async () => {
    const { srv, tab } = await setup('guest');
    const target = recorder(srv);
    const r = recorder(tab);
    const reason = tab.exitReason(r.pid);
    (await r.self).link(target.pid);
    expect((await settled(sim.clock, reason)).value).toBe('not_allowed');
    expect(srv.isProcessAlive(target.pid)).toBe(true);
  });

  it('link and exit allowed: the link holds and exit(pid, kill) kills', async () => {
    const { srv, tab } = await setup('trusted_ish');
    const target = recorder(srv);
    const r = recorder(tab, trapExits);
    const me = await r.self;
    me.link(target.pid);
    await flushUntil(sim.clock, () => (srv.processInfo(target.pid)?.links.length ?? 0) > 0);
    expect(srv.processInfo(target.pid)?.links).toEqual([r.pid]);
    me.exit(target.pid, 'kill');
    await flushUntil(sim.clock, () => r.got.length > 0);
    expect(r.got).toEqual([['EXIT', target.pid, 'killed']]);
    expect(refusals(srv)).toEqual([]);
  });

  it('exit2 refused: the target lives, the sender gets ["not_allowed", "exit", pid], the callee logs it', async () => {
    const { srv, tab } = await setup('guest');
    const target = recorder(srv);
    const r = recorder(tab);
    (await r.self).exit(target.pid, 'kill');
    await flushUntil(sim.clock, () => r.got.length > 0);
    expect(r.got).toEqual([['not_allowed', 'exit', target.pid]]);
    expect(srv.isProcessAlive(target.pid)).toBe(true);
    expect(target.got).toEqual([]);
    expect(refusals(srv)).toEqual([`capabilities: refused exit signal to ${target.pid.toString()} from node ${tab.name} (role 'guest')`]);
  });

  // ----- send to names -----------------------------------------------------------------------

  it('send to a name: allowed names get the message; another gets nothing and the sender gets ["not_allowed", "send", [name, node]]', async () => {
    const { srv, tab } = await setup('guest');
    const kvs = recorder(srv);
    const secret = recorder(srv);
    srv.register('kvs', kvs.pid);
    srv.register('secret', secret.pid);
    const r = recorder(tab);
    const me = await r.self;
    me.send(['kvs', srv.name], 'hi');
    me.send(['secret', srv.name], 'psst');
    me.send(['nobody', srv.name], 'psst'); // not registered either: the refusal does not tell
    await flushUntil(sim.clock, () => r.got.length >= 2 && kvs.got.length > 0);
    expect(kvs.got).toEqual(['hi']);
    expect(secret.got).toEqual([]);
    expect(r.got).toEqual([
      ['not_allowed', 'send', ['secret', srv.name]],
      ['not_allowed', 'send', ['nobody', srv.name]],
    ]);
    expect(refusals(srv)).toEqual([
      `capabilities: refused send to 'secret' from node ${tab.name} (role 'guest')`,
      `capabilities: refused send to 'nobody' from node ${tab.name} (role 'guest')`,
    ]);
  });

  it('a refused send from outside any process is logged on the callee (there is no pid to tell)', async () => {
    const { srv, tab } = await setup('guest');
    const secret = recorder(srv);
    srv.register('secret', secret.pid);
    tab.send(['secret', srv.name], 'psst');
    await flushUntil(sim.clock, () => refusals(srv).length > 0);
    expect(refusals(srv)).toEqual([`capabilities: refused send to 'secret' from node ${tab.name} (role 'guest')`]);
    expect(secret.got).toEqual([]);
  });

  it('a message to a name service that does not name its sender is refused as forged', async () => {
    const { srv, tab } = await setup('guest');
    const r = recorder(tab);
    const me = await r.self;
    me.send(['global_name_server', srv.name], ['g_reserve', 'someone@vm', 'ref', 'register', 'x', me.pid, 'random_exit', false]);
    const pgServer = srv.whereis('pg')!;
    me.send(pgServer, ['join', new Pid('someone@vm', 1, 0, 1), 'g', [me.pid]]);
    await flushUntil(sim.clock, () => refusals(srv).length >= 2);
    expect(refusals(srv)).toEqual([
      `capabilities: refused a forged message to 'global_name_server' from node ${tab.name} (role 'guest')`,
      `capabilities: refused a forged message to 'pg' from node ${tab.name} (role 'guest')`,
    ]);
    expect(srv.pg.getMembers('g')).toEqual([]);
  });

  // ----- a role with no policy ---------------------------------------------------------------

  it('a role with no policy may send to pids and monitor, and nothing else', async () => {
    const { srv, tab } = await setup('stranger');
    const target = recorder(srv);
    srv.register('kvs', target.pid);
    const r = recorder(tab, trapExits);
    const me = await r.self;
    me.send(target.pid, 'to a pid');
    const ref = me.monitor(target.pid);
    await flushUntil(sim.clock, () => target.got.length > 0);
    expect(target.got).toEqual(['to a pid']);
    srv.exit(target.pid, 'bye');
    await flushUntil(sim.clock, () => r.got.length > 0);
    expect(r.got).toEqual([['DOWN', ref, 'process', target.pid, 'bye']]);
    r.got.length = 0;
    const other = recorder(srv);
    srv.register('kvs2', other.pid);
    me.send(['kvs2', srv.name], 'x');
    me.link(other.pid);
    me.exit(other.pid, 'kill');
    await flushUntil(sim.clock, () => r.got.length >= 3);
    expect(r.got).toEqual([
      ['not_allowed', 'send', ['kvs2', srv.name]],
      ['EXIT', other.pid, 'not_allowed'],
      ['not_allowed', 'exit', other.pid],
    ]);
    const { error } = await settled(sim.clock, tab.rpc.call(srv.name, 'tm', 'hello', []));
    expect((error as BadRpcError).reason).toEqual(['EXIT', 'not_allowed']);
    expect(srv.isProcessAlive(other.pid)).toBe(true);
    expect(refusals(srv).every((l) => l.endsWith(`from node ${tab.name} (role 'stranger')`))).toBe(true);
    expect(refusals(srv)).toHaveLength(4);
  });

  // ----- log flood ---------------------------------------------------------------------------

  it('refusal lines are limited per peer: 10 a second, then one summary line when the second ends', async () => {
    const { srv, tab } = await setup('guest');
    const r = recorder(tab);
    const me = await r.self;
    for (let i = 0; i < 30; i++) me.send(['secret', srv.name], i);
    await flushUntil(sim.clock, () => r.got.length >= 30);
    expect(r.got).toHaveLength(30); // every sender is told, even when the log is not
    expect(refusals(srv)).toHaveLength(10);
    const summary = (): string[] => (sim.cluster.captured.get(srv.name)?.logs ?? []).map((l) => l.text).filter((t) => t.includes('more refusals'));
    expect(summary()).toEqual([]);
    await sim.clock.advance(1_000);
    expect(summary()).toEqual([`capabilities: 20 more refusals from node ${tab.name} in the last second were not logged`]);
    me.send(['secret', srv.name], 'later');
    await flushUntil(sim.clock, () => refusals(srv).length > 10);
    expect(refusals(srv)).toHaveLength(11);
  });

  // ----- rate limit --------------------------------------------------------------------------

  it('rate limit: burst of 2× maxMessagesPerSecond passes, the next signal cuts the peer with nodedown reason rate_limited', async () => {
    const { srv, tab } = await setup('rated');
    const events: NodeEvent[] = [];
    srv.monitorNodes((ev) => events.push(ev), { nodedownReason: true });
    const target = recorder(srv);
    await sim.clock.advance(10_000); // the connection's own traffic is long refilled
    for (let i = 0; i < 20; i++) tab.send(target.pid, i);
    await flushUntil(sim.clock, () => target.got.length >= 20);
    expect(target.got).toHaveLength(20);
    expect(srv.nodes()).toEqual([tab.name]);
    expect(events).toEqual([]);
    tab.send(target.pid, 20);
    await flushUntil(sim.clock, () => events.length > 0);
    expect(events).toEqual([['nodedown', tab.name, { nodedownReason: 'rate_limited' }]]);
    expect(target.got).toHaveLength(20);
    expect(srv.nodes()).toEqual([]);
    expect(sim.cluster.logs(srv)).toContain(`capabilities: node ${tab.name} (role 'rated') sent more than 10 signals per second; disconnecting it (rate_limited)`);
  });

  it('rate limit: the bucket refills at maxMessagesPerSecond on the node clock (5 tokens in 500 ms)', async () => {
    const { srv, tab } = await setup('rated');
    const target = recorder(srv);
    await sim.clock.advance(10_000);
    for (let i = 0; i < 20; i++) tab.send(target.pid, i);
    await flushUntil(sim.clock, () => target.got.length >= 20);
    await sim.clock.advance(500);
    for (let i = 0; i < 5; i++) tab.send(target.pid, `r${i}`);
    await flushUntil(sim.clock, () => target.got.length >= 25);
    expect(target.got).toHaveLength(25);
    expect(srv.nodes()).toEqual([tab.name]);
    tab.send(target.pid, 'one too many');
    await flushUntil(sim.clock, () => srv.nodes().length === 0);
    expect(srv.nodes()).toEqual([]);
    expect(target.got).toHaveLength(25);
  });

  it('rate limit: the default is 1000 a second (burst 2000), and cookie holders have none', async () => {
    const { srv, tab } = await setup('guest');
    const target = recorder(srv);
    await sim.clock.advance(10_000);
    for (let i = 0; i < 2000; i++) tab.send(target.pid, i);
    await flushUntil(sim.clock, () => target.got.length >= 2000);
    expect(srv.nodes()).toEqual([tab.name]);
    tab.send(target.pid, 'cut');
    await flushUntil(sim.clock, () => srv.nodes().length === 0);
    expect(srv.nodes()).toEqual([]);
    await sim.cluster.stop();
    const t = await setup(undefined);
    const sink = recorder(t.srv);
    for (let i = 0; i < 5000; i++) t.tab.send(sink.pid, i);
    await flushUntil(sim.clock, () => sink.got.length >= 5000);
    expect(t.srv.nodes()).toEqual([t.tab.name]);
  });

  it('maxMonitors: past the cap a monitor gets DOWN not_allowed at once; a demonitor or a DOWN makes room again', async () => {
    const { srv, tab } = await setup('watcher');
    // The tab's own name services already monitor a few of srv's processes.
    for (let i = 0; i < 5; i++) await sim.clock.flush();
    const base = srv.runtime.watchersFrom(tab.name);
    const room = 8 - base;
    expect(room).toBeGreaterThan(2);
    const targets = Array.from({ length: room + 2 }, () => srv.spawn(async (s) => void (await s.receive())));
    const r = recorder(tab);
    const self = await r.self;
    const refs = targets.slice(0, room + 1).map((t) => self.monitor(t));
    await flushUntil(sim.clock, () => r.got.length >= 1);
    // The last was one too many: answered at once, the others hold.
    expect(r.got).toEqual([['DOWN', refs[room], 'process', targets[room], 'not_allowed']]);
    expect(srv.runtime.watchersFrom(tab.name)).toBe(8);
    expect(refusals(srv).some((t) => t.includes('maxMonitors'))).toBe(true);
    // A demonitor frees one place; a watched process that ends frees another.
    self.demonitor(refs[0]!);
    srv.exit(targets[1]!, 'kill');
    await flushUntil(sim.clock, () => r.got.length >= 2);
    expect(r.got[1]).toEqual(['DOWN', refs[1], 'process', targets[1], 'killed']);
    expect(srv.runtime.watchersFrom(tab.name)).toBe(6);
    self.monitor(targets[room]!);
    self.monitor(targets[room + 1]!);
    for (let i = 0; i < 5; i++) await sim.clock.flush();
    expect(srv.runtime.watchersFrom(tab.name)).toBe(8);
    expect(r.got).toHaveLength(2);
  });

  it('maxMonitors is validated', async () => {
    await expect(sim.cluster.node('srv', { capabilities: { r: { maxMonitors: -1 } } })).rejects.toMatchObject({ code: 'badarg' });
    await expect(sim.cluster.node('srv2', { capabilities: { r: { maxMonitors: 1.5 } } })).rejects.toMatchObject({ code: 'badarg' });
  });
});
