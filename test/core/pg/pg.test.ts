/**
 * pg (§8 of docs/semantics.md): S26 — join/leave results, duplicates, members across nodes,
 * monitorScope/monitor events, removal on process exit and on nodedown, `nolocal`, scopes;
 * plus convergence after a healed partition and the scope server's restart.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster, eventually } from '../../support/cluster.js';
import { idler, recorder } from '../../support/in-process.js';
import { ErlmeshError, type Node, type PgEvent, Pid, type ProcessContext, Ref, startNode } from '../../../src/core/index.js';

// ----- helpers ---------------------------------------------------------------------------


/** Pid keys, sorted: a multiset to compare. */
const keys = (pids: Pid[]): string[] => pids.map((p) => p.key).sort();

const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

function thrown(f: () => unknown): ErlmeshError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ErlmeshError);
    return e as ErlmeshError;
  }
  throw new Error('expected a throw');
}

/** Connect every pair (a full mesh), so each scope server has discovered the others. */
async function mesh(ns: Node[]): Promise<void> {
  for (const x of ns) for (const y of ns) if (x !== y) expect(await x.ping(y.name)).toBe('pong');
}

// ----- tests -----------------------------------------------------------------------------

describe('pg (S26)', () => {
  async function three(c: TestCluster): Promise<[Node, Node, Node]> {
    const ns = await c.startNodes('a', 'b', 'c');
    await mesh(ns);
    return ns;
  }

  it("S26: the default scope runs on every node, registered as 'pg'", async ({ cluster: c }) => {
    const [a, b] = await three(c);
    expect(a.whereis('pg')).toBeInstanceOf(Pid);
    expect(b.whereis('pg')).toBeInstanceOf(Pid);
    expect(a.pg.scopeName).toBe('pg');
    expect(a.pg.scope('pg')).toBe(a.pg);
  });

  it('S26: join returns ok; [self, self] adds self twice; leave removes one entry, then not_joined', async ({ cluster: c }) => {
    const [a] = await three(c);
    const p = idler(a);
    expect(a.pg.join('g', p)).toBe('ok');
    expect(a.pg.join('g', [p, p])).toBe('ok');
    expect(keys(a.pg.getMembers('g'))).toEqual([p.key, p.key, p.key]);
    expect(a.pg.leave('g', [p])).toBe('ok');
    expect(keys(a.pg.getMembers('g'))).toEqual([p.key, p.key]);
    expect(a.pg.leave('g', p)).toBe('ok');
    expect(a.pg.leave('g', p)).toBe('ok');
    expect(a.pg.getMembers('g')).toEqual([]);
    expect(a.pg.leave('g', p)).toBe('not_joined');
    expect(a.pg.leave('nope', p)).toBe('not_joined');
    expect(a.pg.leave('g', [])).toBe('not_joined');
    expect(a.pg.join('g', [])).toBe('ok');
    expect(a.pg.whichGroups()).toEqual([]);
  });

  it('S26: leave with a list removes one entry per pid given; not_joined only when none was joined', async ({ cluster: c }) => {
    const [a] = await three(c);
    const p = idler(a);
    const q = idler(a);
    a.pg.join('g', [p, p, q]);
    expect(a.pg.leave('g', [p, q, q])).toBe('ok');
    expect(keys(a.pg.getMembers('g'))).toEqual([p.key]);
    expect(a.pg.leave('g', [q])).toBe('not_joined');
  });

  it('S26: getMembers spans all nodes with duplicates; getLocalMembers only this node; [] for an empty group; whichGroups', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const ap = idler(a);
    const bp = idler(b);
    const cp = idler(cc);
    a.pg.join('g', ap);
    b.pg.join('g', [bp, bp]);
    cc.pg.join('h', cp);
    const all = keys([ap, bp, bp]);
    await eventually(() => [a, b, cc].every((n) => JSON.stringify(keys(n.pg.getMembers('g'))) === JSON.stringify(all)));
    await eventually(() => [a, b, cc].every((n) => n.pg.getMembers('h').length === 1));
    expect(keys(a.pg.getLocalMembers('g'))).toEqual([ap.key]);
    expect(keys(b.pg.getLocalMembers('g'))).toEqual([bp.key, bp.key]);
    expect(cc.pg.getLocalMembers('g')).toEqual([]);
    expect(keys(a.pg.getMembers('h'))).toEqual([cp.key]);
    expect(a.pg.getMembers('empty')).toEqual([]);
    expect(a.pg.getLocalMembers('empty')).toEqual([]);
    for (const n of [a, b, cc]) expect([...n.pg.whichGroups()].sort()).toEqual(['g', 'h']);
    // getMembers returns a copy
    a.pg.getMembers('g').pop();
    expect(a.pg.getMembers('g')).toHaveLength(3);
  });

  it('S26: a node that comes up later gets the existing members (discover/sync)', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    await mesh([a, b]);
    const ap = idler(a);
    a.pg.join('g', ap);
    const d = await c.node('d');
    expect(await d.ping(a.name)).toBe('pong');
    await eventually(() => keys(d.pg.getMembers('g')).join() === ap.key);
    const dp = idler(d);
    d.pg.join('g', dp);
    await eventually(() => [a, b, d].every((n) => n.pg.getMembers('g').length === 2));
  });

  it('S26: a remote pid throws nolocal (details: the pid); a non-pid or a non-string group throws badarg; nothing is joined', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const bp = idler(b);
    const ap = idler(a);
    const e = thrown(() => a.pg.join('g', bp));
    expect(e.code).toBe('nolocal');
    expect(bp.equals(e.details)).toBe(true);
    expect(thrown(() => a.pg.join('g', [ap, bp])).code).toBe('nolocal');
    expect(thrown(() => a.pg.leave('g', bp)).code).toBe('nolocal');
    expect(thrown(() => a.pg.join('g', 'x' as unknown as Pid)).code).toBe('badarg');
    expect(thrown(() => a.pg.join('g', [ap, 42] as unknown as Pid[])).code).toBe('badarg');
    expect(thrown(() => a.pg.join(7 as unknown as string, ap)).code).toBe('badarg');
    expect(thrown(() => a.pg.getMembers(undefined as unknown as string)).code).toBe('badarg');
    expect(a.pg.getMembers('g')).toEqual([]);
    expect(a.pg.whichGroups()).toEqual([]);
  });

  it('S26: monitorScope(self) returns [ref, Map of groups], then join and leave events arrive as messages', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const ap = idler(a);
    a.pg.join('g', ap);
    const w = recorder(a, (self) => a.pg.monitorScope(self));
    const [ref, groups] = await w.init;
    expect(ref).toBeInstanceOf(Ref);
    expect(groups).toBeInstanceOf(Map);
    expect([...groups.keys()]).toEqual(['g']);
    expect(keys(groups.get('g')!)).toEqual([ap.key]);
    const bp = idler(b);
    b.pg.join('h', [bp, bp]);
    await eventually(() => w.got.length === 1);
    expect(w.got[0]).toEqual([ref, 'join', 'h', [bp, bp]]);
    a.pg.leave('g', ap);
    await eventually(() => w.got.length === 2);
    expect(w.got[1]).toEqual([ref, 'leave', 'g', [ap]]);
    b.pg.leave('h', bp);
    await eventually(() => w.got.length === 3);
    expect(w.got[2]).toEqual([ref, 'leave', 'h', [bp]]);
  });

  it('S26: monitor(self, group) returns [ref, members] and reports only that group; demonitor gives ok, then false', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const bp = idler(b);
    b.pg.join('h', bp);
    await eventually(() => a.pg.getMembers('h').length === 1);
    const w = recorder(a, (self) => a.pg.monitor(self, 'h'));
    const [ref, members] = await w.init;
    expect(keys(members)).toEqual([bp.key]);
    const ap = idler(a);
    a.pg.join('other', ap);
    a.pg.join('h', ap);
    b.pg.leave('h', bp);
    await eventually(() => w.got.length === 2);
    expect(w.got).toEqual([
      [ref, 'join', 'h', [ap]],
      [ref, 'leave', 'h', [bp]],
    ]);
    expect(a.pg.demonitor(ref)).toBe('ok');
    expect(a.pg.demonitor(ref)).toBe(false);
    a.pg.leave('h', ap);
    await settle();
    expect(w.got).toHaveLength(2);
  });

  it('S26: demonitor removes events of the watch already queued in the watcher', async ({ cluster: c }) => {
    const [a] = await three(c);
    const self = await new Promise<ProcessContext>((resolve) =>
      a.spawn(async (s) => {
        resolve(s);
        await s.receive(() => false);
      }),
    );
    const [ref] = a.pg.monitorScope(self);
    const p = idler(a);
    a.pg.join('g', p);
    a.pg.leave('g', p);
    self.send(self.pid, 'other');
    expect(a.pg.demonitor(ref)).toBe('ok');
    expect(self.flush()).toEqual(['other']);
  });

  it('S26: the listener forms: monitorScope(fn) → { ref, groups, off }, monitor(fn, group) → { ref, members, off }', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const scopeEvs: PgEvent[] = [];
    const groupEvs: PgEvent[] = [];
    const s = a.pg.monitorScope((ev) => scopeEvs.push(ev));
    const m = a.pg.monitor((ev) => groupEvs.push(ev), 'g');
    expect(s.groups).toEqual(new Map());
    expect(m.members).toEqual([]);
    const bp = idler(b);
    b.pg.join('g', bp);
    b.pg.join('x', bp);
    await eventually(() => scopeEvs.length === 2);
    expect(scopeEvs).toEqual([
      [s.ref, 'join', 'g', [bp]],
      [s.ref, 'join', 'x', [bp]],
    ]);
    expect(groupEvs).toEqual([[m.ref, 'join', 'g', [bp]]]);
    s.off();
    m.off();
    expect(a.pg.demonitor(s.ref)).toBe(false);
    b.pg.leave('g', bp);
    await eventually(() => a.pg.getMembers('g').length === 0);
    expect(scopeEvs).toHaveLength(2);
    expect(groupEvs).toHaveLength(1);
  });

  it('S26: a throwing listener is logged and does not stop the others; a listener may join (events stay in order)', async ({ cluster: c }) => {
    const [a] = await three(c);
    const evs: unknown[] = [];
    const p = idler(a);
    a.pg.monitorScope(() => {
      throw new Error('boom');
    });
    a.pg.monitorScope((ev) => {
      evs.push([ev[1], ev[2]]);
      if (ev[2] === 'g') a.pg.join('g2', p);
    });
    a.pg.join('g', p);
    expect(evs).toEqual([
      ['join', 'g'],
      ['join', 'g2'],
    ]);
    expect(c.logs(a)).toContain('boom');
  });

  it('S26: a member that exits is removed everywhere, with one leave event per group', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const w = recorder(cc, (self) => cc.pg.monitorScope(self));
    const [ref] = await w.init;
    const bp = b.spawn(async (self) => {
      await self.receive((m) => m === 'stop');
    });
    b.pg.join('g', [bp, bp]);
    b.pg.join('h', bp);
    await eventually(() => [a, b, cc].every((n) => n.pg.getMembers('g').length === 2 && n.pg.getMembers('h').length === 1));
    b.send(bp, 'stop');
    await eventually(() => [a, b, cc].every((n) => n.pg.whichGroups().length === 0));
    await eventually(() => w.got.length === 4);
    expect(w.got).toEqual([
      [ref, 'join', 'g', [bp, bp]],
      [ref, 'join', 'h', [bp]],
      [ref, 'leave', 'g', [bp, bp]],
      [ref, 'leave', 'h', [bp]],
    ]);
    expect(b.pg.leave('g', bp)).toBe('not_joined');
  });

  it('S26: a dead pid that joins is removed when its noproc DOWN arrives', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const dead = a.spawn(() => undefined);
    await a.exitReason(dead);
    expect(a.pg.join('g', dead)).toBe('ok');
    await eventually(() => a.pg.getMembers('g').length === 0 && a.pg.whichGroups().length === 0);
    await settle();
    expect(b.pg.getMembers('g')).toEqual([]);
  });

  // Batching as OTP: OTP was seen to send `{leave,g,[bp]}`, `{leave,g,[cp]}`, `{leave,h,[cp]}`
  // for halted nodes: with bp and cp on two nodes these are exactly the events here; with both
  // on one node, here g's two leaves come as one event, `[ref, 'leave', 'g', [bp, cp]]`, then h's.
  it("S26: a node halt (net.kill) removes its members with leave events; the group that lost its last member leaves whichGroups", async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const ap = idler(a);
    const bp = idler(b);
    const cp = idler(cc);
    a.pg.join('g', ap);
    b.pg.join('g', bp);
    cc.pg.join('g', cp);
    cc.pg.join('h', cp);
    await eventually(() => a.pg.getMembers('g').length === 3 && a.pg.getMembers('h').length === 1);
    const w = recorder(a, (self) => a.pg.monitorScope(self));
    const [mref] = await w.init;
    const h = recorder(a, (self) => a.pg.monitor(self, 'h'));
    const [href] = await h.init;
    c.net.kill(b.name);
    await eventually(() => w.got.length === 1);
    c.net.kill(cc.name);
    await eventually(() => w.got.length === 3);
    expect(w.got).toEqual([
      [mref, 'leave', 'g', [bp]],
      [mref, 'leave', 'g', [cp]],
      [mref, 'leave', 'h', [cp]],
    ]);
    expect(h.got).toEqual([[href, 'leave', 'h', [cp]]]);
    expect(keys(a.pg.getMembers('g'))).toEqual([ap.key]);
    expect(a.pg.getMembers('h')).toEqual([]);
    expect(a.pg.whichGroups()).toEqual(['g']);
  });

  it("S26: scopes are independent: a join in 's2' is invisible in 'pg', and 's2' syncs only with 's2'", async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const s2 = a.pg.scope('s2');
    expect(a.pg.scope('s2')).toBe(s2);
    expect(s2.scope('pg')).toBe(a.pg);
    expect(s2.scopeName).toBe('s2');
    expect(a.whereis('pg_s2')).toBeInstanceOf(Pid);
    b.pg.scope('s2');
    const ap = idler(a);
    s2.join('g', ap);
    await eventually(() => b.pg.scope('s2').getMembers('g').length === 1);
    expect(keys(b.pg.scope('s2').getMembers('g'))).toEqual([ap.key]);
    // c starts s2 late: it discovers the members already there
    await eventually(() => cc.pg.scope('s2').getMembers('g').length === 1);
    const bp = idler(b);
    b.pg.join('g', bp);
    await eventually(() => a.pg.getMembers('g').length === 1);
    for (const n of [a, b, cc]) {
      expect(keys(n.pg.getMembers('g'))).toEqual([bp.key]);
      expect(keys(n.pg.scope('s2').getMembers('g'))).toEqual([ap.key]);
    }
    expect(a.pg.getLocalMembers('g')).toEqual([]);
    expect(thrown(() => a.pg.scope('')).code).toBe('badarg');
  });

  it('S26: after a partition heals, every node agrees on each group (as multisets)', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    const ap0 = idler(a);
    const bp0 = idler(b);
    a.pg.join('g', ap0);
    b.pg.join('g', bp0);
    await eventually(() => cc.pg.getMembers('g').length === 2);
    c.net.partition([a.name], [b.name, cc.name]);
    await eventually(() => a.nodes().length === 0 && b.nodes().length === 1);
    // each side sees only its own members
    await eventually(() => keys(a.pg.getMembers('g')).join() === ap0.key);
    await eventually(() => keys(cc.pg.getMembers('g')).join() === bp0.key);
    // both sides change things during the partition
    const ap1 = idler(a);
    const cp1 = idler(cc);
    a.pg.join('g', ap1);
    a.pg.join('h', ap1);
    cc.pg.join('g', [cp1, cp1]);
    b.pg.leave('g', bp0);
    b.pg.join('h', bp0);
    a.exit(ap0, 'kill');
    c.net.heal();
    await mesh([a, b, cc]);
    const g = keys([ap1, cp1, cp1]);
    const h = keys([ap1, bp0]);
    await eventually(() =>
      [a, b, cc].every(
        (n) => keys(n.pg.getMembers('g')).join() === g.join() && keys(n.pg.getMembers('h')).join() === h.join(),
      ),
    );
    for (const n of [a, b, cc]) expect([...n.pg.whichGroups()].sort()).toEqual(['g', 'h']);
  });

  it("S26: protocol: a sync replaces all a server's members (differences become events); join/leave from an unknown server and garbage are ignored", async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const server = a.whereis('pg')!;
    const fake = idler(b); // plays a scope server of b
    const stranger = idler(b);
    const [x, y] = [idler(b), idler(b)];
    const evs: PgEvent[] = [];
    const { ref } = a.pg.monitorScope((ev) => evs.push(ev));
    a.send('pg', ['join', stranger, 'g', [x]]);
    a.send('pg', 42);
    a.send('pg', ['sync', fake, 'not a list']);
    a.send('pg', ['sync', fake, [['g', [x, y]], ['h', [x]]]]);
    a.send('pg', ['join', fake, 'g', [y]]);
    a.send('pg', ['leave', fake, 'h', [y]]); // y is not in h: nothing
    a.send('pg', ['sync', fake, [['g', [x, x]], ['k', [y]]]]);
    await eventually(() => evs.length === 7);
    expect(evs).toEqual([
      [ref, 'join', 'g', [x, y]],
      [ref, 'join', 'h', [x]],
      [ref, 'join', 'g', [y]],
      [ref, 'leave', 'g', [y, y]],
      [ref, 'join', 'g', [x]],
      [ref, 'join', 'k', [y]],
      [ref, 'leave', 'h', [x]],
    ]);
    expect(keys(a.pg.getMembers('g'))).toEqual(keys([x, x]));
    expect([...a.pg.whichGroups()].sort()).toEqual(['g', 'k']);
    // the "server" exits: all its members go
    b.exit(fake, 'kill');
    await eventually(() => a.pg.whichGroups().length === 0);
    expect(evs.slice(7)).toEqual([
      [ref, 'leave', 'g', [x, x]],
      [ref, 'leave', 'k', [y]],
    ]);
    expect(a.whereis('pg')!.equals(server)).toBe(true);
  });

  it('S26: pg never opens connections (noconnect): a disconnect right after nodeup, or before a join, stays a disconnect', async ({ cluster: c }) => {
    const [a, b, cc] = await three(c);
    a.disconnect(b.name); // the discover/sync exchange of the mesh may still be in flight
    await settle(50);
    expect(a.nodes()).toEqual([cc.name]);
    expect(b.nodes()).toEqual([cc.name]);
    expect(await a.ping(b.name)).toBe('pong');
    const ap = idler(a);
    a.pg.join('g', ap);
    await eventually(() => b.pg.getMembers('g').length === 1);
    a.disconnect(b.name);
    a.pg.join('g', ap); // a's server has not yet seen b's server go: the broadcast must not reconnect
    a.pg.leave('g', ap);
    await settle(50);
    expect(a.nodes()).toEqual([cc.name]);
    expect(b.nodes()).toEqual([cc.name]);
    expect(b.pg.getMembers('g')).toEqual([]);
    expect(cc.pg.getMembers('g')).toHaveLength(1);
  });

  it('S26: the scope server restarts if killed, keeping memberships; the cluster converges again', async ({ cluster: c }) => {
    const [a, b] = await three(c);
    const ap = idler(a);
    a.pg.join('g', ap);
    await eventually(() => b.pg.getMembers('g').length === 1);
    const old = a.whereis('pg')!;
    a.exit(old, 'kill');
    await eventually(() => a.whereis('pg') !== undefined && !a.whereis('pg')!.equals(old));
    expect(keys(a.pg.getMembers('g'))).toEqual([ap.key]);
    const ap2 = idler(a);
    a.pg.join('g', ap2);
    await eventually(() => b.pg.getMembers('g').length === 2);
    // the new server monitors the members: an exit is still seen everywhere
    a.exit(ap, 'kill');
    await eventually(() => keys(b.pg.getMembers('g')).join() === ap2.key && a.pg.getMembers('g').length === 1);
  });

  it('S26: a watcher that exits is dropped (its monitor ref is no longer known)', async ({ cluster: c }) => {
    const [a] = await three(c);
    let ref!: Ref;
    const w = a.spawn(async (self) => {
      [ref] = a.pg.monitorScope(self);
      await self.receive((m) => m === 'stop');
    });
    await eventually(() => ref !== undefined);
    a.send(w, 'stop');
    await a.exitReason(w);
    await settle();
    expect(a.pg.demonitor(ref)).toBe(false);
  });

  it('S26: pg works on a node without distribution (nonode@nohost)', async () => {
    const n = await startNode({ output: false, logger: false });
    try {
      const p = idler(n);
      expect(n.pg.join('g', p)).toBe('ok');
      expect(keys(n.pg.getMembers('g'))).toEqual([p.key]);
      n.exit(p, 'kill');
      await eventually(() => n.pg.whichGroups().length === 0);
    } finally {
      await n.stop();
    }
  });
});
