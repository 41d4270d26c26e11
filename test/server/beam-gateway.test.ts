/**
 * Issue 14, M3, first step: BEAM reaching a node that does not speak Erlang distribution (a
 * tab's stand-in here: an erlmesh node without `beam`, reached only over erlmesh) through a
 * gateway server-node, against real erl. The gateway registers the tab's name at epmd on a
 * listener of its own; `{kvs, 'tabx@host'} ! Msg` and `TabPid ! Msg` from erl arrive at the
 * tab, BEAM terms intact, and `net_adm:ping` is pong. Replies from the tab to erl are not
 * carried yet (docs/beam-interop.md, "BEAM reaching a tab").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/node/node.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { Float } from '../../src/core/terms/beam-float.js';
import { List } from '../../src/core/terms/beam-list.js';
import type { Pid } from '../../src/core/terms/pid.js';
import { attachBeamProxy } from '../../src/core/node/beam-proxy.js';
import { startBeamGateway } from '../../src/server/beam/gateway.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-gateway-cookie';
const TAB = `tabx@${SHORT_HOST}`;

describe.skipIf(!!missing)('a gateway server-node makes a non-BEAM node reachable from erl', () => {
  let epmdPort: number;
  const nodes: Node[] = [];
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterEach(stopErlNodes);
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await stopAll();
  });

  it("{kvs, 'tabx@host'} ! Msg and TabPid ! Msg from erl reach the tab through the gateway", async () => {
    const net = new MemoryNetwork();
    const logs: unknown[] = [];
    const gw = await startNode({ sname: 'gw', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: (e) => logs.push(e) });
    nodes.push(gw);
    const tab = await startNode({ sname: 'tabx', cookie: COOKIE, transport: net.transport(), logger: false });
    nodes.push(tab);
    await tab.rpc.call(TAB, 'kvs', 'start', []);
    let got!: (m: unknown) => void;
    const inboxGot = new Promise<unknown>((r) => (got = r));
    const inbox = tab.spawn(async (self) => got(await self.receive()));
    tab.register('inbox', inbox);
    const gateway = await startBeamGateway(gw, { for: TAB, epmdPort, host: '127.0.0.1' });
    try {
      expect(gateway.creation).toBe(tab.creation);
      const script = [
        `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
        `T0 = erlang:monotonic_time(millisecond)`,
        `Ping = net_adm:ping('${TAB}')`,
        // On pang (seen once under a full suite's load), what erl saw: the epmd entry, the host, the time taken.
        `case Ping of pang -> io:format("diag ~p ~p ~p ms~n", [erl_epmd:port_please("tabx", "${SHORT_HOST}"), inet:gethostbyname("${SHORT_HOST}"), erlang:monotonic_time(millisecond) - T0]); _ -> ok end`,
        `W(ping, Ping)`,
        `{kvs, '${TAB}'} ! {self(), {store, weather, {3.0, "abc", <<"x">>}}}`,
        `{inbox, '${TAB}'} ! {whereis_inbox, self()}`,
        `W(sent, true)`,
        `receive {pid, P} -> P ! {direct, [1|2]}, W(direct, node(P)) after 15000 -> W(direct, timeout) end`,
        `receive stop -> ok after 15000 -> ok end`,
        `halt()`,
      ].join(', ');
      const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script });
      const lines = [(await erl.waitFor(/^ping (.*)$/m))[0]];
      expect(lines[0], `${erl.stdout}\n${erl.stderr}\ngateway's log: ${JSON.stringify(logs)}`).toBe('ping pong');
      lines.push((await erl.waitFor(/^sent true$/m))[0]);
      // The registered name: kvs stored what erl sent, BEAM types kept (its reply to erl is not carried yet).
      let stored: unknown;
      for (let i = 0; (stored = await tab.rpc.call(TAB, 'kvs', 'lookup', ['weather'])) === undefined; i++) {
        if (i > 200) throw new Error('kvs never got the store');
        await new Promise((r) => setTimeout(r, 10));
      }
      const [, value] = stored as [string, unknown[]];
      expect(value[0]).toBeInstanceOf(Float);
      expect(value[1]).toBeInstanceOf(List);
      expect(value[2]).toEqual(new TextEncoder().encode('x'));
      // A pid of the tab, learnt by erl from a message: erl's send to it arrives.
      const [, erlPid] = (await inboxGot) as [string, Pid];
      expect(erlPid.node).toBe(`e@${SHORT_HOST}`);
      let direct!: (m: unknown) => void;
      const directGot = new Promise<unknown>((r) => (direct = r));
      const target = tab.spawn(async (self) => direct(await self.receive()));
      // Handing the pid to erl needs a way back to BEAM, which this step lacks: the gateway sends it.
      gw.send(erlPid, ['pid', target]);
      lines.push((await erl.waitFor(/^direct (.*)$/m))[0]);
      expect(lines[2]).toBe(`direct ${TAB}`);
      const m = (await directGot) as [string, unknown];
      expect(m[0]).toBe('direct');
      console.log(`erl:\n${lines.join('\n')}`);
    } finally {
      await gateway.close();
    }
  }, 60_000);

  it('with the way back (attachBeamProxy on the tab): kvs answers erl, a monitor from erl gets its DOWN, the tab sees erl as a hidden node', async () => {
    const net = new MemoryNetwork();
    const gw = await startNode({ sname: 'gw2', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    nodes.push(gw);
    const tabName = `taby@${SHORT_HOST}`;
    const tab = await startNode({ sname: 'taby', cookie: COOKIE, transport: net.transport(), logger: false });
    nodes.push(tab);
    attachBeamProxy(tab, gw.name);
    await tab.rpc.call(tabName, 'kvs', 'start', []);
    tab.register(
      'inbox',
      tab.spawn(async (self) => {
        await self.receive((m) => m === 'stop');
        self.exit('bye');
      }),
    );
    const gateway = await startBeamGateway(gw, { for: tabName, epmdPort, host: '127.0.0.1' });
    try {
      const script = [
        `TAB = '${tabName}'`,
        `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
        `W(ping, net_adm:ping(TAB))`,
        `{kvs, TAB} ! {self(), {store, k, {3.0, "abc"}}}`,
        `W(store, receive {kvs, R1} -> R1 after 10000 -> timeout end)`,
        `{kvs, TAB} ! {self(), {lookup, k}}`,
        `W(lookup, receive {kvs, R2} -> R2 after 10000 -> timeout end)`,
        `Mon = erlang:monitor(process, {inbox, TAB})`,
        `{inbox, TAB} ! stop`,
        `W(down, receive {'DOWN', Mon, process, _, R3} -> R3 after 10000 -> timeout end)`,
        `register(erl_test, self())`,
        `W(waiting, true)`,
        `receive stop -> ok after 10000 -> ok end`,
        `halt()`,
      ].join(', ');
      const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script });
      const lines: string[] = [];
      for (const [tag, value] of [
        ['ping', 'pong'],
        ['store', 'true'],
        ['lookup', '{ok,{3.0,[97,98,99]}}'], // ~w prints "abc" as its codes
        ['down', 'bye'],
        ['waiting', 'true'],
      ]) {
        const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
        lines.push(m[0]);
        expect(m[1], erl.stdout + erl.stderr).toBe(value);
      }
      expect(tab.nodes('hidden')).toEqual([`e@${SHORT_HOST}`]);
      // A plain send from the tab by name goes the way back too; erl halts, and the tab sees it go.
      await tab.run(async (self) => self.send(['erl_test', `e@${SHORT_HOST}`], 'stop'));
      await erl.exited();
      for (let i = 0; tab.nodes('hidden').length > 0; i++) {
        if (i > 500) throw new Error('the tab never saw erl go');
        await new Promise((r) => setTimeout(r, 10));
      }
      console.log(`erl (with the way back):\n${lines.join('\n')}`);
    } finally {
      await gateway.close();
    }
  }, 60_000);
});
