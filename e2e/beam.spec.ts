/**
 * BEAM and a real browser tab (issue 14), with real erl on a private epmd (ERL_EPMD_PORT):
 *
 * 1. A term from erl crosses the mesh through a tab unchanged: erl stores it in kvs on the
 *    `beam` server srv; the tab fetches it from srv (over the relay, fast-2) and sends it to a
 *    forwarding process on srv, which sends it to erl; erl checks `=:=`.
 * 2. M3: srv as the tab's gateway (`startBeamGateway`, and `attachBeamProxy` in the page for
 *    the way back): erl pings the tab, `{kvs, 'tabx@host'} ! {self(), …}` reaches the tab's
 *    kvs and its answer reaches erl, a float staying a float.
 * 3. M3 as a page would use it: srv started with `beam: { gateway: true }` (`erlmesh node
 *    --beam-gateway`), the page calls `joinBeamGateway(node, srv)`; erl's rpc:call and
 *    erpc:call run in the tab, a missing function is undef, erl's link to a tab process gets
 *    its exit reason, and the tab closing gives erl `noconnection` and `{badrpc, nodedown}`.
 *
 * Every erl and epmd started here is killed by pid at the end.
 */
import { test, expect } from '../src/playwright/index.js';
import { Float } from '../src/core/terms/beam-float.js';
import { List } from '../src/core/terms/beam-list.js';
import { startBeamGateway } from '../src/server/beam/gateway.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll } from '../test/support/beam.js';

test.use({ clusterOptions: { host: SHORT_HOST } });

test.skip(!!beamMissing(), 'Erlang/OTP is not installed');

test.afterAll(stopAll);

