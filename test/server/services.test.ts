/**
 * Issue 5 over a real relay (sockets on 127.0.0.1): global names and pg groups across
 * server-nodes, a partition made at the relay, and the heal: the mesh re-forms by itself,
 * the resolver settles a name held on both sides, pg converges, bystanders keep their links.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, NodeEvent } from '../../src/core/index.js';
import { eventually } from '../support/cluster.js';
import { idler as idle } from '../support/in-process.js';
import { RelayNodes } from '../support/relay-nodes.js';

const COOKIE = 'services-cookie';
// everything through the relay, so that its partitions cut everything
const mesh = new RelayNodes(COOKIE, { direct: false });
const node = (sname: string): Promise<Node> => mesh.node(sname);
afterEach(() => mesh.stop());

describe('global and pg over the relay', () => {
  it('a partition at the relay, a name registered on both sides, pg joins on both sides; the heal re-forms the mesh and everything converges', async () => {
    const relay = await mesh.startRelay();
    const a = await node('a');
    const b = await node('b');
    const c = await node('c');
    await eventually(() => [a, b, c].every((n) => n.nodes().length === 2));
    const seen: Record<string, NodeEvent[]> = { a: [], b: [], c: [] };
    a.monitorNodes((e) => seen.a!.push(e), { nodedownReason: true });
    b.monitorNodes((e) => seen.b!.push(e), { nodedownReason: true });
    c.monitorNodes((e) => seen.c!.push(e), { nodedownReason: true });

    relay.partition([a.name], [b.name, c.name]);
    await eventually(() => a.nodes().length === 0 && b.nodes().length === 1);
    // nodedown with a reason on both sides; the bystanders b and c keep their link
    expect(seen.a).toEqual(expect.arrayContaining([['nodedown', b.name, { nodedownReason: 'connection_closed' }]]));
    expect(seen.b).toEqual([['nodedown', a.name, { nodedownReason: 'connection_closed' }]]);
    expect(b.nodes()).toEqual([c.name]);

    const pa = idle(a);
    const pb = idle(b);
    expect(await a.global.registerName('clash', pa)).toBe('yes');
    expect(await b.global.registerName('clash', pb)).toBe('yes');
    a.pg.join('room', idle(a));
    b.pg.join('room', idle(b));
    c.pg.join('room', idle(c));

    relay.heal();
    // no ping: the relay re-announces the peers and the mesh re-forms by itself
    await eventually(() => [a, b, c].every((n) => n.nodes().length === 2), 10_000);
    await Promise.all([a, b, c].map((n) => n.global.sync()));
    // the default resolver keeps the pid on the node whose name sorts lower (a) and kills the other
    for (const n of [a, b, c]) expect(n.global.whereisName('clash')?.equals(pa)).toBe(true);
    await eventually(() => !b.isProcessAlive(pb));
    expect(await b.exitReason(pb)).toBe('noproc');
    // pg converges: every node sees the three members
    await eventually(() => [a, b, c].every((n) => n.pg.getMembers('room').length === 3));
    const keys = (n: Node) => n.pg.getMembers('room').map((p) => p.key).sort();
    expect(keys(b)).toEqual(keys(a));
    expect(keys(c)).toEqual(keys(a));
    // nodeup on both sides, and never a nodedown between the bystanders
    expect(seen.a).toEqual(expect.arrayContaining([['nodeup', b.name, {}], ['nodeup', c.name, {}]]));
    expect(seen.c!.filter((e) => e[0] === 'nodedown' && e[1] === b.name)).toEqual([]);
  });

  it('a global name of a node that dies disappears everywhere; a pg member of it leaves', async () => {
    await mesh.startRelay();
    const a = await node('ga');
    const b = await node('gb');
    const c = await node('gc');
    await eventually(() => [a, b, c].every((n) => n.nodes().length === 2));
    const p = idle(c);
    expect(await c.global.registerName('svc', p)).toBe('yes');
    c.pg.join('workers', p);
    await a.global.sync();
    expect(a.global.whereisName('svc')?.equals(p)).toBe(true);
    await eventually(() => b.pg.getMembers('workers').length === 1);
    await c.stop();
    await eventually(() => a.global.whereisName('svc') === undefined && b.global.whereisName('svc') === undefined);
    await eventually(() => a.pg.getMembers('workers').length === 0 && !b.pg.whichGroups().includes('workers'));
  });
});
