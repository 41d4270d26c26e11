/**
 * Capabilities in the name services: `global` (a ticket holder never leads; without `global`
 * its registrations are refused with ErlmeshError code `not_allowed` and its entries are not
 * accepted) and `pg` (joins from a role without `pg` are not accepted; both sides log).
 */
import { describe, expect } from 'vitest';
import { it, simClusterEach } from '../../fixtures.js';
import { type Capabilities, ErlmeshError, type Node } from '../../../src/core/index.js';
import { forceRole } from '../../support/forced-role.js';
import { idler as idle } from '../../support/in-process.js';
import { connect, flushUntil, settled } from '../../support/simulated-time.js';

const CAPS: Capabilities = { guest: {}, member: { global: true, pg: true } };


describe('capabilities: global', () => {
  const sim = simClusterEach();

  /** b and c trusted (cookie), a (lowest name) a ticket holder in `role` for both; a full mesh. */
  async function cluster(role: string, beforeJoin?: (a: Node) => Promise<void>): Promise<[Node, Node, Node]> {
    const b = await sim.cluster.node('b', { capabilities: CAPS });
    const cc = await sim.cluster.node('c', { capabilities: CAPS });
    await connect(sim.clock, b, cc);
    const a = await sim.cluster.node('a');
    forceRole(b, a.name, role);
    forceRole(cc, a.name, role);
    if (beforeJoin) await beforeJoin(a);
    await connect(sim.clock, a, b);
    await flushUntil(sim.clock, () => a.nodes().length === 2 && cc.nodes().length === 2);
    await settled(sim.clock, Promise.all([a.global.sync(), b.global.sync(), cc.global.sync()]));
    return [a, b, cc];
  }

  const leaderOf = (n: Node): unknown => n.global._debugState().leader;
  const refusals = (n: Node): string[] => (sim.cluster.captured.get(n.name)?.logs ?? []).map((l) => l.text).filter((t) => t.startsWith('capabilities: refused'));

  it('the leader is the lowest-named trusted node on every node, the ticket holder included', async () => {
    const [a, b, cc] = await cluster('guest');
    expect(a.name < b.name).toBe(true);
    expect([leaderOf(a), leaderOf(b), leaderOf(cc)]).toEqual([b.name, b.name, b.name]);
  });

  it('a role without global: registerName rejects ErlmeshError not_allowed, the leader logs it, nothing is registered', async () => {
    const [a, b, cc] = await cluster('guest');
    const { error } = await settled(sim.clock, a.global.registerName('x', idle(a)));
    expect(error).toBeInstanceOf(ErlmeshError);
    expect((error as ErlmeshError).code).toBe('not_allowed');
    expect((error as ErlmeshError).details).toEqual({ kind: 'register', name: 'x' });
    expect(refusals(b)).toEqual([`capabilities: refused global register of 'x' from node ${a.name} (role 'guest')`]);
    await settled(sim.clock, Promise.all([a.global.sync(), b.global.sync(), cc.global.sync()]));
    expect([a, b, cc].map((n) => n.global.whereisName('x'))).toEqual([undefined, undefined, undefined]);
    const un = await settled(sim.clock, a.global.unregisterName('y'));
    expect((un.error as ErlmeshError).code).toBe('not_allowed');
  });

  it('a role without global still reads the names of trusted nodes; a trusted node may not register its pids', async () => {
    const [a, b] = await cluster('guest');
    const pb = idle(b);
    expect((await settled(sim.clock, b.global.registerName('y', pb))).value).toBe('yes');
    await settled(sim.clock, a.global.sync());
    expect(a.global.whereisName('y')).toEqual(pb);
    const { error } = await settled(sim.clock, b.global.registerName('z', idle(a)));
    expect((error as ErlmeshError).code).toBe('not_allowed');
    expect(b.global.whereisName('z')).toBeUndefined();
  });

  it('names a ticket holder registered while alone are not accepted by trusted nodes', async () => {
    const [, b, cc] = await cluster('guest', async (a) => {
      expect((await settled(sim.clock, a.global.registerName('early', idle(a)))).value).toBe('yes');
    });
    expect(b.global.whereisName('early')).toBeUndefined();
    expect(cc.global.whereisName('early')).toBeUndefined();
    expect(refusals(b)).toContain(`capabilities: refused global names [early] from node a@vm (role 'guest')`);
  });

  it('a role with global registers names, seen everywhere, and still never leads', async () => {
    const [a, b, cc] = await cluster('member');
    const pa = idle(a);
    expect((await settled(sim.clock, a.global.registerName('x', pa))).value).toBe('yes');
    await settled(sim.clock, Promise.all([a.global.sync(), b.global.sync(), cc.global.sync()]));
    expect([a, b, cc].map((n) => n.global.whereisName('x'))).toEqual([pa, pa, pa]);
    expect([leaderOf(a), leaderOf(b), leaderOf(cc)]).toEqual([b.name, b.name, b.name]);
    expect(refusals(b)).toEqual([]);
  });
});

