/**
 * A node started without a name (docs/semantics.md §1, first bullet; acceptance scenario
 * S30), and the startNode option checks for named nodes (§1 naming rules).
 */
import { describe, expect, afterEach } from 'vitest';
import { it } from '../../fixtures.js';
import { BadRpcError, type LogEntry, type Node, type NodeOptions, Pid, Ref, startNode } from '../../../src/core/index.js';
import { MemoryNetwork } from '../../../src/core/testing/memory-network.js';
import { rejection, thrownCode } from '../../support/errors.js';
import { runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';

describe('a node that is not distributed (S30)', () => {
  const started: Node[] = [];
  let output: string[] = [];
  let logs: LogEntry[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.stop()));
    output = [];
    logs = [];
  });

  /** startNode() with no name; output and logs captured instead of going to the console. */
  async function notAlive(extra: Partial<NodeOptions> = {}): Promise<Node> {
    const n = await startNode({ output: (t) => output.push(t), logger: (e) => logs.push(e), ...extra });
    started.push(n);
    return n;
  }

  it("S30: a node without a name is 'nonode@nohost', not alive, cookie 'nocookie', no nodes", async () => {
    const n = await notAlive();
    expect(n.name).toBe('nonode@nohost');
    expect(n.isAlive()).toBe(false);
    expect(n.getCookie()).toBe('nocookie');
    expect(n.getCookie('b@vm')).toBe('nocookie');
    expect(n.nodes()).toEqual([]);
    expect(n.nodes('connected')).toEqual([]);
    expect(n.nodes(['visible', 'this'])).toEqual(['nonode@nohost']);
  });

  it('S30: a bare startNode() with no options at all is not alive', async () => {
    // the default output/logger go to the console; nothing is printed here
    const n = await startNode();
    started.push(n);
    expect(n.name).toBe('nonode@nohost');
    expect(n.isAlive()).toBe(false);
  });

  it("S30: ping of anything is 'pang', even its own name", async () => {
    const n = await notAlive();
    expect(await within(n.ping('b@vm'))).toBe('pang');
    expect(await within(n.ping('zz'))).toBe('pang');
    expect(await within(n.ping('nonode@nohost'))).toBe('pang');
    expect(n.lastConnectError('b@vm')).toBe('notalive');
  });

  it('S30: it cannot reach a real node that exists on a network', async ({ cluster }) => {
    // b is alive on a MemoryNetwork; the unnamed node has no transport to reach it
    const b = await cluster.node('b');
    const n = await notAlive();
    expect(await within(n.ping(b.name))).toBe('pang');
    expect(n.nodes()).toEqual([]);
    expect(b.nodes()).toEqual([]);
  });

  it("S30: [x, 'b@vm'] send returns the message without throwing (node.send and self.send)", async () => {
    const n = await notAlive();
    const msg = ['hello', 1];
    expect(n.send(['x', 'b@vm'], msg)).toBe(msg);
    const ok = await runIn(n, (self) => {
      const m = { from: self.pid };
      return self.send(['x', 'b@vm'], m) === m;
    });
    expect(ok).toBe(true);
    // and the node is still fine afterwards
    expect(await within(n.rpc.call('nonode@nohost', 'math', 'sqrt', [25]))).toBe(5);
  });

  it("S30: rpc.call to another node rejects BadRpcError 'nodedown'", async () => {
    const n = await notAlive();
    const e = await rejection(within(n.rpc.call('b@vm', 'erlang', 'node', [])));
    expect(e).toBeInstanceOf(BadRpcError);
    expect((e as BadRpcError).reason).toBe('nodedown');
  });

  it('S30: remote spawn resolves a (useless) pid; spawnMonitor from a process gets DOWN noconnection', async () => {
    const n = await notAlive();
    const pid = await within(n.spawn('b@vm', 'kvs', 'start', []));
    expect(pid).toBeInstanceOf(Pid);
    expect(pid.node).toBe('nonode@nohost'); // a local pid that never lived, as in Erlang
    expect(n.isProcessAlive(pid)).toBe(false);
    const got = await runIn(n, async (self) => {
      const [p, ref] = await self.spawnMonitor('b@vm', 'kvs', 'start', []);
      const down = (await self.receive((m) => Array.isArray(m) && m[0] === 'DOWN')) as unknown[];
      return { p, ref, down };
    });
    expect(got.p).toBeInstanceOf(Pid);
    expect(got.ref).toBeInstanceOf(Ref);
    expect(got.ref.equals(got.down[1])).toBe(true);
    expect(got.down[2]).toBe('process');
    expect(got.p.equals(got.down[3])).toBe(true);
    expect(got.down[4]).toBe('noconnection');
    // Erlang logs "** Can not start kvs:start,[] on b@vm **" (with " ([monitor])" for spawn_monitor)
    expect(logs.map((l) => l.text).join('\n')).toContain('Can not start');
  });

  it("S30: spawnLink to another node from a trapping process gives ['EXIT', pid, 'noconnection']", async () => {
    const n = await notAlive();
    const got = await runIn(n, async (self) => {
      self.trapExit(true);
      const p = await self.spawnLink('b@vm', 'kvs', 'start', []);
      const m = (await self.receive((x) => Array.isArray(x) && x[0] === 'EXIT')) as unknown[];
      return [p.equals(m[1]), m[2]];
    });
    expect(got).toEqual([true, 'noconnection']);
  });

  it("S30: monitor of [name, 'b@vm'] gives DOWN with [name, node] and noconnection", async () => {
    const n = await notAlive();
    const got = await runIn(n, async (self) => {
      const ref = self.monitor(['kvs', 'b@vm']);
      const down = (await self.receive((m) => Array.isArray(m) && m[0] === 'DOWN')) as unknown[];
      return [ref.equals(down[1]), ...down.slice(2)];
    });
    expect(got).toEqual([true, 'process', ['kvs', 'b@vm'], 'noconnection']);
  });

  it("S30: self.monitorNode throws 'notalive'", async () => {
    const n = await notAlive();
    const codes = await runIn(n, (self) => [thrownCode(() => self.monitorNode('b@vm')), thrownCode(() => self.monitorNode('nonode@nohost'))]);
    expect(codes).toEqual(['notalive', 'notalive']);
  });

  it("S30: setCookie throws 'distribution_not_started'", async () => {
    const n = await notAlive();
    expect(thrownCode(() => n.setCookie('b@vm', 'x'))).toBe('distribution_not_started');
    expect(thrownCode(() => n.setCookie('x'))).toBe('distribution_not_started');
    expect(n.getCookie('b@vm')).toBe('nocookie');
  });

  it("S30: local processes, kvs and rpc.call to its own name 'nonode@nohost' still work", async () => {
    const n = await notAlive();
    const pid = n.spawn(async (self) => {
      const m = (await self.receive()) as [Pid, string];
      self.send(m[0], ['echo', m[1]]);
    });
    expect(pid.node).toBe('nonode@nohost');
    const echoed = await runIn(n, async (self) => {
      self.send(pid, [self.pid, 'hi']);
      return self.receive();
    });
    expect(echoed).toEqual(['echo', 'hi']);

    expect(await within(n.rpc.call('nonode@nohost', 'kvs', 'start', []))).toBe(true);
    expect(await within(n.rpc.call('nonode@nohost', 'kvs', 'store', ['weather', 'fine']))).toBe(true);
    expect(await within(n.rpc.call('nonode@nohost', 'kvs', 'lookup', ['weather']))).toEqual(['ok', 'fine']);
    expect(await within(n.rpc.call('nonode@nohost', 'kvs', 'lookup', ['nothing']))).toBeUndefined();
    expect(await within(n.rpc.call('nonode@nohost', 'erlang', 'node', []))).toBe('nonode@nohost');
    // the registered kvs server answers a [name, node] send on the local node
    const reply = await runIn(n, async (self) => {
      self.send(['kvs', 'nonode@nohost'], [self.pid, ['lookup', 'weather']]);
      return self.receive();
    });
    expect(reply).toEqual(['kvs', ['ok', 'fine']]);
  });
});

