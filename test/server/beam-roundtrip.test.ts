/**
 * Issue 14: a term that comes from BEAM goes back to BEAM unchanged, also after crossing the
 * erlmesh mesh. Real erl (OTP 25) stores a term covering every BEAM-only type in kvs on the
 * erlmesh node A (a beam node); B and C, erlmesh nodes that are not BEAM nodes, fetch it from
 * A over erlmesh's own distribution (B in fast-2, the default; C in superjson-2) and send it
 * to a forwarding process on A, which sends it to erl; erl checks it with `=:=`.
 *
 * Private epmd (ERL_EPMD_PORT), memory transport between the erlmesh nodes; every process is
 * stopped at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/node/node.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { Float } from '../../src/core/terms/beam-float.js';
import { List } from '../../src/core/terms/beam-list.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-roundtrip-cookie';
const A = `a@${SHORT_HOST}`;
const E = `e@${SHORT_HOST}`;

/** erl's half: the term, stored on A; then each copy that comes back, compared with `=:=`. */
const SCRIPT = [
  `JS = '${A}'`,
  `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
  `F = fun(X) -> {X, 3.0} end`,
  `T = {3.0, "abc", [1|2], <<1:3>>, make_ref(), hd(erlang:ports()), fun erlang:node/0, F, #{3.0 => "abc", <<1:3>> => [1|2], "abc" => [a|b], {ok, fine} => <<"x">>}, {ok, fine}, <<"x">>, [], {}, 1 bsl 70, -2.5, [[1.0]], [3.0|-0.0]}`,
  `W(store, rpc:call(JS, kvs, store, [t, T]))`,
  `register(back, self())`,
  `W(ready, true)`,
  `Back = fun(Tag) -> receive {ok, Got} -> W(Tag, Got =:= T), Got =/= T andalso W(got, Got) after 15000 -> W(Tag, timeout) end end`,
  `Back(fast)`,
  `Back(superjson)`,
  `W(fun_runs, (element(8, T))(x))`,
  `halt()`,
].join(', ');

describe.skipIf(!!missing)('a term from erl crosses the erlmesh mesh and goes back to erl unchanged', () => {
  let epmdPort: number;
  const nodes: Node[] = [];
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await stopAll();
  });

  it('erl → kvs on A (beam); B (fast-2) and C (superjson-2) fetch it from A and send it back through A; erl sees =:=', async () => {
    const net = new MemoryNetwork();
    const a = await startNode({ sname: 'a', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    nodes.push(a);
    const b = await startNode({ sname: 'b', cookie: COOKIE, transport: net.transport(), logger: false });
    nodes.push(b);
    const c = await startNode({ sname: 'c', cookie: COOKIE, transport: net.transport(), encodings: ['superjson-2'], logger: false });
    nodes.push(c);
    await a.rpc.call(A, 'kvs', 'start', []);
    // On A: whatever arrives goes on to erl's `back`.
    a.register(
      'fwd',
      a.spawn(async (self) => {
        for (;;) self.send(['back', E], await self.receive());
      }),
    );
    const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script: SCRIPT });
    await erl.waitFor(/^store true$/m);
    await erl.waitFor(/^ready true$/m);
    const lines: string[] = [];
    for (const [via, tag] of [
      [b, 'fast'],
      [c, 'superjson'],
    ] as const) {
      const got = (await via.rpc.call(A, 'kvs', 'lookup', ['t'])) as [string, unknown[]];
      expect(got[0]).toBe('ok');
      // What the non-BEAM node holds is of the BEAM classes, not plain numbers and arrays.
      expect(got[1][0]).toBeInstanceOf(Float);
      expect(got[1][1]).toBeInstanceOf(List);
      await via.run(async (self) => self.send(['fwd', A], got));
      const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
      lines.push(m[0]);
      expect(m[0], erl.stdout + erl.stderr).toBe(`${tag} true`);
    }
    lines.push((await erl.waitFor(/^fun_runs (.*)$/m))[0]);
    await erl.exited();
    console.log(`erl:\n${lines.join('\n')}`);
  }, 60_000);
});
