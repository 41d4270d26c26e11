/**
 * rpc (§6 of docs/semantics.md): S19, every row of the rpc table that has a JS meaning, plus
 * argument validation, rpc to the caller's own node and concurrency.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster, eventually } from '../../support/cluster.js';
import { badrpc, rejection } from '../../support/errors.js';
import { dt } from '../../support/test-modules.js';
import { track } from '../../support/real-time.js';
import { BadRpcError, defineModule, ErlmeshError, type Node } from '../../../src/core/index.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

const ZZ = 'zz@vm';

/** Connect a to b on simulated time (the handshake settles through flushes). */
async function connect(clock: SimulatedClock, a: Node, b: Node): Promise<void> {
  const p = track(a.ping(b.name));
  for (let i = 0; i < 20 && !p.settled; i++) await clock.flush();
  expect(p.value).toBe('pong');
}

describe('rpc (S19)', () => {
  async function threeNodes(c: TestCluster): Promise<[Node, Node, Node]> {
    const [a, b, cc] = await c.startNodes('a', 'b', 'c');
    b.load(dt);
    return [a, b, cc];
  }

  it('S19: rpc.call to a node that does not exist rejects BadRpcError nodedown', async ({ cluster: c }) => {
    const [a] = await threeNodes(c);
    const e = await badrpc(a.rpc.call(ZZ, 'erlang', 'node', []));
    expect(e.code).toBe('badrpc');
    expect(e.reason).toBe('nodedown');
  });

  it('S19: the node stopping during the call rejects nodedown', async ({ clock, simCluster: c }) => {
    const [a, b] = await threeNodes(c);
    const p = track(a.rpc.call(b.name, 'dt', 'sleeper', [5_000]));
    await clock.flush();
    expect(p.settled).toBe(false);
    await b.stop();
    for (let i = 0; i < 5 && !p.settled; i++) await clock.flush();
    expect(p.settled).toBe(true);
    expect(p.error).toBeInstanceOf(BadRpcError);
    expect((p.error as BadRpcError).reason).toBe('nodedown');
  });

  it('S19: call with timeout 100 to sleeper(2000) rejects timeout after 100 ms and not before', async ({ clock, simCluster: c }) => {
    const [a, b] = await threeNodes(c);
    await connect(clock, a, b);
    const p = track(a.rpc.call(b.name, 'dt', 'sleeper', [2_000], 100));
    await clock.advance(99);
    expect(p.settled).toBe(false);
    await clock.advance(1);
    await clock.flush();
    expect(p.settled).toBe(true);
    expect(p.error).toBeInstanceOf(BadRpcError);
    expect((p.error as BadRpcError).reason).toBe('timeout');
  });

  it('S19: the timeout also bounds a call whose spawn request gets no reply (frozen node) → timeout', async ({ clock, simCluster: c }) => {
    // rpc:call(b, …, 100) to an unresponsive node returns {badrpc,timeout} after 100 ms: erpc
    // starts its `receive … after Timeout` right after spawn_request, not after the spawn reply.
    const [a, b] = await threeNodes(c);
    await connect(clock, a, b);
    c.net.freeze(b.name);
    const p = track(a.rpc.call(b.name, 'erlang', 'node', [], 100));
    await clock.advance(99);
    expect(p.settled).toBe(false);
    await clock.advance(1);
    await clock.flush();
    c.net.thaw(b.name);
    expect(p.settled).toBe(true);
    expect(p.error).toBeInstanceOf(BadRpcError);
    expect((p.error as BadRpcError).reason).toBe('timeout');
  });

  it('S19: a sleeper within its timeout returns its value', async ({ clock, simCluster: c }) => {
    const [a, b] = await threeNodes(c);
    await connect(clock, a, b);
    const p = track(a.rpc.call(b.name, 'dt', 'sleeper', [50], 100));
    await clock.advance(49);
    expect(p.settled).toBe(false);
    await clock.advance(1);
    await clock.flush();
    expect(p.error).toBeUndefined();
    expect(p.value).toEqual(['slept', 50]);
  });

  it('S19: a remote Error rejects ["EXIT", ["exception", err]] with name and message intact', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const e = await badrpc(a.rpc.call(b.name, 'dt', 'errorer', []));
    const r = e.reason as unknown[];
    expect(r[0]).toBe('EXIT');
    const inner = r[1] as unknown[];
    expect(inner[0]).toBe('exception');
    const err = inner[1] as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TypeError');
    expect(err.message).toBe('bad arith');
  });

  it('S19: remote self.exit("bye") rejects ["EXIT", "bye"]', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const e = await badrpc(a.rpc.call(b.name, 'dt', 'exiter', ['bye']));
    expect(e.reason).toEqual(['EXIT', 'bye']);
  });

  it('S19: remote self.throw("ball") resolves "ball" as a normal result', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    expect(await a.rpc.call(b.name, 'dt', 'thrower', ['ball'])).toBe('ball');
    expect(await a.rpc.call(b.name, 'dt', 'thrower', [['ok', 7]])).toEqual(['ok', 7]);
  });

  it('S19: an undefined function rejects ["EXIT", ["undef", [m, f, args]]]', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const e = await badrpc(a.rpc.call(b.name, 'nosuchmod', 'f', [1]));
    expect(e.reason).toEqual(['EXIT', ['undef', ['nosuchmod', 'f', [1]]]]);
    const e2 = await badrpc(a.rpc.call(b.name, 'dt', 'nosuchfun', []));
    expect(e2.reason).toEqual(['EXIT', ['undef', ['dt', 'nosuchfun', []]]]);
  });

  it('S19: a function returning ["badrpc", "x"] resolves ["badrpc", "x"]', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    expect(await a.rpc.call(b.name, 'dt', 'returnsBadrpc', [])).toEqual(['badrpc', 'x']);
  });

  it('S19: a function returning a promise resolves its value', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    expect(await a.rpc.call(b.name, 'dt', 'promised', [42])).toEqual(['promised', 42]);
  });

  it('S19: rpc.call to the caller\'s own node runs there', async ({ cluster: c }) => {
    const [a] = await threeNodes(c);
    expect(await a.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
    a.load(dt);
    expect(await a.rpc.call(a.name, 'dt', 'thrower', ['own'])).toBe('own');
    const e = await badrpc(a.rpc.call(a.name, 'dt', 'exiter', ['bye']));
    expect(e.reason).toEqual(['EXIT', 'bye']);
  });

  it('S19: rpc.call between two nodes while the mesh is connecting them succeeds (no spurious nodedown)', async ({ cluster: c }) => {
    // a connects to b and c; c then dials b for the mesh (connect_all) while b dials c for
    // this call. Erlang arbitrates the simultaneous connect and the call returns c@vm.
    const [a, b, cc] = await threeNodes(c);
    expect(await a.ping(b.name)).toBe('pong');
    expect(await a.ping(cc.name)).toBe('pong');
    expect(await a.rpc.call(cc.name, 'erlang', 'node', [])).toBe(cc.name);
    const downs: unknown[] = [];
    b.monitorNodes((ev) => downs.push(ev));
    expect(await b.rpc.call(cc.name, 'erlang', 'node', [])).toBe(cc.name);
    await eventually(() => b.nodes().includes(cc.name) && cc.nodes().includes(b.name), 2_000);
    expect(downs.filter((ev) => (ev as unknown[])[0] === 'nodedown')).toEqual([]);
  });

  it('S19: rpc.cast to a node that does not exist returns true', async ({ cluster: c }) => {
    const [a] = await threeNodes(c);
    expect(a.rpc.cast(ZZ, 'erlang', 'node', [])).toBe(true);
  });

  it('S19: rpc.cast whose function throws prints a crash report on the caller, not on the target', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    expect(a.rpc.cast(b.name, 'dt', 'errorer', [])).toBe(true);
    await eventually(() => c.output(a).includes('Error in process'), 2_000);
    expect(c.output(a)).toContain(b.name);
    expect(c.output(a)).toContain('bad arith');
    expect(c.output(b)).not.toContain('Error in process');
  });

  it('S19: rpc.cast runs the function on the target', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const collector = a.spawn(async (self) => {
      const m = await self.receive();
      self.exit(['got', m]);
    });
    a.register('collector', collector);
    const sender = defineModule('sender', {
      tell: (self, to: [string, string], v: unknown) => self.send(to, ['from', self.node.name, v]),
    });
    b.load(sender);
    expect(a.rpc.cast(b.name, 'sender', 'tell', [['collector', a.name], 9])).toBe(true);
    expect(await a.exitReason(collector)).toEqual(['got', ['from', b.name, 9]]);
  });

  it('S19: asyncCall, nbYield(key, 0) → "timeout", then yield(key) → the value', async ({ clock, simCluster: c }) => {
    const [a, b] = await threeNodes(c);
    await connect(clock, a, b);
    const key = a.rpc.asyncCall(b.name, 'dt', 'sleeper', [300]);
    const nb = track(a.rpc.nbYield(key, 0));
    await clock.flush();
    await clock.flush();
    expect(nb.settled).toBe(true);
    expect(nb.value).toBe('timeout');
    const y = track(a.rpc.yield(key));
    await clock.advance(299);
    expect(y.settled).toBe(false);
    await clock.advance(1);
    await clock.flush();
    expect(y.error).toBeUndefined();
    expect(y.value).toEqual(['slept', 300]);
  });

  it('S19: nbYield(key, 1000) after the answer returns ["value", v]', async ({ clock, simCluster: c }) => {
    const [a, b] = await threeNodes(c);
    await connect(clock, a, b);
    const key = a.rpc.asyncCall(b.name, 'dt', 'sleeper', [300]);
    const nb = track(a.rpc.nbYield(key, 1_000));
    await clock.advance(299);
    expect(nb.settled).toBe(false);
    await clock.advance(1);
    await clock.flush();
    expect(nb.value).toEqual(['value', ['slept', 300]]);
  });

  it('S19: nbYield(key, 1000) on an erroring call rejects BadRpcError ["EXIT", …]', async ({ clock, simCluster: c }) => {
    // JS adaptation: Erlang returns {value,{badrpc,{'EXIT',…}}} here. erlmesh's nbYield, like
    // call and yield, turns a badrpc into a BadRpcError rejection carrying the same reason.
    const [a, b] = await threeNodes(c);
    await connect(clock, a, b);
    const key = a.rpc.asyncCall(b.name, 'dt', 'errorer', []);
    const nb = track(a.rpc.nbYield(key, 1_000));
    await clock.advance(10);
    await clock.flush();
    expect(nb.settled).toBe(true);
    expect(nb.error).toBeInstanceOf(BadRpcError);
    const r = (nb.error as BadRpcError).reason as unknown[];
    expect(r[0]).toBe('EXIT');
    expect((r[1] as unknown[])[0]).toBe('exception');
    expect(((r[1] as unknown[])[1] as Error).name).toBe('TypeError');
  });

  it('S19: yield(asyncCall(zz, …)) rejects nodedown', async ({ cluster: c }) => {
    const [a] = await threeNodes(c);
    const key = a.rpc.asyncCall(ZZ, 'erlang', 'node', []);
    const e = await badrpc(a.rpc.yield(key));
    expect(e.reason).toBe('nodedown');
  });

  it('S19: multicall([b, zz, a], erlang, node) → results [b, a] in node order, badNodes [zz]', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const r = await a.rpc.multicall([b.name, ZZ, a.name], 'erlang', 'node', []);
    expect(r.results).toEqual([b.name, a.name]);
    expect(r.badNodes).toEqual([ZZ]);
  });

  it('S19: multicall keeps node order for three live nodes', async ({ cluster: c }) => {
    const [a, b, cc] = await threeNodes(c);
    const r = await a.rpc.multicall([cc.name, a.name, b.name], 'erlang', 'node', []);
    expect(r.results).toEqual([cc.name, a.name, b.name]);
    expect(r.badNodes).toEqual([]);
  });

  it('S19: multicall([b], errorer) counts the error as a result', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const r = await a.rpc.multicall([b.name], 'dt', 'errorer', []);
    expect(r.badNodes).toEqual([]);
    expect(r.results).toHaveLength(1);
    expect(r.results[0]).toBeInstanceOf(BadRpcError);
    const reason = (r.results[0] as BadRpcError).reason as unknown[];
    expect(reason[0]).toBe('EXIT');
    expect((reason[1] as unknown[])[0]).toBe('exception');
  });

  it('S19: multicall([b], sleeper(1000), timeout 100) → results [], badNodes [b]', async ({ clock, simCluster: c }) => {
    const [a, b] = await threeNodes(c);
    await connect(clock, a, b);
    const p = track(a.rpc.multicall([b.name], 'dt', 'sleeper', [1_000], 100));
    await clock.advance(99);
    expect(p.settled).toBe(false);
    await clock.advance(1);
    await clock.flush();
    expect(p.error).toBeUndefined();
    expect(p.value).toEqual({ results: [], badNodes: [b.name] });
  });

  it('S19: a function inside args rejects with code badarg', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const e = await rejection(a.rpc.call(b.name, 'dt', 'echo', [() => 1]));
    expect(e).toBeInstanceOf(ErlmeshError);
    expect((e as ErlmeshError).code).toBe('badarg');
    const nested = await rejection(a.rpc.call(b.name, 'dt', 'echo', [{ deep: [1, () => 2] }]));
    expect((nested as ErlmeshError).code).toBe('badarg');
  });

  it('S19: a negative timeout rejects with code badarg', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const e = await rejection(a.rpc.call(b.name, 'erlang', 'node', [], -1));
    expect(e).toBeInstanceOf(ErlmeshError);
    expect(e).not.toBeInstanceOf(BadRpcError);
    expect((e as ErlmeshError).code).toBe('badarg');
    const m = await rejection(a.rpc.multicall([b.name], 'erlang', 'node', [], -5));
    expect((m as ErlmeshError).code).toBe('badarg');
  });

  it('S19: 200 concurrent calls from a to b all resolve with their own answer', async ({ cluster: c }) => {
    const [a, b] = await threeNodes(c);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => a.rpc.call(b.name, 'dt', 'echo', [i])));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => [b.name, i]));
  });
});
