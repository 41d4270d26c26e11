/**
 * global (docs/semantics.md §7): S22 names, re-register, unregister, names dropped on
 * nodedown, S24 locks, and the cost of one registration on the wire.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster, eventually } from '../../support/cluster.js';
import { ErlmeshError, type Node, Pid } from '../../../src/core/index.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import { expectAgreement, idle, isAlive, mesh, recorder, syncAll } from '../../support/global-mesh.js';

describe('global names (S22)', () => {
  async function three(c: TestCluster): Promise<[Node, Node, Node]> {
    const [a, b, cc] = await mesh(c, 'a', 'b', 'c');
    return [a!, b!, cc!];
  }

  it('S22: registerName yes, then no for another pid under the taken name; whereis on every node after sync', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const p = idle(b);
    const q = idle(cc);
    expect(await b.global.registerName('foo', p)).toBe('yes');
    expect(b.global.whereisName('foo')?.equals(p)).toBe(true);
    expect(await cc.global.registerName('foo', q)).toBe('no');
    expect(await a.global.registerName('foo', q)).toBe('no');
    expect(await a.global.sync()).toBe('ok');
    await syncAll([a, b, cc]);
    for (const n of [a, b, cc]) {
      expect(n.global.whereisName('foo')?.equals(p)).toBe(true);
      expect(n.global.registeredNames()).toEqual(['foo']);
      expect(n.global.whereisName('nope')).toBeUndefined();
    }
  });

  it('S22: one name per pid: a second name is refused and logged', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const p = idle(b);
    expect(await b.global.registerName('foo', p)).toBe('yes');
    // b's broadcast of 'foo' is on its way to a (sent before the answer resolved); let it land
    // rather than race it (with batched frames it arrives one microtask later than before).
    await a.global.sync();
    expect(await a.global.registerName('foo2', p)).toBe('no');
    expect(c.logs(a)).toMatch(/global: <b@vm\.\d+\.\d+> registered under several names: \[foo2,foo\]/);
    await syncAll(c.nodes);
    for (const n of c.nodes) expect(n.global.registeredNames()).toEqual(['foo']);
  });

  it('S22: registering a dead pid answers yes and the name disappears', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const dead = b.spawn(() => undefined);
    await eventually(() => !b.isProcessAlive(dead));
    expect(await a.global.registerName('deadname', dead)).toBe('yes');
    await syncAll(c.nodes);
    for (const n of c.nodes) expect(n.global.whereisName('deadname')).toBeUndefined();
    // the name is free again
    const p = idle(a);
    expect(await b.global.registerName('deadname', p)).toBe('yes');
  });

  it('S22: send returns the pid and delivers; an unknown name throws badarg with details { name, msg }', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const r = recorder(b);
    expect(await b.global.registerName('srv', r.pid)).toBe('yes');
    await a.global.sync();
    expect(a.global.send('srv', 'hi')?.equals(r.pid)).toBe(true);
    await eventually(() => r.got.length === 1);
    expect(r.got).toEqual(['hi']);
    let err: unknown;
    try {
      a.global.send('nope', 'hi');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ErlmeshError);
    expect((err as ErlmeshError).code).toBe('badarg');
    expect((err as ErlmeshError).details).toEqual({ name: 'nope', msg: 'hi' });
  });

  it('S22: the name is removed everywhere when its process dies, and can be taken again', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const p = idle(cc);
    expect(await a.global.registerName('foo', p)).toBe('yes');
    await syncAll(c.nodes);
    for (const n of c.nodes) expect(n.global.whereisName('foo')?.equals(p)).toBe(true);
    cc.exit(p, 'kill');
    await eventually(() => c.nodes.every((n) => n.global.whereisName('foo') === undefined));
    await syncAll(c.nodes);
    for (const n of c.nodes) expect(n.global.registeredNames()).toEqual([]);
    const q = idle(b);
    expect(await cc.global.registerName('foo', q)).toBe('yes');
    await syncAll(c.nodes);
    expectAgreement(c.nodes);
    expect(a.global.whereisName('foo')?.equals(q)).toBe(true);
  });

  it('S22: registeredNames lists the names of every node, sorted', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    expect(await a.global.registerName('zed', idle(a))).toBe('yes');
    expect(await b.global.registerName('alpha', idle(b))).toBe('yes');
    expect(await cc.global.registerName('mid', idle(cc))).toBe('yes');
    await syncAll(c.nodes);
    for (const n of c.nodes) expect(n.global.registeredNames()).toEqual(['alpha', 'mid', 'zed']);
  });

  it('concurrent registrations of one name from every node: exactly one yes, and all agree', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const pids = [idle(a), idle(b), idle(cc)];
    const results = await Promise.all([a, b, cc].map((n, i) => n.global.registerName('race', pids[i]!)));
    expect(results.filter((r) => r === 'yes')).toHaveLength(1);
    await syncAll(c.nodes);
    expectAgreement(c.nodes);
    expect(a.global.whereisName('race')?.equals(pids[results.indexOf('yes')]!)).toBe(true);
  });

  it('reRegisterName answers yes and moves the name, also to a pid on another node', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const p = idle(b);
    const q = idle(cc);
    expect(await a.global.registerName('foo', p)).toBe('yes');
    expect(await a.global.reRegisterName('foo', q)).toBe('yes');
    expect(a.global.whereisName('foo')?.equals(q)).toBe(true);
    await syncAll(c.nodes);
    for (const n of c.nodes) expect(n.global.whereisName('foo')?.equals(q)).toBe(true);
    // the old pid lost its name and can take another one
    expect(await b.global.registerName('bar', p)).toBe('yes');
    expect(await cc.global.reRegisterName('bar', q)).toBe('yes');
    await syncAll(c.nodes);
    expectAgreement(c.nodes);
    expect(b.global.whereisName('bar')?.equals(q)).toBe(true);
  });

  it('unregisterName always answers ok, and the name is gone everywhere', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const p = idle(cc);
    expect(await b.global.unregisterName('never')).toBe('ok');
    expect(await b.global.registerName('foo', p)).toBe('yes');
    expect(await a.global.unregisterName('foo')).toBe('ok');
    expect(a.global.whereisName('foo')).toBeUndefined();
    expect(await a.global.unregisterName('foo')).toBe('ok');
    await syncAll(c.nodes);
    for (const n of c.nodes) expect(n.global.registeredNames()).toEqual([]);
    // the pid is free to take a name again
    expect(await cc.global.registerName('foo2', p)).toBe('yes');
  });

  it('names of a node that goes down disappear on every other node', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    expect(await a.global.registerName('onb', idle(b))).toBe('yes');
    expect(await a.global.registerName('onc', idle(cc))).toBe('yes');
    await syncAll(c.nodes);
    c.net.kill(b.name);
    await eventually(() => a.global.whereisName('onb') === undefined && cc.global.whereisName('onb') === undefined);
    await syncAll([a, cc]);
    expect(a.global.registeredNames()).toEqual(['onc']);
    expect(cc.global.registeredNames()).toEqual(['onc']);
  });

  it('the leader going down: calls go to the next leader', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    expect(await cc.global.registerName('x', idle(cc))).toBe('yes');
    await syncAll(c.nodes);
    await a.stop();
    await eventually(() => b.nodes().length === 1 && cc.nodes().length === 1);
    const p = idle(b);
    expect(await cc.global.registerName('y', p)).toBe('yes');
    expect(await b.global.registerName('x', p)).toBe('no');
    await syncAll([b, cc]);
    expectAgreement([b, cc]);
    expect(b.global.registeredNames()).toEqual(['x', 'y']);
  });

  it('a call in flight when its leader dies is answered by the next leader', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    await syncAll(c.nodes);
    c.net.freeze(a.name);
    const p = idle(cc);
    const pending = cc.global.registerName('inflight', p);
    const other = b.global.registerName('inflight', idle(b));
    c.net.kill(a.name);
    const results = await Promise.all([pending, other]);
    expect(results.filter((r) => r === 'yes')).toHaveLength(1);
    await syncAll([b, cc]);
    expectAgreement([b, cc]);
    expect(b.global.registeredNames()).toEqual(['inflight']);
  });

  it('a pid on a node the leader cannot reach counts as dead: yes, and no name', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const gone = await c.node('gone');
    const p = idle(gone);
    await gone.stop();
    expect(await b.global.registerName('ghost', p)).toBe('yes');
    await syncAll([a, b]);
    expect(a.global.whereisName('ghost')).toBeUndefined();
  });

  it('the name server restarts when killed and keeps its names', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const p = idle(a);
    expect(await b.global.registerName('keep', p)).toBe('yes');
    await syncAll(c.nodes);
    const old = a.whereis('global_name_server')!;
    a.exit(old, 'kill');
    await eventually(() => a.whereis('global_name_server') !== undefined && !a.whereis('global_name_server')!.equals(old));
    expect(await cc.global.registerName('after', idle(cc))).toBe('yes');
    expect(await a.global.registerName('mine', idle(a))).toBe('yes');
    await syncAll(c.nodes);
    expect(expectAgreement(c.nodes)).toEqual(['after', 'keep', 'mine']);
    // the restarted server still watches its processes
    a.exit(p, 'kill');
    await eventually(() => c.nodes.every((n) => n.global.whereisName('keep') === undefined));
  });

  it('hidden connections are ignored by the names; locks work over them', async ({ cluster: c }) => {
    const [a] = await three(c);
    const h = await c.node('h', { hidden: true });
    expect(await h.ping(a.name)).toBe('pong');
    expect(await a.global.registerName('visible', idle(a))).toBe('yes');
    expect(await h.global.registerName('hidden', idle(h))).toBe('yes');
    await syncAll([a, h]);
    expect(h.global.registeredNames()).toEqual(['hidden']);
    for (const n of c.nodes.filter((x) => x !== h)) expect(n.global.registeredNames()).toEqual(['visible']);
    expect(await h.global.setLock(['r', 'h'], [a.name, h.name])).toBe(true);
    expect(await a.global.setLock(['r', 'a'], [a.name], 0)).toBe(false);
    expect(await h.global.delLock(['r', 'h'], [a.name, h.name])).toBe(true);
    expect(await a.global.setLock(['r', 'a'], [a.name], 0)).toBe(true);
  });

  it('a node that is not distributed keeps its own names', async () => {
    const { startNode } = await import('../../../src/core/node/start-node.js');
    const n = await startNode({ output: false, logger: false });
    try {
      const p = idle(n);
      expect(await n.global.registerName('solo', p)).toBe('yes');
      expect(n.global.whereisName('solo')?.equals(p)).toBe(true);
      expect(await n.global.sync()).toBe('ok');
      expect(await n.global.unregisterName('solo')).toBe('ok');
      expect(n.global.registeredNames()).toEqual([]);
      expect(await n.global.trans(['r', 'me'], () => 'done')).toBe('done');
    } finally {
      await n.stop();
    }
  });

  it('bad arguments throw badarg', async ({ cluster: c }) => {
    const [a] = await three(c);
    const p = idle(a);
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as ErlmeshError).code;
      }
      return undefined;
    };
    expect(codeOf(() => a.global.registerName(42 as unknown as string, p))).toBe('badarg');
    expect(codeOf(() => a.global.registerName('x', 'pid' as unknown as Pid))).toBe('badarg');
    expect(codeOf(() => a.global.registerName('x', p, 'bogus' as never))).toBe('badarg');
    expect(codeOf(() => a.global.whereisName(undefined as unknown as string))).toBe('badarg');
  });
});

/** The frames of a name call's visibility barrier (global/sync.ts `afterSeen`). */
const BARRIER = new Set(['g_sync_req', 'g_sync_ack', 'g_probe', 'g_probe_ack']);