describe('capabilities: pg', () => {
  const sim = simClusterEach();

  async function pair(role: string, beforeJoin?: (tab: Node) => void): Promise<[Node, Node]> {
    const srv = await sim.cluster.node('srv', { capabilities: CAPS });
    const tab = await sim.cluster.node('tab');
    forceRole(srv, tab.name, role);
    beforeJoin?.(tab);
    await connect(sim.clock, tab, srv);
    await sim.clock.flush();
    return [srv, tab];
  }

  const lines = (n: Node, prefix: string): string[] => (sim.cluster.captured.get(n.name)?.logs ?? []).map((l) => l.text).filter((t) => t.startsWith(prefix));

  it('a join from a role without pg is not accepted: the callee logs it, the joining node logs the notice', async () => {
    const [srv, tab] = await pair('guest');
    const p = idle(tab);
    expect(tab.pg.join('g', p)).toBe('ok');
    await flushUntil(sim.clock, () => lines(tab, 'pg:').length > 0);
    expect(srv.pg.getMembers('g')).toEqual([]);
    expect(tab.pg.getMembers('g')).toEqual([p]); // its own view keeps its local member
    expect(lines(srv, 'capabilities: refused')).toEqual([`capabilities: refused pg join of [g] in scope 'pg' from node ${tab.name} (role 'guest')`]);
    expect(lines(tab, 'pg:')).toEqual([`pg: node ${srv.name} does not accept this node's members of [g] in scope 'pg' (not allowed for this node's role)`]);
  });

  it('members joined before the connection (carried by sync) are refused the same way; the tab still sees trusted members', async () => {
    const [srv, tab] = await pair('guest', (t) => void t.pg.join('early', idle(t)));
    const ps = idle(srv);
    srv.pg.join('h', ps);
    await flushUntil(sim.clock, () => lines(tab, 'pg:').length > 0 && tab.pg.getMembers('h').length > 0);
    expect(srv.pg.getMembers('early')).toEqual([]);
    expect(tab.pg.getMembers('h')).toEqual([ps]);
    expect(lines(srv, 'capabilities: refused')).toEqual([`capabilities: refused pg join of [early] in scope 'pg' from node ${tab.name} (role 'guest')`]);
    expect(lines(tab, 'pg:')).toEqual([`pg: node ${srv.name} does not accept this node's members of [early] in scope 'pg' (not allowed for this node's role)`]);
  });

  it('a role with pg joins groups seen by the callee', async () => {
    const [srv, tab] = await pair('member');
    const p = idle(tab);
    tab.pg.join('g', p);
    await flushUntil(sim.clock, () => srv.pg.getMembers('g').length > 0);
    expect(srv.pg.getMembers('g')).toEqual([p]);
    expect(lines(srv, 'capabilities: refused')).toEqual([]);
  });
});