describe('startNode option checks (§1)', () => {
  const started: Node[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.stop()));
  });

  const quiet = { output: false as const, logger: false as const };

  it('a name without a transport throws badarg', async () => {
    expect((await rejection(startNode({ sname: 'a', host: 'vm', cookie: 'abc', ...quiet }))).code).toBe('badarg');
    expect((await rejection(startNode({ name: 'a@127.0.0.1', cookie: 'abc', ...quiet }))).code).toBe('badarg');
  });

  it('a name without a cookie (or an empty one) throws badarg, and the name is not taken', async () => {
    const net = new MemoryNetwork();
    expect((await rejection(startNode({ sname: 'a', host: 'vm', transport: net.transport(), ...quiet }))).code).toBe('badarg');
    expect((await rejection(startNode({ sname: 'a', host: 'vm', cookie: '', transport: net.transport(), ...quiet }))).code).toBe(
      'badarg',
    );
    expect(net.names()).toEqual([]);
    // with a cookie the same name starts fine
    const ok = await startNode({ sname: 'a', host: 'vm', cookie: 'abc', transport: net.transport(), ...quiet });
    started.push(ok);
    expect(ok.name).toBe('a@vm');
    expect(ok.isAlive()).toBe(true);
  });

  it("name: 'gandalf' on a host without dots throws 'name_mode_mismatch' (Can't set long node name)", async () => {
    const net = new MemoryNetwork();
    const e = await rejection(startNode({ name: 'gandalf', host: 'vm', cookie: 'abc', transport: net.transport(), ...quiet }));
    expect(e.code).toBe('name_mode_mismatch');
    const e2 = await rejection(startNode({ name: 'gandalf@vm', cookie: 'abc', transport: net.transport(), ...quiet }));
    expect(e2.code).toBe('name_mode_mismatch');
    // sname with a long host is the mirror image
    const e3 = await rejection(startNode({ sname: 'gandalf@127.0.0.1', cookie: 'abc', transport: net.transport(), ...quiet }));
    expect(e3.code).toBe('name_mode_mismatch');
    expect(net.names()).toEqual([]);
    // a proper long name works
    const ok = await startNode({ name: 'gandalf@127.0.0.1', cookie: 'abc', transport: net.transport(), ...quiet });
    started.push(ok);
    expect(ok.name).toBe('gandalf@127.0.0.1');
  });

  it('sname and name both given throws badarg', async () => {
    const net = new MemoryNetwork();
    const e = await rejection(
      startNode({ sname: 'a', name: 'a@127.0.0.1', host: 'vm', cookie: 'abc', transport: net.transport(), ...quiet }),
    );
    expect(e.code).toBe('badarg');
    expect(net.names()).toEqual([]);
  });
});
