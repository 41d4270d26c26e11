/**
 * Issue 14, M3: links between real erl and a node without Erlang distribution (a tab's
 * stand-in: an erlmesh node without `beam` that ran `attachBeamProxy`) through its gateway —
 * LINK, UNLINK_ID / UNLINK_ID_ACK and EXIT both ways, the tab going as `noconnection` — and
 * the gateway's `allow` list.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/node/node.js';
import { attachBeamProxy } from '../../src/core/node/beam-proxy.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { isPid } from '../../src/core/terms/guards.js';
import { startBeamGateway } from '../../src/server/beam/gateway.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-gateway-links-cookie';

describe.skipIf(!!missing)('links between erl and a tab through its gateway; the allow list', () => {
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

  /** A gateway and a tab with the way back, on one memory network. */
  async function gatewayed(sname: string, allow?: string[]) {
    const net = new MemoryNetwork();
    const gw = await startNode({ sname: `gw${sname}`, cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    nodes.push(gw);
    const tab = await startNode({ sname, cookie: COOKIE, transport: net.transport(), logger: false });
    nodes.push(tab);
    attachBeamProxy(tab, gw.name);
    const gateway = await startBeamGateway(gw, { for: tab.name, epmdPort, host: '127.0.0.1', ...(allow ? { allow } : {}) });
    return { tab, gateway };
  }

  /** Registers `name` on `tab`: a process that exits with the reason it is sent as `['die', R]`. */
  function dying(tab: Node, name: string): void {
    tab.register(
      name,
      tab.spawn(async (self) => {
        const m = (await self.receive((x) => Array.isArray(x) && x[0] === 'die')) as [string, unknown];
        self.exit(m[1]);
      }),
    );
  }

  it("links both ways: the tab process's exit reason reaches erl's trapping process, an unlink takes both ways, erl's exit reaches a trapping tab process, the tab going is noconnection", async () => {
    const { tab, gateway } = await gatewayed('tabl');
    for (const n of ['w1', 'w2', 'w3']) dying(tab, n);
    let exited!: (m: unknown) => void;
    const tabGotExit = new Promise<unknown>((r) => (exited = r));
    tab.register(
      'linker',
      tab.spawn(async (self) => {
        self.trapExit(true);
        const [, who] = (await self.receive()) as [string, unknown];
        if (!isPid(who)) return;
        self.link(who);
        self.send(who, 'linked');
        exited(await self.receive((x) => Array.isArray(x) && x[0] === 'EXIT'));
      }),
    );
    tab.register(
      'unlinker',
      tab.spawn(async (self) => {
        const [, who] = (await self.receive()) as [string, unknown];
        if (!isPid(who)) return;
        // LINK to erl before the first message, UNLINK_ID before the second: erl's process lists the link, then not.
        self.link(who);
        self.send(who, ['linked', self.pid]);
        await self.receive((x) => x === 'checked');
        self.unlink(who);
        self.send(who, ['unlinked', self.pid]);
      }),
    );
    const TAB = tab.name;
    const script = [
      `TAB = '${TAB}'`,
      `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
      `process_flag(trap_exit, true)`,
      // erl links to a tab process; it exits with a reason.
      `P1 = rpc:call(TAB, erlang, whereis, [w1])`,
      `link(P1)`,
      `{w1, TAB} ! {die, {shutdown, why}}`,
      `W(exit, receive {'EXIT', P1, R1} -> R1 after 10000 -> timeout end)`,
      // An unlink (UNLINK_ID, acked): no EXIT, which would come before the DOWN (one connection, in order).
      `P2 = rpc:call(TAB, erlang, whereis, [w2])`,
      `link(P2), unlink(P2)`,
      `M2 = erlang:monitor(process, P2)`,
      `{w2, TAB} ! {die, gone}`,
      `W(unlinked, receive {'DOWN', M2, process, P2, _} -> receive {'EXIT', P2, _} -> still_linked after 0 -> unlinked end after 10000 -> timeout end)`,
      // A tab process links to an erl process, which exits: the trapping tab process gets the EXIT.
      `spawn(fun() -> {linker, TAB} ! {link_me, self()}, receive linked -> exit(erl_bye) end end)`,
      // A tab process links to an erl process (LINK), then unlinks (UNLINK_ID): erl's links show both.
      `Me = self()`,
      `Has = fun(T) -> {links, L} = process_info(self(), links), lists:member(T, L) end`,
      `spawn(fun() -> {unlinker, TAB} ! {unlink_me, self()}, receive {linked, T} -> L1 = Has(T), T ! checked, receive {unlinked, T} -> Me ! {tab_unlink, {L1, Has(T)}} end end end)`,
      `W(tab_unlink, receive {tab_unlink, U} -> U after 10000 -> timeout end)`,
      // erl links to w3; the tab goes: noconnection.
      `P3 = rpc:call(TAB, erlang, whereis, [w3])`,
      `link(P3)`,
      `W(linked, node(P3))`,
      `W(down, receive {'EXIT', P3, R3} -> R3 after 20000 -> timeout end)`,
      `halt()`,
    ].join(', ');
    const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script });
    try {
      const lines: string[] = [];
      const expectLine = async (tag: string, value: string) => {
        const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
        lines.push(m[0]);
        expect(m[1], erl.stdout + erl.stderr).toBe(value);
      };
      await expectLine('exit', '{shutdown,why}');
      await expectLine('unlinked', 'unlinked');
      const got = (await tabGotExit) as [string, unknown, unknown];
      expect(got[0]).toBe('EXIT');
      expect(isPid(got[1]) && got[1].node).toBe(`e@${SHORT_HOST}`);
      expect(got[2]).toBe('erl_bye');
      await expectLine('tab_unlink', '{true,false}');
      await expectLine('linked', TAB);
      await tab.stop();
      await expectLine('down', 'noconnection');
      console.log(`erl:\n${lines.join('\n')}\ntab linker got: EXIT from ${String(got[1])}, ${String(got[2])}`);
    } finally {
      await gateway.close();
    }
  }, 60_000);

  it("allow: a BEAM node not on the gateway's list is refused (pang), one on it connects (pong)", async () => {
    const { tab, gateway } = await gatewayed('taba', [`ok@${SHORT_HOST}`]);
    try {
      const ping = `io:format("ping ~w~n", [net_adm:ping('${tab.name}')]), halt()`;
      const refused = new ErlNode('no', { cookie: COOKIE, epmdPort, script: ping });
      expect((await refused.waitFor(/^ping (.*)$/m))[1]).toBe('pang');
      expect(tab.nodes('hidden')).toEqual([]);
      const allowed = new ErlNode('ok', { cookie: COOKIE, epmdPort, script: ping });
      expect((await allowed.waitFor(/^ping (.*)$/m))[1]).toBe('pong');
    } finally {
      await gateway.close();
    }
  }, 60_000);
});