test('a term from erl goes through a tab and back unchanged; erl reaches the tab through its gateway', async ({ cluster }) => {
  const epmdPort = await startEpmd();
  const srv = await cluster.server('srv', { beam: { epmdPort, host: '127.0.0.1' } });
  const tab = await cluster.tab({ name: 'tabx' });
  expect(tab.name).toBe(`tabx@${SHORT_HOST}`);
  await srv.rpc.call(srv.name, 'kvs', 'start', []);
  await tab.rpc(tab.name, 'kvs', 'start', []);
  srv.register(
    'fwd',
    srv.spawn(async (self) => {
      for (;;) self.send(['back', `e@${SHORT_HOST}`], await self.receive());
    }),
  );
  // The way back: the tab's signals for BEAM nodes go through srv.
  await tab.evaluate((node, gw, erlmesh) => erlmesh.attachBeamProxy(node, gw), srv.name);
  const gateway = await startBeamGateway(srv, { for: tab.name, epmdPort, host: '127.0.0.1' });
  try {
    const script = [
      `JS = '${srv.name}'`,
      `TAB = '${tab.name}'`,
      `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
      `F = fun(X) -> {X, 3.0} end`,
      `T = {3.0, "abc", [1|2], <<1:3>>, make_ref(), hd(erlang:ports()), fun erlang:node/0, F, #{3.0 => "abc", <<1:3>> => [1|2]}, {ok, fine}, <<"x">>, -0.0}`,
      `W(store, rpc:call(JS, kvs, store, [t, T]))`,
      `register(back, self())`,
      `W(ready, true)`,
      `receive {ok, Got} -> W(through_tab, Got =:= T) after 20000 -> W(through_tab, timeout) end`,
      `W(ping_tab, net_adm:ping(TAB))`,
      `{kvs, TAB} ! {self(), {store, weather, {3.0, "abc"}}}`,
      `W(sent, true)`,
      `W(reply, receive {kvs, R} -> R after 10000 -> timeout end)`,
      `{kvs, TAB} ! {self(), {lookup, weather}}`,
      `W(lookup, receive {kvs, R2} -> R2 after 10000 -> timeout end)`,
      `receive stop -> ok after 20000 -> ok end`,
      `halt()`,
    ].join(', ');
    const erl = new ErlNode('e', { cookie: cluster.cookie, epmdPort, script });
    const lines = [(await erl.waitFor(/^store (.*)$/m))[0]];
    expect(lines[0]).toBe('store true');
    await erl.waitFor(/^ready true$/m);
    // In the page: fetch from srv over the relay, send on to srv's fwd.
    const kinds = await tab.evaluate(
      async (node, srvName, erlmesh) => {
        const got = (await node.rpc.call(srvName, 'kvs', 'lookup', ['t'])) as [string, unknown[]];
        node.send(['fwd', srvName], got);
        const [f, l, i, b] = got[1];
        return [f instanceof erlmesh.Float, l instanceof erlmesh.List, i instanceof erlmesh.ImproperList, b instanceof erlmesh.Bitstring];
      },
      srv.name,
    );
    // The page holds the BEAM classes themselves (Float, List, ImproperList, Bitstring).
    expect(kinds).toEqual([true, true, true, true]);
    lines.push((await erl.waitFor(/^through_tab (.*)$/m))[0]);
    expect(lines[1]).toBe('through_tab true');
    lines.push((await erl.waitFor(/^ping_tab (.*)$/m))[0]);
    expect(lines[2]).toBe('ping_tab pong');
    lines.push((await erl.waitFor(/^sent true$/m))[0]);
    lines.push((await erl.waitFor(/^reply (.*)$/m))[0]);
    expect(lines[4]).toBe('reply true');
    lines.push((await erl.waitFor(/^lookup (.*)$/m))[0]);
    expect(lines[5]).toBe('lookup {ok,{3.0,[97,98,99]}}');
    let stored: unknown;
    for (let i = 0; (stored = await tab.rpc(tab.name, 'kvs', 'lookup', ['weather'])) === undefined; i++) {
      if (i > 200) throw new Error("the tab's kvs never got erl's store");
      await new Promise((r) => setTimeout(r, 10));
    }
    const [, value] = stored as [string, [Float, unknown]];
    expect(value[0]).toBeInstanceOf(Float);
    expect(value[1]).toBeInstanceOf(List);
    console.log(`erl:\n${lines.join('\n')}`);
    await erl.stop();
  } finally {
    await gateway.close();
  }
});

test('a page joins srv as its BEAM gateway: rpc, erpc, undef, links from erl; the tab closing is noconnection', async ({ cluster }) => {
  const epmdPort = await startEpmd();
  const srv = await cluster.server('gws', { beam: { epmdPort, host: '127.0.0.1', gateway: true } });
  const tab = await cluster.tab({ name: 'tabz' });
  await tab.rpc(tab.name, 'kvs', 'start', []);
  await tab.rpc(tab.name, 'kvs', 'store', ['k', 42]);
  const joined = await tab.evaluate(async (node, gw, erlmesh) => {
    for (const name of ['w1', 'w2']) {
      node.register(
        name,
        node.spawn(async (self) => {
          const m = (await self.receive((x: unknown) => Array.isArray(x) && x[0] === 'die')) as [string, unknown];
          self.exit(m[1]);
        }),
      );
    }
    return (await erlmesh.joinBeamGateway(node, gw)).name;
  }, srv.name);
  expect(joined).toBe(tab.name);
  const script = [
    `TAB = '${tab.name}'`,
    `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
    `process_flag(trap_exit, true)`,
    `W(rpc, rpc:call(TAB, kvs, lookup, [k]))`,
    `W(erpc, erpc:call(TAB, kvs, lookup, [k]))`,
    `W(undef, rpc:call(TAB, kvs, nope, [1]))`,
    `P1 = rpc:call(TAB, erlang, whereis, [w1])`,
    `link(P1)`,
    `{w1, TAB} ! {die, {shutdown, why}}`,
    `W(exit, receive {'EXIT', P1, R1} -> R1 after 10000 -> timeout end)`,
    `P2 = rpc:call(TAB, erlang, whereis, [w2])`,
    `link(P2)`,
    `W(linked, node(P2))`,
    `W(down, receive {'EXIT', P2, R2} -> R2 after 20000 -> timeout end)`,
    `W(after_close, rpc:call(TAB, kvs, lookup, [k]))`,
    `halt()`,
  ].join(', ');
  const erl = new ErlNode('e', { cookie: cluster.cookie, epmdPort, script });
  const lines: string[] = [];
  const line = async (tag: string, value: string | RegExp) => {
    const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
    lines.push(m[0]);
    if (typeof value === 'string') expect(m[1], erl.stdout + erl.stderr).toBe(value);
    else expect(m[1], erl.stdout + erl.stderr).toMatch(value);
  };
  await line('rpc', '{ok,42}');
  await line('erpc', '{ok,42}');
  await line('undef', /^\{badrpc,\{'EXIT',\{undef,\[\{kvs,nope,\[1\]/);
  await line('exit', '{shutdown,why}');
  await line('linked', tab.name);
  await tab.close();
  await line('down', 'noconnection');
  await line('after_close', '{badrpc,nodedown}');
  console.log(`erl (tab joined srv as its gateway):\n${lines.join('\n')}`);
  await erl.stop();
});
