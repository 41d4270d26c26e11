/**
 * global name conflicts after a partition heals (S23), for every resolver: a and b are cut
 * apart (c still talks to both), each side registers `clash`, then the network heals, a pings
 * b, and after sync every node agrees.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster, eventually } from '../../support/cluster.js';
import type { Node, Pid } from '../../../src/core/index.js';
import type { Resolve } from '../../../src/core/global/global.js';
import { connectAll, expectAgreement, isAlive, mesh, recorder, syncAll } from '../../support/global-mesh.js';

describe('global name conflicts (S23)', () => {
  interface Clash {
    a: Node;
    b: Node;
    cc: Node;
    pa: { pid: Pid; got: unknown[] };
    pb: { pid: Pid; got: unknown[] };
  }

  /** Partition a from b, register `clash` on both sides with `resolveA` / `resolveB`, heal, ping, sync. */
  async function clash(c: TestCluster, resolveA: Resolve, resolveB: Resolve = resolveA): Promise<Clash> {
    const [a, b, cc] = (await mesh(c, 'a', 'b', 'c')) as [Node, Node, Node];
    c.net.partition([a.name], [b.name]);
    await eventually(() => !a.nodes().includes(b.name) && !b.nodes().includes(a.name));
    const pa = recorder(a);
    const pb = recorder(b);
    expect(await a.global.registerName('clash', pa.pid, resolveA)).toBe('yes');
    expect(await b.global.registerName('clash', pb.pid, resolveB)).toBe('yes');
    expect(a.global.whereisName('clash')?.equals(pa.pid)).toBe(true);
    expect(b.global.whereisName('clash')?.equals(pb.pid)).toBe(true);
    c.net.heal();
    expect(await a.ping(b.name)).toBe('pong');
    await connectAll([a, b, cc]);
    await syncAll([a, b, cc]);
    return { a, b, cc, pa, pb };
  }

  it('S23: default random_exit keeps the pid on the lower-named node and kills the other', async ({ cluster: c }) => {
    const { a, b, pa, pb } = await clash(c, 'random_exit');
    expectAgreement(c.nodes);
    for (const n of c.nodes) expect(n.global.whereisName('clash')?.equals(pa.pid)).toBe(true);
    expect(isAlive(c.nodes, pa.pid)).toBe(true);
    await eventually(() => !isAlive(c.nodes, pb.pid));
    expect(await b.exitReason(pb.pid)).toBe('noproc');
    expect(pa.got).toEqual([]);
    expect(c.logs(a)).toMatch(/global: Name conflict terminating \[clash,<b@vm\.\d+\.\d+>\]/);
  });

  it('S23: random_exit is the default resolver', async ({ cluster: c }) => {
    const [a, b] = (await mesh(c, 'a', 'b')) as [Node, Node];
    c.net.partition([a.name], [b.name]);
    await eventually(() => a.nodes().length === 0 && b.nodes().length === 0);
    const pa = recorder(a);
    const pb = recorder(b);
    expect(await a.global.registerName('clash', pa.pid)).toBe('yes');
    expect(await b.global.registerName('clash', pb.pid)).toBe('yes');
    c.net.heal();
    expect(await a.ping(b.name)).toBe('pong');
    await syncAll([a, b]);
    for (const n of [a, b]) expect(n.global.whereisName('clash')?.equals(pa.pid)).toBe(true);
    await eventually(() => !b.isProcessAlive(pb.pid));
    expect(a.isProcessAlive(pa.pid)).toBe(true);
  });

  it('S23: random_notify keeps the lower node pid; the loser gets [global_name_conflict, clash] and stays alive', async ({ cluster: c }) => {
    const { pa, pb } = await clash(c, 'random_notify');
    expectAgreement(c.nodes);
    for (const n of c.nodes) expect(n.global.whereisName('clash')?.equals(pa.pid)).toBe(true);
    await eventually(() => pb.got.length === 1);
    expect(pb.got).toEqual([['global_name_conflict', 'clash']]);
    expect(pa.got).toEqual([]);
    expect(isAlive(c.nodes, pa.pid)).toBe(true);
    expect(isAlive(c.nodes, pb.pid)).toBe(true);
  });

  it('S23: notify_all unregisters the name; both get [global_name_conflict, clash, otherPid]', async ({ cluster: c }) => {
    const { pa, pb } = await clash(c, 'notify_all');
    expectAgreement(c.nodes);
    for (const n of c.nodes) expect(n.global.whereisName('clash')).toBeUndefined();
    await eventually(() => pa.got.length === 1 && pb.got.length === 1);
    expect(pa.got).toEqual([['global_name_conflict', 'clash', pb.pid]]);
    expect(pb.got).toEqual([['global_name_conflict', 'clash', pa.pid]]);
    expect(isAlive(c.nodes, pa.pid)).toBe(true);
    expect(isAlive(c.nodes, pb.pid)).toBe(true);
  });

  it('S23: a user function picks the pid to keep; it runs on the node that registered with it (the lower side)', async ({ cluster: c }) => {
    const calls: Array<[string, string, unknown[]]> = [];
    let aName = '';
    const fnA: Resolve = (name, p1, p2) => {
      calls.push(['a', name, [p1, p2]]);
      return p1.node === aName ? p2 : p1; // keep the pid that is NOT on a
    };
    const fnB: Resolve = (name, p1, p2) => {
      calls.push(['b', name, [p1, p2]]);
      return p1;
    };
    aName = 'a@vm';
    const { pa, pb } = await clash(c, fnA, fnB);
    expectAgreement(c.nodes);
    for (const n of c.nodes) expect(n.global.whereisName('clash')?.equals(pb.pid)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe('a');
    expect(calls[0]![1]).toBe('clash');
    // pid1 is the pid on the lower-named node
    expect((calls[0]![2][0] as Pid).equals(pa.pid)).toBe(true);
    expect((calls[0]![2][1] as Pid).equals(pb.pid)).toBe(true);
    expect(isAlive(c.nodes, pa.pid)).toBe(true);
    expect(isAlive(c.nodes, pb.pid)).toBe(true);
  });

  it('S23: a user function returning neither pid deletes the name', async ({ cluster: c }) => {
    let called = 0;
    const { pa, pb } = await clash(c, () => {
      called++;
      return undefined;
    });
    expect(called).toBe(1);
    expectAgreement(c.nodes);
    for (const n of c.nodes) {
      expect(n.global.whereisName('clash')).toBeUndefined();
      expect(n.global.registeredNames()).toEqual([]);
    }
    expect(isAlive(c.nodes, pa.pid)).toBe(true);
    expect(isAlive(c.nodes, pb.pid)).toBe(true);
  });

  it('S23: a user function registered on another node than the pid runs there; an async function works', async ({ cluster: c }) => {
    const [a, b, cc] = (await mesh(c, 'a', 'b', 'c')) as [Node, Node, Node];
    c.net.partition([a.name], [b.name]);
    await eventually(() => !a.nodes().includes(b.name));
    const pa = recorder(a);
    const pb = recorder(b);
    const ranOn: string[] = [];
    // c registers a's process with its function: the function lives on c
    expect(
      await cc.global.registerName('clash', pa.pid, async (_n, _p1, p2) => {
        ranOn.push('c');
        return p2;
      }),
    ).toBe('yes');
    expect(await b.global.registerName('clash', pb.pid, 'notify_all')).toBe('yes');
    c.net.heal();
    expect(await a.ping(b.name)).toBe('pong');
    await syncAll([a, b, cc]);
    expect(ranOn).toEqual(['c']);
    expectAgreement([a, b, cc]);
    expect(a.global.whereisName('clash')?.equals(pb.pid)).toBe(true);
  });

  it('registrations racing a leader change (a lower node joins) end with one pid per name, everywhere', async ({ cluster: c }) => {
    const [b, cc, d] = (await mesh(c, 'b', 'c', 'd')) as [Node, Node, Node];
    const a = await c.node('a');
    const names = ['r0', 'r1', 'r2', 'r3', 'r4'];
    const pcs = names.map(() => recorder(cc));
    const pds = names.map(() => recorder(d));
    // a joins through d: d follows a at once, c and b still follow b until the mesh forms
    const joined = a.ping(d.name);
    const answers = await Promise.all(
      names.flatMap((n, i) => [cc.global.registerName(n, pcs[i]!.pid), joined.then(() => d.global.registerName(n, pds[i]!.pid))]),
    );
    await connectAll([a, b, cc, d]);
    await syncAll([a, b, cc, d]);
    expectAgreement([a, b, cc, d]);
    for (const [i, n] of names.entries()) {
      const holder = a.global.whereisName(n);
      const [yc, yd] = [answers[2 * i], answers[2 * i + 1]];
      expect(yc === 'yes' || yd === 'yes', n).toBe(true);
      expect(holder, n).toBeDefined();
      expect(isAlive(c.nodes, holder!), n).toBe(true);
      // a second 'yes' (two leaders) was resolved: the loser was killed (random_exit)
      for (const [y, r] of [
        [yc, pcs[i]!],
        [yd, pds[i]!],
      ] as const) {
        if (y === 'yes' && !holder!.equals(r.pid)) await eventually(() => !isAlive(c.nodes, r.pid));
      }
    }
  });

  it('non-conflicting names of both sides are merged', async ({ cluster: c }) => {
    const [a, b, cc] = (await mesh(c, 'a', 'b', 'c')) as [Node, Node, Node];
    c.net.partition([a.name], [b.name, cc.name]);
    await eventually(() => a.nodes().length === 0 && b.nodes().length === 1);
    expect(await a.global.registerName('left', recorder(a).pid)).toBe('yes');
    expect(await cc.global.registerName('right', recorder(b).pid)).toBe('yes');
    expect(a.global.registeredNames()).toEqual(['left']);
    c.net.heal();
    expect(await a.ping(b.name)).toBe('pong');
    await connectAll([a, b, cc]);
    await syncAll([a, b, cc]);
    expect(expectAgreement([a, b, cc])).toEqual(['left', 'right']);
  });
});
