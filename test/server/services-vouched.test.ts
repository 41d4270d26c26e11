/**
 * global and pg between nodes the relay introduced (issue 13, join time): such peers are not
 * asked for their names or members on nodeup; each side announces what it holds, and only when
 * it holds something (src/core/global/membership.ts, src/core/pg/scope-server.ts). The name
 * table must still be the same everywhere, the leader must still refuse a name another node
 * owns, and pg's views must still converge — here on a real relay, relayed only (no direct
 * links: every connection is up on the relay's word).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Pid } from '../../src/core/index.js';
import { eventually } from '../support/cluster.js';
import { RelayNodes } from '../support/relay-nodes.js';

const mesh = new RelayNodes('vouched-services-cookie', { direct: false });
afterEach(() => mesh.stop());

const idler = (n: Node): Pid =>
  n.spawn(async (self) => {
    await self.receive(() => false);
  });

const key = (p: Pid | undefined): string | undefined => p?.toString();

describe('global between relay-vouched nodes', () => {
  it('a name owned before a node came is seen by it, and the leader refuses it to another node', async () => {
    await mesh.startRelay();
    const a = await mesh.node('a'); // the lowest name: the leader
    const c = await mesh.node('c');
    const x = idler(c);
    expect(await c.global.registerName('x', x)).toBe('yes');
    // b hears of a first (the relay lists its members in the order they came): never the leader, it asks nobody.
    const b = await mesh.node('b');
    await eventually(() => a.nodes().length === 2 && b.nodes().length === 2 && c.nodes().length === 2);
    expect(a.net?.isVouched(b.name) && b.net?.isVouched(c.name)).toBe(true); // up on the relay's word
    await eventually(() => key(b.global.whereisName('x')) === key(x));
    expect(await b.global.registerName('x', idler(b))).toBe('no');
    const y = idler(b);
    expect(await b.global.registerName('y', y)).toBe('yes');
    // A name call returns once every visible peer has the change.
    expect(key(a.global.whereisName('y'))).toBe(key(y));
    expect(key(c.global.whereisName('y'))).toBe(key(y));
    expect(await a.global.sync()).toBe('ok');
    for (const n of [a, b, c]) expect(n.global.registeredNames().sort()).toEqual(['x', 'y']);
  });

  it('when the leader goes, the next one asks every peer for its names before it answers', async () => {
    await mesh.startRelay();
    const c = await mesh.node('c');
    const x = idler(c);
    expect(await c.global.registerName('x', x)).toBe('yes');
    const a = await mesh.node('a');
    const b = await mesh.node('b');
    await eventually(() => b.nodes().length === 2 && key(b.global.whereisName('x')) === key(x));
    await a.stop();
    await eventually(() => b.nodes().length === 1 && c.nodes().length === 1);
    expect(await b.global.registerName('x', idler(b))).toBe('no');
    expect(key(b.global.whereisName('x'))).toBe(key(x));
  });
});

describe('pg between relay-vouched nodes', () => {
  it('members joined before and after the nodes met converge everywhere; a leave and an exit reach all', async () => {
    await mesh.startRelay();
    const a = await mesh.node('a');
    const p1 = idler(a);
    a.pg.join('g', p1);
    const b = await mesh.node('b');
    const c = await mesh.node('c'); // never joins anything
    const members = (n: Node): string[] => n.pg.getMembers('g').map(String).sort();
    await eventually(() => members(b).length === 1 && members(c).length === 1);
    const p2 = idler(b);
    b.pg.join('g', p2); // b's first join: announced to a and c, who have not heard of b's server
    const both = [p1, p2].map(String).sort();
    await eventually(() => [a, b, c].every((n) => JSON.stringify(members(n)) === JSON.stringify(both)));
    const d = await mesh.node('d'); // comes after: a and b announce themselves to it
    await eventually(() => JSON.stringify(members(d)) === JSON.stringify(both));
    b.pg.leave('g', p2);
    a.exit(p1, 'kill');
    await eventually(() => [a, b, c, d].every((n) => members(n).length === 0));
    const p3 = idler(c);
    c.pg.join('h', p3);
    await eventually(() => [a, b, d].every((n) => n.pg.getMembers('h').map(String).join() === String(p3)));
  });
});
