/**
 * The stand-in global_name_server's answers, message by message (the exchange of
 * docs/beam-global-protocol.md), without erl: what it sends for each message a BEAM node's
 * global sends it. test/server/beam-global.test.ts runs the same against real erl.
 */
import { describe, expect, it } from 'vitest';
import { BeamGlobalStandIn } from '../../src/server/beam/global-stand-in.js';
import { list } from '../../src/core/terms/beam-list.js';
import { Pid } from '../../src/core/terms/pid.js';

const JS = 'js@h';
const E = 'e@h';
const LOCKER = new Pid(JS, 7, 0, 1);
const ERL_LOCKER = new Pid(E, 56, 0, 2);
const CALLER = new Pid(E, 57, 0, 2);

function standIn() {
  const out: { to: string; msg: unknown }[] = [];
  const logs: string[] = [];
  const g = new BeamGlobalStandIn({
    name: JS,
    locker: () => LOCKER,
    toServer: (peer, msg) => out.push({ to: `global_name_server@${peer}`, msg }),
    reply: (to, msg) => out.push({ to: to.key, msg }),
    log: (_l, t) => logs.push(t),
  });
  return { g, out, logs };
}

const call = (tag: unknown, req: unknown, from = ERL_LOCKER) => ['$gen_call', [from, tag], req];

describe('the stand-in global_name_server', () => {
  it('runs the connect protocol: init_connect, its ack, lock_set once, an empty exchange and resolved', () => {
    const { g, out } = standIn();
    g.up(E);
    expect(out.shift()).toEqual({
      to: `global_name_server@${E}`,
      msg: ['$gen_cast', ['init_connect', [8, 1], JS, ['locker', 'no_longer_a_pid', new Map([[['connection_id', E], 1]]), LOCKER]]],
    });
    expect(g.handle(E, ['$gen_cast', ['init_connect', [8, -99], E, ['locker', 'no_longer_a_pid', new Map(), ERL_LOCKER]]])).toBe(true);
    expect(out.shift()).toEqual({ to: `global_name_server@${E}`, msg: ['init_connect_ack', JS, -99, 1] });
    expect(g.handle(E, ['init_connect_ack', E, 1, -99])).toBe(true);
    expect(out).toEqual([]);

    const lockId = ['global', list([ERL_LOCKER, LOCKER])];
    g.handle(E, call('t1', ['set_lock', lockId]));
    expect(out.splice(0)).toEqual([
      { to: ERL_LOCKER.key, msg: ['t1', true] },
      { to: `global_name_server@${E}`, msg: ['$gen_cast', ['lock_set', LOCKER, true, list([]), -99]] },
    ]);
    g.handle(E, call('t2', ['set_lock', lockId]));
    expect(out.splice(0)).toEqual([{ to: ERL_LOCKER.key, msg: ['t2', true] }]); // lock_set only once

    g.handle(E, ['$gen_cast', ['exchange', E, list([]), list([]), 1]]);
    expect(out.splice(0)).toEqual([
      { to: `global_name_server@${E}`, msg: ['$gen_cast', ['exchange', JS, list([]), list([]), -99]] },
      { to: `global_name_server@${E}`, msg: ['$gen_cast', ['resolved', JS, list([]), list([]), 'unused', list([]), -99]] },
    ]);
    g.handle(E, call('t3', ['del_lock', lockId]));
    expect(out.splice(0)).toEqual([{ to: ERL_LOCKER.key, msg: ['t3', true] }]);
  });

  it("answers the registrar's calls and tells the rest of a BEAM cluster it is in sync", () => {
    const { g, out, logs } = standIn();
    g.up(E);
    out.length = 0;
    g.handle(E, call('a', ['set_lock', ['global', CALLER]], CALLER));
    g.handle(E, call('b', ['register', 'x', CALLER, 'fun'], CALLER));
    g.handle(E, call('c', ['unregister', 'x'], CALLER));
    g.handle(E, call('d', ['register_ext', 'y', CALLER, 'fun', E], CALLER));
    expect(out.splice(0).map((o) => o.msg)).toEqual([['a', true], ['b', 'yes'], ['c', 'ok'], ['d', 'yes']]);
    // Other members of the peer's partition, as resolved's HisKnown and as new_nodes' {Node, Vsn}.
    g.handle(E, ['$gen_cast', ['resolved', E, list([]), list(['f@h', JS]), 'unused', list([]), 1]]);
    g.handle(E, ['$gen_cast', ['new_nodes', E, list([]), list([]), list([['g@h', 8]]), list([])]]);
    expect(out.splice(0)).toEqual([
      { to: 'global_name_server@f@h', msg: ['$gen_cast', ['in_sync', JS, true]] },
      { to: 'global_name_server@g@h', msg: ['$gen_cast', ['in_sync', JS, true]] },
    ]);
    // An unknown call is logged, not answered; a stray message is taken.
    g.handle(E, call('z', ['whatever']));
    expect(g.handle(E, 'junk')).toBe(true);
    expect(out).toEqual([]);
    expect(logs).toEqual([`** global: a call from ${E} this node does not answer: whatever **`]);
  });

  it('takes nothing from a peer with no visible connection up, and forgets a peer when its connection goes', () => {
    const { g, out } = standIn();
    expect(g.handle(E, call('t', ['set_lock', ['global', CALLER]]))).toBe(false);
    g.up(E);
    g.down(E);
    out.length = 0;
    expect(g.handle(E, call('t', ['set_lock', ['global', CALLER]]))).toBe(false);
    expect(out).toEqual([]);
  });
});