describe('one registration costs one round trip to the leader, then one to each peer before it answers', () => {
  /** The global frames sent between `start` and `stop`: [from, to, tag]. */
  function tapGlobal(c: TestCluster): { frames: Array<[string, string, string]>; stop(): void } {
    const frames: Array<[string, string, string]> = [];
    const stop = c.net.tap((from, to, f) => {
      // One transport frame may carry several frames (a fast-1 batch).
      for (const fr of decodeWireFrame(f) as Array<{ t?: string; to?: unknown; msg?: unknown }>) {
        if (fr.t === 'reg_send' && fr.to === 'global_name_server' && Array.isArray(fr.msg)) frames.push([from, to, String(fr.msg[0])]);
        else if (fr.t !== 'tick') frames.push([from, to, String(fr.t)]);
      }
    });
    return { frames, stop };
  }

  it('a non-leader registering its own process: request, answer, then its broadcasts; no lock dance', async ({ cluster: c }) => {
    const [a, b, cc] = await mesh(c, 'a', 'b', 'c');
    await syncAll(c.nodes);
    const p = idle(cc!);
    const t = tapGlobal(c);
    expect(await cc!.global.registerName('mine', p)).toBe('yes');
    t.stop();
    const A = a!.name;
    const B = b!.name;
    const C = cc!.name;
    // c → a: the request; a → c: the answer (a chain step: "own it"); c → a, c → b: the new
    // entry; then c asks each peer to ack (behind the entry: no probe, c made the change).
    expect(t.frames.filter(([, , tag]) => !BARRIER.has(tag))).toEqual([
      [C, A, 'g_reserve'],
      [A, C, 'g_chain'],
      [C, A, 'g_ops'],
      [C, B, 'g_ops'],
    ]);
    expect(t.frames.filter(([, , tag]) => BARRIER.has(tag)).sort()).toEqual(
      [
        [C, A, 'g_sync_req'],
        [C, B, 'g_sync_req'],
        [A, C, 'g_sync_ack'],
        [B, C, 'g_sync_ack'],
      ].sort(),
    );
    // registerName answered once every peer had the name
    expect(a!.global.whereisName('mine')?.equals(p)).toBe(true);
    expect(b!.global.whereisName('mine')?.equals(p)).toBe(true);
  });

  it('a non-leader registering a process of another node sends exactly one frame', async ({ cluster: c }) => {
    const [a, b, cc] = await mesh(c, 'a', 'b', 'c');
    await syncAll(c.nodes);
    const A = a!.name;
    const B = b!.name;
    const C = cc!.name;
    // the pid lives on the leader: the leader's broadcast is the answer
    let t = tapGlobal(c);
    expect(await cc!.global.registerName('on_a', idle(a!))).toBe('yes');
    t.stop();
    expect(t.frames.filter(([from, , tag]) => from === C && !BARRIER.has(tag))).toEqual([[C, A, 'g_reserve']]);
    expect(t.frames.filter(([, , tag]) => !BARRIER.has(tag)).sort()).toEqual(
      [
        [C, A, 'g_reserve'],
        [A, B, 'g_ops'],
        [A, C, 'g_ops'],
      ].sort(),
    );
    // the barrier: b probes a (the owner, whose entry b must hold) before it acks
    expect(t.frames.filter(([, , tag]) => BARRIER.has(tag)).sort()).toEqual(
      [
        [C, A, 'g_sync_req'],
        [C, B, 'g_sync_req'],
        [A, C, 'g_sync_ack'],
        [B, A, 'g_probe'],
        [A, B, 'g_probe_ack'],
        [B, C, 'g_sync_ack'],
      ].sort(),
    );
    expect(b!.global.whereisName('on_a')).toBeInstanceOf(Pid);
    // the pid lives on b: leader → b, then b's broadcast answers c
    t = tapGlobal(c);
    expect(await cc!.global.registerName('on_b', idle(b!))).toBe('yes');
    t.stop();
    expect(t.frames.filter(([from, , tag]) => from === C && !BARRIER.has(tag))).toEqual([[C, A, 'g_reserve']]);
    expect(t.frames.filter(([, , tag]) => !BARRIER.has(tag))).toEqual([
      [C, A, 'g_reserve'],
      [A, B, 'g_chain'],
      [B, A, 'g_ops'],
      [B, C, 'g_ops'],
    ]);
    for (const n of [a!, b!, cc!]) expect(n.global.whereisName('on_b')).toBeInstanceOf(Pid);
  });

  it('on the leader, registering a local process sends the broadcasts and one ack request to each peer', async ({ cluster: c }) => {
    const [a, b, cc] = await mesh(c, 'a', 'b', 'c');
    await syncAll(c.nodes);
    const t = tapGlobal(c);
    expect(await a!.global.registerName('lead', idle(a!))).toBe('yes');
    t.stop();
    const [A, B, C] = [a!.name, b!.name, cc!.name];
    expect([...t.frames].sort()).toEqual(
      [
        [A, B, 'g_ops'],
        [A, C, 'g_ops'],
        [A, B, 'g_sync_req'],
        [A, C, 'g_sync_req'],
        [B, A, 'g_sync_ack'],
        [C, A, 'g_sync_ack'],
      ].sort(),
    );
  });
});

