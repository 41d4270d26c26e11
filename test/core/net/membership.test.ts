/**
 * Membership: lazy connects, the transitive mesh (S4), hidden nodes (S5), monitorNodes (S6),
 * monitorNode and disconnect (S7), and restarts under the same name.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { eventually } from '../../support/cluster.js';
import { sorted, watch } from '../../support/membership.js';
import { recorder } from '../../support/in-process.js';
import { settle } from '../../support/real-time.js';
import { ErlmeshError, type MonitorNodesOptions, type NodeEvent } from '../../../src/core/index.js';

// ----- tests -----------------------------------------------------------------------------

describe('membership', () => {
  describe('lazy connects', () => {
    it('a plain send to a remote pid connects and delivers, in order', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      await c.node('d');
      const r = recorder(b);
      expect(a.nodes()).toEqual([]);
      const msgs = Array.from({ length: 50 }, (_, i) => ['m', i]);
      for (const m of msgs) expect(a.send(r.pid, m)).toBe(m);
      await eventually(() => r.got.length === msgs.length);
      expect(r.got).toEqual(msgs);
      expect(a.nodes()).toEqual([b.name]);
      expect(b.nodes()).toEqual([a.name]);
    });

    it('a send to [name, node] connects and delivers to the registered process', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      const r = recorder(b);
      b.register('srv', r.pid);
      expect(a.send(['srv', b.name], 'hello')).toBe('hello');
      await eventually(() => r.got.length === 1);
      expect(r.got).toEqual(['hello']);
      expect(a.nodes()).toEqual([b.name]);
    });

    it('a send to [name, node] for a node that does not exist returns the message and connects nothing', async ({ cluster: c }) => {
      const a = await c.node('a');
      expect(a.send(['x', 'zz@vm'], 'm')).toBe('m');
      await settle(10);
      expect(a.nodes('connected')).toEqual([]);
      expect(a.lastConnectError('zz@vm')).toBeDefined();
    });
  });

  describe('S4: transitive mesh', () => {
    it('S4: a–b connected, then b pings c: a and c connect to each other', async ({ cluster: c }) => {
      const [a, b, cc] = await c.startNodes('a', 'b', 'c');
      expect(await a.ping(b.name)).toBe('pong');
      expect(a.nodes()).toEqual([b.name]);
      expect(await b.ping(cc.name)).toBe('pong');
      await eventually(() => a.nodes().length === 2 && cc.nodes().length === 2);
      expect(sorted(a.nodes())).toEqual([b.name, cc.name]);
      expect(sorted(b.nodes())).toEqual([a.name, cc.name]);
      expect(sorted(cc.nodes())).toEqual([a.name, b.name]);
    });

    it('S4: a four-node chain becomes a full mesh', async ({ cluster: c }) => {
      const ns = [await c.node('a'), await c.node('b'), await c.node('c'), await c.node('d')];
      expect(await ns[0]!.ping(ns[1]!.name)).toBe('pong');
      expect(await ns[2]!.ping(ns[3]!.name)).toBe('pong');
      expect(await ns[1]!.ping(ns[2]!.name)).toBe('pong');
      await eventually(() => ns.every((n) => n.nodes().length === 3));
      for (const n of ns) expect(sorted(n.nodes())).toEqual(sorted(ns.filter((o) => o !== n).map((o) => o.name)));
    });

    it('S4: with connectAll false on a, a.nodes() stays [b] while b has a and c', async ({ cluster: c }) => {
      const a = await c.node('a', { connectAll: false });
      const [b, cc] = await c.startNodes('b', 'c');
      expect(await a.ping(b.name)).toBe('pong');
      expect(await b.ping(cc.name)).toBe('pong');
      await settle(30);
      expect(a.nodes()).toEqual([b.name]);
      expect(sorted(b.nodes())).toEqual([a.name, cc.name]);
      expect(cc.nodes()).toEqual([b.name]);
      // a can still connect to c explicitly.
      expect(await a.ping(cc.name)).toBe('pong');
      expect(sorted(a.nodes())).toEqual([b.name, cc.name]);
    });
  });

  describe('S5: hidden nodes', () => {
    it('S5: a hidden node is left out of nodes() but listed by nodes(hidden) and nodes(connected)', async ({ cluster: c }) => {
      const [a, b, cc] = await c.startNodes('a', 'b', 'c');
      const h = await c.node('h', { hidden: true });
      expect(await a.ping(b.name)).toBe('pong');
      expect(await a.ping(cc.name)).toBe('pong');
      await eventually(() => b.nodes().length === 2 && cc.nodes().length === 2);
      const onH = watch(h);
      const onHAll = watch(h, { nodeType: 'all' });
      expect(await h.ping(a.name)).toBe('pong');
      await settle(30);

      expect(sorted(a.nodes())).toEqual([b.name, cc.name]);
      expect(a.nodes('hidden')).toEqual([h.name]);
      expect(sorted(a.nodes('connected'))).toEqual(sorted([b.name, cc.name, h.name]));
      expect(h.nodes()).toEqual([]);
      expect(h.nodes('connected')).toEqual([a.name]);
      // connected = visible + hidden, so on h the connection to a is a hidden one.
      expect(h.nodes('hidden')).toEqual([a.name]);
      // h is never pulled into the mesh.
      expect(b.nodes('connected')).not.toContain(h.name);
      expect(cc.nodes('connected')).not.toContain(h.name);
      expect(sorted(b.nodes())).toEqual([a.name, cc.name]);
      // On h every connection is a hidden one (Erlang: a connection is visible only when both
      // ends are visible), so monitorNodes, which reports visible nodes only, stays quiet
      // there, in line with h.nodes() = []; a nodeType 'all' subscriber sees a as hidden.
      expect(onH).toStrictEqual([]);
      expect(onHAll).toStrictEqual([['nodeup', a.name, { nodeType: 'hidden' }]]);
    });

    it("S5: nodes(['visible', 'this']) is this node first, then the visible peers", async ({ cluster: c }) => {
      const [a, b, cc] = await c.startNodes('a', 'b', 'c');
      const h = await c.node('h', { hidden: true });
      expect(await a.ping(b.name)).toBe('pong');
      expect(await a.ping(cc.name)).toBe('pong');
      expect(await h.ping(a.name)).toBe('pong');
      expect(a.nodes('this')).toEqual([a.name]);
      const r = a.nodes(['visible', 'this']);
      expect(r).toHaveLength(3);
      expect(new Set(r)).toEqual(new Set([a.name, b.name, cc.name]));
      expect(r[0]).toBe(a.name);
    });

    it("S5: only a nodeType 'all' or 'hidden' subscriber hears about a hidden node", async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      const h = await c.node('h', { hidden: true });
      expect(await a.ping(b.name)).toBe('pong');
      const plain = watch(a);
      const withReason = watch(a, { nodedownReason: true });
      const visible = watch(a, { nodeType: 'visible' });
      const hidden = watch(a, { nodeType: 'hidden' });
      const all = watch(a, { nodeType: 'all' });
      expect(await h.ping(a.name)).toBe('pong');
      await settle(10);
      expect(plain).toStrictEqual([]);
      expect(withReason).toStrictEqual([]);
      expect(visible).toStrictEqual([]);
      expect(hidden).toStrictEqual([['nodeup', h.name, { nodeType: 'hidden' }]]);
      expect(all).toStrictEqual([['nodeup', h.name, { nodeType: 'hidden' }]]);

      const allWithReason = watch(a, { nodeType: 'all', nodedownReason: true });
      expect(a.disconnect(h.name)).toBe(true);
      expect(plain).toStrictEqual([]);
      expect(hidden).toStrictEqual([
        ['nodeup', h.name, { nodeType: 'hidden' }],
        ['nodedown', h.name, { nodeType: 'hidden' }],
      ]);
      expect(allWithReason).toStrictEqual([['nodedown', h.name, { nodeType: 'hidden', nodedownReason: 'disconnect' }]]);
      // b (visible) was never reported to the hidden-only subscriber.
      expect(hidden.some((e) => e[1] === b.name)).toBe(false);
    });
  });

  describe('S6: monitorNodes', () => {
    it('S6: the three subscription shapes, exactly, with reason disconnect after a local disconnect', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      await c.node('c');
      const plain = watch(a);
      const reason = watch(a, { nodedownReason: true });
      const typed = watch(a, { nodeType: 'all', nodedownReason: true });
      const typedOnly = watch(a, { nodeType: 'all' });
      expect(await a.ping(b.name)).toBe('pong');
      expect(plain).toStrictEqual([['nodeup', b.name]]);
      expect(reason).toStrictEqual([['nodeup', b.name, {}]]);
      expect(typed).toStrictEqual([['nodeup', b.name, { nodeType: 'visible' }]]);
      expect(typedOnly).toStrictEqual([['nodeup', b.name, { nodeType: 'visible' }]]);
      expect(a.disconnect(b.name)).toBe(true);
      expect(plain).toStrictEqual([['nodeup', b.name], ['nodedown', b.name]]);
      expect(reason).toStrictEqual([['nodeup', b.name, {}], ['nodedown', b.name, { nodedownReason: 'disconnect' }]]);
      expect(typed).toStrictEqual([
        ['nodeup', b.name, { nodeType: 'visible' }],
        ['nodedown', b.name, { nodeType: 'visible', nodedownReason: 'disconnect' }],
      ]);
      expect(typedOnly).toStrictEqual([
        ['nodeup', b.name, { nodeType: 'visible' }],
        ['nodedown', b.name, { nodeType: 'visible' }],
      ]);
    });

    it('S6: the other side of a disconnect sees connection_closed', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      await c.node('c');
      const onB = watch(b, { nodedownReason: true });
      expect(await a.ping(b.name)).toBe('pong');
      a.disconnect(b.name);
      await eventually(() => onB.length === 2);
      expect(onB).toStrictEqual([['nodeup', a.name, {}], ['nodedown', a.name, { nodedownReason: 'connection_closed' }]]);
      expect(b.nodes()).toEqual([]);
    });

    it('S6: a peer that stops, or is killed, gives connection_closed', async ({ cluster: c }) => {
      const [a, b, k] = await c.startNodes('a', 'b', 'k');
      const evs = watch(a, { nodedownReason: true });
      expect(await a.ping(b.name)).toBe('pong');
      expect(await a.ping(k.name)).toBe('pong');
      await eventually(() => b.nodes().includes(k.name));
      await b.stop();
      await eventually(() => evs.some((e) => e[0] === 'nodedown' && e[1] === b.name));
      expect(evs.filter((e) => e[1] === b.name)).toStrictEqual([
        ['nodeup', b.name, {}],
        ['nodedown', b.name, { nodedownReason: 'connection_closed' }],
      ]);
      expect(a.nodes()).toEqual([k.name]);
      c.net.kill(k.name);
      await eventually(() => evs.some((e) => e[0] === 'nodedown' && e[1] === k.name));
      expect(evs.filter((e) => e[1] === k.name)).toStrictEqual([
        ['nodeup', k.name, {}],
        ['nodedown', k.name, { nodedownReason: 'connection_closed' }],
      ]);
      expect(a.nodes()).toEqual([]);
    });

    it('S6: an unknown option throws unknown_options', ({ cluster: c }) => {
      return c.node('a').then((a) => {
        let err: unknown;
        try {
          a.monitorNodes(() => {}, { bogus: true } as unknown as MonitorNodesOptions);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ErlmeshError);
        expect((err as ErlmeshError).code).toBe('unknown_options');
      });
    });

    it('S6: off() stops delivery', async ({ cluster: c }) => {
      const [a, b, cc] = await c.startNodes('a', 'b', 'c');
      const evs: NodeEvent[] = [];
      const off = a.monitorNodes((e) => evs.push(e));
      const kept = watch(a);
      expect(await a.ping(b.name)).toBe('pong');
      expect(evs).toStrictEqual([['nodeup', b.name]]);
      off();
      a.disconnect(b.name);
      expect(await a.ping(cc.name)).toBe('pong');
      await settle(10);
      expect(evs).toStrictEqual([['nodeup', b.name]]);
      expect(kept.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('S7: monitorNode and disconnect', () => {
    it('S7: monitorNode on a node that does not exist delivers nodedown at once (no time passes)', async ({ clock, simCluster: c }) => {
      const a = await c.node('a');
      const r = recorder(a, (self) => self.monitorNode('zz@vm'));
      await clock.flush();
      await clock.flush();
      expect(clock.now()).toBe(0);
      expect(r.got).toEqual([['nodedown', 'zz@vm']]);
    });

    it('S7: monitorNode on a connected node gives exactly one nodedown, after it stops', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      await c.node('c');
      expect(await a.ping(b.name)).toBe('pong');
      const r = recorder(a, (self) => expect(self.monitorNode(b.name)).toBe(true));
      await settle(20);
      expect(r.got).toEqual([]);
      await b.stop();
      await eventually(() => r.got.length >= 1);
      await settle(20);
      expect(r.got).toEqual([['nodedown', b.name]]);
    });

    it('S7: monitorNode on a node not yet connected connects it, and nothing arrives when that succeeds', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      const r = recorder(a, (self) => self.monitorNode(b.name));
      await eventually(() => a.nodes().includes(b.name));
      await settle(20);
      expect(r.got).toEqual([]);
      b.disconnect(a.name);
      await eventually(() => r.got.length >= 1);
      expect(r.got).toEqual([['nodedown', b.name]]);
    });

    it('S7: monitorNode twice gives two nodedowns; monitorNode(node, false) cancels one', async ({ cluster: c }) => {
      const [a, b, d] = await c.startNodes('a', 'b', 'd');
      expect(await a.ping(b.name)).toBe('pong');
      expect(await a.ping(d.name)).toBe('pong');
      const twice = recorder(a, (self) => {
        self.monitorNode(b.name);
        self.monitorNode(b.name);
      });
      const cancelled = recorder(a, (self) => {
        self.monitorNode(d.name);
        self.monitorNode(d.name, false);
      });
      await settle(10);
      a.disconnect(b.name);
      a.disconnect(d.name);
      await eventually(() => twice.got.length >= 2);
      await settle(20);
      expect(twice.got).toEqual([['nodedown', b.name], ['nodedown', b.name]]);
      expect(cancelled.got).toEqual([]);
    });

    it('S7: disconnect returns true then false; an unknown node gives false; the next send reconnects silently', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      await c.node('c');
      const r = recorder(b);
      expect(a.disconnect(b.name)).toBe(false);
      expect(await a.ping(b.name)).toBe('pong');
      expect(a.disconnect(b.name)).toBe(true);
      expect(a.disconnect(b.name)).toBe(false);
      expect(a.disconnect('nobody@vm')).toBe(false);
      expect(a.disconnect('garbage')).toBe(false);
      expect(a.nodes()).toEqual([]);
      expect(a.send(r.pid, 'after')).toBe('after');
      await eventually(() => r.got.length === 1);
      expect(r.got).toEqual(['after']);
      expect(a.nodes()).toEqual([b.name]);
      expect(a.lastConnectError(b.name)).toBeUndefined();
    });

    it('S7: a node restarted under the same name has a greater creation and the others reconnect to it', async ({ cluster: c }) => {
      const [a, b, d] = await c.startNodes('a', 'b', 'd');
      expect(await a.ping(b.name)).toBe('pong');
      expect(await a.ping(d.name)).toBe('pong');
      await eventually(() => b.nodes().length === 2);
      const oldPid = recorder(b).pid;
      const evs = watch(a, { nodedownReason: true });
      await b.stop();
      await eventually(() => !a.nodes().includes(b.name) && !d.nodes().includes(b.name));
      const b2 = await c.node('b');
      expect(b2.name).toBe(b.name);
      expect(b2.creation).toBeGreaterThan(b.creation);
      expect(await a.ping(b2.name)).toBe('pong');
      // The mesh brings d back too.
      await eventually(() => d.nodes().includes(b2.name) && b2.nodes().length === 2);
      expect(sorted(b2.nodes())).toEqual([a.name, d.name]);
      expect(evs).toStrictEqual([
        ['nodedown', b.name, { nodedownReason: 'connection_closed' }],
        ['nodeup', b.name, {}],
      ]);
      // Messages reach the new incarnation; the old pid is not one of its pids.
      const r2 = recorder(b2);
      expect(r2.pid.equals(oldPid)).toBe(false);
      a.send(r2.pid, 'hi-b2');
      await eventually(() => r2.got.length === 1);
      expect(r2.got).toEqual(['hi-b2']);
    });
  });
});