describe('global locks (S24)', () => {
  it('S24: set_lock true, again true for the same requester, false for a competitor with 0 retries; del_lock true', async ({ cluster: c }) => {
    const [a, b] = await mesh(c, 'a', 'b', 'c');
    expect(await a!.global.setLock(['res', 'req1'])).toBe(true);
    expect(await a!.global.setLock(['res', 'req1'])).toBe(true);
    expect(await b!.global.setLock(['res', 'req1'])).toBe(true);
    expect(await b!.global.setLock(['res', 'req2'], undefined, 0)).toBe(false);
    expect(await a!.global.setLock(['other', 'req2'], undefined, 0)).toBe(true);
    expect(await a!.global.delLock(['res', 'req1'])).toBe(true);
    expect(await b!.global.setLock(['res', 'req2'], undefined, 0)).toBe(true);
    expect(await b!.global.delLock(['res', 'req2'])).toBe(true);
    expect(await a!.global.delLock(['other', 'req2'])).toBe(true);
  });

  it('S24: a waiting setLock (retries) gets the lock once it is released', async ({ cluster: c }) => {
    const [a, b] = await mesh(c, 'a', 'b', 'c');
    expect(await a!.global.setLock(['res', 'one'])).toBe(true);
    let got = false;
    const waiting = b!.global.setLock(['res', 'two'], undefined, 100).then((v) => (got = v));
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toBe(false);
    expect(await a!.global.delLock(['res', 'one'])).toBe(true);
    expect(await waiting).toBe(true);
  });

  it('S24: locks on a subset of nodes only conflict where they overlap', async ({ cluster: c }) => {
    const [a, b, cc] = await mesh(c, 'a', 'b', 'c');
    expect(await a!.global.setLock(['res', 'one'], [a!.name])).toBe(true);
    expect(await b!.global.setLock(['res', 'two'], [b!.name, cc!.name], 0)).toBe(true);
    expect(await cc!.global.setLock(['res', 'three'], [a!.name, cc!.name], 0)).toBe(false);
    // the refused attempt released what it had set on c: 'two' still holds c
    expect(await cc!.global.setLock(['res', 'three'], [cc!.name], 0)).toBe(false);
  });

  it('S24: trans returns the fun value, or aborted when it cannot get the lock with 0 retries', async ({ cluster: c }) => {
    const [a, b] = await mesh(c, 'a', 'b', 'c');
    expect(await a!.global.trans(['t', 'r1'], () => 42)).toBe(42);
    expect(await a!.global.trans(['t', 'r1'], async () => 'async value')).toBe('async value');
    expect(await a!.global.setLock(['t', 'holder'])).toBe(true);
    let ran = false;
    expect(await b!.global.trans(['t', 'r2'], () => (ran = true), undefined, 0)).toBe('aborted');
    expect(ran).toBe(false);
    expect(await a!.global.delLock(['t', 'holder'])).toBe(true);
    // the lock is released after trans, also when the fun throws
    await expect(b!.global.trans(['t', 'r2'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await a!.global.setLock(['t', 'r3'], undefined, 0)).toBe(true);
  });

  it("a pid requester's lock is released when the process exits; a node's locks when it goes down", async ({ cluster: c }) => {
    const [a, b, cc] = await mesh(c, 'a', 'b', 'c');
    const p = idle(b!);
    expect(await b!.global.setLock(['res', p])).toBe(true);
    expect(await a!.global.setLock(['res', 'me'], undefined, 0)).toBe(false);
    b!.exit(p, 'kill');
    await eventually(() => !isAlive(c.nodes, p));
    await eventually(async () => a!.global.setLock(['res', 'me'], undefined, 0));
    expect(await cc!.global.setLock(['res2', 'c-side'])).toBe(true);
    c.net.kill(cc!.name);
    await eventually(() => a!.nodes().length === 1);
    await eventually(async () => a!.global.setLock(['res2', 'a-side'], undefined, 0));
  });
});
